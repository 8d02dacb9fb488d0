"""Background work of the planning app (run by `dathub worker`)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django_tasks import task


@task()
def send_reminders_task(day: str | None = None) -> dict[str, Any]:
    """Send the day's reminder digests, then queue tomorrow's run."""
    from .reminders import schedule, send_reminders

    try:
        results = send_reminders(today=date.fromisoformat(day) if day else None)
    finally:
        schedule()
    return {"sent": sum(1 for r in results if r["outcome"] == "sent")}
