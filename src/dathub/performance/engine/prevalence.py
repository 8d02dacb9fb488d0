"""Reading the OCU prevalence file (``DAT,FINYEAR,OCU_ESTIMATE``), the penetration
denominator.
"""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl


def _finyear_label(text: str) -> str | None:
    t = text.strip()
    m = re.fullmatch(r"(\d{4})\s*[/-]\s*(\d{2}|\d{4})", t)
    if m:
        first = int(m.group(1))
        second = int(m.group(2)) % 100
        return f"{first}/{second:02d}" if second == (first + 1) % 100 else None
    m = re.fullmatch(r"(\d{2})(\d{2})", t)
    if m and int(m.group(2)) == (int(m.group(1)) + 1) % 100:
        return f"20{m.group(1)}/{m.group(2)}"
    return None


def read_prevalence(path: str | Path) -> pl.DataFrame:
    """Read ``DAT,FINYEAR,OCU_ESTIMATE`` into columns ``dat, finyear, estimate``.

    Raises ``ValueError`` naming the line of a value that cannot be read.
    """
    frame = pl.read_csv(Path(path), infer_schema=False, encoding="utf8")
    names = {c.strip().upper(): c for c in frame.columns}
    missing = [c for c in ("DAT", "FINYEAR", "OCU_ESTIMATE") if c not in names]
    if missing:
        raise ValueError(f"prevalence file lacks column(s): {', '.join(missing)}")
    out: list[tuple[str, str, int]] = []
    for line, (dat, fy, est) in enumerate(
        frame.select(names["DAT"], names["FINYEAR"], names["OCU_ESTIMATE"]).iter_rows(), start=2
    ):
        label = _finyear_label(fy or "")
        if not dat or label is None or not (est or "").strip().isdigit():
            raise ValueError(
                f"prevalence file line {line}: DAT, FINYEAR or OCU_ESTIMATE unreadable"
            )
        out.append((dat.strip().upper(), label, int(est.strip())))
    return pl.DataFrame(
        out, schema={"dat": pl.String, "finyear": pl.String, "estimate": pl.Int64}, orient="row"
    )
