"""Which Northshire pack each board pack page is tested with (see core/tests/urlmap.py).

An issued board pack, which the board member may read and the provider user may not (packs
are governance papers, VIEW_GOVERNANCE); the narrative page needs a review not yet issued.
"""

from __future__ import annotations

from typing import Any

from dathub.core import clock


def _packs(demo: Any) -> dict[str, Any]:
    cached = getattr(demo, "_pack_cases", None)
    if cached is not None:
        return cached
    from dathub.core.models import AuditEvent

    last_event = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0

    from dathub.reporting import services

    board = demo.body("Northshire Partnership Board")
    today = clock.today()
    issued = services.board_pack_create(
        actor=demo.coordinator, partnership=demo.northshire, body=board, meeting_date=today
    )
    issued = services.board_pack_build_now(actor=demo.coordinator, pack=issued)
    issued = services.board_pack_issue(actor=demo.coordinator, pack=issued)
    review = services.board_pack_create(
        actor=demo.coordinator,
        partnership=demo.northshire,
        body=board,
        meeting_date=today,
        kind="management_review",
    )
    # made through the services, but their audit events are set-up, not what is tested
    AuditEvent.objects.filter(pk__gt=last_event).delete()
    demo._pack_cases = {"issued": issued, "review": review}
    return demo._pack_cases


def _issued(demo: Any) -> dict[str, Any]:
    return {"pk": _packs(demo)["issued"].pk}


def _review(demo: Any) -> dict[str, Any]:
    return {"pk": _packs(demo)["review"].pk}


OBJECT_URLS = {
    "reporting:pack-detail": _issued,
    "reporting:pack-status": _issued,
    "reporting:pack-build": _issued,
    "reporting:pack-retry": _issued,
    "reporting:pack-issue": _issued,
    "reporting:pack-narrative": _review,
    "reporting:pack-download": lambda demo: {**_issued(demo), "fmt": "pdf"},
}
