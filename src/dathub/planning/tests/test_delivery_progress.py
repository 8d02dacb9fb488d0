"""Progress updates: append-only history, the current status, the pages that show them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError

from dathub.core.models import AuditEvent
from dathub.planning import services
from dathub.planning.models import Action, ProgressUpdate

from .delivery_fixtures import build

pytestmark = pytest.mark.calendar


@pytest.fixture
def delivery(demo):
    return build(demo)


def test_current_status_is_the_latest_update_by_date(demo, delivery):
    action = delivery["trust_soon"]
    t = delivery.today
    services.progress_update_create(
        actor=demo.coordinator,
        action=action,
        status="on_track",
        percent_complete=60,
        date=t - timedelta(days=1),
    )
    # an update dated earlier is kept in the history but does not become the current status
    services.progress_update_create(
        actor=demo.coordinator,
        action=action,
        status="at_risk",
        percent_complete=20,
        note="Back-filled.",
        date=t - timedelta(days=9),
    )
    action.refresh_from_db()
    assert (action.status, action.percent_complete) == ("on_track", 60)
    history = list(ProgressUpdate.objects.filter(action=action).values_list("status", flat=True))
    assert history == ["on_track", "at_risk"]  # newest first
    services.progress_update_create(actor=demo.coordinator, action=action, status="complete")
    action.refresh_from_db()
    assert (action.status, action.percent_complete) == ("complete", 100)
    event = AuditEvent.objects.filter(action="progressupdate.create", object_id=str(action.pk))
    assert event.first().changes["status"] == ["on_track", "complete"]


def test_updates_are_append_only(demo, delivery):
    update = ProgressUpdate.objects.filter(action=delivery["dip_off"]).first()
    update.note = "rewritten"
    with pytest.raises(ValueError, match="append-only"):
        update.save()
    assert ProgressUpdate.objects.get(pk=update.pk).note == "Prison has not signed."


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"status": "complete", "percent_complete": 50}, "percent_complete", "100%"),
        ({"status": "at_risk"}, "note", "Say why"),
        ({"status": "off_track", "note": "  "}, "note", "Say why"),
        ({"status": "on_track", "percent_complete": 120}, "percent_complete", "0 to 100"),
        ({"status": "sideways"}, "status", "Choose a status"),
        ({"status": "on_track", "evidence_link": "ftp://x"}, "evidence_link", "https://"),
    ],
)
def test_invalid_updates_are_refused(demo, delivery, fields, field, message):
    action = delivery["trust_soon"]
    with pytest.raises(ValidationError) as exc:
        services.progress_update_create(actor=demo.coordinator, action=action, **fields)
    assert message in " ".join(exc.value.message_dict[field])
    assert not ProgressUpdate.objects.filter(action=action).exists()


def test_evidence_file_types_are_checked(demo, delivery):
    from django.core.files.uploadedfile import SimpleUploadedFile

    with pytest.raises(ValidationError) as exc:
        services.progress_update_create(
            actor=demo.coordinator,
            action=delivery["trust_soon"],
            status="on_track",
            evidence_file=SimpleUploadedFile("run-me.exe", b"MZ"),
        )
    assert "evidence_file" in exc.value.message_dict


def test_action_page_without_javascript_records_and_redirects(demo, client_for, delivery):
    client = client_for(demo.coordinator)
    action = delivery["trust_soon"]
    response = client.post(
        f"/p/N01A/actions/{action.pk}/",
        {
            "status": "at_risk",
            "percent_complete": "35",
            "note": "Venue fell through.",
            "evidence_link": "https://intranet.example/venue",
        },
    )
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "Progress recorded." in page and "Venue fell through." in page
    assert "At risk" in page and "35% complete" in page
    assert 'href="https://intranet.example/venue"' in page


def test_action_page_with_htmx_returns_the_progress_fragment(demo, client_for, delivery):
    client = client_for(demo.coordinator)
    action = delivery["trust_soon"]
    response = client.post(
        f"/p/N01A/actions/{action.pk}/",
        {"status": "on_track", "percent_complete": "80", "note": "Nearly there."},
        headers={"HX-Request": "true"},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert '<div id="progress"' in body
    assert "<html" not in body and "Nearly there." in body and "80% complete" in body
    # errors come back in the fragment too (htmx swaps only 2xx answers)
    response = client.post(
        f"/p/N01A/actions/{action.pk}/", {"status": "off_track"}, headers={"HX-Request": "true"}
    )
    body = response.content.decode()
    assert response.status_code == 200 and "There is a problem" in body and "Say why" in body


def test_plan_page_and_search_show_status_percent_and_overdue(demo, client_for, delivery):
    client = client_for(demo.coordinator)
    plan = client.get(f"/p/N01A/plans/{delivery.plan.pk}/").content.decode()
    row = plan.split(f'id="action-{delivery["trust_overdue"].pk}"')[1].split("</tr>")[0]
    assert "On track" in row and "40% complete" in row and "Overdue" in row
    row = plan.split(f'id="action-{delivery["dpm_done"].pk}"')[1].split("</tr>")[0]
    assert "Complete" in row and "Overdue" not in row
    row = plan.split(f'id="action-{delivery["trust_soon"].pk}"')[1].split("</tr>")[0]
    assert "Not started" in row and "Overdue" not in row
    search = client.get("/p/N01A/actions/?due=overdue").content.decode()
    assert "Trust overdue" in search and "DIP off track" in search
    assert "DPM complete" not in search and "Trust due soon" not in search
    assert "10% complete" in search and "Off track" in search


def test_meeting_actions_are_created_from_the_site(demo, client_for, delivery):
    client = client_for(demo.coordinator)
    response = client.post(
        "/p/N01A/actions/new/",
        {"text": "Write to the prison governor", "due_text": "", "owners_text": "DPM"},
    )
    assert response.status_code == 400 and "Where the action came from" in response.content.decode()
    response = client.post(
        "/p/N01A/actions/new/",
        {
            "text": "Write to the prison governor",
            "source": "Partnership Board 12 May",
            "due_text": "March 2027",
            "owners_text": "DPM",
        },
    )
    assert response.status_code == 302
    action = Action.objects.get(text="Write to the prison governor")
    assert action.objective is None and action.source == "Partnership Board 12 May"
    assert action.due_end is not None and action.due_end.month == 3
    assert "Partnership Board 12 May" in client.get("/p/N01A/actions/").content.decode()
    # the analyst holds DPM: it is in their actions, and they can report on it
    assert (
        "Write to the prison governor"
        in client_for(demo.analyst).get("/p/N01A/my-actions/").content.decode()
    )
    assert client_for(demo.analyst).get("/p/N01A/actions/new/").status_code == 403


def test_my_actions_lists_overdue_first_and_updates_several(demo, client_for, delivery):
    client = client_for(demo.analyst)  # holds DPM
    page = client.get("/p/N01A/my-actions/").content.decode()
    assert "DPM quarterly report" in page
    assert "DPM complete" not in page  # complete actions only when asked for
    assert "DPM complete" in client.get("/p/N01A/my-actions/?show=all").content.decode()

    # the provider's list: the overdue one first
    provider = client_for(demo.provider).get("/p/N01A/my-actions/").content.decode()
    assert provider.index("Trust overdue") < provider.index("Trust due soon")

    # the co-ordinator updates two at once, one row invalid
    other = services.action_create(
        actor=demo.coordinator,
        partnership=demo.northshire,
        text="Minute the board",
        source="Board",
        owners_text="DPM",
    )
    q = delivery["dpm_quarterly"]
    response = client.post(
        "/p/N01A/my-actions/",
        {
            f"status-{q.pk}": "on_track",
            f"percent-{q.pk}": "25",
            f"note-{q.pk}": "Q3 report made.",
            f"status-{other.pk}": "off_track",
            f"percent-{other.pk}": "0",
            f"note-{other.pk}": "",
        },
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "1 update recorded" in body and "Say why the action is off track" in body
    q.refresh_from_db()
    other.refresh_from_db()
    assert (q.status, q.percent_complete) == ("on_track", 25)
    assert other.status == "not_started"
    # unchanged rows are not recorded
    before = ProgressUpdate.objects.count()
    response = client.post(
        "/p/N01A/my-actions/",
        {
            f"status-{q.pk}": "on_track",
            f"percent-{q.pk}": "25",
            f"note-{q.pk}": "",
            f"status-{other.pk}": "on_track",
            f"percent-{other.pk}": "10",
            f"note-{other.pk}": "Minuted.",
        },
    )
    assert response.status_code == 302
    assert ProgressUpdate.objects.count() == before + 1


def test_home_page_panel_counts_my_actions(demo, client_for, delivery):
    page = client_for(demo.provider).get("/p/N01A/").content.decode()
    assert "My actions" in page
    panel = page.split("My actions</h2>")[1].split("</div>\n</div>")[0]
    assert ">2</span> open actions" in panel and ">1</span> overdue" in panel
