"""Submissions in the site, the API and the command line: the report, replacement as a whole,
the rejected-rows round trip, scoping of client-level rows and the audit of every read."""

from __future__ import annotations

import csv
import io
import json
import logging
import re

import polars as pl
import pytest
from django.core.exceptions import PermissionDenied

from dathub.core import clock
from dathub.core.models import AuditEvent
from dathub.performance import commands, services, store
from dathub.performance.engine.reading import read_csv_bytes
from dathub.performance.engine.records import check_records
from dathub.performance.models import IndicatorResult, Submission

from .site_helpers import csv_bytes, last_month, records, spoil, xlsx_bytes


def _upload(
    client,
    data: bytes,
    *,
    agency: str = "NRT01",
    month: str | None = None,
    name: str = "records.csv",
):
    return client.post(
        "/p/N01A/performance/submissions/new/",
        {"agency": agency, "month": month or last_month(), "file": _file(data, name)},
    )


def _file(data: bytes, name: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type="text/csv")


def _engine_report(data: bytes) -> dict:
    return check_records(read_csv_bytes(data), as_of=clock.today()).report()


def test_site_upload_gives_the_specs_report_exactly(demo, client_for):
    frame = spoil(records(people=40, seed=3), [0, 5], "SEX", "X")
    frame = spoil(frame, [7], "DOB", "31/02/1980")
    data = csv_bytes(frame)
    client = client_for(demo.analyst)
    response = _upload(client, data)
    sub = Submission.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/p/N01A/performance/submissions/{sub.pk}/"
    expected = _engine_report(data)
    assert sub.status == Submission.Status.CURRENT
    assert store.full_report(sub) == expected
    assert sub.rows == frame.height == sub.accepted + sub.rejected
    assert sub.rejected == 3
    assert {(e["row"], e["field"], e["code"]) for e in expected["errors"]} >= {
        (2, "SEX", "bad_code"),
        (7, "SEX", "bad_code"),
        (9, "DOB", "bad_date"),
    }
    page = client.get(response["Location"]).content.decode()
    assert f'id="report-rows">{sub.rows}<' in page and 'id="report-rejected">3<' in page
    assert "bad_code" in page and "Download the rejected rows" in page
    assert IndicatorResult.objects.filter(partnership=demo.northshire).exists()


def test_xlsx_with_the_same_rows_gives_the_same_report(demo, client_for):
    frame = spoil(records(people=20, seed=4), [2], "MODAL", "13")
    client = client_for(demo.analyst)
    _upload(client, xlsx_bytes(frame), name="records.xlsx")
    sub = Submission.objects.get()
    report = _engine_report(csv_bytes(frame))
    assert (sub.rows, sub.accepted, sub.rejected) == (
        report["rows"],
        report["accepted"],
        report["rejected"],
    )
    assert [(e["row"], e["field"], e["code"]) for e in store.full_report(sub)["errors"]] == [
        (e["row"], e["field"], e["code"]) for e in report["errors"]
    ]


def _figure(partnership, indicator="in_treatment", period_kind="year"):
    return {
        (r.period, r.breakdown): (r.numerator, r.denominator)
        for r in IndicatorResult.objects.filter(
            partnership=partnership, indicator=indicator, kind=period_kind
        )
    }


def _engine_figures(data: bytes, indicator="in_treatment", kind="year"):
    from dathub.performance.engine.indicators import compute_windows
    from dathub.performance.engine.journeys import build_journeys
    from dathub.performance.periods import standard_periods

    periods = [p for p in standard_periods(clock.today()) if p.kind == kind]
    used = check_records(read_csv_bytes(data), as_of=clock.today()).used
    table = compute_windows(build_journeys(used), [p.window for p in periods])
    table = table.filter((pl.col("dat") == "N01A") & (pl.col("indicator") == indicator))
    return {
        (r["period"], r["breakdown"]): (r["numerator"], r["denominator"])
        for r in table.iter_rows(named=True)
    }


def test_a_new_submission_replaces_the_previous_one_as_a_whole(demo, client_for):
    client = client_for(demo.analyst)
    first = csv_bytes(records(people=80, seed=5))
    second = csv_bytes(records(people=50, seed=6))  # over half the first: no confirmation
    other_month = csv_bytes(
        records(people=10, seed=7).with_columns(EPISODID=pl.lit("X") + pl.col("EPISODID"))
    )
    _upload(client, first)
    _upload(client, other_month, month="2025-01")
    # (engine on the first file + the other month, as computed after each upload)
    _upload(client, second)
    old, new = Submission.objects.filter(month__gt="2025-01-01").order_by("pk")
    kept = Submission.objects.get(month="2025-01-01")
    assert old.status == Submission.Status.REPLACED and old.replaced_by == new
    assert new.status == Submission.Status.CURRENT and kept.status == Submission.Status.CURRENT
    # the figures are those of the new file plus the other month: the old rows left them
    both = csv_bytes(
        pl.concat(
            [
                pl.read_csv(io.BytesIO(second), infer_schema=False),
                pl.read_csv(io.BytesIO(other_month), infer_schema=False),
            ]
        )
    )
    assert _figure(demo.northshire) == _engine_figures(both)
    assert _figure(demo.northshire) != _engine_figures(
        csv_bytes(
            pl.concat(
                [
                    pl.read_csv(io.BytesIO(first), infer_schema=False),
                    pl.read_csv(io.BytesIO(other_month), infer_schema=False),
                ]
            )
        )
    )
    # the history keeps the old submission, its report and its rows
    page = client.get(f"/p/N01A/performance/submissions/{new.pk}/").content.decode()
    assert f"Submission {old.pk}" in page and "Replaced" in page
    rows = client.get(f"/p/N01A/performance/submissions/{old.pk}/rows/")
    assert rows.status_code == 200 and f"{old.accepted} row" in rows.content.decode()
    assert store.full_report(old) == _engine_report(first)


def test_replacement_is_one_transaction_and_keeps_one_current(demo):
    data = csv_bytes(records(people=10, seed=8))
    a = services.submission_create(
        actor=demo.analyst,
        partnership=demo.northshire,
        agency="NRT01",
        month=last_month(),
        filename="a.csv",
        data=data,
        background=False,
    )
    b = services.submission_create(
        actor=demo.analyst,
        partnership=demo.northshire,
        agency="NRT01",
        month=last_month(),
        filename="b.csv",
        data=data,
        background=False,
    )
    # the later upload is processed first; the earlier one then goes straight to history
    services.submission_process(b.pk, recompute=False)
    services.submission_process(a.pk, recompute=False)
    a.refresh_from_db()
    b.refresh_from_db()
    assert b.status == "current" and a.status == "replaced" and a.replaced_by == b
    assert Submission.objects.filter(status="current").count() == 1


def test_rejected_rows_download_can_be_corrected_and_sent_again(demo, client_for):
    frame = records(people=30, seed=9)
    spoilt = spoil(spoil(frame, [1, 4], "SEX", "X"), [10], "DRUG1", "1234")
    client = client_for(demo.analyst)
    _upload(client, csv_bytes(spoilt))
    sub = Submission.objects.get()
    download = client.get(f"/p/N01A/performance/submissions/{sub.pk}/rejected.csv")
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment;")
    text = download.content.decode()
    table = list(csv.DictReader(io.StringIO(text)))
    assert len(table) == sub.rejected == 3
    assert list(table[0])[: len(frame.columns)] == frame.columns and "reasons" in table[0]
    assert "SEX: bad_code" in table[0]["reasons"]
    # sent again unchanged, the same rows are rejected for the same reasons
    again = check_records(read_csv_bytes(download.content), as_of=clock.today())
    assert again.rejected.height == 3
    # corrected (the reasons column is ignored) and sent with the accepted rows as the whole
    # month again: every row accepted, the earlier submission replaced
    originals = frame.rows()
    lines = [int(e["row"]) for e in store.full_report(sub)["errors"]]
    corrected = pl.DataFrame(table, orient="row").drop("reasons")
    corrected = corrected.with_columns(
        SEX=pl.Series([originals[n - 2][frame.columns.index("SEX")] for n in sorted(set(lines))]),
        DRUG1=pl.Series(
            [originals[n - 2][frame.columns.index("DRUG1")] for n in sorted(set(lines))]
        ),
    )
    accepted_rows = (
        spoilt.with_row_index("_i").filter(~pl.col("_i").is_in([n - 2 for n in lines])).drop("_i")
    )
    resend = pl.concat([accepted_rows, corrected.select(frame.columns)])
    _upload(client, csv_bytes(resend))
    sub.refresh_from_db()
    new = Submission.objects.get(status="current")
    assert sub.status == "replaced" and new.rejected == 0 and new.rows == frame.height
    assert new.accepted == frame.height


def test_rejected_rows_download_does_not_run_formulas_and_still_reads_back(demo, client_for):
    """A provider's cells are opened by analysts in Excel: a cell starting with = + - @ is
    guarded with an apostrophe in the download, which the records reader takes off again."""
    frame = spoil(records(people=20, seed=11), [2], "SEX", '=HYPERLINK("https://x.example")')
    frame = spoil(frame, [5], "ETHNIC", "@SUM(1+1)")
    frame = spoil(frame, [6], "DRUG1", "-2+3")
    client = client_for(demo.analyst)
    _upload(client, csv_bytes(frame))
    sub = Submission.objects.get()
    assert sub.rejected == 3
    download = client.get(f"/p/N01A/performance/submissions/{sub.pk}/rejected.csv")
    table = list(csv.DictReader(io.StringIO(download.content.decode())))
    cells = [v for row in table for v in row.values()]
    assert not [v for v in cells if v.startswith(("=", "+", "-", "@"))]
    assert '\'=HYPERLINK("https://x.example")' in cells and "'@SUM(1+1)" in cells
    # sent again unchanged, the same rows are rejected for the same reasons
    again = check_records(read_csv_bytes(download.content), as_of=clock.today())
    assert again.rejected.height == 3
    assert sorted(again.rejected["reasons"].to_list()) == sorted(r["reasons"] for r in table)


def test_the_command_imports_and_prints_the_report(demo, tmp_path, capsys):
    frame = spoil(records(people=15, seed=10), [3], "SEX", "Q")
    path = tmp_path / "nrt.csv"
    path.write_bytes(csv_bytes(frame))
    code = commands.main(
        [
            "import",
            str(path),
            "--partnership",
            "N01A",
            "--month",
            "2026-01",
            "--as",
            "analyst@northshire.example",
        ]
    )
    out = capsys.readouterr()
    assert code == 1  # some rows were rejected
    assert json.loads(out.out) == _engine_report(csv_bytes(frame))
    sub = Submission.objects.get()
    assert (sub.agency, f"{sub.month:%Y-%m}", sub.status) == ("NRT01", "2026-01", "current")
    assert f"submission {sub.pk}" in out.err
    # again for the same month: the first is replaced
    assert (
        commands.main(
            [
                "import",
                str(path),
                "--partnership",
                "N01A",
                "--agency",
                "NRT01",
                "--month",
                "2026-01",
            ]
        )
        == 1
    )
    sub.refresh_from_db()
    assert sub.status == "replaced"
    # errors: unknown partnership, an agency the partnership does not have
    assert commands.main(["import", str(path), "--partnership", "ZZZZ"]) == 2
    assert commands.main(["import", str(path), "--partnership", "E02B"]) == 2


def test_providers_submit_only_for_their_own_agency(demo, client_for, api_client_for):
    client = client_for(demo.provider)
    form = client.get("/p/N01A/performance/submissions/new/").content.decode()
    assert 'value="NRT01"' in form and "NPT02" not in form
    response = _upload(
        client, csv_bytes(records(people=5, seed=11, agency="NPT02")), agency="NPT02"
    )
    assert response.status_code == 400 and not Submission.objects.exists()
    with pytest.raises(Exception) as exc:
        services.submission_create(
            actor=demo.provider,
            partnership=demo.northshire,
            agency="NPT02",
            month=last_month(),
            filename="x.csv",
            data=b"AGNCY\nNPT02\n",
        )
    assert "own agency" in str(exc.value)
    api = api_client_for(demo.provider)
    denied = api.post(
        "/api/v1/partnerships/N01A/submissions",
        {"agency": "NPT02", "month": last_month(), "file": _file(b"AGNCY\nNPT02\n", "x.csv")},
    )
    assert denied.status_code == 403
    # rows of another agency inside an NRT01 file: refused as a whole, nothing stored
    _upload(client, csv_bytes(records(people=5, seed=12, agency="NPT02")))
    sub = Submission.objects.get()
    assert sub.status == "failed" and "NPT02" in sub.failure and sub.rows is None
    # the provider's own upload through the API (agency implied)
    ok = api.post(
        "/api/v1/partnerships/N01A/submissions",
        {"month": last_month(), "file": _file(csv_bytes(records(people=5, seed=13)), "y.csv")},
    )
    assert ok.status_code == 202 and ok.json()["agency"] == "NRT01"
    assert ok.json()["status"] == "current"
    assert ok.json()["report"]["rows"] == ok.json()["rows"]


def test_client_rows_are_scoped_and_every_read_is_audited(demo, client_for, api_client_for):
    from .url_cases import other_agency_submission

    analyst = client_for(demo.analyst)
    _upload(analyst, csv_bytes(spoil(records(people=10, seed=14), [0], "SEX", "X")))
    own = Submission.objects.get(agency="NRT01")
    other = other_agency_submission(demo)
    base = "/p/N01A/performance/submissions"
    pages = [
        f"{base}/{own.pk}/rows/",
        f"{base}/{own.pk}/rows/?kind=rejected",
        f"{base}/{own.pk}/rejected.csv",
    ]
    before = AuditEvent.objects.filter(action="submission.rows_view").count()

    provider = client_for(demo.provider)
    for path in pages:
        assert provider.get(path).status_code == 200, path
    for path in (
        f"{base}/{other.pk}/rows/",
        f"{base}/{other.pk}/rejected.csv",
        f"{base}/{other.pk}/",
    ):
        assert provider.get(path).status_code == 404, path
    provider_list = provider.get(f"{base}/").content.decode()
    assert f"submission {own.pk}" in provider_list and f"submission {other.pk}<" not in (
        provider_list
    )
    assert (
        AuditEvent.objects.filter(action="submission.rows_view", actor=demo.provider).count() == 3
    )

    board = client_for(demo.board)
    assert board.get(f"{base}/{own.pk}/").status_code == 200  # the report: aggregate only
    for path in pages:
        assert board.get(path).status_code == 403, path
    eastvale = client_for(demo.eastvale)
    for path in [*pages, f"{base}/{own.pk}/", f"{base}/"]:
        assert eastvale.get(path).status_code == 404, path
        if path != f"{base}/":  # Northshire's submission under Eastvale's own code
            assert eastvale.get(path.replace("/N01A/", "/E02B/")).status_code == 404, path
    assert (
        f"submission {own.pk}"
        not in eastvale.get("/p/E02B/performance/submissions/").content.decode()
    )
    assert analyst.get(pages[0]).status_code == 200
    events = AuditEvent.objects.filter(action="submission.rows_view")
    assert events.count() == before + 4
    assert set(events.values_list("actor", flat=True)) == {demo.provider.pk, demo.analyst.pk}
    # the audit trail says what was read, never a value from the rows
    frame = pl.read_csv(io.BytesIO(provider.get(pages[2]).content), infer_schema=False)
    values = {v for v in frame["CLIENTID"].to_list() + frame["EPISODID"].to_list() if v}
    trail = json.dumps(list(AuditEvent.objects.values("changes", "object_repr")))
    assert values and not any(v in trail for v in values)
    # the API serves reports, never rows
    report = api_client_for(demo.board).get(f"/api/v1/partnerships/N01A/submissions/{own.pk}")
    assert report.status_code == 200 and not any(v in report.content.decode() for v in values)


def test_nothing_client_level_is_logged(demo, client_for, caplog):
    frame = records(people=10, seed=15)
    with caplog.at_level(logging.DEBUG):
        _upload(client_for(demo.analyst), csv_bytes(spoil(frame, [0], "SEX", "X")))
    assert Submission.objects.get().status == "current"
    logged = caplog.text
    assert "processed" in logged
    # Compare whole words: a short id such as "E0" may occur inside a random task id.
    words = set(re.findall(r"[A-Za-z0-9]+", logged))
    for value in set(frame["CLIENTID"].to_list()) | set(frame["EPISODID"].to_list()):
        assert value not in words
    for day in set(frame["DOB"].to_list()):
        assert str(day) not in logged  # dates of birth, in either written form


def test_progress_while_in_the_background(demo, client_for):
    sub = Submission.objects.create(
        partnership=demo.northshire,
        agency="NRT01",
        month="2026-01-01",
        as_of="2026-02-05",
        progress=25,
        stage="Checking 1200 rows",
    )
    client = client_for(demo.analyst)
    page = client.get(f"/p/N01A/performance/submissions/{sub.pk}/")
    html = page.content.decode()
    assert page["Refresh"] == "3"  # without JavaScript the page reloads itself
    assert '<progress id="progress-' in html and 'value="25"' in html
    assert 'hx-trigger="every 2s"' in html and "Checking 1200 rows" in html
    partial = client.get(f"/p/N01A/performance/submissions/{sub.pk}/", HTTP_HX_REQUEST="true")
    assert partial.content.decode().lstrip().startswith('<div id="submission-status"')
    Submission.objects.filter(pk=sub.pk).update(status="failed", failure="The file is empty.")
    done = client.get(f"/p/N01A/performance/submissions/{sub.pk}/", HTTP_HX_REQUEST="true")
    assert "hx-trigger" not in done.content.decode() and "The file is empty." in (
        done.content.decode()
    )


def test_a_file_that_is_not_records_does_not_replace_the_current_one(demo, client_for):
    client = client_for(demo.analyst)
    _upload(client, csv_bytes(records(people=20, seed=8)))
    good = Submission.objects.get()
    assert good.status == Submission.Status.CURRENT
    _upload(client, b"name,amount\nRent,120\n", name="budget.csv")
    wrong = Submission.objects.exclude(pk=good.pk).get()
    good.refresh_from_db()
    assert wrong.status == Submission.Status.FAILED and "no AGNCY column" in wrong.failure
    assert good.status == Submission.Status.CURRENT
    page = client.get(f"/p/N01A/performance/submissions/{wrong.pk}/").content.decode()
    assert "does not look like a treatment records file" in page


def test_a_waiting_recomputation_is_not_queued_twice(db):
    from django.test import override_settings
    from django_tasks_db.models import DBTaskResult

    from dathub.performance.services import request_recompute

    database = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    with override_settings(TASKS=database):
        request_recompute()
        request_recompute()  # a second provider's upload while the first is still waiting
        waiting = DBTaskResult.objects.filter(task_path__endswith="recompute_indicators")
        assert waiting.count() == 1
        waiting.update(status="SUCCESSFUL")
        request_recompute()  # once it has run, a new change queues a new one
        assert waiting.model.objects.filter(task_path__endswith="recompute_indicators").count() == 2


def test_asking_for_a_recomputation_is_checked_audited_and_queued_once_committed(
    demo, client_for, django_capture_on_commit_callbacks
):
    from django.test import override_settings
    from django_tasks_db.models import DBTaskResult

    database = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    waiting = DBTaskResult.objects.filter(task_path__endswith="recompute_indicators")
    with override_settings(TASKS=database):
        # a board member may look at the figures but not start work on the server
        with pytest.raises(PermissionDenied):
            services.computation_request(actor=demo.board, partnership=demo.northshire)
        assert client_for(demo.board).post("/p/N01A/performance/recompute/").status_code == 403
        assert waiting.count() == 0
        with django_capture_on_commit_callbacks(execute=True):
            response = client_for(demo.analyst).post("/p/N01A/performance/recompute/")
        assert response.status_code == 302
        assert waiting.count() == 1
    event = AuditEvent.objects.get(action="computation.request")
    assert event.actor == demo.analyst and event.partnership == demo.northshire


def test_a_programming_error_is_logged_with_where_it_failed_but_not_its_message(
    demo, client_for, caplog, monkeypatch
):
    """A fault in our own code while storing rows: the log says where, so it can be found,
    and withholds the message, which could quote a record."""
    frame = records(people=5, seed=16)
    client_id = frame["CLIENTID"].to_list()[0]

    def broken_store(result):
        raise KeyError(f"client {client_id}")

    monkeypatch.setattr(store, "accepted_bytes", broken_store)
    with caplog.at_level(logging.DEBUG):
        _upload(client_for(demo.analyst), csv_bytes(frame))
    sub = Submission.objects.get()
    assert sub.status == "failed" and "Nothing was stored" in sub.failure
    logged = caplog.text
    assert f"submission {sub.pk} failed: KeyError (message withheld)" in logged
    assert "in submission_process" in logged and "in broken_store" in logged
    assert client_id not in logged
