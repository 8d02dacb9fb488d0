"""The units counted in a window: persons by their reference journey, and journeys, as 0/1
flags per journey summed per cell.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from .cells import CELL
from .windows import Window, completion_window

RETENTION_DAYS = 84
WAIT_DAYS = 21
EPOCH = dt.date(1970, 1, 1)  # journeys hold dates as whole days since this day
# the 0/1 flags of every unit; ``indicators.INDICATORS`` picks each indicator's two from them
FLAGS: tuple[str, ...] = (
    "in_treatment",
    "ocu",
    "effective",
    "inj",
    "hepb",
    "hepc",
    "care_plan",
    "ret_num",
    "ret_den",
    "pe_num",
    "pe_den",
    "wt_num",
    "wt_den",
    "sc_num",
    "sc_den",
    "sco_num",
    "sco_den",
    "scn_num",
    "scn_den",
)


def _days(day: dt.date) -> int:
    return (day - EPOCH).days


def _by_person(journeys: pl.DataFrame) -> tuple[pl.DataFrame, bool]:
    """The journeys ordered by (pid, jorder), and whether that order is strict (no person has
    two journeys with the same ``jorder``), which :func:`_is_reference` relies on."""
    strict = (pl.col("pid") > pl.col("pid").shift()) | (
        (pl.col("pid") == pl.col("pid").shift()) & (pl.col("jorder") > pl.col("jorder").shift())
    )

    def ordered(frame: pl.DataFrame) -> bool:
        return frame.height < 2 or bool(frame.select(strict.slice(1).fill_null(False).all()).item())

    if ordered(journeys):
        return journeys, True
    by_person = journeys.sort(["pid", "jorder"], maintain_order=True)
    return by_person, ordered(by_person)


def _is_reference(active: pl.Expr, grouped: bool) -> pl.Expr:
    """The journey is its person's active journey with the largest ``jorder``.

    ``grouped``: rows are strictly ordered by (pid, jorder), so it is the last active row of
    its person: the next active row (if any) belongs to someone else. Otherwise by a group
    maximum over the person.
    """
    c = pl.col
    if grouped:
        next_active_pid = pl.when(active).then(c("pid")).shift(-1).backward_fill()
        return active & (next_active_pid != c("pid")).fill_null(True)
    return active & (c("jorder") == pl.when(active).then(c("jorder")).max().over("pid"))


def _window_units(j: pl.LazyFrame, w: int, window: Window, grouped: bool) -> pl.LazyFrame:
    """Every flag of window ``w``, summed per cell, over the journeys that are a unit of it:
    a reference journey in [S, E] (person indicators) or in W (successful completion), or a
    journey starting or ending in the window (journey indicators). Every flag is false on a
    journey that is not its kind of unit, so one row per journey carries all three kinds.
    """
    c = pl.col
    s, e = _days(window.start), _days(window.end)
    ws, we = (_days(d) for d in completion_window(window.end))
    end = c("end")
    retained = ((pl.when(end <= e).then(end).otherwise(e) - c("start")) >= RETENTION_DAYS) | (
        (end <= e) & c("successful")
    )
    # persons in [S, E], by their reference journey
    active = ((c("start") <= e) & (end.is_null() | (end >= s))).fill_null(False)
    ref = _is_reference(active, grouped)
    # journeys starting or ending in [S, E]
    ret_den = c("start").is_between(s, e - RETENTION_DAYS)
    ended = end.is_between(s, e).fill_null(False)
    wt_den = c("start").is_between(s, e)
    # persons in W, by their reference journey there
    active_w = ((c("start") <= we) & (end.is_null() | (end >= ws))).fill_null(False)
    ref_w = _is_reference(active_w, grouped)
    num = (end.is_between(ws, we) & c("successful") & ~c("represented")).fill_null(False)
    # the shared parts once, as columns, then every flag from them
    flags = j.with_columns(
        ref.alias("_ref"),
        ref_w.alias("_ref_w"),
        retained.fill_null(False).alias("_retained"),
        ret_den.alias("_ret_den"),
        ended.alias("_ended"),
        wt_den.alias("_wt_den"),
        num.alias("_num"),
    ).select(
        CELL,
        "_ref",
        "_ref_w",
        (c("_ret_den") | c("_ended") | c("_wt_den")).fill_null(False).alias("_journey"),
        c("_ref").alias("in_treatment"),
        (c("_ref") & c("ocu")).alias("ocu"),
        (c("_ref") & c("ocu") & c("_retained")).alias("effective"),
        (c("_ref") & c("injector")).alias("inj"),
        (c("_ref") & c("injector") & c("hepb_ok")).alias("hepb"),
        (c("_ref") & c("injector") & c("hepc_ok")).alias("hepc"),
        (c("_ref") & (c("care_plan") <= e).fill_null(False)).alias("care_plan"),
        (c("_ret_den") & c("_retained")).alias("ret_num"),
        c("_ret_den").alias("ret_den"),
        (c("_ended") & c("successful")).alias("pe_num"),
        (c("_ended") & ~c("transfer")).alias("pe_den"),
        (c("_wt_den") & (c("wait") > WAIT_DAYS)).fill_null(False).alias("wt_num"),
        c("_wt_den").alias("wt_den"),
        (c("_ref_w") & c("_num")).alias("sc_num"),
        c("_ref_w").alias("sc_den"),
        (c("_ref_w") & c("_num") & c("opiate")).alias("sco_num"),
        (c("_ref_w") & c("opiate")).alias("sco_den"),
        (c("_ref_w") & c("_num") & ~c("opiate")).alias("scn_num"),
        (c("_ref_w") & ~c("opiate")).alias("scn_den"),
    )
    return (
        flags.filter(c("_ref") | c("_ref_w") | c("_journey"))
        .group_by(CELL)
        .agg(c(f).sum().cast(pl.Int64) for f in FLAGS)
        .select(pl.lit(w, dtype=pl.Int32).alias("wid"), CELL, *FLAGS)
    )
