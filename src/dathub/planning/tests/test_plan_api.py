from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from dathub.planning.models import Action, Objective, Plan
from dathub.planning.selectors import strip_ids

EXPECTED = json.loads(
    (Path(__file__).parent / "data" / "northshire-2009-10-grids.expected.json").read_text()
)


def test_create_by_upload_returns_the_plan_and_issues(
    demo: Any, api_client_for: Any, example_bytes: bytes
) -> None:
    client = api_client_for(demo.coordinator)
    response = client.post(
        "/api/v1/plans",
        {
            "partnership": "N01A",
            "document": SimpleUploadedFile("plan.txt", example_bytes),
        },
    )
    # read in the background (at once with the tests' immediate task backend): the answer
    # is the import, whose status page gives the plan once it is saved
    assert response.status_code == 202, response.content
    body = response.json()
    assert response["Location"] == body["status_url"]
    assert body["status"] == "confirmed" and body["issues"] == [] and body["error"] is None
    assert strip_ids(body["plan"]) == EXPECTED
    plan = Plan.objects.get()
    assert plan.status == "draft" and body["plan_id"] == plan.pk
    again = client.get(body["status_url"])
    assert again.status_code == 200 and again.json()["plan_id"] == plan.pk
    # another partnership's co-ordinator, and a board member, get the same 404 as a missing one
    for other in (demo.eastvale, demo.board):
        refused = api_client_for(other).get(body["status_url"])
        assert refused.status_code == 404 and refused.json()["error"]["code"] == "not_found"


def test_upload_of_a_non_plan_is_422_and_saves_nothing(demo: Any, api_client_for: Any) -> None:
    client = api_client_for(demo.coordinator)
    response = client.post(
        "/api/v1/plans", {"partnership": "N01A", "document": SimpleUploadedFile("x.docx", b"nope")}
    )
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid"
    assert Plan.objects.count() == 0


def test_list_and_detail_are_scoped(demo: Any, api_client_for: Any, plan: Plan) -> None:
    mine = api_client_for(demo.coordinator)
    assert [p["id"] for p in mine.get("/api/v1/plans").json()] == [plan.pk]
    assert mine.get(f"/api/v1/plans/{plan.pk}").json()["schema"] == "dathub.plan/1"
    other = api_client_for(demo.eastvale)
    assert other.get("/api/v1/plans").json() == []
    assert other.get("/api/v1/plans?partnership=N01A").status_code == 404
    missing = other.get(f"/api/v1/plans/{plan.pk}")
    assert missing.status_code == 404
    assert missing.json() == api_client_for(demo.eastvale).get("/api/v1/plans/999999").json()


def test_update_action_and_objective(demo: Any, api_client_for: Any, plan: Plan) -> None:
    client = api_client_for(demo.coordinator)
    action = Action.objects.get(text__startswith="Add a waiting times")
    response = client.patch(
        f"/api/v1/plans/{plan.pk}/actions/{action.pk}",
        data={"due": "Sept 2009", "owners": "JCG"},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    action.refresh_from_db()
    assert str(action.due_end) == "2009-09-30" and action.owners_text == "JCG"
    objective = Objective.objects.get(grid__plan=plan, grid__number=2, number=4)
    response = client.patch(
        f"/api/v1/plans/{plan.pk}/objectives/{objective.pk}",
        data={"title": "Improve outcomes"},
        content_type="application/json",
    )
    assert response.status_code == 200
    objective.refresh_from_db()
    assert objective.title == "Improve outcomes"
    created = client.post(
        f"/api/v1/plans/{plan.pk}/objectives/{objective.pk}/actions",
        data={"text": "Report TOP quarterly", "due": "Quarterly"},
        content_type="application/json",
    )
    assert created.status_code == 201
    assert Action.objects.get(pk=created.json()["id"]).due_recurrence == "quarterly"


def test_read_only_and_other_partnership_cannot_update(
    demo: Any, api_client_for: Any, plan: Plan
) -> None:
    action = Action.objects.get(text__startswith="Add a waiting times")
    url = f"/api/v1/plans/{plan.pk}/actions/{action.pk}"
    board = api_client_for(demo.board).patch(
        url, data={"text": "x"}, content_type="application/json"
    )
    assert board.status_code == 403
    other = api_client_for(demo.eastvale).patch(
        url, data={"text": "x"}, content_type="application/json"
    )
    assert other.status_code == 404
    action.refresh_from_db()
    assert action.text.startswith("Add a waiting times")


def test_cli_import_and_parse(demo: Any, tmp_path: Path, capsys: Any, example_bytes: bytes) -> None:
    from dathub.cli import main

    path = tmp_path / "plan.txt"
    path.write_bytes(example_bytes)
    assert (
        main(
            ["plans", "import", str(path), "--partnership", "N01A", "--as", demo.coordinator.email]
        )
        == 0
    )
    assert "as draft plan" in capsys.readouterr().out
    assert Plan.objects.get().grids.count() == 2
    assert main(["plans", "import", str(path), "--partnership", "ZZZZ"]) == 2
    assert main(["plans", "import", str(tmp_path / "missing.txt"), "--partnership", "N01A"]) == 2
