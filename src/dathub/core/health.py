"""Liveness (`/healthz`) and readiness (`/readyz`) for a service manager or load balancer.

Both are public (no sign-in), never cached, and say only which check failed: no names, no
counts of anyone's data, no worker or host names.
"""

from __future__ import annotations

import logging

from django.contrib.staticfiles.storage import ManifestFilesMixin, staticfiles_storage
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_safe

from . import recovery

log = logging.getLogger("dathub.health")

# Once every migration is applied it stays so for this process (new migrations come with new
# code, which means new processes): the migration graph is read from disk only until then.
_migrations_applied = False


def _database_answers() -> bool:
    try:
        with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception as exc:  # any failure to answer means not alive
        log.warning("health: the database did not answer (%s)", type(exc).__name__)
        return False


def _migrations_check() -> str:
    global _migrations_applied
    if not _migrations_applied:
        executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
        if executor.migration_plan(executor.loader.graph.leaf_nodes()):
            return "not applied: run dathub migrate"
        _migrations_applied = True
    return "ok"


def _static_check() -> str:
    """Under production settings every page needs the static files' manifest."""
    if not isinstance(staticfiles_storage, ManifestFilesMixin):
        return "ok"  # served from the source folders (the demo), nothing to prepare
    if not staticfiles_storage.exists(staticfiles_storage.manifest_name):
        return "missing: run dathub manage collectstatic (dathub serve does it)"
    return "ok"


def _worker_check() -> str:
    if not recovery._uses_database_backend():
        return "ok"  # tasks run at once, in the request (tests): no worker to wait for
    if not recovery.live_worker_ids():
        return (
            f"no background worker seen in the last {int(recovery.lost_after().total_seconds())} s"
        )
    return "ok"


def _json(body: dict[str, object], status: int) -> JsonResponse:
    response = JsonResponse(body, status=status)
    response["Cache-Control"] = "no-store"
    return response


@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """Alive: the database answers."""
    if _database_answers():
        return _json({"status": "ok"}, 200)
    return _json({"status": "error", "checks": {"database": "not answering"}}, 503)


@require_safe
def readyz(request: HttpRequest) -> JsonResponse:
    """Ready for people: the database answers, its migrations are applied, the static files
    are prepared, and a background worker is beating (uploads would wait forever without)."""
    if not _database_answers():
        return _json({"status": "not ready", "checks": {"database": "not answering"}}, 503)
    checks = {"database": "ok"}
    for name, check in (
        ("migrations", _migrations_check),
        ("static", _static_check),
        ("worker", _worker_check),
    ):
        try:
            checks[name] = check()
        except Exception as exc:  # a check that cannot run is a check that failed
            log.warning("readiness: the %s check failed (%s)", name, type(exc).__name__)
            checks[name] = "could not be checked"
    ready = all(v == "ok" for v in checks.values())
    return _json(
        {"status": "ready" if ready else "not ready", "checks": checks}, 200 if ready else 503
    )
