"""Pages for a partnership's organisations, people, role names and bodies."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_POST

from dathub.core.crud import Section
from dathub.core.partnership_views import partnership_view
from dathub.core.web import add_errors, form_page

from . import forms, permissions, selectors, services
from . import roles as r


def _display(obj: Any, name: str) -> Any:
    return getattr(obj, f"get_{name}_display")()


organisations = Section(
    namespace="tenancy",
    name="organisation",
    noun="organisation",
    noun_plural="organisations",
    list_selector=selectors.organisation_list,
    get_selector=selectors.organisation_get,
    form_class=forms.OrganisationForm,
    create=lambda a, p, d: services.organisation_create(actor=a, partnership=p, **d),
    update=lambda a, o, d: services.organisation_update(actor=a, organisation=o, **d),
    archive=lambda a, o: services.organisation_archive(actor=a, organisation=o),
    columns=[
        ("Name", str),
        ("Kind", lambda o: _display(o, "kind")),
        ("Agency code", lambda o: o.agency_code),
    ],
    view_capability=r.VIEW_PARTNERSHIP,
    manage_capability=r.MANAGE_TENANCY,
    intro="The council, NHS, criminal justice and provider organisations in the partnership.",
    detail_rows=lambda o: [
        ("Kind", _display(o, "kind")),
        ("Agency code", o.agency_code),
        ("People", ", ".join(str(p) for p in o.people.current())),
    ],
)


def _person_extra(request: HttpRequest, partnership: Any, person: Any) -> dict[str, Any]:
    return {
        "membership": selectors.membership_for(actor=request.user, person=person),
        "seats": person.body_seats.current().select_related("body"),
        "roles_held": person.role_names.current(),
    }


people = Section(
    namespace="tenancy",
    name="person",
    noun="person",
    noun_plural="people",
    list_selector=selectors.person_list,
    get_selector=selectors.person_get,
    form_class=forms.PersonForm,
    create=lambda a, p, d: services.person_create(actor=a, partnership=p, **d),
    update=lambda a, o, d: services.person_update(actor=a, person=o, **d),
    archive=lambda a, o: services.person_archive(actor=a, person=o),
    columns=[
        ("Name", str),
        ("Job title", lambda o: o.job_title),
        ("Organisation", lambda o: o.organisation or ""),
    ],
    view_capability=r.VIEW_PARTNERSHIP,
    manage_capability=r.MANAGE_TENANCY,
    intro="Everyone who works in or with the partnership, whether or not they sign in.",
    detail_rows=lambda o: [
        ("Job title", o.job_title),
        ("Organisation", o.organisation),
        ("E-mail", o.email),
        ("Phone", o.phone),
        ("Can sign in", "Yes" if o.user_id else "No"),
        ("Reminder e-mails", "On" if o.reminders_enabled else "Off"),
    ],
    detail_extra=_person_extra,
    detail_template="tenancy/person_extra.html",
)

role_names = Section(
    namespace="tenancy",
    name="role-name",
    noun="role name",
    noun_plural="role names",
    list_selector=selectors.role_name_list,
    get_selector=selectors.role_name_get,
    form_class=forms.RoleNameForm,
    create=lambda a, p, d: services.role_name_create(actor=a, partnership=p, **d),
    update=lambda a, o, d: services.role_name_update(actor=a, role_name=o, **d),
    archive=lambda a, o: services.role_name_archive(actor=a, role_name=o),
    columns=[
        ("Abbreviation", lambda o: o.abbreviation),
        ("Name", lambda o: o.name),
        ("Held by", lambda o: o.holder or ""),
    ],
    view_capability=r.VIEW_PEOPLE,
    manage_capability=r.MANAGE_TENANCY,
    intro="The partnership's own names and abbreviations for roles and bodies, as its plans "
    "write them in ‘by whom’ (for example DPM, BM, JCG Chair).",
    detail_rows=lambda o: [
        ("Abbreviation", o.abbreviation),
        ("Name", o.name),
        ("Held by", o.holder),
    ],
)


def _body_extra(request: HttpRequest, partnership: Any, body: Any) -> dict[str, Any]:
    # Sub-groups through the selector: a provider sees only those someone of theirs sits on.
    sub_groups = selectors.body_list(actor=request.user, partnership=partnership)
    return {
        "members": selectors.body_member_list(actor=request.user, body=body),
        "sub_groups": sub_groups.filter(reports_to=body),
    }


bodies = Section(
    namespace="tenancy",
    name="body",
    noun="body",
    noun_plural="bodies",
    list_selector=selectors.body_list,
    get_selector=selectors.body_get,
    form_class=forms.BodyForm,
    create=lambda a, p, d: services.body_create(actor=a, partnership=p, **d),
    update=lambda a, o, d: services.body_update(actor=a, body=o, **d),
    archive=lambda a, o: services.body_archive(actor=a, body=o),
    columns=[
        ("Name", str),
        ("Kind", lambda o: _display(o, "kind")),
        ("Reports to", lambda o: o.reports_to or ""),
        ("Meets", lambda o: _display(o, "meeting_cycle")),
    ],
    view_capability=r.VIEW_PARTNERSHIP,
    manage_capability=r.MANAGE_TENANCY,
    intro="The partnership board, the joint commissioning group and the sub-groups.",
    detail_rows=lambda o: [
        ("Kind", _display(o, "kind")),
        ("Reports to", o.reports_to),
        ("Meets", _display(o, "meeting_cycle")),
        ("Terms of reference", o.terms_of_reference),
    ],
    detail_extra=_body_extra,
    detail_template="tenancy/body_extra.html",
)


@partnership_view(r.MANAGE_TENANCY)
def membership_edit(request: HttpRequest, partnership: Any, pk: int) -> HttpResponse:
    person = selectors.person_get(actor=request.user, partnership=partnership, pk=pk)
    current = selectors.membership_for(actor=request.user, person=person)
    initial = {"roles": current.roles, "organisation": current.organisation} if current else {}
    form = forms.MembershipForm(
        request.POST if request.method == "POST" else None, initial=initial, partnership=partnership
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.membership_set(
                actor=request.user,
                person=person,
                roles=form.cleaned_data["roles"],
                organisation=form.cleaned_data["organisation"],
            )
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"Roles for {person} saved.")
            return redirect("tenancy:person-detail", partnership.code, person.pk)
    return form_page(
        request,
        form,
        f"Roles for {person}",
        reverse("tenancy:person-detail", args=[partnership.code, person.pk]),
        status=200,
    )


@require_POST
@partnership_view(r.MANAGE_TENANCY)
def person_grant_sign_in(request: HttpRequest, partnership: Any, pk: int) -> HttpResponse:
    person = selectors.person_get(actor=request.user, partnership=partnership, pk=pk)
    try:
        user, password = services.person_grant_sign_in(actor=request.user, person=person)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        if password:
            messages.success(
                request,
                f"Account created for {user.email}. Temporary password (shown once, "
                f"pass it on securely): {password}",
            )
        else:
            messages.success(request, f"{person} can now sign in as {user.email}.")
    return redirect("tenancy:person-detail", partnership.code, person.pk)


@partnership_view(r.MANAGE_TENANCY)
def body_member_add(request: HttpRequest, partnership: Any, pk: int) -> HttpResponse:
    body = selectors.body_get(actor=request.user, partnership=partnership, pk=pk)
    form = forms.BodyMemberForm(
        request.POST if request.method == "POST" else None, partnership=partnership
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.body_member_add(actor=request.user, body=body, **form.cleaned_data)
        except ValidationError as exc:
            add_errors(form, exc)
        else:
            messages.success(request, f"{form.cleaned_data['person']} added to {body}.")
            return redirect("tenancy:body-detail", partnership.code, body.pk)
    return form_page(
        request,
        form,
        f"Add a member to {body}",
        reverse("tenancy:body-detail", args=[partnership.code, body.pk]),
        "Add member",
        status=200,
    )


@require_POST
@partnership_view(r.MANAGE_TENANCY)
def body_member_remove(
    request: HttpRequest, partnership: Any, pk: int, member: int
) -> HttpResponse:
    body = selectors.body_get(actor=request.user, partnership=partnership, pk=pk)
    seat = selectors.body_member_get(actor=request.user, body=body, pk=member)
    services.body_member_remove(actor=request.user, member=seat)
    messages.success(request, f"{seat.person} removed from {body}.")
    return redirect("tenancy:body-detail", partnership.code, body.pk)


@partnership_view(r.VIEW_PARTNERSHIP)
def my_reminders(request: HttpRequest, partnership: Any) -> HttpResponse:
    """Anyone may switch their own reminder e-mails on or off."""
    person = permissions.person_of(request.user, partnership)
    if request.method == "POST" and person is not None:
        services.person_update(
            actor=request.user,
            person=person,
            reminders_enabled=request.POST.get("reminders") == "on",
        )
        messages.success(request, "Your reminder setting is saved.")
    return redirect("core:account")


def directory_sections(actor: Any, partnership: Any) -> list[dict[str, str]]:
    """The parts of the partnership's directory the actor may open, for the hub and home."""
    parts = [
        (
            "Organisations",
            "tenancy:organisation-list",
            r.VIEW_PARTNERSHIP,
            "Council, NHS, criminal justice and provider organisations.",
        ),
        (
            "People",
            "tenancy:person-list",
            r.VIEW_PEOPLE,
            "Everyone who works in or with the partnership, and their roles.",
        ),
        (
            "Bodies",
            "tenancy:body-list",
            r.VIEW_PARTNERSHIP,
            "The board, the joint commissioning group and the sub-groups, with their members.",
        ),
        (
            "Role names",
            "tenancy:role-name-list",
            r.VIEW_PEOPLE,
            "The partnership's own names and abbreviations for roles, as plans write them.",
        ),
        ("Audit trail", "core:audit", r.VIEW_AUDIT, "Every change: who, when and what."),
    ]
    return [
        {"label": label, "url": reverse(name, args=[partnership.code]), "hint": hint}
        for label, name, capability, hint in parts
        if permissions.can(actor, partnership, capability)
    ]


@partnership_view(r.VIEW_PARTNERSHIP)
def directory(request: HttpRequest, partnership: Any) -> HttpResponse:
    return render(
        request,
        "tenancy/directory.html",
        {"partnership": partnership, "sections": directory_sections(request.user, partnership)},
    )


extra = [
    path("p/<str:code>/partnership/", directory, name="directory"),
    path("p/<str:code>/people/<int:pk>/roles/", membership_edit, name="membership-edit"),
    path("p/<str:code>/people/<int:pk>/sign-in/", person_grant_sign_in, name="person-sign-in"),
    path("p/<str:code>/bodies/<int:pk>/members/new/", body_member_add, name="body-member-add"),
    path(
        "p/<str:code>/bodies/<int:pk>/members/<int:member>/remove/",
        body_member_remove,
        name="body-member-remove",
    ),
    path("p/<str:code>/my-reminders/", my_reminders, name="my-reminders"),
]
