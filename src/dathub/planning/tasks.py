"""Background work of the planning app (run by `dathub worker`).

Arguments are ids only. Every task is safe to run again (a recoverer may queue one again
after its worker was lost): reading an import moves it on only while it is still "reading",
and a person gets at most one reminder digest a day.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django_tasks import TaskContext, task


@task()
def read_plan_import(import_id: int) -> str:
    """Read an uploaded plan document, reporting progress; leaves it pending or failed."""
    from .services import plan_import_read

    return str(plan_import_read(import_id=import_id).status)


@task(takes_context=True)
def send_reminders_task(context: TaskContext, day: str | None = None) -> dict[str, Any]:
    """Send the day's reminder digests, then queue tomorrow's run (this run itself, still
    running, does not count as the next one waiting)."""
    from .reminders import schedule, send_reminders

    try:
        results = send_reminders(today=date.fromisoformat(day) if day else None)
    finally:
        schedule(running=str(context.task_result.id))
    return {"sent": sum(1 for r in results if r["outcome"] == "sent")}
