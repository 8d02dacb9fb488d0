"""The two fictional demo partnerships. Loading twice changes nothing (it is idempotent).

Each domain app adds its own demo data by registering a loader from its ready()
(core.registry.register_demo_loader: a function taking the loaded partnerships by code).
"""

from __future__ import annotations

import os
from importlib import import_module
from typing import Any

from django.db import transaction

from dathub.tenancy.models import (
    Body,
    BodyMember,
    Membership,
    Organisation,
    Partnership,
    Person,
    RoleName,
    User,
)
from dathub.tenancy.roles import Role

DEMO_PASSWORD = "demo-password-1"

PARTNERSHIPS = [
    {
        "code": "N01A",
        "name": "Northshire DAAT",
        "area": "Northshire County",
        "short": "Northshire",
        "domain": "northshire.example",
        "providers": ("Northshire Recovery Trust", "Northshire Partnership NHS Foundation Trust"),
        "agency": ("NRT01", "NPT02"),
        "role_names": [
            ("DPM", "Data Performance Manager"),
            ("BM", "Board Manager"),
            ("DIP PM", "DIP Programme Manager"),
            ("JCG Chair", "Chair of the Joint Commissioning Group"),
            ("NDAT Commissioner", "Northshire DAAT Commissioning Manager"),
            ("NDAT Contracts & Performance Officer", "Contracts and Performance Officer"),
            ("NDAT Data Lead", "Data and Information Lead"),
            ("NDAT Team", "Northshire DAAT support team"),
            ("PCT Estates", "Primary Care Trust Estates Manager"),
            ("Tier 3 Provider", "Tier 3 structured treatment providers"),
        ],
    },
    {
        "code": "E02B",
        "name": "Eastvale DAT",
        "area": "Eastvale Borough",
        "short": "Eastvale",
        "domain": "eastvale.example",
        "providers": ("Eastvale Drug Services", "Eastvale Community NHS Trust"),
        "agency": ("EDS01", "ECT02"),
        "role_names": [
            ("DATC", "DAT Co-ordinator"),
            ("PM", "Performance Manager"),
            ("JCG Chair", "Chair of the Joint Commissioning Group"),
        ],
    },
]

# (local part of e-mail, full name, job title, organisation index, roles, signs in)
# Organisation index: 0 council, 1 NHS, 2 police, 3 probation, 4 and 5 providers.
PEOPLE = [
    ("coordinator", "Alex Morgan", "DAAT Co-ordinator", 0, [Role.COORDINATOR], True),
    ("analyst", "Priya Shah", "Performance Analyst", 0, [Role.PERFORMANCE_ANALYST], True),
    ("provider", "Sam Okafor", "Service Manager", 4, [Role.PROVIDER_USER], True),
    ("board", "Jordan Ellis", "Director of Public Health", 1, [Role.BOARD_MEMBER], True),
    (
        "commissioning",
        "Chris Taylor",
        "Commissioning Manager",
        0,
        [Role.COMMISSIONING_MANAGER, Role.JCG_MEMBER],
        False,
    ),
    ("finance", "Robin Hughes", "Finance Officer", 0, [Role.FINANCE_OFFICER], False),
    (
        "cjlead",
        "Morgan Price",
        "Criminal Justice Lead",
        3,
        [Role.CRIMINAL_JUSTICE_LEAD, Role.JCG_MEMBER],
        False,
    ),
    (
        "engagement",
        "Jamie Lewis",
        "User and Carer Engagement Lead",
        0,
        [Role.ENGAGEMENT_LEAD],
        False,
    ),
    ("admin", "Casey Ward", "Partnership Administrator", 0, [Role.ADMINISTRATOR], False),
    ("police", "Inspector Lee Carter", "Drugs Lead", 2, [Role.BOARD_MEMBER], False),
    (
        "trustlead",
        "Dr Avery Bell",
        "Clinical Director",
        5,
        [Role.BOARD_MEMBER, Role.JCG_MEMBER],
        False,
    ),
]

EASTVALE_NAMES = {
    "coordinator": "Dana Whitfield",
    "analyst": "Nikhil Rao",
    "provider": "Erin Walsh",
    "board": "Toby Marsh",
    "commissioning": "Hana Kowalski",
    "finance": "Olu Adeyemi",
    "cjlead": "Rhys Pryce",
    "engagement": "Mia Fenwick",
    "admin": "Kit Harlow",
    "police": "Inspector Ruth Dale",
    "trustlead": "Dr Felix Ndlovu",
}

# The Eastvale demo only needs a co-ordinator to sign in; the rest are a directory.
EASTVALE_SIGN_IN = {"coordinator"}
NORTHSHIRE_SIGN_IN = {"coordinator", "analyst", "provider", "board"}


class DemoRefused(Exception):
    """The demo would write its published password into a real site's database."""


DEMO_ADMIN = "admin@dathub.example"


def _demo_partnerships() -> set[tuple[str, str]]:
    return {(str(spec["code"]), str(spec["name"])) for spec in PARTNERSHIPS}


def _demo_accounts() -> set[str]:
    accounts = {DEMO_ADMIN}
    for spec in PARTNERSHIPS:
        sign_in = NORTHSHIRE_SIGN_IN if spec["code"] == "N01A" else EASTVALE_SIGN_IN
        accounts |= {f"{local}@{spec['domain']}" for local in sign_in}
    return accounts


def refuse_unless_safe() -> None:
    """Raise DemoRefused under production settings, or when the database holds anything but
    the demo: a partnership that is not one of the demo's (by code and name) or an account
    that is not a demo account. Writes nothing, and works before the first migration."""
    from django.conf import settings
    from django.db import connection

    if settings.DATHUB_PRODUCTION:
        raise DemoRefused(
            "The demo cannot run under production settings: it creates accounts whose "
            "password is published. Use dathub.config.settings.dev on a database of its own."
        )
    db = connection.settings_dict
    name = str(db["NAME"])
    in_memory = name == ":memory:" or name.startswith("file:")
    if db["ENGINE"].endswith("sqlite3") and not in_memory and not os.path.exists(name):
        return  # no database yet: nothing to protect (and looking would create the file)
    tables = set(connection.introspection.table_names())
    if Partnership._meta.db_table in tables:
        found = set(Partnership.objects.values_list("code", "name"))
        if found - _demo_partnerships():
            raise DemoRefused(
                "This database holds partnerships that are not the demo's. The demo only "
                "loads into an empty database or one holding the demo alone."
            )
    if User._meta.db_table in tables:
        emails = {e.lower() for e in User.objects.values_list("email", flat=True)}
        if emails - _demo_accounts():
            raise DemoRefused(
                "This database holds accounts that are not the demo's. The demo only loads "
                "into an empty database or one holding the demo alone."
            )


def _user(email: str, name: str, **extra: Any) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email, DEMO_PASSWORD, full_name=name, **extra)
    return user


def _load_partnership(spec: dict[str, Any]) -> Partnership:
    p, _ = Partnership.objects.get_or_create(
        code=spec["code"], defaults={"name": spec["name"], "area": spec["area"]}
    )
    short = spec["short"]
    org_specs = [
        (
            f"{short} County Council" if short == "Northshire" else f"{short} Borough Council",
            Organisation.Kind.COUNCIL,
            "",
        ),
        (f"{short} Primary Care Trust", Organisation.Kind.NHS, ""),
        (f"{short} Police", Organisation.Kind.POLICE, ""),
        (f"{short} Probation Service", Organisation.Kind.PROBATION, ""),
        (spec["providers"][0], Organisation.Kind.VOLUNTARY_PROVIDER, spec["agency"][0]),
        (spec["providers"][1], Organisation.Kind.NHS_PROVIDER, spec["agency"][1]),
    ]
    orgs = [
        Organisation.objects.get_or_create(
            partnership=p, name=name, defaults={"kind": kind, "agency_code": agency}
        )[0]
        for name, kind, agency in org_specs
    ]
    if p.host_organisation_id is None:
        p.host_organisation = orgs[0]
        p.save(update_fields=["host_organisation"])

    sign_in = NORTHSHIRE_SIGN_IN if spec["code"] == "N01A" else EASTVALE_SIGN_IN
    people: dict[str, Person] = {}
    for local, name, title, org_index, roles, _ in PEOPLE:
        if spec["code"] != "N01A":
            name = EASTVALE_NAMES[local]
        email = f"{local}@{spec['domain']}"
        user = _user(email, name) if local in sign_in else None
        person, _ = Person.objects.get_or_create(
            partnership=p,
            email=email,
            defaults={
                "full_name": name,
                "job_title": title,
                "organisation": orgs[org_index],
                "user": user,
            },
        )
        people[local] = person
        Membership.objects.get_or_create(
            person=person,
            defaults={
                "partnership": p,
                "roles": [str(r) for r in roles],
                "organisation": orgs[org_index] if Role.PROVIDER_USER in roles else None,
            },
        )

    board, _ = Body.objects.get_or_create(
        partnership=p,
        name=f"{short} Partnership Board",
        defaults={
            "kind": Body.Kind.BOARD,
            "meeting_cycle": Body.Cycle.BIMONTHLY,
            "terms_of_reference": "Sets the partnership's strategy and is accountable for "
            "its results and its pooled budget. Receives progress against the treatment "
            "plan at every meeting and a management review every six months.",
        },
    )
    jcg, _ = Body.objects.get_or_create(
        partnership=p,
        name=f"{short} Joint Commissioning Group",
        defaults={
            "kind": Body.Kind.JCG,
            "reports_to": board,
            "meeting_cycle": Body.Cycle.MONTHLY,
            "terms_of_reference": "Plans services, manages contracts and performance "
            "within the scheme of delegation agreed by the board.",
        },
    )
    sug, _ = Body.objects.get_or_create(
        partnership=p,
        name=f"{short} Service User Group",
        defaults={
            "kind": Body.Kind.SERVICE_USER_GROUP,
            "reports_to": jcg,
            "meeting_cycle": Body.Cycle.MONTHLY,
        },
    )
    seats = [
        (board, "board", BodyMember.Position.CHAIR),
        (board, "police", BodyMember.Position.MEMBER),
        (board, "trustlead", BodyMember.Position.MEMBER),
        (board, "coordinator", BodyMember.Position.SECRETARY),
        (jcg, "commissioning", BodyMember.Position.CHAIR),
        (jcg, "cjlead", BodyMember.Position.MEMBER),
        (jcg, "trustlead", BodyMember.Position.MEMBER),
        (jcg, "coordinator", BodyMember.Position.MEMBER),
        (sug, "engagement", BodyMember.Position.CHAIR),
        (sug, "provider", BodyMember.Position.MEMBER),
    ]
    for body, local, position in seats:
        BodyMember.objects.get_or_create(
            partnership=p, body=body, person=people[local], defaults={"position": position}
        )
    holders = {
        "DPM": "analyst",
        "NDAT Data Lead": "analyst",
        "JCG Chair": "commissioning",
        "NDAT Commissioner": "commissioning",
        "PM": "analyst",
        "DATC": "coordinator",
        "BM": "admin",
        "DIP PM": "cjlead",
        "NDAT Contracts & Performance Officer": "commissioning",
    }
    for abbreviation, full in spec["role_names"]:
        RoleName.objects.get_or_create(
            partnership=p,
            abbreviation=abbreviation,
            defaults={"name": full, "holder": people.get(holders.get(abbreviation, ""))},
        )
    return p


@transaction.atomic
def load_demo(*, with_activity: bool = True) -> list[tuple[str, str]]:
    """Load the demo; tests pass with_activity=False to get only partnerships and people."""
    from django.conf import settings

    if settings.DATHUB_PRODUCTION:  # whoever calls it
        raise DemoRefused("The demo cannot run under production settings.")
    partnerships = {spec["code"]: _load_partnership(spec) for spec in PARTNERSHIPS}
    _user(DEMO_ADMIN, "Site Administrator", is_staff=True, is_superuser=True)
    from dathub.core.registry import demo_loaders

    for dotted in demo_loaders() if with_activity else []:
        module, func = dotted.rsplit(".", 1)
        getattr(import_module(module), func)(partnerships)
    return [
        ("coordinator@northshire.example", "Northshire co-ordinator"),
        ("analyst@northshire.example", "Northshire performance analyst"),
        ("provider@northshire.example", "Northshire Recovery Trust (provider)"),
        ("board@northshire.example", "Northshire board member (read-only)"),
        ("coordinator@eastvale.example", "Eastvale co-ordinator"),
        ("admin@dathub.example", "site administrator (all partnerships)"),
    ]
