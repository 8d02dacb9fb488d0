"""Reading "costs/budget" cells."""

from __future__ import annotations

import re
from typing import Any

_AMOUNT = re.compile(
    r"£\s*(?P<number>\d{1,3}(?:[ ,]\d{3})+|\d+)(?P<fraction>\.\d+)?"
    r"\s*(?P<unit>k|m|million|thousand|bn)?\b",
    re.IGNORECASE,
)
_BARE = re.compile(
    r"(?P<number>\d{1,3}(?:[ ,]\d{3})+|\d+)(?P<fraction>\.\d+)?\s*(?P<unit>k|m)?", re.IGNORECASE
)
_UNITS = {"k": 1_000, "thousand": 1_000, "m": 1_000_000, "million": 1_000_000}


def _number(match: re.Match[str]) -> int | float:
    value = float(re.sub(r"[ ,]", "", match.group("number")) + (match.group("fraction") or ""))
    unit = (match.group("unit") or "").lower()
    value *= _UNITS.get(unit, 1)
    return int(value) if value.is_integer() else value


def read_amount(text: str) -> int | float | None:
    """The first amount in pounds in the text: "£600 000 approx" -> 600000, "£10k" -> 10000;
    a cell holding only a number ("20,000") counts too."""
    match = _AMOUNT.search(text)
    if match:
        return _number(match)
    match = _BARE.fullmatch(text.strip())
    return _number(match) if match else None


def read_amount_cell(text: str) -> int | float | None:
    """The amount of a cell that holds one and nothing else, pound sign or not ("£385,500",
    "20 000", "10k"), as a spend table's cells do; None for a cell with other text in it."""
    text = text.strip()
    if not re.fullmatch(r"£?\s*\d[\d,\s]*(?:\.\d+)?\s*[kKmM]?", text):
        return None
    return read_amount(text if text.startswith("£") else "£" + text)


def read_cost(text: str | None) -> dict[str, Any] | None:
    """The spec's Cost object, or None for an empty cell."""
    if text is None or not text.strip():
        return None
    written = " ".join(text.split())
    return {"text": written, "amount": read_amount(written)}


def format_amount(amount: int | float) -> str:
    """An amount as people write it in a spend table: 385500 -> "385,500"."""
    if isinstance(amount, float) and not amount.is_integer():
        return f"{amount:,.2f}"
    return f"{int(amount):,}"
