"""Writes of the planning app: plans, their imports and roll-over, their grids, objectives
and actions, and progress on actions. Each checks its capability and is audited."""

from .cells import (
    read_cost,
    read_due,
)
from .imports import (
    plan_from_json,
    plan_import_cancel,
    plan_import_confirm,
    plan_import_stage,
)
from .parts import (
    action_archive,
    action_create,
    action_owners_set,
    action_update,
    grid_archive,
    grid_save,
    objective_archive,
    objective_create,
    objective_update,
)
from .plans import (
    next_statuses,
    next_year,
    plan_archive,
    plan_create,
    plan_roll_over,
    plan_set_live,
    plan_set_status,
    plan_update,
)
from .progress import (
    EVIDENCE_EXTENSIONS,
    EVIDENCE_MAX_BYTES,
    NOTE_REQUIRED,
    parse_percent,
    parse_status,
    progress_bulk_apply,
    progress_update_create,
    progress_upload_apply,
    progress_upload_record,
)

__all__ = [
    "read_cost",
    "read_due",
    "plan_from_json",
    "plan_import_cancel",
    "plan_import_confirm",
    "plan_import_stage",
    "action_archive",
    "action_create",
    "action_owners_set",
    "action_update",
    "grid_archive",
    "grid_save",
    "objective_archive",
    "objective_create",
    "objective_update",
    "next_statuses",
    "next_year",
    "plan_archive",
    "plan_create",
    "plan_roll_over",
    "plan_set_live",
    "plan_set_status",
    "plan_update",
    "EVIDENCE_EXTENSIONS",
    "EVIDENCE_MAX_BYTES",
    "NOTE_REQUIRED",
    "parse_percent",
    "parse_status",
    "progress_bulk_apply",
    "progress_update_create",
    "progress_upload_apply",
    "progress_upload_record",
]
