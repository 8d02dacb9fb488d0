"""How the numbers in a pack read, in every output format: as people write them.

A section may give a cell or a headline figure as a number; the renderings show 1527 as
"1,527" and 750.0 as "750" (a whole number never gains a ".0"), and keep the places of a
number that has them ("12.5"). Text is shown as the section wrote it.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any


def number_text(value: Any) -> str:
    if isinstance(value, bool):  # a bool is an int to Python, never a count in a pack
        return "Yes" if value else "No"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float | Decimal):
        whole = value.is_finite() if isinstance(value, Decimal) else value.is_integer()
        if whole and value == int(value):
            return f"{int(value):,}"
        return f"{value:,}"
    return "" if value is None else str(value)


def cell_text(cell: Any) -> str:
    """The words of a table cell: a tag cell's text, or the value itself."""
    if isinstance(cell, dict):
        return number_text(cell.get("text", ""))
    return number_text(cell)
