"""Background work (django-tasks): checking a submission and recomputing the indicators.

Arguments are ids only; nothing client-level passes through the task queue.
"""

from __future__ import annotations

from django_tasks import task


@task()
def process_submission(submission_id: int) -> None:
    from . import services

    services.submission_process(submission_id)


@task()
def recompute_indicators() -> None:
    from . import services

    services.recompute()
