"""Demo board packs: two issued packs for the Northshire Partnership Board's last two
meetings. Runs after the other apps' demo loaders (registered with core.registry.DEMO_LAST) so every
registered section has data. Loading again changes nothing.

Papers go out a week before the meeting: each pack is built with its figures as at that
day and stamped as built and issued then, so a pack never holds anything later than the
day it says it was built."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.utils import timezone

from dathub.core import clock
from dathub.tenancy.models import Body, User

from . import services
from .models import BoardPack

PAPERS_BEFORE = timedelta(days=7)


def load(partnerships_by_code: dict[str, Any]) -> None:
    northshire = partnerships_by_code.get("N01A")
    if northshire is None:
        return
    board = Body.objects.get(partnership=northshire, name="Northshire Partnership Board")
    if BoardPack.objects.filter(partnership=northshire, body=board).exists():
        return
    issue_packs(northshire, board, clock.today())


def issue_packs(partnership: Any, board: Body, today: date) -> None:
    # the planning demo's meetings, so its meeting actions come from these meetings
    from dathub.planning.demo.dates import meeting_day

    coordinator = User.objects.get(email="coordinator@northshire.example")
    for months in (-3, -1):
        meeting = meeting_day(today, months)
        if meeting >= today:
            continue
        sent_on = meeting - PAPERS_BEFORE
        pack = services.board_pack_create(
            actor=coordinator, partnership=partnership, body=board, meeting_date=meeting
        )
        pack = services.board_pack_build_now(actor=coordinator, pack=pack, as_at=sent_on)
        services.board_pack_issue(actor=coordinator, pack=pack)
        sent = timezone.make_aware(datetime.combine(sent_on, time(9, 0)))
        BoardPack.objects.filter(pk=pack.pk).update(
            build_started_at=sent - timedelta(minutes=5),
            built_at=sent - timedelta(minutes=4),
            issued_at=sent,
        )
