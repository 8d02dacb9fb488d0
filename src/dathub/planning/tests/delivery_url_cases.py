"""Which Northshire object each delivery tracking page is tested with (see
core/tests/urlmap.py): always one the Northshire provider user (Northshire Recovery Trust)
may not see. The objects are made once per test and kept on the demo."""

from __future__ import annotations

from typing import Any


def _objects(demo: Any) -> dict[str, Any]:
    cached = getattr(demo, "_delivery_cases", None)
    if cached is not None:
        return cached
    from dathub.core.models import AuditEvent

    last_event = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    from django.core.files.uploadedfile import SimpleUploadedFile

    from dathub.planning import services

    action = services.action_create(
        actor=demo.coordinator,
        partnership=demo.northshire,
        text="Report waiting times to the JCG",
        source="JCG meeting",
        owners_text="DPM",  # the analyst: not the provider's organisation
    )
    update = services.progress_update_create(
        actor=demo.coordinator,
        action=action,
        status="on_track",
        note="First report made.",
        evidence_file=SimpleUploadedFile("waiting-times.csv", b"service,weeks\nA,2\n"),
    )
    upload = services.progress_upload_record(
        actor=demo.coordinator,
        partnership=demo.northshire,
        filename="progress.xlsx",
        report={
            "rows": [
                {
                    "row": 4,
                    "action_id": action.pk,
                    "outcome": "rejected",
                    "reason": "Say why.",
                    "values": {"status": "at risk"},
                }
            ],
            "applied": 0,
            "rejected": 1,
            "skipped": 0,
        },
    )
    # made through the services, but their audit events are set-up, not what is tested
    AuditEvent.objects.filter(pk__gt=last_event).delete()
    demo._delivery_cases = {"action": action, "update": update, "upload": upload}
    return demo._delivery_cases


def _action(demo: Any) -> dict[str, Any]:
    return {"action_pk": _objects(demo)["action"].pk}


def _evidence(demo: Any) -> dict[str, Any]:
    o = _objects(demo)
    return {"action_pk": o["action"].pk, "update_pk": o["update"].pk}


def _upload(demo: Any) -> dict[str, Any]:
    return {"pk": _objects(demo)["upload"].pk}


DELIVERY_OBJECT_URLS = {
    "planning:action-detail": _action,
    "planning:update-evidence": _evidence,
    "planning:progress-upload-report": _upload,
    "planning:progress-upload-rejected": _upload,
}
