"""Published-figure suppression: primary and secondary."""

from __future__ import annotations

from decimal import Decimal

import polars as pl

from dathub.performance.engine.rates import VALUE_DTYPE
from dathub.performance.engine.suppression import suppress


def table(indicator: str, cells: dict[str, tuple[int, int | None]]) -> pl.DataFrame:
    rows = []
    for breakdown, (num, den) in cells.items():
        if den is None:
            value = Decimal(num)
        else:
            value = (
                None if den == 0 else (Decimal(100 * num) / Decimal(den)).quantize(Decimal("0.1"))
            )
        rows.append(("A09B", indicator, breakdown, num, den, value))
    return pl.DataFrame(
        rows,
        schema={
            "dat": pl.String,
            "indicator": pl.String,
            "breakdown": pl.String,
            "numerator": pl.Int64,
            "denominator": pl.Int64,
            "value": VALUE_DTYPE,
        },
        orient="row",
    )


def shown(out: pl.DataFrame) -> dict[str, tuple[str | None, str | None, str | None]]:
    return {
        r["breakdown"]: (r["numerator"], r["denominator"], r["value"])
        for r in out.iter_rows(named=True)
    }


def test_counts_one_to_four_are_suppressed_zero_and_five_are_not() -> None:
    out = shown(
        suppress(
            table("in_treatment", {"all": (30, None), "sex:M": (0, None), "sex:F": (30, None)})
        )
    )
    assert out == {
        "all": ("30", None, "30"),
        "sex:M": ("0", None, "0"),
        "sex:F": ("30", None, "30"),
    }
    out = shown(suppress(table("in_treatment", {"all": (4, None)})))
    assert out == {"all": ("*", None, "*")}


def test_rate_with_small_numerator_or_denominator_is_suppressed() -> None:
    out = shown(suppress(table("planned_exit", {"all": (3, 50)})))
    assert out == {"all": ("*", "50", "*")}
    out = shown(suppress(table("planned_exit", {"all": (0, 4)})))
    assert out == {"all": ("0", "*", "*")}
    out = shown(suppress(table("planned_exit", {"all": (5, 10)})))
    assert out == {"all": ("5", "10", "50.0")}


def test_secondary_suppression_hides_the_next_smallest_cell() -> None:
    cells = {
        "all": (40, None),
        "age:18-24": (3, None),
        "age:25-34": (0, None),
        "age:35-44": (20, None),
        "age:45-54": (9, None),
        "age:55+": (8, None),
    }
    out = shown(suppress(table("in_treatment", cells)))
    assert out["age:18-24"][0] == "*"
    assert out["age:55+"][0] == "*"  # next smallest non-zero
    assert out["age:25-34"][0] == "0" and out["age:45-54"][0] == "9" and out["all"][0] == "40"


def test_no_secondary_when_two_cells_are_already_hidden_or_total_is_hidden() -> None:
    cells = {"all": (26, None), "sex:M": (2, None), "sex:F": (24, None)}
    assert shown(suppress(table("in_treatment", cells)))["sex:F"][0] == "*"
    cells = {"all": (6, None), "age:18-24": (3, None), "age:25-34": (3, None), "age:55+": (0, None)}
    assert shown(suppress(table("in_treatment", cells)))["all"][0] == "6"
    cells = {"all": (3, None), "sex:M": (3, None), "sex:F": (0, None)}
    assert shown(suppress(table("in_treatment", cells))) == {
        "all": ("*", None, "*"),
        "sex:M": ("*", None, "*"),
        "sex:F": ("0", None, "0"),
    }


def test_secondary_applies_to_denominators_and_hides_values() -> None:
    cells = {"all": (20, 60), "sex:M": (18, 57), "sex:F": (2, 3)}
    out = shown(suppress(table("effective_treatment", cells)))
    assert out["sex:F"] == ("*", "*", "*")
    assert out["sex:M"] == ("*", "*", "*")
    assert out["all"] == ("20", "60", "33.3")


def test_families_are_separate_and_output_keeps_shape() -> None:
    cells = {
        "all": (50, None),
        "sex:M": (46, None),
        "sex:F": (4, None),
        "referral:other": (50, None),
    }
    t = table("in_treatment", cells)
    out = suppress(t)
    assert out.columns == t.columns and out.height == t.height
    assert shown(out)["referral:other"][0] == "50"
