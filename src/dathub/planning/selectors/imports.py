"""An uploaded plan document waiting for its preview, and what the preview warns about."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from dathub.core.selectors import object_in
from dathub.tenancy import permissions
from dathub.tenancy import roles as r
from dathub.tenancy.models import Partnership

from ..models import Plan, PlanImport
from .plans import plan_list


def plan_import_get(*, actor: Any, partnership: Partnership, pk: Any) -> PlanImport:
    qs = PlanImport.objects.filter(partnership=partnership)
    if not permissions.can(actor, partnership, r.MANAGE_PLANS):
        qs = qs.none()
    return object_in(qs, pk)


def plan_import_get_visible(*, actor: Any, pk: Any) -> PlanImport:
    """An upload of any partnership where the actor manages plans (the API), else 404."""
    from dathub.tenancy import selectors as tenancy_selectors

    partnerships = [
        p
        for p in tenancy_selectors.partnership_list(actor=actor)
        if permissions.can(actor, p, r.MANAGE_PLANS)
    ]
    qs = PlanImport.objects.filter(partnership__in=partnerships).select_related("partnership")
    return object_in(qs, pk)


# Words every partnership's name shares, left out when two names are compared.
_NAME_NOISE = {
    "daat",
    "dat",
    "drug",
    "drugs",
    "and",
    "alcohol",
    "action",
    "team",
    "partnership",
    "the",
    "of",
    "combating",
    "substance",
    "misuse",
    "board",
    "city",
    "borough",
    "council",
}


def _name_words(name: str) -> set[str]:
    return {w for w in re.findall(r"[a-z0-9]+", name.lower()) if w not in _NAME_NOISE}


@dataclass
class ImportCheck:
    """What the import preview warns about before anything is saved."""

    other_partnership: str = ""  # the partnership the document names, when it is not ours
    same_document: list[Plan] = field(default_factory=list)  # plans made from this very file
    same_year: list[Plan] = field(default_factory=list)  # other plans of the document's year

    @property
    def replaceable(self) -> list[Plan]:
        """Drafts the import may replace instead of adding a second plan."""
        seen = {p.pk: p for p in [*self.same_document, *self.same_year]}
        return [p for p in seen.values() if p.status == Plan.Status.DRAFT]


def plan_import_check(*, actor: Any, staged: PlanImport) -> ImportCheck:
    partnership = staged.partnership
    check = ImportCheck()
    named = str(staged.parsed.get("partnership") or "").strip()
    ours = _name_words(partnership.name) | _name_words(partnership.code)
    if named and _name_words(named) and not (_name_words(named) & ours):
        check.other_partnership = named
    plans = plan_list(actor=actor, partnership=partnership).filter(archived_at__isnull=True)
    if staged.digest:
        earlier = PlanImport.objects.filter(
            partnership=partnership, digest=staged.digest, status=PlanImport.Status.CONFIRMED
        ).exclude(pk=staged.pk)
        check.same_document = list(plans.filter(imports__in=earlier).distinct())
    year = staged.parsed.get("financial_year") or ""
    if year:
        check.same_year = [
            p for p in plans.filter(financial_year=year) if p not in check.same_document
        ]
    return check
