"""UPDATE_ACTIONS scoping: a provider user sees and updates only the actions their
organisation owns; other staff update what they own; another partnership gets 404."""

from __future__ import annotations

from datetime import timedelta

import pytest

from dathub.planning.models import ProgressUpdate

from .delivery_fixtures import build


@pytest.fixture
def delivery(demo):
    return build(demo)


def _post_update(client, action, **data):
    payload = {"status": "on_track", "percent_complete": "55", "note": "Moving on."}
    payload.update(data)
    return client.post(f"/p/N01A/actions/{action.pk}/", payload)


def test_provider_sees_only_their_organisations_actions(demo, client_for, delivery):
    client = client_for(demo.provider)
    search = client.get("/p/N01A/actions/").content.decode()
    assert "Trust overdue" in search and "Trust due soon" in search
    assert "Police at risk" not in search and "DPM complete" not in search
    mine = client.get("/p/N01A/my-actions/").content.decode()
    assert "Trust overdue" in mine and "Police at risk" not in mine
    plan = client.get(f"/p/N01A/plans/{delivery.plan.pk}/").content.decode()
    assert "Trust overdue" in plan and "Police at risk" not in plan
    assert client.get(f"/p/N01A/actions/{delivery['trust_overdue'].pk}/").status_code == 200
    assert client.get(f"/p/N01A/actions/{delivery['police_risk'].pk}/").status_code == 404


def test_provider_updates_their_own_action_and_not_another_organisations(
    demo, client_for, delivery
):
    client = client_for(demo.provider)
    own, other = delivery["trust_overdue"], delivery["police_risk"]
    before = ProgressUpdate.objects.filter(action=other).count()
    response = _post_update(client, own)
    assert response.status_code == 302
    own.refresh_from_db()
    assert (own.status, own.percent_complete) == ("on_track", 55)
    latest = ProgressUpdate.objects.filter(action=own).first()
    assert latest.author == demo.provider and latest.author_name == "Sam Okafor"

    response = _post_update(client, other, status="complete", percent_complete="100")
    assert response.status_code == 404  # same as a missing action
    other.refresh_from_db()
    assert other.status == "at_risk"
    assert ProgressUpdate.objects.filter(action=other).count() == before
    # nor through My actions
    response = client.post(
        "/p/N01A/my-actions/", {f"status-{other.pk}": "complete", f"note-{other.pk}": "done"}
    )
    other.refresh_from_db()
    assert other.status == "at_risk"


def test_the_service_refuses_another_organisations_action(demo, delivery):
    import pytest
    from django.core.exceptions import PermissionDenied

    from dathub.planning import services

    with pytest.raises(PermissionDenied):
        services.progress_update_create(
            actor=demo.provider, action=delivery["police_risk"], status="complete"
        )


def test_staff_update_what_they_or_their_roles_own(demo, client_for, delivery):
    """The analyst holds DPM: DPM's actions are theirs; the police's are visible, not theirs."""
    client = client_for(demo.analyst)
    quarterly = delivery["dpm_quarterly"]
    page = client.get(f"/p/N01A/actions/{quarterly.pk}/").content.decode()
    assert "Record progress" in page
    assert _post_update(client, quarterly).status_code == 302
    police = delivery["police_risk"]
    page = client.get(f"/p/N01A/actions/{police.pk}/").content.decode()
    assert "Record progress" not in page and "Police note: no budget." in page
    assert _post_update(client, police).status_code == 403
    mine = client.get("/p/N01A/my-actions/").content.decode()
    assert "DPM quarterly report" in mine and "Police at risk" not in mine


def test_read_only_roles_cannot_report_progress(demo, client_for, delivery):
    client = client_for(demo.board)
    action = delivery["trust_overdue"]
    page = client.get(f"/p/N01A/actions/{action.pk}/")
    assert page.status_code == 200 and "Record progress" not in page.content.decode()
    assert _post_update(client, action).status_code == 403
    assert client.post("/p/N01A/my-actions/", {}).status_code == 403
    assert client.get("/p/N01A/actions/progress.xlsx").status_code == 403


def test_eastvale_gets_404_for_northshire_actions_and_evidence(demo, client_for, delivery):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from dathub.planning import services

    action = delivery["dpm_done"]
    update = services.progress_update_create(
        actor=demo.coordinator,
        action=action,
        status="complete",
        date=delivery.today,
        evidence_file=SimpleUploadedFile("audit.pdf", b"%PDF-1.4 evidence"),
    )
    coordinator = client_for(demo.coordinator)
    evidence = f"/p/N01A/actions/{action.pk}/updates/{update.pk}/evidence/"
    response = coordinator.get(evidence)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 evidence"

    eastvale = client_for(demo.eastvale)
    for path in (
        f"/p/N01A/actions/{action.pk}/",
        evidence,
        f"/p/E02B/actions/{action.pk}/",
        f"/p/E02B/actions/{action.pk}/updates/{update.pk}/evidence/",
    ):
        assert eastvale.get(path).status_code == 404, path
    assert _post_update(eastvale, action).status_code == 404
    # the provider may not fetch evidence of an action their organisation does not own
    assert client_for(demo.provider).get(evidence).status_code == 404


def test_provider_spreadsheet_holds_only_their_actions(demo, client_for, delivery):
    import io

    from openpyxl import load_workbook

    response = client_for(demo.provider).get("/p/N01A/actions/progress.xlsx")
    assert response.status_code == 200
    ws = load_workbook(io.BytesIO(response.content))["Progress"]
    ids = {row[0] for row in ws.iter_rows(min_row=4, values_only=True) if row[0]}
    assert ids == {delivery["trust_overdue"].pk, delivery["trust_soon"].pk}


def test_a_past_date_is_allowed_and_a_future_one_is_not(demo, delivery):
    import pytest
    from django.core.exceptions import ValidationError

    from dathub.planning import services

    with pytest.raises(ValidationError) as exc:
        services.progress_update_create(
            actor=demo.coordinator,
            action=delivery["trust_soon"],
            status="on_track",
            date=delivery.today + timedelta(days=1),
        )
    assert "future" in str(exc.value)


def test_action_search_owner_choices_hold_only_people_the_actor_may_see(demo, client_for):
    """The owner filter must not list the partnership's directory to a provider (no
    view_people): only their own organisation's people, and no role holders."""
    police = demo.person("police@northshire.example")
    own = demo.organisation("Northshire Recovery Trust").people.current().first()
    coordinator_page = client_for(demo.coordinator).get("/p/N01A/actions/").content.decode()
    assert f'value="person:{police.pk}"' in coordinator_page
    page = client_for(demo.provider).get("/p/N01A/actions/").content.decode()
    assert f'value="person:{police.pk}"' not in page
    assert police.full_name not in page
    assert 'value="role:' not in page
    assert f'value="person:{own.pk}"' in page
