"""The outcome of the checks: accepted, rejected and error tables, the report, the
rejected-rows download.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl

from .reading import LINE


@dataclass(frozen=True)
class CheckResult:
    """Outcome of :func:`check_records`."""

    accepted: pl.DataFrame
    """Accepted rows, typed (dates as ``pl.Date``, numeric codes as integers), with ``line``."""
    rejected: pl.DataFrame
    """Rejected rows as written: ``line``, positional raw columns ``c0..cN``, ``reasons``."""
    errors: pl.DataFrame
    """One row per reason: ``line, field, code, message``, ordered by line."""
    header: tuple[str, ...]

    @property
    def rows(self) -> int:
        return self.accepted.height + self.rejected.height

    @property
    def no_consent(self) -> int:
        return int((self.accepted["CONSENT"] == "N").sum())

    @property
    def used(self) -> pl.DataFrame:
        """Accepted rows with CONSENT Y: the only rows any indicator may use."""
        return self.accepted.filter(pl.col("CONSENT") == "Y")

    def report(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "accepted": self.accepted.height,
            "rejected": self.rejected.height,
            "no_consent": self.no_consent,
            "errors": [
                {"row": r[LINE], "field": r["field"], "code": r["code"], "message": r["message"]}
                for r in self.errors.iter_rows(named=True)
            ],
        }


def rejected_frame(result: CheckResult) -> pl.DataFrame:
    """Rejected rows with the file's own column names (made unique if repeated) + reasons."""
    seen: dict[str, int] = {}
    names: list[str] = []
    for h in result.header:
        n = seen.get(h, 0)
        seen[h] = n + 1
        names.append(h if n == 0 else f"{h}_{n + 1}")
    cols = [pl.col(f"c{i}").alias(names[i]) for i in range(len(names))]
    return result.rejected.sort(LINE).select([*cols, pl.col("reasons")])


def write_rejected_csv(result: CheckResult, path: str | Path) -> int:
    """Write the rejected rows as written, with the original header and a ``reasons`` column.

    The file can be corrected and sent again: the header is the original one (``reasons`` is
    not a known column, so it is ignored when read back). Returns the number of rows written.
    """
    frame = result.rejected.sort(LINE)
    out = Path(path)
    with out.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerow([*result.header, "reasons"])
        body = frame.select([*(f"c{i}" for i in range(len(result.header))), "reasons"]).write_csv(
            include_header=False, line_terminator="\n"
        )
        fh.write(body)
    return frame.height
