"""A file accepting far fewer rows than the current one waits for a person to compare the
two and confirm the replacement, in the site and on the command line. Issue 9, item 4."""

from __future__ import annotations

import polars as pl
import pytest
from django.core.exceptions import ValidationError

from dathub.core.models import AuditEvent
from dathub.performance import commands, services
from dathub.performance.models import IndicatorResult, Submission

from .site_helpers import csv_bytes, last_month, records, spoil

URL = "/p/N01A/performance/submissions"


def _send(demo, data: bytes) -> Submission:
    sub = services.submission_create(
        actor=demo.analyst,
        partnership=demo.northshire,
        agency="NRT01",
        month=last_month(),
        filename="nrt.csv",
        data=data,
    )
    sub.refresh_from_db()
    return sub


def _good(demo) -> Submission:
    sub = _send(demo, csv_bytes(records(people=36, seed=41)))
    assert sub.status == "current" and sub.accepted and sub.accepted >= 60
    return sub


def _all_rejected(rows: int = 10) -> bytes:
    frame = records(people=10, seed=42).head(rows)
    return csv_bytes(spoil(frame, list(range(rows)), "SEX", "X"))


def test_the_rule():
    assert not services.needs_confirmation(0, None)  # the month's first file
    assert not services.needs_confirmation(0, 0)  # replaces one that accepted nothing
    assert services.needs_confirmation(0, 65)
    assert services.needs_confirmation(32, 65) and not services.needs_confirmation(33, 65)
    assert not services.needs_confirmation(65, 65) and not services.needs_confirmation(90, 65)


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(",".join(records(people=1, seed=1).columns).encode() + b"\n", id="header"),
        pytest.param(_all_rejected(), id="all-rejected"),
    ],
)
def test_a_file_accepting_nothing_does_not_replace_the_month(demo, client_for, data):
    good = _good(demo)
    figures = IndicatorResult.objects.count()
    new = _send(demo, data)
    good.refresh_from_db()
    assert new.status == "awaiting" and new.accepted == 0
    assert good.status == "current" and good.replaced_by is None
    assert IndicatorResult.objects.count() == figures
    page = client_for(demo.analyst).get(f"{URL}/{new.pk}/").content.decode()
    assert "Waiting for your confirmation" in page and "fewer than half" in page
    assert 'id="submission-comparison"' in page
    assert f">{good.accepted}<" in page and f">{new.rows}<" in page
    assert "Replace the current submission" in page and "Keep the current one" in page


def test_keeping_the_current_one(demo, client_for):
    good = _good(demo)
    new = _send(demo, _all_rejected())
    client = client_for(demo.analyst)
    assert client_for(demo.board).post(f"{URL}/{new.pk}/keep/").status_code == 403
    assert client.post(f"{URL}/{new.pk}/keep/").status_code == 302
    new.refresh_from_db()
    good.refresh_from_db()
    assert new.status == "declined" and good.status == "current"
    assert AuditEvent.objects.filter(action="submission.keep_current", actor=demo.analyst).exists()
    page = client.get(f"{URL}/{new.pk}/").content.decode()
    assert "Not used" in page and "Replace the current submission" not in page
    with pytest.raises(ValidationError):  # decided: it cannot be confirmed afterwards
        services.submission_replace_confirm(actor=demo.analyst, submission=new)


def test_confirming_the_replacement(demo, client_for, django_capture_on_commit_callbacks):
    good = _good(demo)
    new = _send(demo, _all_rejected())
    client = client_for(demo.analyst)
    # the current one the person saw has to be the current one still
    client.post(f"{URL}/{new.pk}/replace/", {"current": str(good.pk + 999)})
    new.refresh_from_db()
    assert new.status == "awaiting"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{URL}/{new.pk}/replace/", {"current": str(good.pk)})
    assert response.status_code == 302
    new.refresh_from_db()
    good.refresh_from_db()
    assert new.status == "current" and good.status == "replaced" and good.replaced_by == new
    event = AuditEvent.objects.get(action="submission.replace_confirm")
    assert event.actor == demo.analyst and event.changes["replaced"] == [None, [good.pk]]
    # recomputed without the replaced rows: nothing of this agency's month is counted
    assert not IndicatorResult.objects.filter(
        partnership=demo.northshire, indicator="in_treatment", breakdown="agency:NRT01"
    ).exists()


def test_the_first_file_of_a_month_accepting_nothing_becomes_current(demo):
    sub = _send(demo, _all_rejected())
    assert sub.status == "current" and sub.accepted == 0
    # it replaced nothing; a good file then replaces it without asking
    assert _send(demo, csv_bytes(records(people=5, seed=43))).status == "current"


def test_a_newer_file_that_is_fine_replaces_one_waiting(demo):
    good = _good(demo)
    waiting = _send(demo, _all_rejected())
    newer = _send(demo, csv_bytes(records(people=36, seed=44)))
    waiting.refresh_from_db()
    good.refresh_from_db()
    assert newer.status == "current" and good.status == "replaced"
    assert waiting.status == "replaced" and waiting.replaced_by == newer


def test_the_command_refuses_the_replacement_unless_told(demo, tmp_path, capsys):
    good = _good(demo)
    path = tmp_path / "bad.csv"
    path.write_bytes(_all_rejected())
    args = ["import", str(path), "--partnership", "N01A", "--month", last_month()]
    assert commands.main(args) == 2
    err = capsys.readouterr().err
    assert "nothing was replaced" in err and "--replace" in err and str(good.accepted) in err
    good.refresh_from_db()
    assert good.status == "current"
    assert Submission.objects.filter(status="declined").count() == 1
    assert commands.main([*args, "--replace", "--no-recompute"]) == 1  # rows were rejected
    good.refresh_from_db()
    assert good.status == "replaced"
    assert Submission.objects.get(status="current").accepted == 0


def test_only_the_submitting_agency_may_decide(demo, client_for):
    frame = records(people=36, seed=45).with_columns(AGNCY=pl.lit("NPT02"))
    services.submission_store_checked(
        partnership=demo.northshire,
        agency="NPT02",
        month=pl.Series([last_month() + "-01"]).str.to_date()[0],
        as_of=pl.Series([last_month() + "-28"]).str.to_date()[0],
        raw=frame,
    )
    waiting = services.submission_store_checked(
        partnership=demo.northshire,
        agency="NPT02",
        month=pl.Series([last_month() + "-01"]).str.to_date()[0],
        as_of=pl.Series([last_month() + "-28"]).str.to_date()[0],
        raw=frame.head(3),
    )
    assert waiting.status == "awaiting"
    provider = client_for(demo.provider)  # NRT01's staff: NPT02's submission is not found
    assert provider.post(f"{URL}/{waiting.pk}/replace/").status_code == 404
    waiting.refresh_from_db()
    assert waiting.status == "awaiting"
