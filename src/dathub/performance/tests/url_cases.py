"""Which Northshire object each performance page and endpoint is tested with: always one the
Northshire provider user (Northshire Recovery Trust, NRT01) may not see. See
core/tests/urlmap.py. Objects are made without audit events (the board test counts them)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl


def other_agency_submission(demo: Any) -> Any:
    """A current NPT02 (Northshire Partnership NHS Foundation Trust) submission."""
    from dathub.performance import services
    from dathub.performance.models import Submission

    existing = Submission.objects.filter(partnership=demo.northshire, agency="NPT02").first()
    if existing:
        return existing
    frame = pl.DataFrame(
        {"AGNCY": ["NPT02"], "CLIENTID": ["C1"], "EPISODID": ["E1"], "CONSENT": ["N"]}
    )
    return services.submission_store_checked(
        partnership=demo.northshire,
        agency="NPT02",
        month=dt.date(2026, 1, 1),
        as_of=dt.date(2026, 2, 5),
        raw=frame,
    )


def _submission(demo: Any) -> dict[str, Any]:
    return {"pk": other_agency_submission(demo).pk}


def _local_indicator(demo: Any) -> dict[str, Any]:
    from dathub.performance.models import LocalIndicator

    indicator, _ = LocalIndicator.objects.get_or_create(
        partnership=demo.northshire,
        code="dip-assessment",
        defaults={"name": "DIP: required assessments attended"},
    )
    return {"pk": indicator.pk}


OBJECT_URLS = {
    "performance:submission-detail": _submission,
    "performance:submission-rows": _submission,
    "performance:submission-rejected-csv": _submission,
    "performance:submission-decide": lambda demo: {**_submission(demo), "decision": "keep"},
    "performance:local-figure-new": _local_indicator,
}

API_OBJECT_URLS = {"api:submission_detail": _submission}

UNSCOPED_URLS = {
    "performance:compare": "lists only partnerships where the user may compare partnerships"
}
