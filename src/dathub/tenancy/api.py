"""Partnerships, organisations, people and bodies, read-only, scoped to the caller."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.pagination import paginate

from dathub.api.pagination import LimitOffsetPagination

from . import selectors

router = Router(tags=["partnerships"])


class PartnershipOut(Schema):
    code: str
    name: str
    area: str
    host_organisation: str | None

    @staticmethod
    def resolve_host_organisation(obj: Any) -> str | None:
        return str(obj.host_organisation) if obj.host_organisation_id else None


class OrganisationOut(Schema):
    id: int
    name: str
    kind: str
    agency_code: str
    archived: bool

    @staticmethod
    def resolve_archived(obj: Any) -> bool:
        return obj.archived_at is not None


class PersonOut(Schema):
    id: int
    full_name: str
    job_title: str
    organisation_id: int | None
    email: str
    roles: list[str]
    archived: bool

    @staticmethod
    def resolve_roles(obj: Any) -> list[str]:
        membership = getattr(obj, "membership", None)
        return list(membership.roles) if membership and not membership.archived_at else []

    @staticmethod
    def resolve_archived(obj: Any) -> bool:
        return obj.archived_at is not None


class MemberOut(Schema):
    person_id: int
    name: str
    position: str

    @staticmethod
    def resolve_name(obj: Any) -> str:
        return obj.person.full_name


class BodyOut(Schema):
    id: int
    name: str
    kind: str
    reports_to_id: int | None
    meeting_cycle: str
    terms_of_reference: str
    members: list[MemberOut]

    @staticmethod
    def resolve_members(obj: Any) -> list[Any]:
        return list(obj.members.filter(archived_at__isnull=True).select_related("person"))


@router.get("/partnerships", response=list[PartnershipOut])
@paginate(LimitOffsetPagination)
def partnership_list(request: HttpRequest) -> Any:
    return selectors.partnership_list(actor=request.user).select_related("host_organisation")


@router.get("/partnerships/{code}", response=PartnershipOut)
def partnership_detail(request: HttpRequest, code: str) -> Any:
    return selectors.partnership_get(actor=request.user, code=code)


@router.get("/partnerships/{code}/organisations", response=list[OrganisationOut])
@paginate(LimitOffsetPagination)
def organisation_list(request: HttpRequest, code: str) -> Any:
    p = selectors.partnership_get(actor=request.user, code=code)
    return selectors.organisation_list(actor=request.user, partnership=p)


@router.get("/partnerships/{code}/organisations/{pk}", response=OrganisationOut)
def organisation_detail(request: HttpRequest, code: str, pk: int) -> Any:
    p = selectors.partnership_get(actor=request.user, code=code)
    return selectors.organisation_get(actor=request.user, partnership=p, pk=pk)


@router.get("/partnerships/{code}/people", response=list[PersonOut])
@paginate(LimitOffsetPagination)
def person_list(request: HttpRequest, code: str) -> Any:
    p = selectors.partnership_get(actor=request.user, code=code)
    return selectors.person_list(actor=request.user, partnership=p).select_related("membership")


@router.get("/partnerships/{code}/people/{pk}", response=PersonOut)
def person_detail(request: HttpRequest, code: str, pk: int) -> Any:
    p = selectors.partnership_get(actor=request.user, code=code)
    return selectors.person_get(actor=request.user, partnership=p, pk=pk)


@router.get("/partnerships/{code}/bodies", response=list[BodyOut])
@paginate(LimitOffsetPagination)
def body_list(request: HttpRequest, code: str) -> Any:
    p = selectors.partnership_get(actor=request.user, code=code)
    return selectors.body_list(actor=request.user, partnership=p)


@router.get("/partnerships/{code}/bodies/{pk}", response=BodyOut)
def body_detail(request: HttpRequest, code: str, pk: int) -> Any:
    p = selectors.partnership_get(actor=request.user, code=code)
    return selectors.body_get(actor=request.user, partnership=p, pk=pk)
