"""Figures as people write them: the one way performance pages, forecasts and packs write a
figure, target, tolerance or forecast."""

from __future__ import annotations

from decimal import ROUND_HALF_EVEN, Decimal

ONE_PLACE = Decimal("0.1")
WHOLE = Decimal(1)


def format_value(value: Decimal | int | None, is_count: bool, *, difference: bool = False) -> str:
    """The one way the performance pages write a figure, target, tolerance or forecast.

    Counts of people (and their targets) are whole numbers with thousands separators:
    ``1,425``, never ``1425`` or ``750.0``. Rates have one decimal place and ``%``:
    ``80.0%``. A ``difference`` in a rate (a tolerance) is in percentage points, which
    ``%`` would misstate. Rounding is half to even, like the engine's figures.
    """
    if value is None:
        return "No figure"
    d = Decimal(value)
    # "+ 0" turns a rounded -0 into 0, so nothing is ever written "-0"
    if is_count:
        return f"{d.quantize(WHOLE, rounding=ROUND_HALF_EVEN) + 0:,}"
    shown = f"{d.quantize(ONE_PLACE, rounding=ROUND_HALF_EVEN) + 0:,}"
    return f"{shown} percentage points" if difference else f"{shown}%"
