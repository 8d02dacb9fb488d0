"""What each indicator is called and which way is better; the definitions are the engine's."""

from __future__ import annotations

from dataclasses import dataclass

from .engine.indicators import COUNT_INDICATORS, INDICATORS


@dataclass(frozen=True)
class IndicatorInfo:
    key: str
    name: str
    description: str
    is_count: bool
    higher_is_better: bool = True
    local: bool = False

    @property
    def unit(self) -> str:
        return "" if self.is_count else "%"


_NAMES: dict[str, tuple[str, str]] = {
    "in_treatment": (
        "People in treatment",
        "Adults with a treatment journey active in the period.",
    ),
    "ocu_in_treatment": (
        "Opiate and crack users in treatment",
        "People in treatment whose journey involves opiates and/or crack.",
    ),
    "effective_treatment": (
        "Opiate and crack users in effective treatment",
        "Share of opiate and crack users retained 12 weeks or more, or who completed.",
    ),
    "retention_12wk": (
        "Retained 12 weeks or more",
        "Share of journeys starting in the period (to 12 weeks before its end) still in "
        "treatment or completed at 12 weeks.",
    ),
    "planned_exit": (
        "Planned exits",
        "Share of journeys ending in the period that ended in a successful completion "
        "(transfers left out).",
    ),
    "waiting_over_3wk": (
        "Waiting over 3 weeks",
        "Share of journeys starting in the period whose first structured treatment began "
        "more than 21 days after referral. Lower is better.",
    ),
    "successful_completion": (
        "Successful completions not re-presenting",
        "Share of people in treatment in the 12 months ending 6 months before the period end "
        "who completed and did not come back within 6 months.",
    ),
    "successful_completion_opiate": (
        "Successful completions (opiate)",
        "As successful completions, for people whose journey involves opiates.",
    ),
    "successful_completion_non_opiate": (
        "Successful completions (non-opiate)",
        "As successful completions, for people whose journey does not involve opiates.",
    ),
    "hepb_vaccination": (
        "Hepatitis B vaccination",
        "Share of current or previous injectors vaccinated, already immunised or immune.",
    ),
    "hepc_testing": (
        "Hepatitis C testing",
        "Share of current or previous injectors who accepted a hepatitis C test.",
    ),
    "care_plan": ("Care plan agreed", "Share of people in treatment with an agreed care plan."),
    "penetration": (
        "Treatment penetration",
        "Opiate and crack users in treatment as a share of the estimated number in the area.",
    ),
}

LOWER_IS_BETTER = frozenset({"waiting_over_3wk"})

NATIONAL: dict[str, IndicatorInfo] = {
    key: IndicatorInfo(
        key=key,
        name=_NAMES[key][0],
        description=_NAMES[key][1],
        is_count=key in COUNT_INDICATORS,
        higher_is_better=key not in LOWER_IS_BETTER,
    )
    for key in INDICATORS
}

BREAKDOWN_FAMILIES: tuple[tuple[str, str], ...] = (
    ("agency", "Agency"),
    ("sex", "Sex"),
    ("age", "Age band"),
    ("ethnic", "Ethnic group"),
    ("drug", "Drug group"),
    ("referral", "Referral source"),
)

_BREAKDOWN_WORDS = {
    "all": "All",
    "sex:M": "Male",
    "sex:F": "Female",
    "ethnic:white_british": "White British",
    "ethnic:white_other": "White other",
    "ethnic:bme": "Black and minority ethnic",
    "ethnic:not_stated": "Not stated",
    "drug:opiate_crack": "Opiate and crack",
    "drug:opiate_only": "Opiate only",
    "drug:crack_only": "Crack only",
    "drug:non_ocu": "Neither opiate nor crack",
    "referral:criminal_justice": "Criminal justice",
    "referral:other": "Other referral",
}


def breakdown_label(breakdown: str) -> str:
    if breakdown in _BREAKDOWN_WORDS:
        return _BREAKDOWN_WORDS[breakdown]
    family, _, value = breakdown.partition(":")
    if family == "age":
        return f"Aged {value}"
    return value


def local_info(indicator: object) -> IndicatorInfo:
    from .models import LocalIndicator

    assert isinstance(indicator, LocalIndicator)
    return IndicatorInfo(
        key=indicator.key,
        name=indicator.name,
        description=indicator.description,
        is_count=indicator.unit == LocalIndicator.Unit.COUNT,
        higher_is_better=indicator.higher_is_better,
        local=True,
    )
