"""Which Northshire object each planning page and API endpoint is tested with (see
core/tests/urlmap.py): the Northshire example plan, and an action the demo provider user
(Northshire Recovery Trust) does not own."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .delivery_url_cases import DELIVERY_OBJECT_URLS

EXAMPLE = Path(__file__).parent / "data" / "northshire-2009-10-grids.txt"


def _plan(demo: Any) -> Any:
    from dathub.planning import services
    from dathub.planning.document import parse_document
    from dathub.planning.models import Plan

    plan = Plan.objects.filter(partnership=demo.northshire, source_name="scoping").first()
    if plan is None:
        data = parse_document(EXAMPLE.read_bytes(), EXAMPLE.name)
        plan = services.plan_from_json(
            actor=demo.coordinator, partnership=demo.northshire, data=data, source_name="scoping"
        )
    return plan


def _parts(demo: Any) -> dict[str, Any]:
    from dathub.planning.models import Action

    plan = _plan(demo)
    action = Action.objects.get(objective__grid__plan=plan, text__startswith="Secure premises")
    objective = action.objective
    return {
        "pk": plan.pk,
        "grid_pk": objective.grid_id,
        "objective_pk": objective.pk,
        "action_pk": action.pk,
    }


def _import(demo: Any) -> dict[str, Any]:
    from dathub.planning import services

    staged = services.plan_import_stage(
        actor=demo.coordinator,
        partnership=demo.northshire,
        filename=EXAMPLE.name,
        data=EXAMPLE.read_bytes(),
    )
    return {"pk": staged.pk}


def _only(*keys: str, **extra: Any) -> Any:
    def case(demo: Any) -> dict[str, Any]:
        parts = _parts(demo)
        return {**{k: parts[k] for k in keys}, **extra}

    return case


OBJECT_URLS = {
    "planning:plan-import-preview": _import,
    "planning:plan-import-status": _import,
    "planning:plan-import-retry": _import,
    **{
        f"planning:plan-{v}": _only("pk")
        for v in ("detail", "edit", "status", "live", "roll-over", "archive", "grid-create")
    },
    "planning:plan-export": _only("pk", fmt="docx"),
    "planning:plan-grid-edit": _only("pk", "grid_pk"),
    "planning:plan-objective-create": _only("pk", "grid_pk"),
    "planning:plan-objective-edit": _only("pk", "grid_pk", "objective_pk"),
    "planning:plan-action-create": _only("pk", "objective_pk"),
    "planning:plan-action-edit": _only("pk", "objective_pk", "action_pk"),
    "planning:plan-part-archive": lambda demo: {
        "pk": _parts(demo)["pk"],
        "kind": "action",
        "part_pk": _parts(demo)["action_pk"],
    },
    "planning:action-owners": _only("action_pk"),
    **DELIVERY_OBJECT_URLS,
}

# The plan itself is the partnership's shared document: a provider reads it (seeing only
# their own organisation's actions in it, which the plan tests check).
PROVIDER_VISIBLE_URLS = {"planning:plan-detail", "planning:plan-export", "api:plan_detail"}
# Read only by those who manage plans: an upload is the support team's working copy.
MANAGER_ONLY_API_URLS = {"api:plan_import_detail"}

API_OBJECT_URLS = {
    "api:plan_detail": _only("pk"),
    "api:plan_import_detail": _import,
    "api:objective_update": _only("pk", "objective_pk"),
    "api:action_create": _only("pk", "objective_pk"),
    "api:action_update": _only("pk", "action_pk"),
}
