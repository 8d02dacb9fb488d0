"""Writes of the performance app: submissions, recomputation, and what the figures are
measured against. Each user-facing write checks its capability and is audited."""

from .computation import (
    computation_request,
    current_records,
    prevalence_table,
    recompute,
    recover_computations,
    request_recompute,
)
from .submission_decisions import (
    can_retry,
    submission_discard_upload,
    submission_keep_current,
    submission_replace_confirm,
    submission_retry,
)
from .submission_recovery import recover_submissions
from .submissions import (
    CONFIRMATION_RULE,
    MAX_UPLOAD_BYTES,
    agencies_for,
    agency_codes,
    clean_month,
    current_for,
    file_format,
    needs_confirmation,
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
    "recover_computations",
    "request_recompute",
    "CONFIRMATION_RULE",
    "MAX_UPLOAD_BYTES",
    "agencies_for",
    "agency_codes",
    "can_retry",
    "clean_month",
    "current_for",
    "file_format",
    "needs_confirmation",
    "recover_submissions",
    "submission_create",
    "submission_discard_upload",
    "submission_keep_current",
    "submission_process",
    "submission_replace_confirm",
    "submission_retry",
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
