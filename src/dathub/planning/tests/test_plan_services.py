from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from dathub.core.models import AuditEvent
from dathub.planning import selectors, services
from dathub.planning.document import export_docx, export_xlsx, parse_document
from dathub.planning.models import Action, ActionOwner, Plan, PlanImport

EXPECTED = json.loads(
    (Path(__file__).parent / "data" / "northshire-2009-10-grids.expected.json").read_text()
)


def test_import_stores_the_whole_plan_and_keeps_cell_text(demo: Any, plan: Plan) -> None:
    assert plan.status == Plan.Status.DRAFT
    assert plan.financial_year == "2009/10"
    assert plan.published_on == date(2008, 11, 14)
    stored = selectors.strip_ids(selectors.plan_as_json(actor=demo.coordinator, plan=plan))
    # What the database holds is exactly what the document said (the spec's expected JSON).
    assert stored == EXPECTED
    waits = Action.objects.get(partnership=demo.northshire, text__startswith="Weekly waiting")
    assert waits.due_text == "Monthly/ Quarterly" and waits.due_recurrence == "monthly"
    assert waits.owners_text == "NDAT Contracts & Performance Officer"


def test_import_links_owners_to_the_partnerships_roles(demo: Any, plan: Plan) -> None:
    owner = ActionOwner.objects.get(action__text__startswith="Weekly waiting")
    assert owner.role_name is not None
    assert owner.role_name.abbreviation == "NDAT Contracts & Performance Officer"
    unknown = ActionOwner.objects.get(text="PCT Estates")
    assert unknown.role_name is not None  # the demo names it
    parties = [o.text for o in ActionOwner.objects.filter(action__text__startswith="Monitor")]
    assert parties == ["JCG", "NDAT Data Lead"]


def test_import_writes_one_audit_event_with_counts(demo: Any, plan: Plan) -> None:
    event = AuditEvent.objects.get(action="plan.import", object_id=str(plan.pk))
    assert event.partnership == demo.northshire and event.actor == demo.coordinator
    assert event.changes["actions"] == [None, 9]


def test_import_is_all_or_nothing(demo: Any) -> None:
    before = (Plan.objects.count(), Action.objects.count())
    broken = {
        "schema": "dathub.plan/1",
        "financial_year": "2009/10",
        "title": "Broken",
        "grids": [
            {
                "number": 1,
                "title": "Grid",
                "priorities": [],
                "spend": [],
                "objectives": [
                    {
                        "number": 1,
                        "title": "O",
                        "actions": [
                            {"text": "ok", "due": None, "owners": None, "cost": None},
                            {"text": "bad", "due": {"text": "x", "start": "not-a-date"}},
                        ],
                    }
                ],
            }
        ],
    }
    with pytest.raises(ValueError):
        services.plan_from_json(actor=demo.coordinator, partnership=demo.northshire, data=broken)
    assert (Plan.objects.count(), Action.objects.count()) == before


def test_a_document_that_is_not_a_plan_is_refused_with_a_reason(demo: Any) -> None:
    with pytest.raises(ValidationError) as exc:
        services.plan_import_stage(
            actor=demo.coordinator,
            partnership=demo.northshire,
            filename="notes.docx",
            data=b"not a word file",
        )
    assert "document" in exc.value.message_dict
    assert PlanImport.objects.count() == 0


def test_only_plan_managers_import(demo: Any, example_bytes: bytes) -> None:
    for user in (demo.board, demo.provider, demo.eastvale):
        with pytest.raises(PermissionDenied):
            services.plan_import_stage(
                actor=user, partnership=demo.northshire, filename="p.txt", data=example_bytes
            )


def test_status_runs_draft_agreed_published_with_sign_off(demo: Any, plan: Plan) -> None:
    with pytest.raises(ValidationError):
        services.plan_set_status(actor=demo.coordinator, plan=plan, status="published")
    services.plan_set_status(actor=demo.coordinator, plan=plan, status="agreed")
    plan.refresh_from_db()
    assert plan.signed_off_by == demo.coordinator and plan.signed_off_at is not None
    services.plan_set_status(actor=demo.coordinator, plan=plan, status="published")
    plan.refresh_from_db()
    assert plan.status == "published"
    with pytest.raises(ValidationError):
        services.plan_set_status(actor=demo.coordinator, plan=plan, status="draft")


def test_roll_over_keeps_structure_and_carries_open_actions(demo: Any, plan: Plan) -> None:
    done = Action.objects.get(text__startswith="Secure premises")
    dropped = Action.objects.get(text__startswith="Annual audit")
    services.action_update(actor=demo.coordinator, action=done, status="complete")
    services.action_update(actor=demo.coordinator, action=dropped, status="dropped")
    new = services.plan_roll_over(actor=demo.coordinator, plan=plan)
    assert new.financial_year == "2010/11" and new.status == "draft"
    assert new.title == "Adult drug treatment plan 2010/11 Part 3: Planning grids"
    assert new.rolled_over_from == plan
    old_json = selectors.plan_as_json(actor=demo.coordinator, plan=plan)
    new_json = selectors.plan_as_json(actor=demo.coordinator, plan=new)
    assert [g["title"] for g in new_json["grids"]] == [g["title"] for g in old_json["grids"]]
    assert [o["title"] for g in new_json["grids"] for o in g["objectives"]] == [
        o["title"] for g in old_json["grids"] for o in g["objectives"]
    ]
    carried = [a["text"] for g in new_json["grids"] for o in g["objectives"] for a in o["actions"]]
    assert len(carried) == 7
    assert not any(t.startswith(("Secure premises", "Annual audit")) for t in carried)
    # Owners come along, linked as before.
    monitor = Action.objects.get(objective__grid__plan=new, text__startswith="Monitor")
    assert [o.text for o in monitor.owners.current()] == ["JCG", "NDAT Data Lead"]


@pytest.mark.parametrize("export", [export_docx, export_xlsx])
def test_export_then_import_gives_the_same_plan(demo: Any, plan: Plan, export: Any) -> None:
    data = selectors.plan_as_json(actor=demo.coordinator, plan=plan)
    suffix = ".docx" if export is export_docx else ".xlsx"
    staged = services.plan_import_stage(
        actor=demo.coordinator,
        partnership=demo.northshire,
        filename=f"again{suffix}",
        data=export(data),
    )
    again = services.plan_import_confirm(actor=demo.coordinator, plan_import=staged)
    again_json = selectors.plan_as_json(actor=demo.coordinator, plan=again)
    assert selectors.strip_ids(again_json) == selectors.strip_ids(data)


def test_parse_document_of_the_docx_export_matches_the_expected_json(demo: Any, plan: Plan) -> None:
    data = selectors.plan_as_json(actor=demo.coordinator, plan=plan)
    parsed = parse_document(export_docx(data), "plan.docx")
    parsed.pop("issues", None)
    assert parsed == EXPECTED


def test_provider_sees_only_actions_their_organisation_owns(demo: Any, plan: Plan) -> None:
    mine = selectors.action_list(actor=demo.provider, partnership=demo.northshire)
    assert [a.text for a in mine] == ["Recruit two recovery workers for the satellite clinic"]
    everyone = selectors.action_list(actor=demo.coordinator, partnership=demo.northshire)
    assert everyone.count() == 9
    assert selectors.action_list(actor=demo.eastvale, partnership=demo.northshire).count() == 0


def test_editing_an_action_rereads_by_when_and_owners(demo: Any, plan: Plan) -> None:
    action = Action.objects.get(text__startswith="Add a waiting times clause")
    services.action_update(
        actor=demo.coordinator,
        action=action,
        owners_text="DPM/ BM",
        **services.read_due("Q3 09", plan.financial_year),
    )
    action.refresh_from_db()
    assert (action.due_start, action.due_end) == (date(2009, 10, 1), date(2009, 12, 31))
    assert [o.role_name.abbreviation for o in action.owners.current()] == ["DPM", "BM"]
    event = AuditEvent.objects.filter(action="action.update", object_id=str(action.pk)).get()
    assert event.changes["due_text"] == ["Jun 2009", "Q3 09"]


def test_action_search_filters(demo: Any, plan: Plan) -> None:
    today = date(2009, 9, 15)

    def found(**kw: Any) -> list[str]:
        return [
            a.text[:20]
            for a in selectors.action_search(
                actor=demo.coordinator, partnership=demo.northshire, today=today, **kw
            )
        ]

    assert found(due="overdue") == ["Develop a retention ", "Add a waiting times "]
    assert found(due="this_month") == ["Secure premises in t"]
    assert found(due="this_quarter") == ["Secure premises in t"]  # Q2: July-September
    assert found(due="next_quarter") == ["Recruit two recovery"]
    assert len(found(due="recurring")) == 3
    assert found(q="satellite") == ["Secure premises in t", "Recruit two recovery"]
    assert found(grid=2, due="overdue") == ["Develop a retention "]
    from dathub.tenancy.models import RoleName

    jcg = RoleName.objects.get(partnership=demo.northshire, abbreviation="NDAT Commissioner")
    assert len(found(owner=f"role:{jcg.pk}")) == 3
