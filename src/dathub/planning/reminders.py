"""The reminder digest: each owner's actions due in the next 14 days and overdue, by e-mail.

Sent once a day by a background task (tasks.send_reminders_task), which then queues itself
for the next morning; `dathub worker` (started by `dathub serve`) makes sure one is queued
when it starts, because django-tasks has no scheduler of its own. A person gets at most one
digest a day (ReminderSent), nothing when nothing is due, and nothing when they have switched
reminders off (Person.reminders_enabled, on their account page).

    dathub reminders send [--dry-run] [--date YYYY-MM-DD] [--partnership CODE]
    dathub reminders schedule
"""

from __future__ import annotations

import argparse
import logging
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from dathub.core import clock
from dathub.tenancy.models import Person

from . import delivery, selectors
from .models import Action, ReminderSent

log = logging.getLogger("dathub.reminders")
SEND_AT = time(7, 0)  # local time the daily digest goes out


@dataclass
class Digest:
    person: Any
    today: date
    overdue: list[Any] = field(default_factory=list)
    due_soon: list[Any] = field(default_factory=list)
    reports_due: list[Any] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not (self.overdue or self.due_soon or self.reports_due)


def owned_open_actions(person: Person, today: date) -> QuerySet[Action]:
    """For the system job acting for the owner: the open, current actions the person or
    the roles they hold own, in the live plans and from meetings."""
    qs = Action.objects.current().filter(partnership_id=person.partnership_id)
    qs = qs.filter(
        Q(objective__isnull=True)
        | Q(
            objective__archived_at__isnull=True,
            objective__grid__archived_at__isnull=True,
            objective__grid__plan__archived_at__isnull=True,
        )
    )
    return (
        selectors.in_live_plans(qs, partnership=person.partnership, as_at=today)
        .filter(selectors.owned_by_person_or_organisation(person))
        .exclude(status__in=[Action.Status.COMPLETE, Action.Status.DROPPED])
        .select_related("objective__grid__plan")
    )


def digest_for(person: Person, today: date, days: int = delivery.REMINDER_DAYS) -> Digest:
    digest = Digest(person=person, today=today)
    actions = list(owned_open_actions(person, today))
    reported = selectors.last_reported([a.pk for a in actions])
    horizon = today + timedelta(days=days)
    for a in actions:
        due = delivery.due_of(a)
        if delivery.is_overdue(due, a.status, today):
            a.days_overdue = delivery.days_overdue(due, a.status, today)  # type: ignore[attr-defined]
            digest.overdue.append(a)
        elif delivery.is_due_within(due, a.status, today, days):
            digest.due_soon.append(a)
        elif due.recurrence:
            nxt = delivery.next_report_due(due, today, reported.get(a.pk))
            if nxt is not None and nxt <= horizon:
                a.next_report = nxt  # type: ignore[attr-defined]
                digest.reports_due.append(a)
    digest.overdue.sort(key=lambda a: (a.due_end, a.pk))
    digest.due_soon.sort(key=lambda a: (a.due_end, a.pk))
    digest.reports_due.sort(key=lambda a: (a.next_report, a.pk))
    return digest


def people_to_remind(partnership_code: str | None = None) -> QuerySet[Person]:
    qs = (
        Person.objects.current()
        .filter(reminders_enabled=True, partnership__archived_at__isnull=True)
        .exclude(email="")
    )
    if partnership_code:
        qs = qs.filter(partnership__code__iexact=partnership_code)
    return qs.select_related("partnership").order_by("partnership__code", "full_name")


def _site_url() -> str:
    # An e-mail has no request to take the address from: the one setting says where the site
    # is (settings.production requires it).
    return str(settings.DATHUB_SITE_URL).rstrip("/")


def render_digest(digest: Digest) -> tuple[str, str, str]:
    """Subject, plain text and HTML of a digest."""
    p = digest.person
    context = {
        "digest": digest,
        "person": p,
        "partnership": p.partnership,
        "site": _site_url(),
        "my_actions_url": _site_url() + reverse("planning:my-actions", args=[p.partnership.code]),
        "account_url": _site_url() + reverse("core:account"),
        "action_base": _site_url() + f"/p/{p.partnership.code}/actions/",
        "days": delivery.REMINDER_DAYS,
    }
    n_over = len(digest.overdue)
    n_soon = len(digest.due_soon) + len(digest.reports_due)
    parts = []
    if n_over:
        parts.append(f"{n_over} overdue")
    if n_soon:
        parts.append(f"{n_soon} due in the next {delivery.REMINDER_DAYS} days")
    subject = f"{p.partnership.name}: your actions ({', '.join(parts)})"
    text = render_to_string("planning/email/digest.txt", context)
    html = render_to_string("planning/email/digest.html", context)
    return subject, text, html


def send_reminders(
    *, today: date | None = None, dry_run: bool = False, partnership_code: str | None = None
) -> list[dict[str, Any]]:
    """Send today's digests. Returns one line per person considered."""
    today = today or clock.today()
    results = []
    for person in people_to_remind(partnership_code):
        digest = digest_for(person, today)
        line: dict[str, Any] = {
            "person": person.full_name,
            "email": person.email,
            "partnership": person.partnership.code,
            "overdue": len(digest.overdue),
            "due_soon": len(digest.due_soon) + len(digest.reports_due),
            "outcome": "",
        }
        if digest.is_empty:
            line["outcome"] = "nothing due"
        elif ReminderSent.objects.filter(person=person, sent_on=today).exists():
            line["outcome"] = "already sent today"
        elif dry_run:
            line["outcome"] = "would send"
        else:
            subject, text, html = render_digest(digest)
            try:
                with transaction.atomic():
                    ReminderSent.objects.create(
                        partnership=person.partnership,
                        person=person,
                        sent_on=today,
                        overdue=line["overdue"],
                        due_soon=line["due_soon"],
                    )
                    message = EmailMultiAlternatives(subject, text, to=[person.email])
                    message.attach_alternative(html, "text/html")
                    message.send()
            except IntegrityError:
                line["outcome"] = "already sent today"
            else:
                line["outcome"] = "sent"
        results.append(line)
    log.info(
        "reminders for %s: %d sent",
        today.isoformat(),
        sum(1 for r in results if r["outcome"] == "sent"),
    )
    return results


# --- scheduling -------------------------------------------------------------------------------


def next_run(now: datetime | None = None) -> datetime:
    """07:00 local time today if still to come, else 07:00 tomorrow."""
    now = timezone.localtime(now)
    at = timezone.make_aware(datetime.combine(now.date(), SEND_AT))
    return (
        at
        if at > now
        else timezone.make_aware(datetime.combine(now.date() + timedelta(days=1), SEND_AT))
    )


def _pending_exists(task: Any, *, running: str | None = None) -> bool:
    """A run of ``task`` is waiting, or running on a live worker (one a lost worker left
    "running" will never run again). ``running`` is the run asking: itself running, it is
    not the next one."""
    from dathub.core import recovery

    return bool(recovery.live_task_args(task, excluding=running))


def schedule(*, at: datetime | None = None, running: str | None = None) -> datetime | None:
    """Queue the daily digest task unless one is already waiting. Backends that cannot run
    a task later (the tests' immediate backend) are left alone. ``running`` is the id of
    the run that asks for the next one (see send_reminders_task)."""
    from .tasks import send_reminders_task

    if not send_reminders_task.get_backend().supports_defer:
        return None
    if _pending_exists(send_reminders_task, running=running):
        return None
    when = at or next_run()
    send_reminders_task.using(run_after=when).enqueue()
    log.info("reminder digests queued for %s", when.isoformat())
    return when


def ensure_scheduled(now: datetime | None = None) -> datetime | None:
    """At worker start (and by the recoverer): queue a run now if today's 07:00 has passed
    (a person never gets two digests in a day), else at 07:00."""
    now = timezone.localtime(now or clock.now())
    at = now if now.time() >= SEND_AT else None
    return schedule(at=at)


def recover_schedule(now: datetime) -> int:
    """The recoverer (dathub.core.recovery): the daily chain queues its next run as it
    ends, so a worker killed mid-run would end the chain; with no run waiting, queue one."""
    return 1 if ensure_scheduled(now) is not None else 0


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="dathub reminders")
    sub = parser.add_subparsers(dest="command", required=True)
    send = sub.add_parser("send", help="send today's digests now")
    send.add_argument("--dry-run", action="store_true", help="say who would get one; send none")
    send.add_argument("--date", type=date.fromisoformat, help="as if today were YYYY-MM-DD")
    send.add_argument("--partnership", help="only this partnership's code")
    sub.add_parser("schedule", help="queue the daily digest task for the worker")
    args = parser.parse_args(argv)
    if args.command == "schedule":
        when = schedule()
        print(f"Queued for {when:%Y-%m-%d %H:%M}." if when else "Already queued.")
        return 0
    results = send_reminders(
        today=args.date, dry_run=args.dry_run, partnership_code=args.partnership
    )
    for r in results:
        print(
            f"{r['partnership']:<6} {r['person']:<28} {r['overdue']:>3} overdue "
            f"{r['due_soon']:>3} due soon  {r['outcome']}"
        )
    print(
        f"{sum(1 for r in results if r['outcome'] in {'sent', 'would send'})} digest(s) "
        + ("would be sent." if args.dry_run else "sent.")
    )
    return 0
