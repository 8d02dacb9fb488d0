"""What each indicator's figure counts, hence how its year-end forecast is worked out
(its *basis*), and the sentence that explains each method on the indicator page.

The working itself is in ``forecast``; ``docs/forecast.md`` explains the choice for each.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Basis:
    key: str  # flow | stock | lookback | prevalence | local_rate | local_count | none
    counted: str = "people"  # what numerator and denominator count, for the working
    lag_days: int = 0  # flow: the cohort ends this many days before the window's end


FLOW_STARTING = "journeys starting"
FLOW_ENDING = "journeys ending"

# What each national indicator counts (spec: "Indicators for a window"), hence its basis.
BASES: dict[str, Basis] = {
    "in_treatment": Basis("stock"),
    "ocu_in_treatment": Basis("stock"),
    "effective_treatment": Basis("stock"),
    "retention_12wk": Basis("flow", FLOW_STARTING, lag_days=84),
    "planned_exit": Basis("flow", FLOW_ENDING),
    "waiting_over_3wk": Basis("flow", FLOW_STARTING),
    "successful_completion": Basis("lookback"),
    "successful_completion_opiate": Basis("lookback"),
    "successful_completion_non_opiate": Basis("lookback"),
    "hepb_vaccination": Basis("stock"),
    "hepc_testing": Basis("stock"),
    "care_plan": Basis("stock"),
    "penetration": Basis("prevalence"),
}

# One sentence per basis for the page: the method, before the working with the numbers.
METHODS: dict[str, str] = {
    "flow": (
        "This figure counts journeys as they happen, so the year so far has already counted "
        "part of the year's journeys. Both the numerator and the denominator are scaled up "
        "to the whole year by the number of days counted: the forecast share is the share "
        "so far, on the assumption that the rest of the year goes the same way."
    ),
    "stock": (
        "This figure counts everyone in treatment at any time in the period: for the year, "
        "a 12-month period. The nearest 12-month figure we have measured is the latest "
        "rolling 12 months: the forecast is that figure, on the assumption that nothing "
        "changes between now and 31 March. A count cannot end the year below what the year "
        "so far has already counted."
    ),
    "lookback": (
        "This figure looks back at the people in treatment in the 12 months ending six "
        "months before the end of the period. The forecast is the latest such figure."
    ),
    "prevalence": (
        "Penetration divides the opiate and crack users in treatment in the year by the "
        "estimated number in the area for that year. The estimate is known already; the "
        "count in treatment is forecast as the latest rolling 12 months, and cannot end the "
        "year below what the year so far has already counted. (A quarter's penetration "
        "counts only the people in treatment in those three months, so it is always lower "
        "than the year's.)"
    ),
    "local_rate": (
        "This is the partnership's own indicator, entered by quarter. The forecast is the "
        "share over this year's quarters together (all their numerators over all their "
        "denominators), on the assumption that the rest of the year goes the same way."
    ),
    "local_count": (
        "This is the partnership's own count, entered by quarter. The same people can be "
        "counted in more than one quarter, so the year's figure cannot be worked out from "
        "the quarters and there is no forecast: the year is rated once its figure is entered."
    ),
    "outturn": "The year is complete: the forecast is the year's own figure.",
    "none": "No forecast method has been chosen for this indicator.",
}


def basis_for(key: str, *, local: bool, is_count: bool) -> Basis:
    if local:
        return Basis("local_count" if is_count else "local_rate")
    return BASES.get(key, Basis("none"))
