"""The checks of rows together: episode_conflict and duplicate within an episode
(spec: "Checks"), over the rows that passed the row checks with CONSENT Y.
"""

from __future__ import annotations

import polars as pl

from .fields import DATE_FIELDS, EPISODE_FIELDS
from .reading import LINE


def _episode_checks(norm: pl.DataFrame, candidates: pl.Series) -> pl.DataFrame:
    key = ["AGNCY", "EPISODID"]
    fields = [f for f in EPISODE_FIELDS if f not in key]
    if not norm[LINE].is_sorted():
        by_line = norm[LINE].arg_sort()
        norm, candidates = norm[by_line], candidates.gather(by_line)
    # the candidate rows only, in line order; an integer per episode (dense rank of the key)
    # keeps every later step off the strings. Columns are taken one expression at a time
    # (``.filter`` inside the expression), so no filtered copy of the table is made.
    mask = pl.lit(candidates)
    eid = (
        norm.lazy()
        .select(pl.struct(key).filter(mask).rank("dense").alias("_eid"))
        .collect()
        .to_series()
    )
    lines = norm[LINE].filter(candidates)
    # sorted by episode, a row that differs from the row before it in the same episode shows
    # the episode disagrees on that field (exact, and cheaper than n_unique per group); a
    # file whose episodes are already contiguous needs no sort
    runs = int((eid != eid.shift()).fill_null(True).sum()) if len(eid) else 0
    order = None if runs == (eid.max() or 0) else eid.arg_sort()
    by_episode = eid if order is None else eid.sort()
    same_episode = pl.lit((by_episode == by_episode.shift()).fill_null(False))

    def in_episode_order(f: str) -> pl.Expr:
        # compare dates as dates: the parsed value, not the text
        value = pl.col(f"{f}__d" if f in DATE_FIELDS else f).filter(mask)
        return value if order is None else value.gather(pl.lit(order))

    changed = (
        norm.lazy()
        .select(
            pl.lit(by_episode).alias("_eid"),
            *[
                (same_episode & in_episode_order(f).ne_missing(in_episode_order(f).shift()))
                .fill_null(False)
                .alias(f)
                for f in fields
            ],
        )
        .filter(pl.any_horizontal(fields))
    )
    conflicts = (
        changed.group_by("_eid")
        .agg([pl.col(f).any() for f in fields])
        .unpivot(index="_eid", on=fields, variable_name="field", value_name="bad")
        .filter(pl.col("bad"))
        .drop("bad")
        .collect()
    )
    order_of = {f: 1000 + i for i, f in enumerate(fields)}
    cand = pl.DataFrame([lines, eid])
    conflict_errors = (
        cand.lazy()
        .filter(pl.col("_eid").is_in(conflicts["_eid"].unique().implode()))
        .join(conflicts.lazy(), on="_eid", how="inner")
        .select(
            pl.col(LINE),
            pl.col("field"),
            pl.lit("episode_conflict").alias("code"),
            (
                pl.lit("rows of this episode disagree on ")
                + pl.col("field")
                + pl.lit("; all its rows are rejected")
            ).alias("message"),
            pl.col("field").replace_strict(order_of, return_dtype=pl.Int32).alias("_order"),
        )
    )
    # in line order, a (episode, MODID) already seen is a duplicate
    modid = norm.lazy().select(pl.col("MODID").filter(mask)).collect().to_series()
    dup_errors = (
        cand.with_columns(modid)
        .lazy()
        .filter(pl.col("MODID").is_not_null() & ~pl.struct("_eid", "MODID").is_first_distinct())
        .select(
            pl.col(LINE),
            pl.lit("MODID").alias("field"),
            pl.lit("duplicate").alias("code"),
            pl.lit("MODID already seen earlier in this episode").alias("message"),
            pl.lit(2000, dtype=pl.Int32).alias("_order"),
        )
    )
    return pl.concat([conflict_errors, dup_errors]).collect()
