"""Writes to partnerships, organisations, people, roles and bodies. Each one is audited."""

from __future__ import annotations

import hashlib
import ipaddress
import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest

from dathub.core import audit, clock
from dathub.core.services import audited_archive, audited_create, audited_update

from . import permissions
from . import roles as r
from .models import (
    ApiToken,
    Body,
    BodyMember,
    Membership,
    Organisation,
    Partnership,
    Person,
    RoleName,
    SignInAttempt,
    User,
)


def _manage(actor: Any, partnership: Partnership) -> None:
    permissions.require(actor, partnership, r.MANAGE_TENANCY)


# Partnerships: only site administrators create them.
def partnership_create(*, actor: Any, name: str, code: str, area: str = "") -> Partnership:
    if not permissions.is_site_admin(actor):
        raise permissions.PermissionDenied("Only site administrators create partnerships.")
    partnership = Partnership(name=name, code=code.upper(), area=area)
    partnership.full_clean()
    partnership._history_user = actor  # type: ignore[attr-defined]
    with transaction.atomic():
        partnership.save()
        audit.record(
            actor=actor,
            partnership=partnership,
            action="partnership.create",
            obj=partnership,
            changes={"name": [None, name], "code": [None, code]},
        )
    return partnership


def partnership_update(*, actor: Any, partnership: Partnership, **fields: Any) -> Partnership:
    _manage(actor, partnership)
    return audited_update(actor=actor, instance=partnership, **fields)


# Organisations
def organisation_create(*, actor: Any, partnership: Partnership, **fields: Any) -> Organisation:
    _manage(actor, partnership)
    return audited_create(actor=actor, instance=Organisation(partnership=partnership, **fields))


def organisation_update(*, actor: Any, organisation: Organisation, **fields: Any) -> Organisation:
    _manage(actor, organisation.partnership)
    return audited_update(actor=actor, instance=organisation, **fields)


def organisation_archive(*, actor: Any, organisation: Organisation) -> Organisation:
    _manage(actor, organisation.partnership)
    return audited_archive(actor=actor, instance=organisation)


# People
def person_create(*, actor: Any, partnership: Partnership, **fields: Any) -> Person:
    _manage(actor, partnership)
    return audited_create(actor=actor, instance=Person(partnership=partnership, **fields))


def person_update(*, actor: Any, person: Person, **fields: Any) -> Person:
    # People may switch their own reminders off; everything else is the co-ordinator's.
    if set(fields) != {"reminders_enabled"} or person.user_id != getattr(actor, "pk", None):
        _manage(actor, person.partnership)
    return audited_update(actor=actor, instance=person, **fields)


def person_archive(*, actor: Any, person: Person) -> Person:
    _manage(actor, person.partnership)
    with transaction.atomic():
        for seat in person.body_seats.current():
            audited_archive(actor=actor, instance=seat)
        membership = Membership.objects.current().filter(person=person).first()
        if membership:
            audited_archive(actor=actor, instance=membership)
        return audited_archive(actor=actor, instance=person)


@transaction.atomic
def person_grant_sign_in(*, actor: Any, person: Person) -> tuple[User, str | None]:
    """Give a person a sign-in account for their e-mail address.

    Returns the user and, for a new account, a temporary password to pass on once.
    """
    _manage(actor, person.partnership)
    if not person.email:
        raise ValidationError({"email": "Enter the person's e-mail address first."})
    user = User.objects.filter(email__iexact=person.email).first()
    password = None
    if user is None:
        password = secrets.token_urlsafe(12)
        user = User.objects.create_user(person.email, password, full_name=person.full_name)
    audited_update(actor=actor, instance=person, user=user)
    return user, password


# Memberships and roles
def membership_set(
    *, actor: Any, person: Person, roles: list[str], organisation: Organisation | None = None
) -> Membership:
    _manage(actor, person.partnership)
    unknown = set(roles) - set(r.Role.values)
    if unknown:
        raise ValidationError({"roles": f"Unknown role: {', '.join(sorted(unknown))}"})
    if r.Role.PROVIDER_USER in roles:
        organisation = organisation or person.organisation
        if organisation is None:
            raise ValidationError(
                {"organisation": "Choose the organisation whose work this provider user sees."}
            )
    else:
        organisation = None
    ordered = [v for v in r.Role.values if v in roles]
    membership = Membership.objects.current().filter(person=person).first()
    if membership is None:
        membership = audited_create(
            actor=actor,
            instance=Membership(
                partnership=person.partnership,
                person=person,
                roles=ordered,
                organisation=organisation,
            ),
        )
    else:
        membership = audited_update(
            actor=actor, instance=membership, roles=ordered, organisation=organisation
        )
    if person.user is not None:
        permissions.forget(person.user)
    return membership


# Role names and abbreviations
def role_name_create(*, actor: Any, partnership: Partnership, **fields: Any) -> RoleName:
    _manage(actor, partnership)
    return audited_create(actor=actor, instance=RoleName(partnership=partnership, **fields))


def role_name_update(*, actor: Any, role_name: RoleName, **fields: Any) -> RoleName:
    _manage(actor, role_name.partnership)
    return audited_update(actor=actor, instance=role_name, **fields)


def role_name_archive(*, actor: Any, role_name: RoleName) -> RoleName:
    _manage(actor, role_name.partnership)
    return audited_archive(actor=actor, instance=role_name)


# Bodies and their members
def body_create(*, actor: Any, partnership: Partnership, **fields: Any) -> Body:
    _manage(actor, partnership)
    return audited_create(actor=actor, instance=Body(partnership=partnership, **fields))


def body_update(*, actor: Any, body: Body, **fields: Any) -> Body:
    _manage(actor, body.partnership)
    if fields.get("reports_to") is not None and fields["reports_to"].pk == body.pk:
        raise ValidationError({"reports_to": "A body cannot report to itself."})
    return audited_update(actor=actor, instance=body, **fields)


def body_archive(*, actor: Any, body: Body) -> Body:
    _manage(actor, body.partnership)
    return audited_archive(actor=actor, instance=body)


def body_member_add(*, actor: Any, body: Body, person: Person, **fields: Any) -> BodyMember:
    _manage(actor, body.partnership)
    if person.partnership_id != body.partnership_id:
        raise ValidationError({"person": "Choose a person of this partnership."})
    if BodyMember.objects.current().filter(body=body, person=person).exists():
        raise ValidationError({"person": f"{person} is already a member of {body}."})
    member = BodyMember(partnership=body.partnership, body=body, person=person, **fields)
    return audited_create(actor=actor, instance=member)


def body_member_remove(*, actor: Any, member: BodyMember) -> BodyMember:
    _manage(actor, member.partnership)
    return audited_archive(actor=actor, instance=member)


# Signing in
class SignInRefused(Exception):
    pass


def _digest(value: str) -> str:
    return hashlib.sha256(f"{settings.SECRET_KEY}:{value}".encode()).hexdigest()


def _trusted_proxies() -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    return [ipaddress.ip_network(p, strict=False) for p in settings.DATHUB_TRUSTED_PROXIES]


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text.strip())
    except ValueError:
        return None


def client_address(request: HttpRequest) -> str:
    """The address a request came from. Behind a trusted proxy (DATHUB_TRUSTED_PROXIES) it is
    the right-most X-Forwarded-For hop that is not itself a trusted proxy: hops to its left
    were written by the client and could be anything. Otherwise the connecting address."""
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = _trusted_proxies()

    def trusted(address: ipaddress.IPv4Address | ipaddress.IPv6Address | None) -> bool:
        return address is not None and any(address in network for network in proxies)

    if not proxies or not trusted(_address(remote)):
        return remote
    client = remote
    for hop in reversed(request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")):
        address = _address(hop)
        if address is None:
            break  # not an address a proxy of ours wrote: stop at the last one we trust
        client = str(address)
        if not trusted(address):
            break
    return client


def _client(request: HttpRequest) -> str:
    return _digest(client_address(request))


def sign_in(*, request: HttpRequest, email: str, password: str) -> User:
    """Check the password, refusing while the account or the client is locked out."""
    email = email.strip().lower()
    window = clock.now() - timedelta(seconds=settings.DATHUB_SIGNIN_WINDOW_SECONDS)
    limit = settings.DATHUB_SIGNIN_MAX_FAILURES
    recent = SignInAttempt.objects.filter(at__gte=window, succeeded=False)
    email_hash, client = _digest(email), _client(request)
    # The account's failures count from its last successful sign-in.
    account_failures = recent.filter(email_hash=email_hash)
    last_success = (
        SignInAttempt.objects.filter(email_hash=email_hash, succeeded=True, at__gte=window)
        .order_by("-at")
        .values_list("at", flat=True)
        .first()
    )
    if last_success is not None:
        account_failures = account_failures.filter(at__gt=last_success)
    if account_failures.count() >= limit or recent.filter(client=client).count() >= limit * 4:
        raise SignInRefused(
            "Too many failed attempts. For your security, signing in is locked for 15 minutes."
        )
    user = authenticate(request, username=email, password=password)
    SignInAttempt.objects.create(email_hash=email_hash, client=client, succeeded=user is not None)
    if user is None:
        if account_failures.count() >= limit:
            # The account (when there is one) is named by its record, never by the typed text.
            locked = User.objects.filter(email__iexact=email).first()
            audit.record(actor=None, partnership=None, action="user.locked_out", obj=locked)
        raise SignInRefused("Enter a correct e-mail address and password.")
    return user  # type: ignore[return-value]


def password_change(*, actor: User, old_password: str, new_password: str) -> None:
    if not actor.check_password(old_password):
        raise ValidationError({"old_password": "Your current password is not correct."})
    validate_password(new_password, actor)
    actor.set_password(new_password)
    actor.save(update_fields=["password"])
    audit.record(actor=actor, partnership=None, action="user.password_change", obj=actor)


# API tokens
def api_token_create(*, actor: User, name: str) -> tuple[ApiToken, str]:
    key = ApiToken.new_key()
    token = ApiToken.objects.create(
        user=actor,
        name=name.strip() or "API token",
        prefix=key[:10],
        key_hash=ApiToken.hash_key(key),
    )
    audit.record(actor=actor, partnership=None, action="apitoken.create", obj=token)
    return token, key


def api_token_revoke(*, actor: User, token: ApiToken) -> ApiToken:
    if token.user_id != actor.pk:
        raise permissions.PermissionDenied("That is not your token.")
    if token.revoked_at is None:
        token.revoked_at = clock.now()
        token.save(update_fields=["revoked_at"])
        audit.record(actor=actor, partnership=None, action="apitoken.revoke", obj=token)
    return token


def api_token_user(key: str) -> User | None:
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=ApiToken.hash_key(key), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    if token.last_used_at is None or clock.now() - token.last_used_at > timedelta(minutes=5):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=clock.now())
    return token.user
