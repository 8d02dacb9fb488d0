"""Writes of the performance app: submissions, recomputation, and what the figures are
measured against. Each user-facing write checks its capability and is audited."""

from .computation import (
    computation_request,
    current_records,
    prevalence_table,
    recompute,
    request_recompute,
)
from .submissions import (
    MAX_UPLOAD_BYTES,
    agencies_for,
    agency_codes,
    clean_month,
    file_format,
    submission_create,
    submission_process,
    submission_store_checked,
)
from .targets import (
    clean_financial_year,
    indicator_keys,
    local_figure_set,
    local_indicator_create,
    local_indicator_update,
    period_for,
    prevalence_import,
    prevalence_set,
    target_set,
)

__all__ = [
    "computation_request",
    "current_records",
    "prevalence_table",
    "recompute",
    "request_recompute",
    "MAX_UPLOAD_BYTES",
    "agencies_for",
    "agency_codes",
    "clean_month",
    "file_format",
    "submission_create",
    "submission_process",
    "submission_store_checked",
    "clean_financial_year",
    "indicator_keys",
    "local_figure_set",
    "local_indicator_create",
    "local_indicator_update",
    "period_for",
    "prevalence_import",
    "prevalence_set",
    "target_set",
]
