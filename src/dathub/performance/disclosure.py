"""Disclosure by differencing: which partnership figures a viewer restricted to one provider
may see (docs/disclosure.md).

A provider user (``permissions.organisation_scope`` gives its organisation) sees its own
agency's figures (``agency:<its code>``) and never another agency's. It also knows its own
clients, so it knows its own share of any partnership figure, by sex, age or anything else.
A partnership figure minus its own share is what the *other* agencies contributed: when that
is one agency's count, the partnership figure would disclose it (two agencies: "all = 948"
and "own = 339" give the other provider's 609).

The rule, for each period and each count a partnership figure shows (its numerator, its
denominator, the denominator minus the numerator, and the differences between indicators
that count the same people, e.g. people in treatment minus OCU in treatment):

    shown only if  partnership count − own agency's count  >  the largest other agency's count

with the agency counts taken from the agency breakdown of the indicator's total (``all``).

- For the total this is exact: the partnership count minus its own is the sum of the other
  agencies' counts, and a sum of non-negative counts is larger than its largest part exactly
  when at least two parts are not zero. Then it equals no single agency's count (nor zero).
  With one other agency contributing (or none: "all the others had 0" discloses too), it is
  withheld. The agencies that contribute are counted per indicator and period.
- For a breakdown not by agency (sex, age, ethnic group, drug, referral) agencies' own
  counts in that cell are not stored, only that each is at most the agency's total, so the
  same inequality is a sufficient condition (the other agencies together contribute more than
  any one agency's whole total): when it holds no single agency's cell can be what remains.
- A rate is shown or withheld whole: its value with a shown count gives the other count.
- A breakdown family (all the sex cells, all the age cells, ...) is shown or withheld whole,
  and withheld whenever the total is: its cells add up to the total.
- Indicators that share counts are decided together (``GROUPS``): if one of them were
  withheld, the others would give it (successful completions = opiate + non-opiate; the
  people in treatment and OCU in treatment appear in five indicators). Penetration's
  numerator is OCU in treatment (its denominator, the prevalence estimate, is not providers').

The figures the decision uses are the true figures whoever is viewing; what is shown is then
the viewer's usual figures (suppressed where they are published). A withheld figure says so
(``WITHHELD`` / ``WITHHELD_REASON``); it is never left out silently or shown as a number.

Not covered (docs/disclosure.md): differences between periods of indicators that add up over
time (planned exits, waits: a year so far minus a quarter is the other months), and local
indicators, whose figures are entered for the partnership as a whole with no agency split.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import Any

AGENCY = "agency:"
WITHHELD = "withheld"
WITHHELD_REASON = "Withheld: would disclose another provider's figure"

# Indicators whose counts are counts of the same people, decided together.
GROUPS: tuple[frozenset[str], ...] = (
    frozenset(
        {"in_treatment", "ocu_in_treatment", "effective_treatment", "care_plan", "penetration"}
    ),
    frozenset(
        {
            "successful_completion",
            "successful_completion_opiate",
            "successful_completion_non_opiate",
        }
    ),
    frozenset({"hepb_vaccination", "hepc_testing"}),
)
# An indicator whose numerator is another indicator's (and whose denominator is not a count
# of providers' clients).
SAME_NUMERATOR = {"penetration": "ocu_in_treatment"}
# Pairs (a, b) where b's people are among a's, so a − b counts people too.
NESTED: tuple[tuple[str, str], ...] = (
    ("in_treatment", "ocu_in_treatment"),
    ("successful_completion", "successful_completion_opiate"),
)

Key = tuple[str, str, str]  # (period, indicator, breakdown)
_Counts = tuple[int, int | None]  # (numerator, denominator)


def own_breakdown(agency_code: str | None) -> str | None:
    """The agency breakdown a restricted viewer may see, or None (no agency set)."""
    code = (agency_code or "").strip().upper()
    return AGENCY + code if code else None


def is_other_agency(breakdown: str, own: str | None) -> bool:
    """A breakdown by another provider's agency: never shown to a restricted viewer."""
    return breakdown.startswith(AGENCY) and breakdown != own


def group_of(indicator: str) -> frozenset[str]:
    for group in GROUPS:
        if indicator in group:
            return group
    return frozenset({indicator})


def _counts(cell: Mapping[str, _Counts]) -> dict[str, int] | None:
    """The counts a set of figures of one group shows, by name; None when one of them
    cannot be judged (penetration without the OCU count it is made of)."""
    out: dict[str, int] = {}
    for indicator, (num, den) in cell.items():
        if indicator in SAME_NUMERATOR:
            if SAME_NUMERATOR[indicator] not in cell:
                return None
            continue  # its numerator is counted as the other indicator's
        out[f"{indicator}.numerator"] = num
        if den is not None:
            out[f"{indicator}.denominator"] = den
            out[f"{indicator}.rest"] = den - num
    for a, b in NESTED:
        if a in cell and b in cell:
            out[f"{a}-{b}"] = cell[a][0] - cell[b][0]
    return out


def _agency_counts(agency: Mapping[str, _Counts], like: Mapping[str, _Counts]) -> dict[str, int]:
    """An agency's counts under the same names as the partnership ``like`` cell's."""
    cell = {
        i: agency.get(i, (0, None if den is None else 0))
        for i, (_, den) in like.items()
        if i not in SAME_NUMERATOR
    }
    return _counts(cell) or {}


def _safe(
    cell: Mapping[str, _Counts],
    own: Mapping[str, _Counts],
    others: list[Mapping[str, _Counts]],
) -> bool:
    """Whether every count of ``cell`` minus the viewer's own share is more than any one
    other agency's total (see the module docstring)."""
    counts = _counts(cell)
    if counts is None:
        return False
    own_counts = _agency_counts(own, cell)
    other_counts = [_agency_counts(o, cell) for o in others]
    for key, value in counts.items():
        largest = max((o.get(key, 0) for o in other_counts), default=0)
        if value - own_counts.get(key, 0) <= largest:
            return False
    return True


def withheld(rows: Iterable[Mapping[str, Any]], own: str | None) -> set[Key]:
    """The partnership figures to withhold from a viewer whose own agency breakdown is
    ``own`` (``own_breakdown``; None when it has none), as (period, indicator, breakdown).

    ``rows`` are true figures (``period, indicator, breakdown, numerator, denominator``) of
    one partnership: every figure that may be shown, and the agency breakdown of the totals
    of the indicators in the same groups and periods. Agency figures are never in the
    result (the viewer's own is shown; ``is_other_agency`` says which are never shown).
    """
    periods: dict[str, dict[str, dict[str, _Counts]]] = defaultdict(lambda: defaultdict(dict))
    for row in rows:
        num = int(row["numerator"] or 0)
        den = None if row["denominator"] is None else int(row["denominator"])
        periods[row["period"]][row["breakdown"]][row["indicator"]] = (num, den)
    out: set[Key] = set()
    for period, cells in periods.items():
        out.update((period, i, b) for i, b in _withheld_in_period(cells, own))
    return out


def _withheld_in_period(
    cells: Mapping[str, Mapping[str, _Counts]], own: str | None
) -> set[tuple[str, str]]:
    """(indicator, breakdown) to withhold of one period's figures, by breakdown."""
    agencies = {b: c for b, c in cells.items() if b.startswith(AGENCY)}
    own_cell = agencies.get(own or "", {})
    others = [c for b, c in agencies.items() if b != own]
    shown = {b: c for b, c in cells.items() if not b.startswith(AGENCY)}
    out: set[tuple[str, str]] = set()
    for group in {group_of(i) for c in shown.values() for i in c}:
        cell_of = {b: {i: v for i, v in c.items() if i in group} for b, c in shown.items()}
        cell_of = {b: c for b, c in cell_of.items() if c}
        total = cell_of.get("all")
        ok = {"all": total is not None and _safe(total, own_cell, others)}
        families: dict[str, list[str]] = defaultdict(list)
        for b in cell_of:
            if b != "all":
                families[b.split(":")[0]].append(b)
        for members in families.values():
            # a family adds up to the total: shown whole, and only with the total
            family_ok = ok["all"] and all(_safe(cell_of[b], own_cell, others) for b in members)
            ok.update(dict.fromkeys(members, family_ok))
        out.update((i, b) for b, shown_ok in ok.items() if not shown_ok for i in cell_of.get(b, {}))
    return out
