"""The one place that says what each role may see and do.

A capability is a verb on a part of the product. Views, API handlers, selectors and
background jobs ask `can(actor, partnership, capability)` (see permissions.py); nothing else
decides access. Read-only roles get only `view_*` capabilities.
"""

from __future__ import annotations

from django.db import models


class Role(models.TextChoices):
    COORDINATOR = "coordinator", "Co-ordinator"
    COMMISSIONING_MANAGER = "commissioning_manager", "Commissioning manager"
    PERFORMANCE_ANALYST = "performance_analyst", "Performance analyst"
    FINANCE_OFFICER = "finance_officer", "Finance officer"
    SERVICE_DEVELOPMENT_LEAD = "service_development_lead", "Service development lead"
    CRIMINAL_JUSTICE_LEAD = "criminal_justice_lead", "Criminal justice lead"
    ENGAGEMENT_LEAD = "engagement_lead", "User and carer engagement lead"
    ADMINISTRATOR = "administrator", "Administrator"
    BOARD_MEMBER = "board_member", "Board member"
    JCG_MEMBER = "jcg_member", "JCG member"
    PROVIDER_USER = "provider_user", "Provider user"
    SCRUTINY_VIEWER = "scrutiny_viewer", "Scrutiny viewer"
    REGIONAL_VIEWER = "regional_viewer", "Regional viewer"


# Capabilities, grouped so the matrix below stays readable.
VIEW_PARTNERSHIP = "view_partnership"  # the partnership's home page and directory
VIEW_PEOPLE = "view_people"  # every person of the partnership (providers: their own org only)
MANAGE_TENANCY = "manage_tenancy"  # organisations, people, memberships, role names, bodies
VIEW_AUDIT = "view_audit"
VIEW_PLANS = "view_plans"
MANAGE_PLANS = "manage_plans"
UPDATE_ACTIONS = "update_actions"  # progress updates on actions one owns (providers: own org)
BUILD_BOARD_PACKS = "build_board_packs"
VIEW_PERFORMANCE = "view_performance"  # aggregate indicators
VIEW_TRUE_FIGURES = "view_true_figures"  # unsuppressed figures ("not for publication")
MANAGE_PERFORMANCE = "manage_performance"  # targets, prevalence, local indicators
SUBMIT_RECORDS = "submit_records"  # upload client-level records (providers: own agency)
VIEW_CLIENT_RECORDS = "view_client_records"  # see client-level rows (audited)
VIEW_FINANCE = "view_finance"
MANAGE_FINANCE = "manage_finance"
VIEW_CONTRACTS = "view_contracts"
MANAGE_CONTRACTS = "manage_contracts"
VIEW_GOVERNANCE = "view_governance"
MANAGE_GOVERNANCE = "manage_governance"
COMPARE_PARTNERSHIPS = "compare_partnerships"

_READ = {
    VIEW_PARTNERSHIP,
    VIEW_PEOPLE,
    VIEW_PLANS,
    VIEW_PERFORMANCE,
    VIEW_FINANCE,
    VIEW_CONTRACTS,
    VIEW_GOVERNANCE,
}
_STAFF = _READ | {VIEW_TRUE_FIGURES, UPDATE_ACTIONS}

ROLE_CAPABILITIES: dict[str, frozenset[str]] = {
    Role.COORDINATOR: frozenset(
        _STAFF
        | {
            MANAGE_TENANCY,
            VIEW_AUDIT,
            MANAGE_PLANS,
            BUILD_BOARD_PACKS,
            MANAGE_PERFORMANCE,
            SUBMIT_RECORDS,
            VIEW_CLIENT_RECORDS,
            MANAGE_FINANCE,
            MANAGE_CONTRACTS,
            MANAGE_GOVERNANCE,
        }
    ),
    Role.ADMINISTRATOR: frozenset(_STAFF | {MANAGE_TENANCY, BUILD_BOARD_PACKS, MANAGE_GOVERNANCE}),
    Role.COMMISSIONING_MANAGER: frozenset(_STAFF | {MANAGE_PLANS, MANAGE_CONTRACTS}),
    Role.PERFORMANCE_ANALYST: frozenset(
        _STAFF | {MANAGE_PERFORMANCE, SUBMIT_RECORDS, VIEW_CLIENT_RECORDS}
    ),
    Role.FINANCE_OFFICER: frozenset(_STAFF | {MANAGE_FINANCE}),
    Role.SERVICE_DEVELOPMENT_LEAD: frozenset(_STAFF | {MANAGE_PLANS}),
    Role.CRIMINAL_JUSTICE_LEAD: frozenset(_STAFF | {MANAGE_PLANS}),
    Role.ENGAGEMENT_LEAD: frozenset(_STAFF | {MANAGE_PLANS}),
    Role.BOARD_MEMBER: frozenset(_READ | {VIEW_TRUE_FIGURES}),
    Role.JCG_MEMBER: frozenset(_READ | {VIEW_TRUE_FIGURES}),
    # A provider works inside the partnership but sees only what concerns its organisation;
    # the selectors narrow every list to that organisation.
    Role.PROVIDER_USER: frozenset(
        {
            VIEW_PARTNERSHIP,
            VIEW_PLANS,
            VIEW_PERFORMANCE,
            UPDATE_ACTIONS,
            SUBMIT_RECORDS,
            VIEW_CLIENT_RECORDS,
        }
    ),
    Role.SCRUTINY_VIEWER: frozenset({VIEW_PARTNERSHIP, VIEW_PLANS, VIEW_PERFORMANCE}),
    Role.REGIONAL_VIEWER: frozenset(
        {VIEW_PARTNERSHIP, VIEW_PLANS, VIEW_PERFORMANCE, COMPARE_PARTNERSHIPS}
    ),
}

# Roles whose view of the partnership is narrowed to one organisation.
ORGANISATION_SCOPED_ROLES = frozenset({Role.PROVIDER_USER})


def capabilities_for(roles: set[str] | frozenset[str]) -> frozenset[str]:
    caps: set[str] = set()
    for role in roles:
        caps |= ROLE_CAPABILITIES.get(role, frozenset())
    return frozenset(caps)
