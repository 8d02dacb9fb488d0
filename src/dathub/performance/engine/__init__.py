"""Records and indicators engine: plain Python and polars, no Django, no database.

See ``records`` (reading and checking a treatment-records file), ``journeys`` and
``indicators`` (the performance indicators), ``suppression`` (published figures),
``generate`` (synthetic records) and ``cli`` (the ``dathub records``/``kpi`` commands).
"""

from .indicators import (
    INDICATORS,
    Window,
    compute_indicators,
    compute_windows,
    financial_year_windows,
    read_prevalence,
    rolling_12_months,
)
from .journeys import build_journeys
from .records import CheckResult, check_records, read_records, write_rejected_csv
from .suppression import suppress

__all__ = [
    "INDICATORS",
    "CheckResult",
    "Window",
    "build_journeys",
    "check_records",
    "compute_indicators",
    "compute_windows",
    "financial_year_windows",
    "read_prevalence",
    "read_records",
    "rolling_12_months",
    "suppress",
    "write_rejected_csv",
]
