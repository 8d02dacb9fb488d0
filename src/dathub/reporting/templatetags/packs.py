"""Filters for rendering board pack blocks."""

from __future__ import annotations

from typing import Any

from django import template

from .. import numbers

register = template.Library()

_COLOURS = {"green", "blue", "orange", "red", "grey", "yellow", "purple"}


@register.filter
def cell_text(cell: Any) -> str:
    return numbers.cell_text(cell)


@register.filter
def cell_tag(cell: Any) -> str:
    """The tag colour of a cell, or "" for plain text."""
    if isinstance(cell, dict) and cell.get("tag") in _COLOURS:
        return str(cell["tag"])
    return ""
