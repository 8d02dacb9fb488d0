"""The e-mail digest: what is due in the next 14 days and overdue, to each owner, once a day,
unless they switched reminders off."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.core import mail
from django.utils import timezone

from dathub.planning import reminders
from dathub.planning.models import ReminderSent
from dathub.tenancy import services as tenancy_services

from .delivery_fixtures import build

pytestmark = pytest.mark.calendar


@pytest.fixture
def delivery(demo):
    return build(demo)


def _mail_to(address: str):
    return [m for m in mail.outbox if address in m.to]


def test_digest_lists_overdue_and_due_soon_in_text_and_html(demo, delivery):
    results = reminders.send_reminders(today=delivery.today)
    sam = _mail_to("provider@northshire.example")
    assert len(sam) == 1
    message = sam[0]
    assert "Northshire DAAT: your actions (1 overdue, 1 due in the next 14 days)" == message.subject
    text = message.body
    assert "OVERDUE (1)" in text and "Trust overdue: train staff in naloxone" in text
    assert "10 days ago" in text
    assert "DUE IN THE NEXT 14 DAYS (1)" in text and "Trust due soon" in text
    assert f"/p/N01A/actions/{delivery['trust_overdue'].pk}/" in text
    assert "/p/N01A/my-actions/" in text and "/account/" in text
    assert "Police at risk" not in text  # not the trust's
    html, kind = message.alternatives[0]
    assert kind == "text/html"
    assert "<h2" in html and "Trust overdue: train staff in naloxone" in html
    assert "10 days overdue" in html
    outcome = {r["email"]: r["outcome"] for r in results}
    assert outcome["provider@northshire.example"] == "sent"


def test_role_holders_get_their_roles_actions_and_recurring_reports(demo, delivery):
    # the analyst holds DPM: the quarterly report is due at the end of the quarter
    from dathub.planning.delivery import due_of, next_report_due

    q = delivery["dpm_quarterly"]
    report_due = next_report_due(due_of(q), delivery.today)
    reminders.send_reminders(today=report_due - timedelta(days=3))
    priya = _mail_to("analyst@northshire.example")
    assert len(priya) == 1 and "REGULAR REPORTS DUE (1)" in priya[0].body
    assert "DPM quarterly report to the JCG" in priya[0].body
    assert "DPM complete" not in priya[0].body  # complete work is not reminded
    # the cj lead holds DIP PM: the off-track action is overdue
    morgan = _mail_to("cjlead@northshire.example")
    assert len(morgan) == 1 and "DIP off track" in morgan[0].body


def test_nothing_beyond_14_days_and_no_empty_digests(demo, delivery):
    reminders.send_reminders(today=delivery.today)
    # "Not started" is due in 100 days and owned by NDAT Commissioner (Chris Taylor)
    chris = _mail_to("commissioning@northshire.example")
    assert all("Not started: retender" not in m.body for m in chris)
    # the board chair owns nothing
    assert not _mail_to("board@northshire.example")


def test_people_who_switched_reminders_off_get_none(demo, client_for, delivery):
    sam = demo.person("provider@northshire.example")
    tenancy_services.person_update(actor=demo.provider, person=sam, reminders_enabled=False)
    results = reminders.send_reminders(today=delivery.today)
    assert not _mail_to("provider@northshire.example")
    assert "provider@northshire.example" not in {r["email"] for r in results}
    sam.refresh_from_db()
    tenancy_services.person_update(actor=demo.provider, person=sam, reminders_enabled=True)
    reminders.send_reminders(today=delivery.today)
    assert len(_mail_to("provider@northshire.example")) == 1


def test_once_a_day_and_dry_run_sends_nothing(demo, delivery):
    dry = reminders.send_reminders(today=delivery.today, dry_run=True)
    assert not mail.outbox and not ReminderSent.objects.exists()
    assert "would send" in {r["outcome"] for r in dry}
    first = reminders.send_reminders(today=delivery.today)
    sent = len(mail.outbox)
    assert sent == sum(1 for r in first if r["outcome"] == "sent") > 0
    again = reminders.send_reminders(today=delivery.today)
    assert len(mail.outbox) == sent
    assert {r["outcome"] for r in again} <= {"already sent today", "nothing due"}
    reminders.send_reminders(today=delivery.today + timedelta(days=1))
    assert len(mail.outbox) > sent


def test_the_background_task_sends_the_digests(demo, delivery):
    from dathub.planning.tasks import send_reminders_task

    result = send_reminders_task.enqueue(delivery.today.isoformat())
    assert result.status == "SUCCESSFUL"
    assert result.return_value["sent"] == len(mail.outbox) > 0
    # the tests' immediate backend cannot run a task later: nothing is queued (no loop)
    assert reminders.schedule() is None


def test_next_run_is_seven_in_the_morning():
    tz = timezone.get_current_timezone()
    early = timezone.make_aware(datetime(2027, 3, 31, 6, 59), tz)
    late = timezone.make_aware(datetime(2027, 3, 31, 7, 0), tz)
    assert reminders.next_run(early) == timezone.make_aware(datetime(2027, 3, 31, 7, 0), tz)
    assert reminders.next_run(late) == timezone.make_aware(datetime(2027, 4, 1, 7, 0), tz)


def test_the_command_line(demo, delivery, capsys):
    assert reminders.main(["send", "--dry-run", "--date", delivery.today.isoformat()]) == 0
    out = capsys.readouterr().out
    assert "Sam Okafor" in out and "would send" in out and "would be sent." in out
    assert not mail.outbox
