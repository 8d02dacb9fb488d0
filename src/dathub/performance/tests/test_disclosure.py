"""Disclosure by differencing (issue 9, item 8): the rule on its own, as a property over
random splits of a partnership's figures between its agencies.

The viewer is a provider: it sees its own agency's figures and whatever partnership figures
the rule lets through, and it knows its own clients (so its own share of every breakdown
cell, not only of the total). Nothing it is shown may give one other agency's figure.
"""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from dathub.performance import disclosure

SEXES = ("M", "F")
PERIOD = "2026/27 Q1"


@st.composite
def splits(draw: Any) -> dict[str, dict[str, dict[str, tuple[int, int | None]]]]:
    """agency -> sex -> indicator -> (numerator, denominator): the true cross the site
    never stores (it keeps the totals by agency and the partnership by sex)."""
    n_agencies = draw(st.integers(min_value=1, max_value=5))
    small = draw(st.booleans())  # many zeros and ties, or spread-out counts
    top = 3 if small else 60
    out: dict[str, dict[str, dict[str, tuple[int, int | None]]]] = {}
    for k in range(n_agencies):
        agency: dict[str, dict[str, tuple[int, int | None]]] = {}
        for sex in SEXES:
            people = draw(st.integers(0, top))
            ocu = draw(st.integers(0, people))
            care = draw(st.integers(0, people))
            started = draw(st.integers(0, top))
            retained = draw(st.integers(0, started))
            agency[sex] = {
                "in_treatment": (people, None),
                "ocu_in_treatment": (ocu, None),
                "care_plan": (care, people),
                "retention_12wk": (retained, started),
            }
        out[f"agency:A{k + 1}"] = agency
    return out


def _add(a: tuple[int, int | None], b: tuple[int, int | None]) -> tuple[int, int | None]:
    return a[0] + b[0], None if a[1] is None or b[1] is None else a[1] + b[1]


def _total(cells: list[dict[str, tuple[int, int | None]]]) -> dict[str, tuple[int, int | None]]:
    out: dict[str, tuple[int, int | None]] = {}
    for cell in cells:
        for indicator, counts in cell.items():
            out[indicator] = _add(out[indicator], counts) if indicator in out else counts
    return out


def _stored(split: dict[str, Any]) -> list[dict[str, Any]]:
    """The rows the site stores: the partnership's total and sex cells, each agency's total."""
    cells = {"all": _total([c for a in split.values() for c in a.values()])}
    for sex in SEXES:
        cells[f"sex:{sex}"] = _total([a[sex] for a in split.values()])
    for agency, by_sex in split.items():
        cells[agency] = _total(list(by_sex.values()))
    return [
        {"period": PERIOD, "indicator": i, "breakdown": b, "numerator": n, "denominator": d}
        for b, cell in cells.items()
        for i, (n, d) in cell.items()
    ]


def _named_counts(cell: dict[str, tuple[int, int | None]]) -> dict[str, int]:
    """Every count a viewer can read or subtract from one cell's shown figures."""
    out: dict[str, int] = {}
    for indicator, (num, den) in cell.items():
        out[f"{indicator} numerator"] = num
        if den is not None:
            out[f"{indicator} denominator"] = den
            out[f"{indicator} denominator - numerator"] = den - num
    if "in_treatment" in cell and "ocu_in_treatment" in cell:
        out["in treatment - OCU"] = cell["in_treatment"][0] - cell["ocu_in_treatment"][0]
    return out


def _own_share(split: dict[str, Any], own: str | None, breakdown: str) -> dict[str, Any]:
    """What the viewer knows of its own agency in a cell: all of it (its own clients)."""
    if own not in split:
        return {}
    by_sex = split[own]
    return _total(list(by_sex.values())) if breakdown == "all" else by_sex[breakdown[4:]]


def _others_in(split: dict[str, Any], own: str | None, breakdown: str) -> dict[str, Any]:
    return {
        agency: _total(list(by_sex.values())) if breakdown == "all" else by_sex[breakdown[4:]]
        for agency, by_sex in split.items()
        if agency != own
    }


@settings(max_examples=400, deadline=None)
@given(split=splits(), pick=st.integers(min_value=0, max_value=6))
def test_nothing_shown_gives_one_other_agencys_figure(split, pick):
    """For every partnership figure shown to the restricted viewer, the figure minus the
    viewer's own share equals no other single agency's figure, for every count it shows
    (numerator, denominator, their difference, and the difference of two indicators of the
    same people), in the total and in the sex breakdown."""
    agencies = sorted(split)
    # the viewer's agency: one of them, one with no figures, or none set
    own = agencies[pick] if pick < len(agencies) else ("agency:ZZ9" if pick % 2 else None)
    rows = _stored(split)
    withheld = disclosure.withheld(rows, own)
    for breakdown in ("all", "sex:M", "sex:F"):
        shown = {
            r["indicator"]: (r["numerator"], r["denominator"])
            for r in rows
            if r["breakdown"] == breakdown and (PERIOD, r["indicator"], breakdown) not in withheld
        }
        if not shown:
            continue
        own_counts = _named_counts(
            {i: v for i, v in _own_share(split, own, breakdown).items() if i in shown}
        )
        for name, value in _named_counts(shown).items():
            rest = value - own_counts.get(name, 0)
            for agency, cell in _others_in(split, own, breakdown).items():
                theirs = _named_counts({i: v for i, v in cell.items() if i in shown})
                assert rest != theirs.get(name, 0), (
                    f"{breakdown} {name}: {value} shown, own {own_counts.get(name, 0)}, "
                    f"gives {agency}'s {rest}"
                )


@settings(max_examples=300, deadline=None)
@given(split=splits(), pick=st.integers(min_value=0, max_value=4))
def test_a_total_is_withheld_exactly_when_fewer_than_two_others_contribute(split, pick):
    """The rule is not stronger than it needs to be for a total: an indicator's total is
    shown exactly when at least two other agencies have a non-zero numerator, denominator
    and difference of the two (retention has no other indicator in its group)."""
    agencies = sorted(split)
    own = agencies[pick % len(agencies)]
    withheld = disclosure.withheld(_stored(split), own)
    others = [
        _total(list(by_sex.values()))["retention_12wk"]
        for agency, by_sex in split.items()
        if agency != own
    ]
    expected_shown = all(
        sum(1 for num, den in others if part(num, den or 0) > 0) >= 2
        for part in (lambda n, d: n, lambda n, d: d, lambda n, d: d - n)
    )
    assert ((PERIOD, "retention_12wk", "all") not in withheld) == expected_shown


def test_two_agencies_the_issue_s_numbers():
    """The finding: 948 in treatment, 339 of them the viewer's, so 609 the other's."""
    rows = [
        {"period": PERIOD, "indicator": "in_treatment", "breakdown": b, "numerator": n}
        | {"denominator": None}
        for b, n in (("all", 948), ("agency:NRT01", 339), ("agency:NPT02", 609))
    ]
    assert disclosure.withheld(rows, "agency:NRT01") == {(PERIOD, "in_treatment", "all")}
    # a third provider with clients: 948 − 339 is two providers' sum, shown
    rows += [
        {"period": PERIOD, "indicator": "in_treatment", "breakdown": "agency:NX03"}
        | {"numerator": 1, "denominator": None}
    ]
    rows[0]["numerator"] = 949
    assert disclosure.withheld(rows, "agency:NRT01") == set()
    # a viewer with no agency of its own: the total is two providers' sum
    assert disclosure.withheld(rows, None) == set()


def test_a_breakdown_family_goes_with_its_total_and_whole():
    """A family adds up to the total, so it is never shown without it, and is shown or
    withheld as a whole (one hidden cell would be the total minus the others)."""
    base = {"period": PERIOD, "indicator": "in_treatment", "denominator": None}
    rows = [
        base | {"breakdown": b, "numerator": n}
        for b, n in (
            ("all", 300),
            ("sex:M", 260),
            ("sex:F", 40),
            ("agency:A1", 100),
            ("agency:A2", 100),
            ("agency:A3", 100),
        )
    ]
    # total: 300 − 100 > 100, shown; sex:F: 40 − 100 is not more than 100, so the sex
    # family (sex:M too) is withheld
    assert disclosure.withheld(rows, "agency:A1") == {
        (PERIOD, "in_treatment", "sex:M"),
        (PERIOD, "in_treatment", "sex:F"),
    }


def test_indicators_of_the_same_people_are_decided_together():
    """Successful completions = opiate + non-opiate: if the opiate figure were withheld on
    its own, the other two would give it."""
    rows = []
    counts = {  # agency -> (opiate num, den), (non-opiate num, den)
        "agency:A1": ((5, 20), (4, 20)),
        "agency:A2": ((0, 10), (6, 30)),  # no opiate completions: A3's are the only other
        "agency:A3": ((3, 10), (2, 10)),
    }
    for agency, ((on, od), (nn, nd)) in counts.items():
        for indicator, n, d in (
            ("successful_completion_opiate", on, od),
            ("successful_completion_non_opiate", nn, nd),
            ("successful_completion", on + nn, od + nd),
        ):
            rows.append(
                {"period": PERIOD, "indicator": indicator, "breakdown": agency}
                | {"numerator": n, "denominator": d}
            )
    for indicator in {r["indicator"] for r in rows}:
        mine = [r for r in rows if r["indicator"] == indicator]
        rows.append(
            {"period": PERIOD, "indicator": indicator, "breakdown": "all"}
            | {
                "numerator": sum(r["numerator"] for r in mine),
                "denominator": sum(r["denominator"] for r in mine),
            }
        )
    assert disclosure.withheld(rows, "agency:A1") == {
        (PERIOD, i, "all")
        for i in (
            "successful_completion",
            "successful_completion_opiate",
            "successful_completion_non_opiate",
        )
    }


def test_penetration_goes_with_ocu_in_treatment():
    """Penetration's numerator is the OCU count; without it, it cannot be judged."""
    rows = [
        {"period": PERIOD, "indicator": "penetration", "breakdown": "all"}
        | {"numerator": 50, "denominator": 1000},
    ]
    assert disclosure.withheld(rows, "agency:A1") == {(PERIOD, "penetration", "all")}
    rows += [
        {"period": PERIOD, "indicator": "ocu_in_treatment", "breakdown": b}
        | {"numerator": n, "denominator": None}
        for b, n in (("all", 50), ("agency:A1", 20), ("agency:A2", 30))
    ]
    assert disclosure.withheld(rows, "agency:A1") == {
        (PERIOD, "penetration", "all"),
        (PERIOD, "ocu_in_treatment", "all"),
    }
