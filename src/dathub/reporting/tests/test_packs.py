"""Board packs: built in the background from the sections the apps register, the numbers
checked against the data, downloads, issuing freezes, and who may see them."""

from __future__ import annotations

import io
import zipfile
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from dathub.planning import services as planning
from dathub.reporting import registry, services
from dathub.reporting.models import BoardPack

pytestmark = pytest.mark.calendar


def _build(client, board, meeting, kind="board_pack", title=""):
    response = client.post(
        "/p/N01A/board-packs/new/",
        {
            "kind": kind,
            "body": board.pk,
            "meeting_date": meeting.strftime("%d/%m/%Y"),
            "title": title,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return BoardPack.objects.order_by("-pk").first(), response


def _section(pack, key):
    return next(s for s in pack.content["sections"] if s["key"] == key)


def _table(section, caption):
    return next(b for b in section["blocks"] if b.get("caption") == caption)


def _docx_text(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return z.read("word/document.xml").decode()


def test_building_a_pack_from_the_site(demo, client_for, delivery, board):
    client = client_for(demo.coordinator)
    pack, response = _build(client, board, delivery.today + timedelta(days=7))
    assert response["Location"] == f"/p/N01A/board-packs/{pack.pk}/"
    # the tests run tasks at once; in the site the worker builds it
    assert pack.status == "ready" and pack.build_progress == 100
    assert bytes(pack.pdf).startswith(b"%PDF")
    assert "Progress against the work plan" in _docx_text(bytes(pack.docx))
    page = client.get(response["Location"]).content.decode()
    assert "Progress against the work plan" in page and "Decisions needed" in page
    assert "Download PDF" in page and "Issue the pack" in page
    pdf = client.get(f"/p/N01A/board-packs/{pack.pk}/pack.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    docx = client.get(f"/p/N01A/board-packs/{pack.pk}/pack.docx")
    assert docx.status_code == 200 and docx.content.startswith(b"PK")
    assert client.get(f"/p/N01A/board-packs/{pack.pk}/pack.txt").status_code == 404


def test_pack_numbers_match_the_plan(demo, delivery, board):
    t = delivery.today
    # the board's previous meeting, 14 days ago: "since the last meeting" starts there
    previous = services.board_pack_create(
        actor=demo.coordinator,
        partnership=demo.northshire,
        body=board,
        meeting_date=t - timedelta(days=14),
    )
    pack = services.board_pack_create(
        actor=demo.coordinator,
        partnership=demo.northshire,
        body=board,
        meeting_date=t + timedelta(days=7),
    )
    pack = services.board_pack_build_now(actor=demo.coordinator, pack=pack)
    assert pack.content["since"] == previous.meeting_date.isoformat()
    assert pack.content["as_at"] == t.isoformat()
    progress = _section(pack, "work_plan_progress")
    summary = _table(progress, "Actions by status")
    assert summary["columns"][1:7] == [
        "Not started",
        "On track",
        "At risk",
        "Off track",
        "Complete",
        "Dropped",
    ]
    rows = {row[0]: row[1:] for row in summary["rows"]}
    # grid 1: trust overdue (on track), trust soon (not started), dpm done (complete),
    # police (at risk), dpm done early (complete): 2 of 5 complete = 40%
    assert rows["Planning grid 1: Harm reduction"] == [1, 1, 1, 0, 2, 0, 5, "40%"]
    # grid 2: dip (off track), quarterly (not started), dropped, not started: 0 of 3 = 0%
    assert rows["Planning grid 2: Criminal justice"] == [2, 0, 0, 1, 0, 1, 4, "0%"]
    assert rows["All"] == [3, 1, 1, 1, 2, 1, 9, "25%"]
    figures = {i["label"]: i["value"] for i in progress["blocks"][1]["items"]}
    assert figures["overdue"] == 2 and figures["completion rate"] == "25%"

    blocks = progress["blocks"]
    grid1 = blocks.index({"type": "heading", "text": "Planning grid 1: Harm reduction"})
    grid2 = blocks.index({"type": "heading", "text": "Planning grid 2: Criminal justice"})
    g1 = {b.get("caption"): b for b in blocks[grid1:grid2]}
    # completed since the last meeting: the audit (5 days ago), not the mapping (30 days ago)
    done = [r[0] for r in g1["Completed since the last meeting"]["rows"]]
    assert done == ["DPM complete: audit return rates"]
    overdue = g1["Overdue"]["rows"]
    assert [(r[0], r[2], r[3]) for r in overdue] == [
        ("Trust overdue: train staff in naloxone", 10, "Northshire Recovery Trust")
    ]
    risky = g1["At risk or off track"]["rows"]
    assert risky[0][0] == "Police at risk: custody suite testing"
    assert risky[0][1] == {"text": "At risk", "tag": "orange"}
    assert "Police note: no budget." in risky[0][3]
    g2 = {b.get("caption"): b for b in blocks[grid2:]}
    assert [r[0] for r in g2["Overdue"]["rows"]] == ["DIP off track: prison protocol"]
    assert g2["At risk or off track"]["rows"][0][1]["text"] == "Off track"

    decisions = _section(pack, "decisions_needed")
    table = decisions["blocks"][0]
    assert [r[0] for r in table["rows"]] == ["Decide whether to fund the second suite."]
    assert table["rows"][0][2] == "Northshire Police"


def test_a_pack_for_a_past_meeting_shows_the_figures_as_they_were(demo, delivery, board):
    from dathub.planning.document.dates import financial_year_label, financial_year_of
    from dathub.planning.models import Plan

    meeting = delivery.today - timedelta(days=15)
    # the plan delivered at that meeting: early in April, that is the year just ended
    Plan.objects.filter(pk=delivery.plan.pk).update(
        financial_year=financial_year_label(financial_year_of(meeting))
    )
    pack = services.board_pack_create(
        actor=demo.coordinator, partnership=demo.northshire, body=board, meeting_date=meeting
    )
    pack = services.board_pack_build_now(actor=demo.coordinator, pack=pack)
    rows = {
        r[0]: r[1:]
        for r in _table(_section(pack, "work_plan_progress"), "Actions by status")["rows"]
    }
    # 15 days ago only the long-ago mapping was complete; the audit was still on track
    assert rows["Planning grid 1: Harm reduction"][4] == 1
    assert rows["Planning grid 1: Harm reduction"][1] == 2  # trust overdue + dpm audit on track


def test_issued_pack_does_not_change_after_later_progress(demo, client_for, delivery, board):
    client = client_for(demo.coordinator)
    pack, _ = _build(client, board, delivery.today + timedelta(days=7))
    response = client.post(f"/p/N01A/board-packs/{pack.pk}/issue/")
    assert response.status_code == 302
    pack.refresh_from_db()
    assert pack.status == "issued" and pack.issued_by == demo.coordinator
    frozen = (pack.content, pack.html, bytes(pack.pdf), bytes(pack.docx))

    def shown() -> str:
        page = client.get(f"/p/N01A/board-packs/{pack.pk}/").content.decode()
        return page.split('<article class="dathub-pack">')[1].split("</article>")[0]

    page_before = shown()

    # later: the police action is completed and a new action is added
    planning.progress_update_create(
        actor=demo.coordinator, action=delivery["police_risk"], status="complete", note="Funded."
    )
    planning.action_create(
        actor=demo.coordinator,
        partnership=demo.northshire,
        text="A new action after the meeting",
        source="JCG",
    )
    pack.refresh_from_db()
    assert (pack.content, pack.html, bytes(pack.pdf), bytes(pack.docx)) == frozen
    page_after = shown()
    assert page_after == page_before
    assert "A new action after the meeting" not in page_after
    assert client.get(f"/p/N01A/board-packs/{pack.pk}/pack.pdf").content == frozen[2]

    # it cannot be built again
    client.post(f"/p/N01A/board-packs/{pack.pk}/build/")
    pack.refresh_from_db()
    assert pack.status == "issued" and pack.content == frozen[0]
    with pytest.raises(ValidationError):
        services.board_pack_request_build(actor=demo.coordinator, pack=pack)


def test_the_progress_fragment_polls_while_building(demo, client_for, delivery, board):
    client = client_for(demo.coordinator)
    pack = services.board_pack_create(
        actor=demo.coordinator, partnership=demo.northshire, body=board, meeting_date=delivery.today
    )
    BoardPack.objects.filter(pk=pack.pk).update(
        status="building", build_progress=40, build_step="Making the PDF"
    )
    fragment = client.get(f"/p/N01A/board-packs/{pack.pk}/status/?was=building")
    body = fragment.content.decode()
    assert 'hx-trigger="every 1s"' in body and "Making the PDF: 40% done." in body
    assert 'value="40"' in body and "HX-Refresh" not in fragment.headers
    page = client.get(f"/p/N01A/board-packs/{pack.pk}/").content.decode()
    assert "refresh the page" in page and "Build the pack" not in page  # no second build
    BoardPack.objects.filter(pk=pack.pk).update(status="ready")
    done = client.get(f"/p/N01A/board-packs/{pack.pk}/status/?was=building")
    assert done["HX-Refresh"] == "true" and "hx-trigger" not in done.content.decode()


def test_a_failing_section_does_not_sink_the_pack(demo, delivery, board):
    def broken(partnership, ctx):
        raise RuntimeError("boom")

    registry.register_section("broken", "A broken section", 99, broken)
    try:
        pack = services.board_pack_create(
            actor=demo.coordinator,
            partnership=demo.northshire,
            body=board,
            meeting_date=delivery.today,
        )
        pack = services.board_pack_build_now(actor=demo.coordinator, pack=pack)
    finally:
        registry.unregister_section("broken")
    assert pack.status == "ready"
    assert "could not be built" in _section(pack, "broken")["blocks"][0]["text"]


def test_sections_plug_in_through_the_registry(demo, delivery, board):
    def risks(partnership, ctx):
        return {
            "blocks": [
                {"type": "paragraph", "text": f"Risks reviewed for the {ctx.body.name}."},
                {
                    "type": "table",
                    "caption": "Top risks",
                    "columns": ["Risk", "Rating"],
                    "rows": [["Under-spend of the pooled budget", {"text": "High", "tag": "red"}]],
                },
            ]
        }

    registry.register_section(
        "risks",
        "Risk register",
        50,
        risks,
        kinds=(registry.BOARD_PACK, registry.MANAGEMENT_REVIEW),
        review_heading="issues",
    )
    try:
        pack = services.board_pack_create(
            actor=demo.coordinator,
            partnership=demo.northshire,
            body=board,
            meeting_date=delivery.today,
        )
        pack = services.board_pack_build_now(actor=demo.coordinator, pack=pack)
        review = services.board_pack_create(
            actor=demo.coordinator,
            partnership=demo.northshire,
            body=board,
            meeting_date=delivery.today,
            kind="management_review",
        )
        review = services.board_pack_build_now(actor=demo.coordinator, pack=review)
    finally:
        registry.unregister_section("risks")
    keys = [s["key"] for s in pack.content["sections"]]
    assert keys.index("work_plan_progress") < keys.index("decisions_needed") < keys.index("risks")
    assert "Under-spend of the pooled budget" in pack.html
    assert '<strong class="govuk-tag govuk-tag--red">High</strong>' in pack.html
    assert "Under-spend of the pooled budget" in _docx_text(bytes(pack.docx))
    issues = _section(review, "issues")
    assert {"type": "heading", "text": "Risk register"} in issues["blocks"]
    with pytest.raises(ValueError):
        registry.register_section("x", "X", 1, risks, review_heading="no such heading")


def test_management_review_has_the_headings_and_keeps_its_narrative(
    demo, client_for, delivery, board
):
    client = client_for(demo.coordinator)
    pack, response = _build(
        client, board, delivery.today + timedelta(days=20), kind="management_review"
    )
    assert response["Location"] == f"/p/N01A/board-packs/{pack.pk}/edit/"
    response = client.post(
        response["Location"],
        {
            "progress": "Delivery is broadly on track.",
            "community_links": "The service user group met six times.",
            "then": "build",
        },
    )
    assert response.status_code == 302
    pack.refresh_from_db()
    assert pack.status == "ready"
    titles = [s["title"] for s in pack.content["sections"]]
    assert titles == [
        "Overview of progress and achievement of targets",
        "Use of resources",
        "Performance overview",
        "Issues needing resolution",
        "Links with community groups",
        "Important events in the community",
    ]
    progress = _section(pack, "progress")
    assert progress["narrative"] == "Delivery is broadly on track."
    assert {"type": "heading", "text": "Progress against the work plan"} in progress["blocks"]
    issues = _section(pack, "issues")
    assert {"type": "heading", "text": "Decisions needed"} in issues["blocks"]
    assert _section(pack, "community_events")["narrative"] == ""
    assert "The service user group met six times." in pack.html
    assert "The service user group met six times." in _docx_text(bytes(pack.docx))

    # changing the narrative after the build means building again before issuing
    client.post(
        f"/p/N01A/board-packs/{pack.pk}/edit/",
        {
            "progress": "Delivery has slipped.",
            "then": "save",
            "community_links": "The service user group met six times.",
        },
    )
    pack.refresh_from_db()
    assert pack.is_stale and pack.narrative["progress"] == "Delivery has slipped."
    with pytest.raises(ValidationError, match="build it again"):
        services.board_pack_issue(actor=demo.coordinator, pack=pack)
    client.post(f"/p/N01A/board-packs/{pack.pk}/build/")
    pack.refresh_from_db()
    assert not pack.is_stale and _section(pack, "progress")["narrative"] == "Delivery has slipped."
    services.board_pack_issue(actor=demo.coordinator, pack=pack)
    assert client.get(f"/p/N01A/board-packs/{pack.pk}/edit/").status_code == 404
    with pytest.raises(ValidationError):
        services.board_pack_narrative_save(
            actor=demo.coordinator, pack=pack, narrative={"progress": "rewritten"}
        )


def test_pdf_renders_without_fetching_anything(demo, delivery):
    from dathub.reporting import builder

    content = {
        "title": "T",
        "partnership": {"name": "N", "code": "N01A"},
        "sections": [],
        "meeting_date": "2027-01-01",
        "as_at": "2027-01-01",
        "since": None,
    }
    html = (
        '<h1>T</h1><img src="http://192.0.2.1/logo.png" alt=""><link rel="stylesheet" '
        'href="https://192.0.2.1/x.css">'
    )
    pdf = builder.render_pdf(content, html)
    assert pdf.startswith(b"%PDF")
    with pytest.raises(ValueError):
        builder._refuse_fetch("http://192.0.2.1/logo.png")


def test_who_sees_packs(demo, client_for, delivery, board):
    draft = services.board_pack_create(
        actor=demo.coordinator, partnership=demo.northshire, body=board, meeting_date=delivery.today
    )
    issued = services.board_pack_build_now(
        actor=demo.coordinator,
        pack=services.board_pack_create(
            actor=demo.coordinator,
            partnership=demo.northshire,
            body=board,
            meeting_date=delivery.today - timedelta(days=1),
        ),
    )
    services.board_pack_issue(actor=demo.coordinator, pack=issued)
    urls = [
        f"/p/N01A/board-packs/{issued.pk}/{s}" for s in ("", "status/", "pack.pdf", "pack.docx")
    ]

    board_member = client_for(demo.board)
    listing = board_member.get("/p/N01A/board-packs/").content.decode()
    assert issued.title in listing and draft.title not in listing
    assert all(board_member.get(u).status_code == 200 for u in urls)
    assert board_member.get(f"/p/N01A/board-packs/{draft.pk}/").status_code == 404
    assert board_member.post(f"/p/N01A/board-packs/{draft.pk}/build/").status_code == 403
    assert board_member.get("/p/N01A/board-packs/new/").status_code == 403

    # a provider user does not see governance papers: they hold every organisation's actions
    provider = client_for(demo.provider)
    assert provider.get("/p/N01A/board-packs/").status_code == 403
    assert all(provider.get(u).status_code == 403 for u in urls)

    eastvale = client_for(demo.eastvale)
    for url in urls + [u.replace("N01A", "E02B") for u in urls]:
        response = eastvale.get(url)
        assert response.status_code == 404, url
        assert b"%PDF" not in response.content and b"Northshire" not in response.content
    assert eastvale.post(f"/p/E02B/board-packs/{draft.pk}/build/").status_code == 404
    # a pack cannot be built for another partnership's body
    with pytest.raises(ValidationError):
        services.board_pack_create(
            actor=demo.eastvale,
            partnership=demo.eastvale_partnership,
            body=board,
            meeting_date=delivery.today,
        )
