"""The words of the demo's progress updates (data only), by where an update falls in an
action's story."""

from __future__ import annotations

NOTES = {
    "start": [
        "Work started; project plan agreed with the lead officer.",
        "Initial meeting held with partners; timetable agreed.",
        "Scoping complete and milestones set.",
    ],
    "middle": [
        "Good progress: milestones for the month met.",
        "Draft circulated to partners for comment.",
        "On schedule. Progress reported to the JCG.",
        "Partners have agreed the approach; detailed work under way.",
    ],
    "done": [
        "Completed and signed off by the JCG.",
        "Complete. Final report circulated to board members.",
        "Done: in place across all providers from this month.",
    ],
    "recurring": [
        "Report made to the JCG as scheduled.",
        "Figures circulated; no exceptions to report.",
        "Report made; two providers asked for action plans.",
    ],
}
