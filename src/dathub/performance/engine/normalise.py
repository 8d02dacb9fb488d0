"""Cell text to values: trimmed and upper-cased text, parsed dates, the typed accepted table."""

from __future__ import annotations

import polars as pl

from .fields import (
    DATE_FIELDS,
    FIELDS,
    INT_CODE_FIELDS,
    NO_CONSENT_FIELDS,
    REFERENCE_FIELDS,
)
from .reading import EXTRA, LINE, RawRecords

_DATE_SHAPE = r"^(?:\d{4}-\d{1,2}-\d{1,2}|\d{1,2}/\d{1,2}/\d{4})$"


def _parse_date(col: pl.Expr) -> pl.Expr:
    # the shape check keeps out what chrono would accept but the spec does not ("+2009-1-1")
    shaped = col.str.contains(_DATE_SHAPE)
    parsed = pl.coalesce(
        col.str.strptime(pl.Date, "%Y-%m-%d", strict=False),
        col.str.strptime(pl.Date, "%d/%m/%Y", strict=False),
    )
    return pl.when(shaped).then(parsed)


# Fields whose text is upper-cased. Dates and numeric codes are not: upper-casing cannot change
# whether they parse or are in their list (digits, '-' and '/' have no case), and their text
# is never kept (dates are parsed, codes cast to integers), so it would be wasted work.
UPPER_FIELDS: frozenset[str] = frozenset(
    f
    for f in FIELDS
    if f not in REFERENCE_FIELDS and f not in DATE_FIELDS and f not in INT_CODE_FIELDS
)


def _normalise(raw: RawRecords) -> pl.DataFrame:
    """Trimmed text per field (``F``), and for dates the parsed value (``F__d``)."""
    exprs: list[pl.Expr] = [pl.col(LINE)]
    frame = raw.frame
    for f in FIELDS:
        src = raw.columns.get(f)
        if src is None:
            exprs.append(pl.lit(None, dtype=pl.String).alias(f))
            continue
        e = pl.col(src)
        if not raw.trimmed:
            e = e.str.strip_chars()
        if f in UPPER_FIELDS:
            e = e.str.to_uppercase()
        if raw.trimmed and not bool(frame.select((pl.col(src) == "").any()).item()):
            exprs.append(e.alias(f))  # no empty text to turn into "no value"
        else:
            exprs.append(pl.when(e == "").then(None).otherwise(e).alias(f))
    if EXTRA in frame.columns:
        exprs.append(pl.col(EXTRA))
    norm = frame.lazy().select(exprs).collect()
    return norm.with_columns([_parsed_dates(norm[f]).alias(f"{f}__d") for f in DATE_FIELDS])


def _parsed_dates(text: pl.Series) -> pl.Series:
    """:func:`_parse_date` of every value, computed once per distinct text (a file holds a few
    thousand distinct dates in a column of a million rows) and joined back in row order."""
    if text.null_count() == text.len():
        return pl.Series(text.name, [None] * text.len(), dtype=pl.Date)
    distinct = text.drop_nulls().unique().to_frame("k")
    table = distinct.with_columns(_parse_date(pl.col("k")).alias("v"))
    return (
        text.to_frame("k")
        .join(table, on="k", how="left", maintain_order="left")
        .get_column("v")
        .alias(text.name)
    )


def _typed(norm: pl.DataFrame, keep: pl.Series | None = None) -> pl.DataFrame:
    """The accepted-rows table: the rows of ``norm`` where ``keep``, typed, in one pass."""
    # no consent: keep only what the spec says such a row carries
    nc = pl.col("CONSENT") == "N"
    any_nc = bool(norm.select(nc.any()).item())
    exprs: list[pl.Expr] = [pl.col(LINE)]
    for f in FIELDS:
        if f in DATE_FIELDS:
            e = pl.col(f"{f}__d")
        elif f in INT_CODE_FIELDS:
            e = pl.col(f).cast(INT_CODE_FIELDS[f], strict=False)
        else:
            e = pl.col(f)
        if any_nc and f not in NO_CONSENT_FIELDS:
            e = pl.when(nc).then(None).otherwise(e)
        exprs.append(e.alias(f))
    lazy = norm.lazy()
    if keep is not None:
        lazy = lazy.filter(keep)
    return lazy.select(exprs).collect()
