"""Eastvale's smaller treatment plan as the demo writes it: its planning grids (data only),
written as Northshire's are (see `northshire`)."""

from __future__ import annotations

from typing import Any

EASTVALE_GRIDS: list[dict[str, Any]] = [
    {
        "title": "Access and engagement",
        "rating": "amber",
        "assessment": "Most people start treatment within three weeks; outreach to stimulant "
        "users and women is limited.",
        "priorities": ["Outreach to stimulant users", "A women-only clinic session"],
        "spend": [("Planned spend last year", 420000), ("Planned spend this year", 430000)],
        "objectives": [
            (
                "Reach groups under-represented in treatment",
                [
                    (
                        "Start a weekly women-only session at the town centre clinic",
                        ("m", -2),
                        "Eastvale Drug Services",
                        ("done", -2),
                    ),
                    (
                        "Run outreach sessions with the night-time economy team",
                        ("from", -6),
                        "Eastvale Drug Services/ Eastvale Police",
                        "on",
                    ),
                    ("Report numbers in treatment by target group", "quarterly", "PM", "recurring"),
                    (
                        "Agree a stimulant users' pathway with the community trust",
                        ("m", -1),
                        "Eastvale Community NHS Trust",
                        ("risk", "The trust has no psychologist until the new year.", ""),
                    ),
                ],
            ),
        ],
    },
    {
        "title": "Retention and effectiveness",
        "rating": "green",
        "assessment": "Retention is above the national average; planned discharges are not.",
        "priorities": ["More planned discharges"],
        "spend": [("Planned spend last year", 610000), ("Planned spend this year", 615000)],
        "objectives": [
            (
                "Increase planned discharges",
                [
                    (
                        "Agree recovery plans with every client in treatment for over a year",
                        ("endq", 0),
                        "Eastvale Community NHS Trust",
                        "on",
                    ),
                    (
                        "Set up a mutual aid group with the service user group",
                        ("m", 1),
                        "DATC",
                        "new",
                    ),
                    ("Review the aftercare contract", ("m", -3), "DATC", ("done", -3)),
                ],
            ),
        ],
    },
]
