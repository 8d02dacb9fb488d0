"""/api/v1/plans: list, detail as dathub.plan/1, create from a document, update parts."""

from __future__ import annotations

from typing import Annotated, Any

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from ninja import Field, File, Form, Router, Schema, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile
from pydantic import StringConstraints

from dathub.api.schemas import InputSchema
from dathub.core.text import ONE_LINE, SafeText
from dathub.tenancy import selectors as tenancy_selectors

from . import selectors, services

router = Router(tags=["plans"])

MAX_DOCUMENT_BYTES = 10 * 1024 * 1024


class PlanSummary(Schema):
    id: int
    partnership: str
    financial_year: str
    title: str
    status: str

    @staticmethod
    def resolve_partnership(obj: Any) -> str:
        return obj.partnership.code


# The bounds of the model fields the texts land in (`due_text`, `owners_text`, `cost_text`).
DueText = Annotated[str, StringConstraints(max_length=200), ONE_LINE]
OwnersText = Annotated[str, StringConstraints(max_length=300), ONE_LINE]
CostText = Annotated[str, StringConstraints(max_length=200), ONE_LINE]
Number = Annotated[int, Field(ge=0, le=2**31 - 1)]


class ObjectiveIn(InputSchema):
    number: Number | None = None
    title: SafeText | None = None
    due: DueText | None = None  # the 'by when' text, read like an imported one
    owners: OwnersText | None = None


class ActionIn(InputSchema):
    text: SafeText | None = None
    due: DueText | None = None
    owners: OwnersText | None = None
    cost: CostText | None = None


def _plan_json(request: HttpRequest, plan: Any) -> dict[str, Any]:
    return selectors.plan_as_json(actor=request.user, plan=plan)


@router.get("/plans", response=list[PlanSummary])
def plan_list(request: HttpRequest, partnership: str | None = None) -> Any:
    """Plans of the partnerships you may see; `?partnership=CODE` narrows to one."""
    codes = (
        [tenancy_selectors.partnership_get(actor=request.user, code=partnership)]
        if partnership
        else tenancy_selectors.partnership_list(actor=request.user)
    )
    plans: list[Any] = []
    for p in codes:
        plans.extend(
            selectors.plan_list(actor=request.user, partnership=p).select_related("partnership")
        )
    return plans


@router.get("/plans/{pk}", response=dict)
def plan_detail(request: HttpRequest, pk: int) -> Any:
    """The plan in the `dathub.plan/1` interchange format, with ids for updates."""
    return _plan_json(request, selectors.plan_get_visible(actor=request.user, pk=pk))


class PlanImportOut(Schema):
    """An uploaded plan document and how far its import has got."""

    id: int
    partnership: str
    filename: str
    status: str  # reading, pending, confirmed, failed, expired, cancelled
    progress: int
    step: str
    status_url: str
    error: dict[str, str] | None = None  # {"code", "message"} when it failed
    issues: list[dict[str, Any]] = []  # the cells that could not be interpreted
    plan_id: int | None = None
    plan: dict[str, Any] | None = None  # the plan as dathub.plan/1, once saved


def _import_out(request: HttpRequest, staged: Any) -> dict[str, Any]:
    plan = (
        selectors.plan_get_visible(actor=request.user, pk=staged.plan_id)
        if staged.plan_id
        else None
    )
    return {
        "id": staged.pk,
        "partnership": staged.partnership.code,
        "filename": staged.filename,
        "status": staged.status,
        "progress": staged.progress,
        "step": staged.progress_step,
        "status_url": reverse("api:plan_import_detail", kwargs={"pk": staged.pk}),
        "error": (
            {"code": staged.error_code or "failed", "message": staged.error}
            if staged.status == "failed"
            else None
        ),
        "issues": staged.issues,
        "plan_id": staged.plan_id,
        "plan": _plan_json(request, plan) if plan is not None else None,
    }


@router.post("/plans", response={202: PlanImportOut})
def plan_create(
    request: HttpRequest,
    response: HttpResponse,
    partnership: Form[str],
    document: File[UploadedFile],
    financial_year: Form[str] = "",
) -> Any:
    """Upload a plan document (.docx, .xlsx or .txt) to be stored as a draft plan, all or
    nothing. The document is read in the background: the answer (202) is the import, with
    `status_url` to follow until `status` is `confirmed` (with `plan`, and the cells that
    could not be interpreted in `issues`) or `failed` (with `error`). A file that is plainly
    not a plan (wrong type, empty, unpacking to more than the cap) is refused at once (422)."""
    p = tenancy_selectors.partnership_get(actor=request.user, code=partnership)
    if document.size and document.size > MAX_DOCUMENT_BYTES:
        raise HttpError(413, "The document must be smaller than 10 MB.")
    staged = services.plan_import_upload(
        actor=request.user,
        partnership=p,
        filename=document.name or "plan",
        data=document.read(),
        financial_year=financial_year,
        confirm_when_read=True,
    )
    out = _import_out(request, staged)
    response["Location"] = out["status_url"]
    return Status(202, out)


@router.get("/plan-imports/{pk}", response=PlanImportOut)
def plan_import_detail(request: HttpRequest, pk: int) -> Any:
    """An uploaded plan document and how far its import has got (see `POST /plans`)."""
    return _import_out(request, selectors.plan_import_get_visible(actor=request.user, pk=pk))


def _objective(request: HttpRequest, pk: int, objective_pk: int) -> tuple[Any, Any]:
    plan = selectors.plan_get_visible(actor=request.user, pk=pk)
    return plan, selectors.objective_get(actor=request.user, plan=plan, pk=objective_pk)


@router.patch("/plans/{pk}/objectives/{objective_pk}", response=dict)
def objective_update(request: HttpRequest, pk: int, objective_pk: int, payload: ObjectiveIn) -> Any:
    plan, objective = _objective(request, pk, objective_pk)
    data = payload.dict(exclude_unset=True)
    fields: dict[str, Any] = {}
    if "number" in data:
        fields["number"] = data["number"]
    if data.get("title") is not None:
        fields["title"] = data["title"]
    if "owners" in data:
        fields["owners_text"] = data["owners"] or ""
    if "due" in data:
        fields.update(services.read_due(data["due"] or "", plan.financial_year))
    services.objective_update(actor=request.user, objective=objective, **fields)
    return _plan_json(request, plan)


def _action_fields(plan: Any, data: dict[str, Any]) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    if data.get("text") is not None:
        fields["text"] = data["text"]
    if "owners" in data:
        fields["owners_text"] = data["owners"] or ""
    if "due" in data:
        fields.update(services.read_due(data["due"] or "", plan.financial_year))
    if "cost" in data:
        fields.update(services.read_cost(data["cost"] or ""))
    return fields


@router.post("/plans/{pk}/objectives/{objective_pk}/actions", response={201: dict})
def action_create(request: HttpRequest, pk: int, objective_pk: int, payload: ActionIn) -> Any:
    plan, objective = _objective(request, pk, objective_pk)
    data = payload.dict(exclude_unset=True)
    if not data.get("text"):
        raise ValidationError({"text": "Say what the action is."})
    action = services.action_create(
        actor=request.user,
        partnership=plan.partnership,
        objective=objective,
        **_action_fields(plan, data),
    )
    return Status(201, {"id": action.pk, "plan": _plan_json(request, plan)})


@router.patch("/plans/{pk}/actions/{action_pk}", response=dict)
def action_update(request: HttpRequest, pk: int, action_pk: int, payload: ActionIn) -> Any:
    plan = selectors.plan_get_visible(actor=request.user, pk=pk)
    action = selectors.action_get(actor=request.user, partnership=plan.partnership, pk=action_pk)
    if action.objective is None or action.objective.grid.plan_id != plan.pk:
        raise HttpError(404, "Not found.")
    services.action_update(
        actor=request.user, action=action, **_action_fields(plan, payload.dict(exclude_unset=True))
    )
    return _plan_json(request, plan)
