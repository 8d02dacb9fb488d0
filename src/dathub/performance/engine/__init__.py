"""Records and indicators engine: plain Python and polars, no Django, no database.

See ``records`` (reading and checking a treatment-records file, with ``fields``, ``reading``,
``formula_guard``, ``normalise``, ``row_checks``, ``episode_checks`` and ``check_result``),
``journeys`` and ``indicators`` (the performance indicators, with ``windows``, ``units``,
``cells``, ``rates`` and ``prevalence``), ``suppression`` (published figures), ``generate``
(synthetic records) and ``cli`` (the ``dathub records``/``kpi`` commands).
"""

from .check_result import CheckResult, write_rejected_csv
from .indicators import INDICATORS, compute_indicators, compute_windows
from .journeys import build_journeys
from .prevalence import read_prevalence
from .reading import read_records
from .records import check_records
from .suppression import suppress
from .windows import Window, financial_year_windows, rolling_12_months

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
