"""Demo board packs: two issued packs for the Northshire Partnership Board's last two
meetings. Runs after the other apps' demo loaders (see dathub.demo.DEMO_LOADERS) so every
registered section has data. Loading again changes nothing."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from dathub.tenancy.models import Body

from .models import BoardPack


def load(partnerships_by_code: dict[str, Any]) -> None:
    from dathub.planning.demo import issue_packs

    northshire = partnerships_by_code.get("N01A")
    if northshire is None:
        return
    board = Body.objects.get(partnership=northshire, name="Northshire Partnership Board")
    if BoardPack.objects.filter(partnership=northshire, body=board).exists():
        return
    issue_packs(northshire, board, timezone.localdate())
