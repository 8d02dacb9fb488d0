"""Main pages on the demo data: response time (median of 5) and database queries.

Loads the demo into a temporary SQLite database, signs in as the Northshire co-ordinator and
fetches each page through Django's test client (no network), so the figures are the
application's own time. Run: `.venv/bin/python bench/bench_pages.py` (part of `make bench`).
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time


def main() -> int:
    var = tempfile.mkdtemp(prefix="dathub-bench-")
    os.environ["DATHUB_VAR_DIR"] = var
    os.environ.pop("DATABASE_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "dathub.config.settings.dev"
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from dathub.demo import load_demo
    from dathub.planning.models import Plan
    from dathub.reporting.models import BoardPack
    from dathub.tenancy.models import User

    settings.ALLOWED_HOSTS.append("testserver")
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    load_demo()
    print(f"demo loaded in {time.perf_counter() - started:.1f} s\n")

    client = Client()
    client.force_login(User.objects.get(email="coordinator@northshire.example"))
    plan = Plan.objects.filter(partnership__code="N01A").first()
    pack = BoardPack.objects.filter(partnership__code="N01A").first()
    assert plan is not None and pack is not None
    action = plan.grids.first().objectives.first().actions.first()  # type: ignore[union-attr]
    pages = [
        ("partnership home", "/p/N01A/"),
        ("plan (6 grids, ~40 actions)", f"/p/N01A/plans/{plan.pk}/"),
        ("action search", "/p/N01A/actions/"),
        ("my actions", "/p/N01A/my-actions/"),
        ("action with its history", f"/p/N01A/actions/{action.pk}/"),
        ("performance dashboard", "/p/N01A/performance/"),
        ("breakdowns", "/p/N01A/performance/breakdowns/"),
        ("record submissions", "/p/N01A/performance/submissions/"),
        ("board packs", "/p/N01A/board-packs/"),
        ("issued board pack", f"/p/N01A/board-packs/{pack.pk}/"),
        ("people", "/p/N01A/people/"),
        ("audit trail", "/p/N01A/audit/"),
        ("plan as Word", f"/p/N01A/plans/{plan.pk}/export.docx"),
        ("chart (PNG)", "/p/N01A/performance/chart.png?indicator=in_treatment"),
    ]
    print("| page | median ms | queries |\n|---|---:|---:|")
    for name, url in pages:
        client.get(url)  # warm caches, as a second visit would
        times = []
        for _ in range(5):
            with CaptureQueriesContext(connection) as queries:
                t = time.perf_counter()
                response = client.get(url)
                times.append((time.perf_counter() - t) * 1000)
            assert response.status_code == 200, (url, response.status_code)
        print(f"| {name} | {statistics.median(times):.0f} | {len(queries)} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
