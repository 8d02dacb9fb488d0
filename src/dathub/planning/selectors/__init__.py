"""Reads of the planning app, scoped to the actor: plans and which are live work, actions,
their progress, a person's own live work, plans in the interchange form, plan imports."""

from .actions import (
    action_can_update,
    action_get,
    action_list,
    action_search,
    action_updatable_list,
    due_filter,
    meeting_actions,
    owned_by_person,
    owned_by_person_or_organisation,
)
from .delivery import (
    my_actions,
    open_actions_for_sheet,
)
from .imports import (
    ImportCheck,
    plan_import_check,
    plan_import_get,
    plan_import_get_visible,
)
from .interchange import (
    plan_as_json,
    plan_structure,
    strip_ids,
)
from .plans import (
    grid_get,
    in_live_plans,
    live_plans,
    objective_get,
    plan_get,
    plan_get_visible,
    plan_list,
)
from .progress import (
    last_reported,
    latest_updates,
    progress_update_get,
    progress_updates,
    progress_upload_get,
)

__all__ = [
    "action_can_update",
    "action_get",
    "action_list",
    "action_search",
    "action_updatable_list",
    "due_filter",
    "meeting_actions",
    "owned_by_person",
    "owned_by_person_or_organisation",
    "my_actions",
    "open_actions_for_sheet",
    "ImportCheck",
    "plan_import_check",
    "plan_import_get",
    "plan_import_get_visible",
    "plan_as_json",
    "plan_structure",
    "strip_ids",
    "grid_get",
    "in_live_plans",
    "live_plans",
    "objective_get",
    "plan_get",
    "plan_get_visible",
    "plan_list",
    "last_reported",
    "latest_updates",
    "progress_update_get",
    "progress_updates",
    "progress_upload_get",
]
