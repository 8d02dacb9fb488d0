"""Builders for small hand-made records files, shared by the engine tests (no tests here)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl

from dathub.performance.engine.fields import FIELDS
from dathub.performance.engine.indicators import compute_indicators
from dathub.performance.engine.journeys import build_journeys
from dathub.performance.engine.records import check_records

AS_OF = dt.date(2011, 3, 31)


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def iso(day: dt.date | None) -> str:
    return "" if day is None else day.isoformat()


def rec(**kw: Any) -> dict[str, str]:
    """One valid row (an opiate user in specialist prescribing); keywords override cells."""
    row = {
        "AGNCY": "AG1",
        "CLIENTID": "C1",
        "EPISODID": "E1",
        "CONSENT": "Y",
        "DAT": "A09B",
        "FINITIAL": "J",
        "SINITIAL": "S",
        "DOB": "1980-01-01",
        "SEX": "M",
        "ETHNIC": "A",
        "REFLD": "2009-01-05",
        "TRIAGED": "2009-01-10",
        "CPLANDT": "",
        "DRUG1": "1011",
        "DRUG2": "",
        "DRUG3": "",
        "INJSTAT": "C",
        "RFLS": "DIP",
        "HEPBSTAT": "A",
        "HEPCSTAT": "A",
        "DISD": "",
        "DISRSN": "",
        "MODID": "M1",
        "MODAL": "2",
        "REFMODDT": "2009-01-11",
        "FAOMODDT": "",
        "MODST": "2009-01-20",
        "MODEND": "",
        "MODEXIT": "",
    }
    for k, v in kw.items():
        row[k] = iso(v) if isinstance(v, dt.date) or v is None else str(v)
    return row


def episode(
    start: dt.date,
    disd: dt.date | None = None,
    reason: int | None = None,
    *,
    agency: str = "AG1",
    epid: str | None = None,
    person: str = "JS",
    wait: int = 5,
    triaged: dt.date | None = None,
    **kw: Any,
) -> dict[str, str]:
    """A one-modality treatment episode starting on ``start`` (wait days after referral)."""
    tri = triaged or (start - dt.timedelta(days=wait))
    cells: dict[str, Any] = {
        "AGNCY": agency,
        "EPISODID": epid or f"E{person}",
        "CLIENTID": f"C{person}",
        "FINITIAL": person[0],
        "SINITIAL": person[1],
        "REFLD": tri,
        "TRIAGED": tri,
        "REFMODDT": start - dt.timedelta(days=wait),
        "MODST": start,
        "DISD": disd,
        "DISRSN": "" if reason is None else reason,
    }
    return rec(**(cells | kw))


def triage_only(
    triaged: dt.date, *, agency: str = "AG1", epid: str = "T1", person: str = "JS"
) -> dict[str, str]:
    return rec(
        AGNCY=agency,
        EPISODID=epid,
        CLIENTID=f"C{person}",
        FINITIAL=person[0],
        SINITIAL=person[1],
        REFLD=triaged,
        TRIAGED=triaged,
        MODID="",
        MODAL="",
        REFMODDT="",
        MODST="",
    )


def frame(rows: list[dict[str, str]]) -> pl.DataFrame:
    return pl.DataFrame(
        {f: [r.get(f, "") for r in rows] for f in FIELDS}, schema={f: pl.String for f in FIELDS}
    )


def csv_text(rows: list[dict[str, str]], header: list[str] | None = None) -> str:
    cols = header or list(FIELDS)
    lines = [",".join(cols)]
    lines += [",".join(r.get(c.strip().upper(), "") for c in cols) for r in rows]
    return "\n".join(lines) + "\n"


def figures(
    rows: list[dict[str, str]], start: dt.date, end: dt.date, as_of: dt.date = AS_OF
) -> dict[tuple[str, str, str], tuple[int, int | None, Any]]:
    """(dat, indicator, breakdown) -> (numerator, denominator, value)."""
    result = check_records(frame(rows), as_of=as_of)
    assert result.rejected.height == 0, result.errors.to_dicts()
    out = compute_indicators(build_journeys(result.accepted), start, end)
    return {
        (r["dat"], r["indicator"], r["breakdown"]): (r["numerator"], r["denominator"], r["value"])
        for r in out.iter_rows(named=True)
    }


def one(
    rows: list[dict[str, str]], indicator: str, start: str, end: str, breakdown: str = "all"
) -> tuple[int, int | None, Any]:
    return figures(rows, d(start), d(end))[("A09B", indicator, breakdown)]
