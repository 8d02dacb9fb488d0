from __future__ import annotations

from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from dathub.planning.models import Action, Objective, Plan, PlanImport


def test_upload_preview_then_confirm(demo: Any, client_for: Any, example_bytes: bytes) -> None:
    client = client_for(demo.coordinator)
    url = reverse("planning:plan-import", args=["N01A"])
    upload = SimpleUploadedFile("northshire.txt", example_bytes, content_type="text/plain")
    response = client.post(url, {"document": upload})
    staged = PlanImport.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("planning:plan-import-preview", args=["N01A", staged.pk])
    assert Plan.objects.count() == 0  # nothing saved before confirmation
    preview = client.get(response.url).content.decode()
    assert "2 planning grids, 6 objectives, 9 actions" in preview
    assert "Recruit two recovery workers" in preview
    done = client.post(response.url, {"decision": "confirm"})
    plan = Plan.objects.get()
    assert done.url == reverse("planning:plan-detail", args=["N01A", plan.pk])
    page = client.get(done.url).content.decode()
    assert "Planning grid 1: Access and engagement" in page
    # Confirming twice imports nothing more.
    client.post(response.url, {"decision": "confirm"})
    assert Plan.objects.count() == 1


def test_cancelled_import_saves_nothing(demo: Any, client_for: Any, example_bytes: bytes) -> None:
    client = client_for(demo.coordinator)
    client.post(
        reverse("planning:plan-import", args=["N01A"]),
        {"document": SimpleUploadedFile("p.txt", example_bytes)},
    )
    staged = PlanImport.objects.get()
    client.post(
        reverse("planning:plan-import-preview", args=["N01A", staged.pk]), {"decision": "cancel"}
    )
    staged.refresh_from_db()
    assert staged.status == "cancelled" and Plan.objects.count() == 0


def test_wrong_file_type_gets_a_clear_error(demo: Any, client_for: Any) -> None:
    client = client_for(demo.coordinator)
    response = client.post(
        reverse("planning:plan-import", args=["N01A"]),
        {"document": SimpleUploadedFile("plan.pdf", b"%PDF-1.4")},
    )
    assert response.status_code == 400
    assert "The document must be a .docx, .xlsx or .txt file." in response.content.decode()
    response = client.post(
        reverse("planning:plan-import", args=["N01A"]),
        {"document": SimpleUploadedFile("plan.docx", b"rubbish")},
    )
    assert response.status_code == 400
    assert "govuk-error-summary" in response.content.decode()


def test_plan_page_shows_rating_words_and_editing_only_to_managers(
    demo: Any, client_for: Any, plan: Plan
) -> None:
    url = reverse("planning:plan-detail", args=["N01A", plan.pk])
    page = client_for(demo.coordinator).get(url).content.decode()
    assert "Add an objective" in page and "Not started" in page
    board_page = client_for(demo.board).get(url).content.decode()
    assert "Add an objective" not in board_page and "Planning grid 2" in board_page


def test_provider_sees_only_own_actions_on_the_plan(demo: Any, client_for: Any, plan: Plan) -> None:
    page = (
        client_for(demo.provider)
        .get(reverse("planning:plan-detail", args=["N01A", plan.pk]))
        .content.decode()
    )
    assert "Recruit two recovery workers" in page
    assert "Secure premises" not in page
    data = (
        client_for(demo.provider)
        .get(reverse("planning:plan-export", args=["N01A", plan.pk, "json"]))
        .json()
    )
    texts = [a["text"] for g in data["grids"] for o in g["objectives"] for a in o["actions"]]
    assert texts == ["Recruit two recovery workers for the satellite clinic"]


def _plan_urls(plan: Plan) -> list[str]:
    grid = plan.grids.first()
    objective = Objective.objects.filter(grid__plan=plan).first()
    action = Action.objects.filter(objective=objective).first()
    assert grid and objective and action
    c, p = "N01A", plan.pk
    return [
        reverse("planning:plan-detail", args=[c, p]),
        reverse("planning:plan-edit", args=[c, p]),
        reverse("planning:plan-roll-over", args=[c, p]),
        reverse("planning:plan-archive", args=[c, p]),
        reverse("planning:plan-export", args=[c, p, "docx"]),
        reverse("planning:plan-export", args=[c, p, "xlsx"]),
        reverse("planning:plan-export", args=[c, p, "json"]),
        reverse("planning:plan-grid-edit", args=[c, p, grid.pk]),
        reverse("planning:plan-objective-edit", args=[c, p, grid.pk, objective.pk]),
        reverse("planning:plan-action-edit", args=[c, p, objective.pk, action.pk]),
        reverse("planning:action-owners", args=[c, action.pk]),
        reverse("planning:plan-part-archive", args=[c, p, "action", action.pk]),
    ]


def test_eastvale_gets_404_for_every_northshire_plan_page(
    demo: Any, client_for: Any, plan: Plan
) -> None:
    client = client_for(demo.eastvale)
    for url in _plan_urls(plan):
        assert client.get(url).status_code == 404, url
        assert client.post(url, {}).status_code == 404, url
    # The same pages under Eastvale's own code do not find Northshire's objects either.
    for url in _plan_urls(plan):
        assert client.get(url.replace("/N01A/", "/E02B/")).status_code == 404, url


def test_board_member_cannot_change_a_plan(demo: Any, client_for: Any, plan: Plan) -> None:
    client = client_for(demo.board)
    for url in _plan_urls(plan)[1:4] + _plan_urls(plan)[7:]:
        assert client.get(url).status_code == 403, url
        assert client.post(url, {"title": "x"}).status_code == 403, url
    assert Plan.objects.get(pk=plan.pk).title == plan.title


def test_provider_cannot_tell_another_organisations_action_from_a_missing_one(
    demo: Any, client_for: Any, plan: Plan
) -> None:
    """A provider may not change any action's owners: the page refuses them with the same
    answer whether the action is another organisation's, their own or missing."""
    client = client_for(demo.provider)
    other = Action.objects.get(text__startswith="Secure premises")
    own = Action.objects.get(text__startswith="Recruit two recovery workers")
    missing = Action.objects.order_by("-pk").first().pk + 1000
    answers = {
        pk: client.get(reverse("planning:action-owners", args=["N01A", pk])).status_code
        for pk in (other.pk, own.pk, missing)
    }
    assert answers == {other.pk: 403, own.pk: 403, missing: 403}
    # through the actions they may see, another organisation's action is simply not there
    assert client.get(reverse("planning:action-detail", args=["N01A", other.pk])).status_code == 404


def test_add_and_change_an_action_through_forms(demo: Any, client_for: Any, plan: Plan) -> None:
    client = client_for(demo.coordinator)
    objective = Objective.objects.get(grid__plan=plan, number=2, grid__number=1)
    url = reverse("planning:plan-action-create", args=["N01A", plan.pk, objective.pk])
    bad = client.post(url, {"text": ""})
    assert bad.status_code == 400 and "govuk-error-summary" in bad.content.decode()
    client.post(
        url,
        {
            "text": "Sign the lease",
            "due_text": "Q4 09",
            "owners_text": "BM/DPM",
            "cost_text": "£10k",
        },
    )
    action = Action.objects.get(text="Sign the lease")
    assert str(action.due_end) == "2010-03-31" and action.cost_amount == 10000
    assert [o.text for o in action.owners.current()] == ["BM", "DPM"]


def test_export_downloads(demo: Any, client_for: Any, plan: Plan) -> None:
    client = client_for(demo.board)
    docx = client.get(reverse("planning:plan-export", args=["N01A", plan.pk, "docx"]))
    assert docx.status_code == 200 and docx.content[:2] == b"PK"
    assert "attachment" in docx["Content-Disposition"]
    assert (
        client.get(reverse("planning:plan-export", args=["N01A", plan.pk, "exe"])).status_code
        == 404
    )


@pytest.mark.parametrize("query", ["due=overdue", "q=satellite", "grid=2", "status=open", ""])
def test_action_search_page(demo: Any, client_for: Any, plan: Plan, query: str) -> None:
    response = client_for(demo.coordinator).get(
        reverse("planning:action-search", args=["N01A"]) + "?" + query
    )
    assert response.status_code == 200
    assert "actions found" in response.content.decode() or "action found" in (
        response.content.decode()
    )


def test_preview_lists_cells_not_understood(
    demo: Any, client_for: Any, example_bytes: bytes
) -> None:
    # Issues from the text reader (line, grid, objective) and the spreadsheet reader (sheet,
    # row) both carry their reason as "why"; the preview once crashed looking for others.
    client = client_for(demo.coordinator)
    client.post(
        reverse("planning:plan-import", args=["N01A"]),
        {"document": SimpleUploadedFile("p.txt", example_bytes)},
    )
    staged = PlanImport.objects.get()
    staged.parsed["issues"] = [
        {"line": 184, "grid": 6, "objective": 1, "text": "", "why": "objective has no title"},
        {"sheet": "Grid 2", "row": 7, "text": "31/13/09", "why": "not a date (YYYY-MM-DD)"},
    ]
    staged.save(update_fields=["parsed"])
    response = client.get(reverse("planning:plan-import-preview", args=["N01A", staged.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "2 cells could not be fully understood" in page
    assert "Line 184" in page and "Objective has no title" in page
    assert "Sheet Grid 2, row 7" in page and "Not a date (YYYY-MM-DD)" in page


def _zip_bomb(inner: str) -> bytes:
    """A small .docx/.xlsx-shaped zip whose one part unpacks to 210 MB of spaces."""
    import io
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        with archive.open(inner, "w", force_zip64=True) as part:
            chunk = b" " * (1024 * 1024)
            for _ in range(210):
                part.write(chunk)
    return out.getvalue()


def test_a_zip_bomb_is_refused_before_it_is_opened(demo: Any, client_for: Any) -> None:
    """A plan document or progress spreadsheet that unpacks to gigabytes must not be loaded
    into memory (openpyxl and python-docx read each part whole)."""
    from dathub.planning import delivery_xlsx
    from dathub.planning.document import PlanDocumentError, parse_document

    bomb = _zip_bomb("xl/worksheets/sheet1.xml")
    assert len(bomb) < 1024 * 1024
    with pytest.raises(PlanDocumentError, match="unpacks"):
        parse_document(bomb, "plan.xlsx")
    with pytest.raises(PlanDocumentError, match="unpacks"):
        parse_document(_zip_bomb("word/document.xml"), "plan.docx")
    with pytest.raises(delivery_xlsx.NotOurLayout, match="unpacks"):
        delivery_xlsx.read_sheet(bomb, partnership_code="N01A")
    response = client_for(demo.coordinator).post(
        "/p/N01A/plans/import/",
        {"document": SimpleUploadedFile("plan.xlsx", bomb), "financial_year": ""},
    )
    assert response.status_code == 400 and "unpacks" in response.content.decode()


def test_an_objective_addressed_under_another_grid_is_not_found(
    demo: Any, client_for: Any, plan: Plan
) -> None:
    objective = Objective.objects.get(grid__plan=plan, grid__number=1, number=1)
    other_grid = plan.grids.get(number=2)
    url = reverse(
        "planning:plan-objective-edit", args=["N01A", plan.pk, other_grid.pk, objective.pk]
    )
    client = client_for(demo.coordinator)
    assert client.get(url).status_code == 404
    assert client.post(url, {"title": "Moved"}).status_code == 404
    objective.refresh_from_db()
    assert objective.title != "Moved"


def _stage(client: Any, data: bytes, name: str = "plan.txt") -> Any:
    client.post(
        reverse("planning:plan-import", args=["N01A"]),
        {"document": SimpleUploadedFile(name, data)},
    )
    staged = PlanImport.objects.order_by("-pk").first()
    return staged, reverse("planning:plan-import-preview", args=["N01A", staged.pk])


def test_preview_warns_of_another_partnerships_document(
    demo: Any, client_for: Any, example_bytes: bytes
) -> None:
    from pathlib import Path

    ealing = Path(__file__).parents[5] / "shared/seeds/ealing-daat-treatment-plan-2007-08-grids.txt"
    client = client_for(demo.coordinator)
    _, url = _stage(client, ealing.read_bytes(), "ealing.txt")
    page = client.get(url).content.decode()
    assert "names another partnership, ‘Ealing DAAT’, not Northshire DAAT" in page
    # a document naming this partnership, however it is written, is not warned about
    ours = example_bytes.replace(
        b"Partnership name Northshire", b"Partnership name NORTHSHIRE Drug and Alcohol Action Team"
    )
    staged, url = _stage(client, ours, "n.txt")
    assert staged.parsed["partnership"] == "NORTHSHIRE Drug and Alcohol Action Team"
    assert "names another partnership" not in client.get(url).content.decode()


def test_importing_the_same_document_again_offers_to_replace_the_draft(
    demo: Any, client_for: Any, example_bytes: bytes
) -> None:
    client = client_for(demo.coordinator)
    _, url = _stage(client, example_bytes)
    assert "imported before" not in client.get(url).content.decode()
    client.post(url, {"decision": "confirm"})
    first = Plan.objects.get()
    _, url = _stage(client, example_bytes)
    page = client.get(url).content.decode()
    assert "This same document was imported before" in page
    assert f"Replace the draft ‘{first.title}’" in page
    done = client.post(url, {"decision": "confirm", "replace": str(first.pk)})
    assert done.status_code == 302
    first.refresh_from_db()
    assert first.archived_at is not None
    assert Plan.objects.filter(archived_at__isnull=True).count() == 1
    # the same year from another file: warned, and a second draft only when asked for
    other = example_bytes.replace(b"Northshire", b"Northshire ", 1)
    _, url = _stage(client, other, "copy.txt")
    page = client.get(url).content.decode()
    assert "There is already a plan for 2009/10" in page
    assert "This same document was imported before" not in page
    client.post(url, {"decision": "confirm", "replace": ""})
    assert Plan.objects.filter(archived_at__isnull=True).count() == 2


def test_only_a_draft_can_be_replaced_by_an_import(
    demo: Any, client_for: Any, example_bytes: bytes
) -> None:
    from django.core.exceptions import ValidationError

    from dathub.planning import services

    client = client_for(demo.coordinator)
    _, url = _stage(client, example_bytes)
    client.post(url, {"decision": "confirm"})
    agreed = services.plan_set_status(
        actor=demo.coordinator, plan=Plan.objects.get(), status="agreed"
    )
    staged, url = _stage(client, example_bytes)
    assert "Replace the draft" not in client.get(url).content.decode()
    # a forged choice of the agreed plan adds a plan and archives nothing
    client.post(url, {"decision": "confirm", "replace": str(agreed.pk)})
    agreed.refresh_from_db()
    assert agreed.archived_at is None and Plan.objects.count() == 2
    with pytest.raises(ValidationError):
        services.plan_import_confirm(
            actor=demo.coordinator,
            plan_import=services.plan_import_stage(
                actor=demo.coordinator,
                partnership=demo.northshire,
                filename="p.txt",
                data=example_bytes,
            ),
            replace=agreed,
        )
