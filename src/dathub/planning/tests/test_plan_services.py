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
    # an imported plan is a draft: a co-ordinator marks it live to track its delivery
    services.plan_set_live(actor=demo.coordinator, plan=plan, live=True)

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


def test_live_work_is_this_years_agreed_plan_and_the_plans_marked_live(demo: Any) -> None:
    """One rule, used by My actions, overdue counts, reminders, the spreadsheet and packs."""
    from dathub.core.models import AuditEvent
    from dathub.planning.document.dates import financial_year_label

    def plan(year: int, status: str = "draft") -> Plan:
        p = services.plan_create(
            actor=demo.coordinator,
            partnership=demo.northshire,
            financial_year=financial_year_label(year),
            title=f"Plan {year} {status}",
        )
        if status != "draft":
            p = services.plan_set_status(actor=demo.coordinator, plan=p, status="agreed")
        return p

    this_year, old, draft, next_year = (
        plan(2026, "agreed"),
        plan(2007, "agreed"),
        plan(2026),
        plan(2027),
    )

    def live(day: date) -> set[str]:
        return {p.title for p in selectors.live_plans(partnership=demo.northshire, as_at=day)}

    assert live(date(2026, 4, 1)) == {this_year.title}
    assert live(date(2027, 3, 31)) == {this_year.title}
    # next year's plan is still a draft: last year's actions are still being finished
    assert live(date(2027, 4, 1)) == {this_year.title}
    assert live(date(2028, 4, 1)) == set()  # but never a plan two years old
    services.plan_set_live(actor=demo.coordinator, plan=old, live=True)
    assert live(date(2026, 12, 1)) == {this_year.title, old.title}
    event = AuditEvent.objects.filter(action="plan.update", object_id=str(old.pk)).latest("pk")
    assert event.changes["marked_live"] == [False, True]
    services.plan_set_live(actor=demo.coordinator, plan=old, live=False)
    agreed_next = services.plan_set_status(actor=demo.coordinator, plan=next_year, status="agreed")
    assert live(date(2027, 4, 1)) == {agreed_next.title}  # once agreed, it takes over
    assert live(date(2028, 2, 29)) == {agreed_next.title}
    assert live(date(2027, 3, 31)) == {this_year.title}
    assert draft.title not in live(date(2026, 12, 1))
    with pytest.raises(PermissionDenied):
        services.plan_set_live(actor=demo.board, plan=draft, live=True)
    # another partnership's plans are never its live work
    assert not selectors.live_plans(
        partnership=demo.eastvale_partnership, as_at=date(2026, 6, 1)
    ).filter(pk=this_year.pk)


def test_an_imported_old_plan_does_not_flood_delivery_tracking(demo: Any, plan: Plan) -> None:
    """The Northshire 2009/10 example saved as a draft: nothing of it is in My actions, the
    overdue list, reminders or the progress spreadsheet, until it is marked live."""
    from dathub.core import clock
    from dathub.planning import reminders

    today = clock.today()
    overdue = selectors.action_search(
        actor=demo.coordinator, partnership=demo.northshire, today=today, due="overdue"
    )
    assert not overdue.filter(objective__grid__plan=plan).exists()
    sheet = selectors.open_actions_for_sheet(
        actor=demo.coordinator, partnership=demo.northshire, today=today
    )
    assert not sheet.filter(objective__grid__plan=plan).exists()
    provider = demo.person("provider@northshire.example")
    assert not reminders.owned_open_actions(provider, today).filter(objective__grid__plan=plan)
    services.plan_set_live(actor=demo.coordinator, plan=plan, live=True)
    assert reminders.owned_open_actions(provider, today).filter(objective__grid__plan=plan)
    assert overdue.all().filter(objective__grid__plan=plan).exists()


def test_every_row_a_roll_over_or_an_import_makes_has_its_author_in_history(
    demo: Any, plan: Plan
) -> None:
    from dathub.planning.models import Grid, Objective, Priority, SpendLine

    new = services.plan_roll_over(actor=demo.coordinator, plan=plan)
    for source in (plan, new):
        rows = [
            *Grid.objects.filter(plan=source),
            *Priority.objects.filter(grid__plan=source),
            *SpendLine.objects.filter(grid__plan=source),
            *Objective.objects.filter(grid__plan=source),
            *Action.objects.filter(objective__grid__plan=source),
        ]
        assert len(rows) > 10
        authors = {row.history.earliest().history_user for row in rows}
        assert authors == {demo.coordinator}, source
