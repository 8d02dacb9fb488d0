"""Plan imports never tie up a request, never stick, and never keep a document for ever.

- The request only stores the upload ("reading"); a task reads it, reporting progress, while
  the preview page polls a small fragment (issue 9, item 6).
- The unzipped cap fits a real plan and comes from a setting; entity-expansion ("billion
  laughs") documents are refused with a clear message, never a 500 (item 7).
- A reading whose worker was lost is queued again, then failed with a "Try again"; the page
  stops polling when the reading stalls (item 2).
- An upload never confirmed expires and its document is removed (item 12).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse

from dathub.core import clock, recovery
from dathub.core.models import AuditEvent
from dathub.planning import delivery_xlsx, services
from dathub.planning.document import (
    MAX_UNZIPPED_BYTES,
    PlanDocumentError,
    export_docx,
    export_xlsx,
    parse_document,
    unzipped_size,
)
from dathub.planning.document.docx_reader import docx_lines
from dathub.planning.models import Plan, PlanImport

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
DATA = Path(__file__).parent / "data"
SHARED = Path(__file__).parents[5] / "shared"
EXPECTED = json.loads((DATA / "northshire-2009-10-grids.expected.json").read_text())

# Ten levels of ten: expanded, "lol" a thousand million times (3 GB).
BILLION_LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(
        f'<!ENTITY lol{i} "{("&lol%s;" % (i - 1 if i > 1 else "")) * 10}">' for i in range(1, 10)
    )
    + "]>\n"
)


def _with_part(archive: bytes, name: str, change: Any) -> bytes:
    """A copy of a zip with one part rewritten by `change(text) -> text`."""
    source = zipfile.ZipFile(io.BytesIO(archive))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == name:
                data = change(data.decode()).encode()
            target.writestr(info.filename, data)
    return out.getvalue()


def _laughing(archive: bytes, name: str, where: str) -> bytes:
    """The part `name` with a billion-laughs DTD, its entity used in place of `where`."""

    def change(text: str) -> str:
        if text.startswith("<?xml"):
            text = text[text.index("?>") + 2 :]
        return BILLION_LAUGHS + text.replace(where, "&lol9;", 1)

    return _with_part(archive, name, change)


def laughing_docx() -> bytes:
    return _laughing(export_docx(EXPECTED), "word/document.xml", "Access and engagement")


def laughing_xlsx() -> bytes:
    return _laughing(export_xlsx(EXPECTED), "xl/worksheets/sheet2.xml", "Planning grid")


def _upload(client: Any, data: bytes, name: str = "plan.txt") -> Any:
    return client.post(
        reverse("planning:plan-import", args=["N01A"]),
        {"document": SimpleUploadedFile(name, data), "financial_year": ""},
    )


@pytest.fixture
def db_tasks(db: None) -> Any:
    with override_settings(TASKS=DB_TASKS):
        yield


def _task_row(staged: PlanImport) -> Any:
    from django_tasks_db.models import DBTaskResult

    rows = DBTaskResult.objects.filter(task_path="dathub.planning.tasks.read_plan_import")
    return [r for r in rows.order_by("-enqueued_at") if r.args_kwargs["args"] == [staged.pk]][0]


def _run_queued(staged: PlanImport) -> PlanImport:
    """What the worker does with the queued reading (in this process)."""
    from dathub.planning.tasks import read_plan_import

    row = _task_row(staged)
    read_plan_import.call(*row.args_kwargs["args"])
    staged.refresh_from_db()
    return staged


# --- item 6: the request only stores the file --------------------------------------------


def test_the_request_only_stores_the_upload_and_a_task_reads_it(
    demo: Any, client_for: Any, example_bytes: bytes, db_tasks: None
) -> None:
    client = client_for(demo.coordinator)
    response = _upload(client, example_bytes)
    staged = PlanImport.objects.get()
    assert response.status_code == 302
    # nothing was read in the request: the document is stored and a task is queued for it
    assert staged.status == "reading" and staged.parsed == {} and bytes(staged.document)
    assert _task_row(staged).status == "READY"
    preview = client.get(response.url).content.decode()
    status_url = reverse("planning:plan-import-status", args=["N01A", staged.pk])
    assert f'hx-get="{status_url}?was=reading"' in preview and "Reading the document" in preview
    assert "Import as a draft plan" not in preview
    fragment = client.get(status_url + "?was=reading")
    assert "HX-Refresh" not in fragment and "every 1s" in fragment.content.decode()

    staged = _run_queued(staged)
    assert staged.status == "pending" and staged.progress == 100 and staged.attempts == 1
    done = client.get(status_url + "?was=reading")
    assert done["HX-Refresh"] == "true" and "hx-get" not in done.content.decode()
    page = client.get(response.url).content.decode()
    assert "2 planning grids, 6 objectives, 9 actions" in page and "hx-get" not in page
    # running it again (a recoverer's second run) changes nothing
    _run_queued(staged)
    staged.refresh_from_db()
    assert staged.status == "pending" and staged.attempts == 1
    assert AuditEvent.objects.filter(action="planimport.read").count() == 1
    client.post(response.url, {"decision": "confirm"})
    assert Plan.objects.count() == 1


def test_reading_reports_progress_as_it_goes(demo: Any) -> None:
    seen: list[tuple[int, str]] = []
    parse_document(export_docx(EXPECTED), "plan.docx", progress=lambda p, s: seen.append((p, s)))
    percents = [p for p, _ in seen]
    assert percents == sorted(percents) and percents[0] == 10 and len(seen) >= 4
    seen.clear()
    parse_document(export_xlsx(EXPECTED), "plan.xlsx", progress=lambda p, s: seen.append((p, s)))
    assert [p for p, _ in seen] == sorted(p for p, _ in seen) and len(seen) >= 3


def test_a_document_that_is_not_a_plan_fails_in_the_background_with_the_reason(
    demo: Any, client_for: Any
) -> None:
    client = client_for(demo.coordinator)
    response = _upload(client, b"Minutes of the board meeting\nApologies were received.", "m.txt")
    staged = PlanImport.objects.get()
    assert staged.status == "failed" and staged.error_code == "not_a_plan"
    page = client.get(response.url).content.decode()
    assert "The document could not be imported" in page and "no planning grids" in page
    assert "Try again" not in page  # reading it again would not help
    assert "hx-get" not in page
    # cancelling removes the document at once
    client.post(response.url, {"decision": "cancel"})
    staged.refresh_from_db()
    assert staged.status == "cancelled" and bytes(staged.document) == b""


def test_the_api_answers_202_and_a_plan_it_cannot_save_fails_without_a_5xx(
    demo: Any, api_client_for: Any, example_bytes: bytes
) -> None:
    client = api_client_for(demo.coordinator)
    undated = example_bytes.replace(b"2009/10", b"").replace(b"2009-10", b"")
    response = client.post(
        "/api/v1/plans", {"partnership": "N01A", "document": SimpleUploadedFile("p.txt", undated)}
    )
    assert response.status_code == 202, response.content
    body = response.json()
    assert body["status"] == "failed" and body["plan"] is None
    assert body["error"]["code"] == "not_saved" and "financial year" in body["error"]["message"]
    assert Plan.objects.count() == 0


# --- item 6: a cap that fits a real plan ----------------------------------------------------


def test_the_cap_fits_real_plans_with_room_and_comes_from_the_setting(demo: Any) -> None:
    """The real plans (../shared) unpack to under 1 MB as Word documents: the 10 MB cap is
    ten times that; a document past the setting's cap is refused before it is read."""
    for path in [SHARED / "examples/northshire-2009-10-grids.txt"] + sorted(
        (SHARED / "seeds").glob("*grids.txt")
    ):
        plan = parse_document(path.read_bytes(), path.name)
        for blob in (export_docx(plan), export_xlsx(plan)):
            assert unzipped_size(blob) < MAX_UNZIPPED_BYTES / 10
    assert services.max_unzipped_bytes() == 10 * 1024 * 1024
    padded = io.BytesIO(export_docx(EXPECTED))
    with zipfile.ZipFile(padded, "a", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("word/media/picture.bin", b"\0" * (11 * 1024 * 1024))  # 11 KB zipped
    padded = padded.getvalue()

    with pytest.raises(PlanDocumentError, match="unpacks to too much data"):
        parse_document(padded, "plan.docx", max_unzipped_bytes=services.max_unzipped_bytes())
    assert parse_document(padded, "plan.docx", max_unzipped_bytes=12 * 1024 * 1024)["grids"]
    with override_settings(DATHUB_PLAN_MAX_UNZIPPED_BYTES=512 * 1024):
        with pytest.raises(Exception, match="unpacks"):
            services.plan_import_upload(
                actor=demo.coordinator,
                partnership=demo.northshire,
                filename="plan.docx",
                data=export_docx(EXPECTED),
            )
        assert PlanImport.objects.count() == 0


# --- item 7: billion laughs -------------------------------------------------------------------


def test_a_billion_laughs_document_is_a_plan_document_error_not_a_crash(demo: Any) -> None:
    for data, name in ((laughing_docx(), "plan.docx"), (laughing_xlsx(), "plan.xlsx")):
        assert len(data) < 100 * 1024
        with pytest.raises(PlanDocumentError, match="entities"):
            parse_document(data, name)
    # and the reader itself, given the document past the container check, says so too
    with pytest.raises(PlanDocumentError, match="cannot be read safely"):
        docx_lines(laughing_docx())


def test_a_billion_laughs_upload_is_an_import_problem_on_the_site_and_422_in_the_api(
    demo: Any, client_for: Any, api_client_for: Any
) -> None:
    for data, name in ((laughing_docx(), "plan.docx"), (laughing_xlsx(), "plan.xlsx")):
        response = _upload(client_for(demo.coordinator), data, name)
        assert response.status_code == 400
        page = response.content.decode()
        assert "govuk-error-summary" in page and "declares XML entities" in page
        api = api_client_for(demo.coordinator).post(
            "/api/v1/plans", {"partnership": "N01A", "document": SimpleUploadedFile(name, data)}
        )
        assert api.status_code == 422
        error = api.json()["error"]
        assert error["code"] == "invalid" and "entities" in error["details"][0]["message"]
    assert PlanImport.objects.count() == 0 and Plan.objects.count() == 0


def test_a_billion_laughs_progress_spreadsheet_is_refused_whole(demo: Any) -> None:
    sheet = delivery_xlsx.write_sheet([], partnership_code="N01A", title="t")
    name = next(
        n for n in zipfile.ZipFile(io.BytesIO(sheet)).namelist() if n.startswith("xl/worksheets/")
    )
    laughing = _laughing(sheet, name, "Action id")
    with pytest.raises(delivery_xlsx.NotOurLayout, match="entities"):
        delivery_xlsx.read_sheet(laughing, partnership_code="N01A")


# --- item 2: recovery -------------------------------------------------------------------------


def _lost_reading(staged: PlanImport, *, minutes: int = 10) -> None:
    """The worker reading `staged` was killed: its task row is RUNNING on a worker that no
    longer beats, and the import has shown no progress since."""
    from django_tasks_db.models import DBTaskResult

    then = clock.now() - dt.timedelta(minutes=minutes)
    DBTaskResult.objects.filter(pk=_task_row(staged).pk).update(
        status="RUNNING", worker_ids=["w-killed"], started_at=then
    )
    PlanImport.objects.filter(pk=staged.pk).update(progress_at=then, attempts=1)


def test_a_reading_whose_worker_was_lost_is_queued_again_then_failed_with_try_again(
    demo: Any, client_for: Any, example_bytes: bytes, db_tasks: None
) -> None:
    from django_tasks_db.models import DBTaskResult

    client = client_for(demo.coordinator)
    response = _upload(client, example_bytes)
    staged = PlanImport.objects.get()
    # a reading just queued, or on a live worker, is left alone
    assert services.plan_import_recover(clock.now() + dt.timedelta(minutes=10)) == 0

    _lost_reading(staged)
    # the page no longer polls: it says the reading has stopped
    page = client.get(response.url).content.decode()
    assert "stopped making progress" in page and "hx-get" not in page
    assert recovery.fail_lost_tasks() == 1
    assert services.plan_import_recover(clock.now()) == 1
    staged.refresh_from_db()
    assert staged.status == "reading" and staged.progress_step == "Waiting to be read again"
    queued = DBTaskResult.objects.filter(status="READY")
    assert [r.args_kwargs["args"] for r in queued] == [[staged.pk]]
    assert services.plan_import_recover(clock.now()) == 0  # its new task is waiting

    # lost again and again: after max_attempts() starts it is failed, with the reason
    queued.delete()
    PlanImport.objects.filter(pk=staged.pk).update(
        attempts=recovery.max_attempts(), progress_at=clock.now() - dt.timedelta(minutes=10)
    )
    assert services.plan_import_recover(clock.now()) == 1
    staged.refresh_from_db()
    assert staged.status == "failed" and staged.error_code == "worker_lost"
    page = client.get(response.url).content.decode()
    assert "stopped before it finished, 3 times" in page and "Try again" in page

    # Try again: a POST, audited, through the service; the reading starts afresh
    retry = reverse("planning:plan-import-retry", args=["N01A", staged.pk])
    assert client.get(retry).status_code == 405
    assert client.post(retry).status_code == 302
    staged.refresh_from_db()
    assert (staged.status, staged.attempts, staged.error) == ("reading", 0, "")
    assert AuditEvent.objects.filter(action="planimport.retry", object_id=str(staged.pk)).exists()
    _run_queued(staged)
    staged.refresh_from_db()
    assert staged.status == "pending"
    # another partnership's co-ordinator cannot retry it (the same 404 as a missing one)
    assert client_for(demo.eastvale).post(retry).status_code == 404


def test_the_recoverers_are_registered(demo: Any) -> None:
    assert recovery._recoverers["planning.imports"] is services.plan_import_recover
    assert recovery._recoverers["planning.imports-expired"] is services.plan_import_expire
    done = recovery.recover_abandoned_work()
    assert {"planning.imports", "planning.imports-expired", "planning.reminders"} <= set(done)


# --- item 12: staged uploads expire -----------------------------------------------------------


def test_an_upload_never_confirmed_expires_and_its_document_is_removed(
    demo: Any, client_for: Any, example_bytes: bytes
) -> None:
    start = clock.now().replace(microsecond=0)
    client = client_for(demo.coordinator)
    with time_machine.travel(start, tick=False):
        url = _upload(client, example_bytes).url
        staged = PlanImport.objects.get()
        # its confirmation fails (422: no financial year): it keeps the document for now
        PlanImport.objects.filter(pk=staged.pk).update(
            parsed={**staged.parsed, "financial_year": ""}
        )
        client.post(url, {"decision": "confirm"})
    staged.refresh_from_db()
    assert staged.status == "pending" and bytes(staged.document)
    lifetime = services.staged_lifetime()
    assert lifetime == dt.timedelta(hours=24)
    with time_machine.travel(start + lifetime, tick=False):
        client = client_for(demo.coordinator)  # a new sign-in: sessions end sooner
        assert services.plan_import_expire(clock.now()) == 0  # exactly 24 h: not yet
        assert "expires" in client.get(url).content.decode()
    with time_machine.travel(start + lifetime + dt.timedelta(seconds=1), tick=False):
        client = client_for(demo.coordinator)
        assert services.plan_import_expire(clock.now()) == 1
        assert services.plan_import_expire(clock.now()) == 0  # safe to run again
        page = client.get(url).content.decode()
    staged.refresh_from_db()
    assert staged.status == "expired" and bytes(staged.document) == b"" and staged.parsed == {}
    assert "This upload expired" in page and "Import as a draft plan" not in page
    assert AuditEvent.objects.filter(action="planimport.expire").count() == 1
    # confirming it now is refused with the reason
    client.post(url, {"decision": "confirm"})
    assert Plan.objects.count() == 0


def test_confirmed_uploads_keep_their_document(
    demo: Any, client_for: Any, example_bytes: bytes
) -> None:
    client = client_for(demo.coordinator)
    url = _upload(client, example_bytes).url
    client.post(url, {"decision": "confirm"})
    later = clock.now() + dt.timedelta(days=30)
    assert services.plan_import_expire(later) == 0
    assert bytes(PlanImport.objects.get().document) == example_bytes


# --- item 13: cells beyond a row's header are reported ----------------------------------------


def test_a_plan_sheet_value_in_a_column_with_no_heading_is_reported(demo: Any) -> None:
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(export_xlsx(EXPECTED)))
    sheet = wb.worksheets[1]
    action_row = next(row[0].row for row in sheet.iter_rows() if row[0].value == "Action")
    sheet.cell(action_row, 14, "£5,000 from the grant")  # column N: past "Amount" (L)
    sheet.cell(2, 5, "stray")  # the Title row holds a label and one value
    blank = sheet.max_row + 1
    sheet.cell(blank, 3, "An action typed with no Row label")
    out = io.BytesIO()
    wb.save(out)
    plan = parse_document(out.getvalue(), "plan.xlsx")
    issues = {(i["row"], i["text"]): i["why"] for i in plan["issues"]}
    assert "column N has no heading" in issues[(action_row, "£5,000 from the grant")]
    assert "column E has no heading" in issues[(2, "stray")]
    assert "no label" in issues[(blank, "An action typed with no Row label")]


def test_a_progress_row_with_a_value_in_a_column_with_no_heading_is_rejected(
    demo: Any, delivery: Any
) -> None:
    from openpyxl import load_workbook

    from dathub.planning.services import progress_bulk_apply

    action = delivery["trust_soon"]
    content = delivery_xlsx.write_sheet(
        [{"Action id": action.pk, "New status": "On track"}, {"Action id": 99999}],
        partnership_code="N01A",
        title="t",
    )
    wb = load_workbook(io.BytesIO(content))
    ws = wb["Progress"]
    first = delivery_xlsx.HEADER_ROW + 1
    width = len(delivery_xlsx.HEADERS)
    ws.cell(first, width + 2, "Opened a week late")  # column P: no heading
    ws.cell(first + 2, width + 1, "a note in a row of its own")  # column O, an otherwise empty row
    out = io.BytesIO()
    wb.save(out)
    rows = delivery_xlsx.read_sheet(out.getvalue(), partnership_code="N01A")
    assert rows[0]["beyond"] == [("P", "Opened a week late")]
    assert rows[-1]["row"] == first + 2 and rows[-1]["beyond"] == [
        ("O", "a note in a row of its own")
    ]
    report = progress_bulk_apply(
        actor=demo.coordinator, partnership=demo.northshire, rows=rows, source="spreadsheet"
    )
    by_row = {r["row"]: r for r in report["rows"]}
    assert by_row[first]["outcome"] == "rejected"
    assert "column P (‘Opened a week late’)" in by_row[first]["reason"]
    assert by_row[first + 2]["outcome"] == "rejected"
    action.refresh_from_db()
    assert action.status != "on_track" or report["applied"] == 0


@pytest.fixture
def delivery(demo: Any) -> Any:
    from .delivery_fixtures import build

    return build(demo)


def test_a_progress_spreadsheet_has_at_most_max_rows_filled_in_rows(demo: Any) -> None:
    rows = [{"Action id": i, "New status": "On track"} for i in range(1, 12)]
    content = delivery_xlsx.write_sheet(rows, partnership_code="N01A", title="t")
    assert len(delivery_xlsx.read_sheet(content, partnership_code="N01A", max_rows=11)) == 11
    with pytest.raises(delivery_xlsx.NotOurLayout, match="more than 10 filled-in rows"):
        delivery_xlsx.read_sheet(content, partnership_code="N01A", max_rows=10)
