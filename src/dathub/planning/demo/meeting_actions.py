"""The actions Northshire's board set at its meetings, as the demo writes them (data only):
actions with no plan objective, each from a meeting some months ago."""

from __future__ import annotations

NORTHSHIRE_MEETING_ACTIONS = [
    # (source months ago, text, by when, by whom, story)
    (
        4,
        "Bring a paper on the under-spend in the pooled treatment budget to the next board",
        ("m", -2),
        "Robin Hughes",
        ("done", -2),
    ),
    (
        2,
        "Write to the prison governor about the information sharing protocol",
        ("m", -1),
        "Alex Morgan",
        "on",
    ),
    (
        2,
        "Circulate the draft communications plan to board members for comment",
        ("m", 0),
        "Alex Morgan/ BM",
        "new",
    ),
]
