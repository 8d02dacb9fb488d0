"""Reads of board packs, scoped to the actor.

Packs hold every organisation's actions, so they are for those who may see the partnership's
governance papers (VIEW_GOVERNANCE). Whoever builds packs sees drafts too; everyone else sees
only issued packs. Another partnership's pack is a 404, like a missing one.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import QuerySet

from dathub.core.selectors import object_in
from dathub.tenancy import permissions
from dathub.tenancy import roles as r
from dathub.tenancy.models import Body, Partnership

from .models import BoardPack


def board_pack_list(*, actor: Any, partnership: Partnership) -> QuerySet[BoardPack]:
    qs = BoardPack.objects.current().filter(partnership=partnership).select_related("body")
    if not permissions.can(actor, partnership, r.VIEW_GOVERNANCE):
        return qs.none()
    if not permissions.can(actor, partnership, r.BUILD_BOARD_PACKS):
        qs = qs.filter(status=BoardPack.Status.ISSUED)
    return qs


def board_pack_get(*, actor: Any, partnership: Partnership, pk: Any) -> BoardPack:
    return object_in(board_pack_list(actor=actor, partnership=partnership), pk)


def pack_bodies(*, actor: Any, partnership: Partnership) -> QuerySet[Body]:
    """The bodies a pack may be built for: the partnership's board, JCG and sub-groups."""
    qs = Body.objects.current().filter(partnership=partnership)
    return qs if permissions.can(actor, partnership, r.BUILD_BOARD_PACKS) else qs.none()


def previous_meeting(*, body: Body, before: date) -> date | None:
    """The body's last meeting with a pack before `before`: issued packs first."""
    earlier = BoardPack.objects.current().filter(body=body, meeting_date__lt=before)
    issued = earlier.filter(status=BoardPack.Status.ISSUED).order_by("-meeting_date").first()
    pack = issued or earlier.order_by("-meeting_date").first()
    return pack.meeting_date if pack else None
