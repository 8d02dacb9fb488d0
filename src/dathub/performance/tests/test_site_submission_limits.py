"""An upload's limits (a workbook's unzipped size, the rows of any file, by settings) and a
report kept compactly and served in pages in the site and the API. Issue 9, item 5."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from django.test import override_settings

from dathub.performance import services, store
from dathub.performance.models import Submission, SubmissionData

from .site_helpers import csv_bytes, last_month, records, spoil, xlsx_bytes

URL = "/p/N01A/performance/submissions"


def _send(demo, data: bytes, name: str = "nrt.csv") -> Submission:
    sub = services.submission_create(
        actor=demo.analyst,
        partnership=demo.northshire,
        agency="NRT01",
        month=last_month(),
        filename=name,
        data=data,
    )
    sub.refresh_from_db()
    return sub


def _bomb(unzipped: int) -> bytes:
    """A small .xlsx whose one part unpacks to ``unzipped`` bytes."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b" " * unzipped)
    return buf.getvalue()


def test_a_workbook_unpacking_past_the_cap_is_refused(demo, client_for):
    with override_settings(DATHUB_RECORDS_MAX_UNZIPPED_BYTES=1024 * 1024):
        bomb = _bomb(3 * 1024 * 1024)
        assert len(bomb) < 20_000
        response = client_for(demo.analyst).post(
            f"{URL}/new/",
            {"agency": "NRT01", "month": last_month(), "file": _file(bomb, "big.xlsx")},
        )
        assert response.status_code == 400 and "unpacks to more than 1 MB" in (
            response.content.decode()
        )
        assert not Submission.objects.exists()
        # one stored before the cap was lowered is refused when it is processed
        with override_settings(DATHUB_RECORDS_MAX_UNZIPPED_BYTES=10**9):
            sub = services.submission_create(
                actor=demo.analyst,
                partnership=demo.northshire,
                agency="NRT01",
                month=last_month(),
                filename="big.xlsx",
                data=bomb,
                background=False,
            )
        sub = services.submission_process(sub.pk)
    assert sub.status == "failed" and "unpacks to more than 1 MB" in sub.failure
    assert SubmissionData.objects.get(submission=sub).upload is None


@pytest.mark.parametrize("name", ["nrt.csv", "nrt.xlsx"])
def test_a_file_with_more_rows_than_allowed_is_refused(demo, name):
    frame = records(people=20, seed=51)
    data = xlsx_bytes(frame) if name.endswith("xlsx") else csv_bytes(frame)
    with override_settings(DATHUB_RECORDS_MAX_ROWS=frame.height - 1):
        sub = _send(demo, data, name)
    assert sub.status == "failed" and f"more than {frame.height - 1} rows" in sub.failure
    with override_settings(DATHUB_RECORDS_MAX_ROWS=frame.height):
        assert _send(demo, data, name).status == "current"


def _file(data: bytes, name: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def _many_errors(demo) -> tuple[Submission, list[dict]]:
    frame = records(people=80, seed=52)
    frame = spoil(spoil(frame, list(range(0, frame.height)), "SEX", "X"), [1, 2], "DRUG1", "1")
    sub = _send(demo, csv_bytes(frame))
    return sub, store.full_report(sub)["errors"]


def test_the_report_is_kept_compactly_and_read_in_pages(demo, client_for, api_client_for):
    sub, errors = _many_errors(demo)
    assert sub.error_count == len(errors) > 120
    assert "errors" not in sub.report  # the row holds the counts only
    assert set(sub.report) == {"rows", "accepted", "rejected", "no_consent"}
    blob = SubmissionData.objects.get(submission=sub).errors
    assert blob and len(bytes(blob)) < len(json.dumps(errors)) / 4

    client = client_for(demo.analyst)
    first = client.get(f"{URL}/{sub.pk}/").content.decode()
    assert f"Reasons for rejection: {len(errors)} (page 1 of 2)" in first
    assert first.count("<code>bad_code</code>") == 100 and 'rel="next"' in first
    second = client.get(f"{URL}/{sub.pk}/?errors_page=2").content.decode()
    assert second.count("<code>bad_code</code>") == len(errors) - 100
    beyond = client.get(f"{URL}/{sub.pk}/?errors_page=99999999999999999999")
    assert beyond.status_code == 200

    api = api_client_for(demo.analyst)
    detail = api.get(f"/api/v1/partnerships/N01A/submissions/{sub.pk}?offset=3&limit=5").json()
    assert detail["report"]["errors"] == errors[3:8]
    assert (detail["errors_total"], detail["errors_offset"], detail["errors_limit"]) == (
        len(errors),
        3,
        5,
    )
    assert {k: detail["report"][k] for k in ("rows", "accepted", "rejected", "no_consent")} == {
        "rows": sub.rows,
        "accepted": sub.accepted,
        "rejected": sub.rejected,
        "no_consent": sub.no_consent,
    }
    default = api.get(f"/api/v1/partnerships/N01A/submissions/{sub.pk}").json()
    assert len(default["report"]["errors"]) == 100
    for bad in ("limit=1001", "limit=99999999999999999999", "offset=-1"):
        response = api.get(f"/api/v1/partnerships/N01A/submissions/{sub.pk}?{bad}")
        assert response.status_code == 422, bad
    listed = api.get("/api/v1/partnerships/N01A/submissions").json()
    assert "errors" not in json.dumps(listed) and "report" not in json.dumps(listed)


def test_the_command_prints_the_whole_report_as_the_spec_says(demo, tmp_path, capsys):
    from dathub.performance import commands
    from dathub.performance.engine.reading import read_csv_bytes
    from dathub.performance.engine.records import check_records

    frame = spoil(records(people=30, seed=53), [0, 3, 9], "SEX", "Q")
    path = tmp_path / "nrt.csv"
    path.write_bytes(csv_bytes(frame))
    assert commands.main(["import", str(path), "--partnership", "N01A", "--no-recompute"]) == 1
    printed = json.loads(capsys.readouterr().out)
    sub = Submission.objects.get()
    assert printed == check_records(read_csv_bytes(csv_bytes(frame)), as_of=sub.as_of).report()
