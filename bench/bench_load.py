"""Pages under load, through the production server: signed-in readers of every role, and
writers recording progress at the same time.

Bounded and loopback only: it loads the demo into a fresh database, starts `dathub serve` on
127.0.0.1, signs in one session per simulated person and for a fixed time fetches the main
pages (readers) or records progress on an action (writers), each person one request after
another with no pause. It prints, per phase, the requests made, the errors (any status other
than the expected one, or no answer) and the p50/p95/p99 response times.

    .venv/bin/python bench/bench_load.py                      # SQLite, both phases
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres \\
        .venv/bin/python bench/bench_load.py --database postgres
    options: --readers 20 --read-seconds 120 --writers 10 --mixed-readers 10
             --mixed-seconds 60 --port 8190 --workers N

On PostgreSQL it creates (and afterwards drops) a database named ``dathub_load``.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATHUB = str(ROOT / ".venv" / "bin" / "dathub")
PASSWORD = "demo-password-1"

# Who reads what: the main pages each role uses, in the demo's Northshire and Eastvale.
READERS: dict[str, list[str]] = {
    "coordinator@northshire.example": [
        "/p/N01A/",
        "/p/N01A/plans/",
        "/p/N01A/plans/{plan}/",
        "/p/N01A/actions/",
        "/p/N01A/my-actions/",
        "/p/N01A/performance/",
        "/p/N01A/performance/submissions/",
        "/p/N01A/board-packs/",
        "/p/N01A/audit/",
    ],
    "analyst@northshire.example": [
        "/p/N01A/performance/",
        "/p/N01A/performance/breakdowns/",
        "/p/N01A/performance/submissions/",
        "/p/N01A/plans/{plan}/",
    ],
    "provider@northshire.example": [
        "/p/N01A/",
        "/p/N01A/my-actions/",
        "/p/N01A/performance/",
        "/p/N01A/performance/submissions/",
    ],
    "board@northshire.example": [
        "/p/N01A/",
        "/p/N01A/plans/{plan}/",
        "/p/N01A/board-packs/",
        "/p/N01A/performance/",
    ],
    "coordinator@eastvale.example": [
        "/p/E02B/",
        "/p/E02B/plans/",
        "/p/E02B/actions/",
        "/p/E02B/performance/",
    ],
}
WRITER = "coordinator@northshire.example"


@dataclass
class Tally:
    times: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, seconds: float, problem: str | None) -> None:
        with self.lock:
            self.times.append(seconds)
            if problem:
                self.errors[problem] = self.errors.get(problem, 0) + 1


class Person:
    """One signed-in browser session (cookies and the CSRF token)."""

    def __init__(self, base: str, email: str) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect()
        )
        page = self.get("/sign-in/")[1]
        status, _ = self.post("/sign-in/", {"email": email, "password": PASSWORD}, page)
        if status != 302:
            raise SystemExit(f"could not sign in as {email} (status {status})")

    def _open(self, request: urllib.request.Request) -> tuple[int, str]:
        try:
            with self.opener.open(request, timeout=60) as response:
                return response.status, response.read().decode("utf-8", "replace")
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode("utf-8", "replace")

    def get(self, path: str) -> tuple[int, str]:
        return self._open(urllib.request.Request(self.base + path))  # noqa: S310 (http only)

    def post(self, path: str, data: dict[str, str], form_page: str) -> tuple[int, str]:
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form_page)
        body = urllib.parse.urlencode({**data, "csrfmiddlewaretoken": token[1] if token else ""})
        request = urllib.request.Request(  # noqa: S310 (http only)
            self.base + path, data=body.encode(), headers={"Referer": self.base + path}
        )
        return self._open(request)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        return None  # a redirect is an answer: count it, do not follow it


def _timed(tally: Tally, call, expected: set[int]) -> tuple[int, str]:  # type: ignore[no-untyped-def]
    started = time.perf_counter()
    try:
        status, body = call()
    except Exception as exc:  # no answer at all (refused, reset, timed out)
        tally.add(time.perf_counter() - started, type(exc).__name__)
        return 0, ""
    tally.add(time.perf_counter() - started, None if status in expected else str(status))
    return status, body


def reader(person: Person, pages: list[str], until: float, tally: Tally) -> None:
    i = 0
    while time.monotonic() < until:
        path = pages[i % len(pages)]
        _timed(tally, lambda p=path: person.get(p), {200})
        i += 1


def writer(person: Person, action: int, until: float, tally: Tally) -> None:
    path = f"/p/N01A/actions/{action}/"
    i = 0
    while time.monotonic() < until:
        _, page = _timed(tally, lambda: person.get(path), {200})
        data = {
            "status": "on_track",
            "percent_complete": str(10 + i % 80),
            "note": f"Load test update {i}.",
        }
        _timed(tally, lambda d=data, pg=page: person.post(path, d, pg), {302})
        i += 1


def _percentile(times: list[float], p: float) -> float:
    if len(times) < 2:
        return times[0] if times else 0.0
    return statistics.quantiles(times, n=100, method="inclusive")[int(p) - 1]


def report(name: str, tally: Tally, seconds: float) -> str:
    ms = sorted(t * 1000 for t in tally.times)
    errors = sum(tally.errors.values())
    detail = ", ".join(f"{k}: {v}" for k, v in sorted(tally.errors.items())) or "none"
    return (
        f"| {name} | {len(ms)} | {len(ms) / seconds:.1f} | {errors} ({detail}) | "
        f"{_percentile(ms, 50):.0f} | {_percentile(ms, 95):.0f} | {_percentile(ms, 99):.0f} |"
    )


def run_phase(base: str, readers: int, writers: int, seconds: float, ids: dict) -> Tally:
    emails = list(READERS)
    people = [Person(base, emails[i % len(emails)]) for i in range(readers)]
    scribes = [Person(base, WRITER) for _ in range(writers)]
    tally = Tally()
    until = time.monotonic() + seconds
    threads = [
        threading.Thread(
            target=reader,
            args=(p, [u.format(**ids) for u in READERS[emails[i % len(emails)]]], until, tally),
        )
        for i, p in enumerate(people)
    ] + [
        threading.Thread(target=writer, args=(p, ids["actions"][i], until, tally))
        for i, p in enumerate(scribes)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return tally


def _demo_ids(env: dict[str, str], writers: int) -> dict:
    script = (
        "import django, json; django.setup();"
        "from dathub.planning.models import Action, Plan;"
        "from dathub.planning.selectors import live_plans;"
        "from dathub.tenancy.models import Partnership;"
        "from dathub.core import clock;"
        "p = Partnership.objects.get(code='N01A');"
        "plan = live_plans(partnership=p, as_at=clock.today()).order_by('pk')[0];"
        "acts = list(Action.objects.filter(objective__grid__plan=plan, archived_at__isnull=True)"
        f".order_by('pk').values_list('pk', flat=True)[:{max(writers, 1)}]);"
        "print(json.dumps({'plan': plan.pk, 'actions': acts}))"
    )
    out = subprocess.run(
        [str(ROOT / ".venv" / "bin" / "python"), "-c", script],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    import json

    return json.loads(out.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--readers", type=int, default=20)
    parser.add_argument("--read-seconds", type=float, default=120)
    parser.add_argument("--writers", type=int, default=10)
    parser.add_argument("--mixed-readers", type=int, default=10)
    parser.add_argument("--mixed-seconds", type=float, default=60)
    parser.add_argument("--port", type=int, default=8190)
    parser.add_argument("--workers", type=int, default=0, help="server processes (0: default)")
    args = parser.parse_args()

    var = tempfile.mkdtemp(prefix="dathub-load-")
    env = {
        **os.environ,
        "DATHUB_VAR_DIR": var,
        "DJANGO_SETTINGS_MODULE": "dathub.config.settings.dev",
    }
    pg_admin = None
    if args.database == "postgres":
        if not os.environ.get("DATABASE_URL"):
            raise SystemExit(
                "--database postgres needs DATABASE_URL (a server to create a database on)"
            )
        import psycopg

        pg_admin = os.environ["DATABASE_URL"]
        with psycopg.connect(pg_admin, autocommit=True) as conn:
            conn.execute("DROP DATABASE IF EXISTS dathub_load")
            conn.execute("CREATE DATABASE dathub_load")
        env["DATABASE_URL"] = pg_admin.rsplit("/", 1)[0] + "/dathub_load"
    else:
        env.pop("DATABASE_URL", None)

    subprocess.run([DATHUB, "demo", "--no-serve"], env=env, check=True, capture_output=True)
    ids = _demo_ids(env, args.writers)
    serve = [DATHUB, "serve", "--port", str(args.port)]
    if args.workers:
        serve += ["--workers", str(args.workers)]
    log = open(Path(var) / "serve.log", "w")  # noqa: SIM115 (closed below)
    server = subprocess.Popen(serve, env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{args.port}"
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(base + "/sign-in/", timeout=2).close()  # noqa: S310
                break
            except OSError:
                time.sleep(0.5)
        else:
            raise SystemExit(f"the server did not answer; see {var}/serve.log")
        rows = []
        print(f"## {args.database}, through `dathub serve` ({base})\n", flush=True)
        if args.readers and args.read_seconds:
            tally = run_phase(base, args.readers, 0, args.read_seconds, ids)
            rows.append(
                report(
                    f"{args.readers} readers, {args.read_seconds:.0f} s", tally, args.read_seconds
                )
            )
        if args.writers and args.mixed_seconds:
            tally = run_phase(base, args.mixed_readers, args.writers, args.mixed_seconds, ids)
            name = f"{args.writers} writers + {args.mixed_readers} readers"
            rows.append(report(f"{name}, {args.mixed_seconds:.0f} s", tally, args.mixed_seconds))
        print("| load | requests | per second | errors | p50 ms | p95 ms | p99 ms |")
        print("|---|---:|---:|---|---:|---:|---:|")
        print("\n".join(rows))
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
        log.close()
        if pg_admin:
            import psycopg

            with psycopg.connect(pg_admin, autocommit=True) as conn:
                conn.execute("DROP DATABASE IF EXISTS dathub_load WITH (FORCE)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
