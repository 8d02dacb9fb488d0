"""The `dathub` command: one entry point for users, the demo and the tests.

Commands that work on files (plans parse, records check, kpi compute, records generate) need
no database and do not start Django; the rest set Django up first.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable

DEFAULT_SETTINGS = "dathub.config.settings.dev"

USAGE = """usage: dathub COMMAND [ARGS]

commands:
  demo [--no-serve] [--port N]   build the database, load the demo partnerships, serve the site
  serve [--host H] [--port N] [--workers N] [--no-worker]
                                 serve the site (and run background work) on http://HOST:PORT
  createadmin --email E          create a site administrator (password asked for, or
                                 DATHUB_ADMIN_PASSWORD)
  migrate                        create or update the database
  worker                         run background work (imports, recomputation, reports)
  reminders send [--dry-run]     e-mail today's digests of actions due and overdue
  reminders schedule             queue the daily digest for the worker
  plans parse FILE [--format json]
  plans import FILE --partnership CODE
  records check FILE [--as-of YYYY-MM-DD]
  records generate ...           synthetic treatment records (see dathub records generate -h)
  records import FILE --partnership CODE [--agency CODE]
  kpi compute FILE --from D --to D [--as-of D] [--prevalence F] [--format csv|json]
  manage ARGS...                 any Django management command
"""


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", DEFAULT_SETTINGS)
    import django

    django.setup()


def _manage(args: list[str]) -> int:
    setup_django()
    from django.core.management import execute_from_command_line

    execute_from_command_line(["dathub", *args])
    return 0


def _migrate(quiet: bool = False) -> None:
    setup_django()
    from django.conf import settings
    from django.core.management import call_command

    db = settings.DATABASES["default"]
    folder = os.path.dirname(str(db["NAME"]))
    # A relative file name or an in-memory database has no folder to make.
    if db["ENGINE"].endswith("sqlite3") and folder and not str(db["NAME"]).startswith("file:"):
        os.makedirs(folder, exist_ok=True)
    call_command("migrate", interactive=False, verbosity=0 if quiet else 1)


def _default_workers() -> int:
    # gunicorn's rule of thumb, kept small: each process holds its own database connections.
    return max(2, min(2 * (os.cpu_count() or 1) + 1, 8))


def _prepare_static() -> None:
    """Under production settings every page needs the static files' manifest: collect them
    before serving, so a fresh install does not answer every page with a 500."""
    from django.conf import settings
    from django.contrib.staticfiles.storage import ManifestFilesMixin, staticfiles_storage
    from django.core.management import call_command

    if isinstance(staticfiles_storage, ManifestFilesMixin):
        call_command("collectstatic", interactive=False, verbosity=0)
    else:
        # Served from the source folders (the demo); the empty folder spares a warning.
        os.makedirs(settings.STATIC_ROOT, exist_ok=True)


class WorkerSupervisor:
    """Keeps one background worker (`dathub worker`) running beside the web server: when it
    exits unexpectedly it is started again after 1 s, then 2 s, 4 s ... up to 60 s while it
    keeps dying; a worker that ran for RESET_AFTER seconds starts the count again."""

    FIRST_DELAY = 1.0
    MAX_DELAY = 60.0
    RESET_AFTER = 120.0

    def __init__(self, env: dict[str, str]) -> None:
        self.env = env
        self.process: subprocess.Popen[bytes] | None = None
        self.started_at = 0.0
        self.delay = self.FIRST_DELAY
        self.restart_at: float | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "dathub.cli", "worker"], env=self.env
        )
        self.started_at = time.monotonic()
        self.restart_at = None
        _log().info("background worker started (pid %s)", self.process.pid)

    def check(self) -> None:
        """Called every moment by `dathub serve`: notice a death, restart when it is due."""
        now = time.monotonic()
        if self.process is not None and self.process.poll() is not None:
            code = self.process.returncode
            how = f"killed by signal {-code}" if code < 0 else f"exit code {code}"
            if now - self.started_at >= self.RESET_AFTER:
                self.delay = self.FIRST_DELAY
            _log().error(
                "background worker (pid %s) stopped unexpectedly (%s); starting it again in %g s",
                self.process.pid,
                how,
                self.delay,
            )
            self.process = None
            self.restart_at = now + self.delay
            self.delay = min(self.delay * 2, self.MAX_DELAY)
        if self.process is None and self.restart_at is not None and now >= self.restart_at:
            self.start()

    def stop(self, timeout: float) -> None:
        """Let the worker finish its task (SIGTERM); kill it if it takes longer than timeout.
        A task killed that way is found and recovered by the next worker."""
        self.restart_at = None
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.terminate()
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def _log() -> logging.Logger:
    return logging.getLogger("dathub.serve")


def cmd_serve(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="dathub serve")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument(
        "--workers",
        type=int,
        default=_default_workers(),
        help="web server processes (default: from the number of CPUs, now %(default)s)",
    )
    parser.add_argument("--no-worker", action="store_true", help="do not run background work")
    args = parser.parse_args(argv)
    if args.workers < 1:
        parser.error("--workers must be 1 or more")
    _migrate(quiet=True)
    _prepare_static()
    from django.db import connections

    connections.close_all()  # the web server and worker open their own

    # The server and the worker watch this process and leave with it, so a killed `dathub
    # serve` never leaves them behind holding the port and the database.
    env = {**os.environ, "DATHUB_PARENT_PID": str(os.getpid())}
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "--config",
            "python:dathub.config.gunicorn",
            "--bind",
            f"{args.host}:{args.port}",
            "--workers",
            str(args.workers),
        ],
        env=env,
    )
    worker = None if args.no_worker else WorkerSupervisor(env)
    if worker is not None:
        worker.start()

    stopping = threading.Event()

    def stop(signum: int, frame: object) -> None:
        stopping.set()

    # SIGTERM (a service manager) and Ctrl-C stop both gracefully: the server finishes the
    # requests in progress (gunicorn's graceful timeout), the worker its task.
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        while not stopping.is_set() and server.poll() is None:
            if worker is not None:
                worker.check()
            stopping.wait(0.5)
    finally:
        if server.poll() is None:
            server.terminate()
        if worker is not None:
            worker.stop(timeout=30)
        try:
            server.wait(timeout=40)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    if not stopping.is_set():
        _log().error("the web server stopped (exit code %s)", server.returncode)
        return server.returncode or 1
    return 0


def _exit_with_parent(parent: int) -> None:
    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(2)
        os._exit(0)

    threading.Thread(target=watch, daemon=True, name="parent-watch").start()


def _every(
    seconds: float, work: Callable[[], object], stop: threading.Event, name: str
) -> threading.Thread:
    """Run work now and then every `seconds` in a thread of its own until stop is set. A
    failure (a busy or unreachable database) is logged and tried again next time; the
    thread's connection is closed after each round."""

    def run() -> None:
        from django.db import connection

        while True:
            try:
                work()
            except Exception as exc:  # the next round tries again
                _log().warning("%s failed (%s); trying again", name, type(exc).__name__)
            finally:
                connection.close()
            if stop.wait(seconds):
                return

    thread = threading.Thread(target=run, daemon=True, name=name)
    thread.start()
    return thread


def cmd_worker(argv: list[str]) -> int:
    parent = os.environ.get("DATHUB_PARENT_PID", "")
    if parent.isdigit():
        _exit_with_parent(int(parent))
    setup_django()
    from dathub.core import recovery
    from dathub.planning.reminders import ensure_scheduled

    worker_id = recovery.new_worker_id()
    # Stopped before db_worker takes over its signals (it then finishes its task first):
    # leave cleanly, through `finally`.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    stop = threading.Event()
    # The heartbeat says this worker is alive, so the tasks it claims are not taken for
    # abandoned; recovery finds the work of workers that died (killed, crashed, lost).
    heartbeat = _every(recovery.BEAT_SECONDS, lambda: recovery.beat(worker_id), stop, "heartbeat")
    _every(60, recovery.recover_abandoned_work, stop, "recovery")
    ensure_scheduled()  # django-tasks has no scheduler: the daily digest queues itself
    clean = False
    try:
        _manage(["db_worker", "--worker-id", worker_id, *argv])
        clean = True
    except SystemExit as exc:  # db_worker leaves with sys.exit(0) on SIGTERM between tasks
        clean = exc.code in (0, None)
        raise
    finally:
        stop.set()
        if clean:
            heartbeat.join(timeout=30)  # no last beat after its heartbeat is gone
            recovery.forget(worker_id)
    return 0


def _reminders(argv: list[str]) -> int:
    setup_django()
    from dathub.planning.reminders import main

    return main(argv)


def cmd_demo(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="dathub demo")
    parser.add_argument("--no-serve", action="store_true")
    parser.add_argument("--port", type=int, default=8000)
    args = parser.parse_args(argv)
    setup_django()
    from dathub.demo import DEMO_PASSWORD, DemoRefused, load_demo, refuse_unless_safe

    try:
        refuse_unless_safe()  # before anything is written, the schema too
    except DemoRefused as exc:
        print(f"dathub demo: {exc}", file=sys.stderr)
        return 2
    _migrate(quiet=True)

    accounts = load_demo()
    print(f"\nThe demo is loaded. Sign in at http://127.0.0.1:{args.port} with:")
    for email, description in accounts:
        print(f"  {email:<36} {description}")
    print(f"Every demo account's password is: {DEMO_PASSWORD}\n")
    if args.no_serve:
        return 0
    return cmd_serve(["--port", str(args.port)])


def cmd_createadmin(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="dathub createadmin")
    parser.add_argument("--email", required=True)
    parser.add_argument("--name", default="")
    args = parser.parse_args(argv)
    _migrate(quiet=True)
    import getpass

    from django.contrib.auth.password_validation import validate_password
    from django.core.exceptions import ValidationError

    from dathub.tenancy.models import User

    password = os.environ.get("DATHUB_ADMIN_PASSWORD") or getpass.getpass("Password: ")
    try:
        validate_password(password)
    except ValidationError as exc:
        print("Password not accepted: " + " ".join(exc.messages), file=sys.stderr)
        return 2
    if User.objects.filter(email__iexact=args.email).exists():
        print(f"An account for {args.email} already exists.", file=sys.stderr)
        return 2
    User.objects.create_superuser(args.email, password, full_name=args.name)
    print(f"Site administrator {args.email} created.")
    return 0


def _group(name: str, handlers: dict[str, Callable[[list[str]], int]]) -> Callable[..., int]:
    def run(argv: list[str]) -> int:
        if not argv or argv[0] not in handlers:
            print(f"usage: dathub {name} {{{','.join(handlers)}}} ...", file=sys.stderr)
            return 2
        return handlers[argv[0]](argv)

    return run


def _plans_pure(argv: list[str]) -> int:
    from dathub.planning.document.cli import main

    return main(argv)


def _plans_db(argv: list[str]) -> int:
    setup_django()
    from dathub.planning.commands import main

    return main(argv)


def _records_pure(argv: list[str]) -> int:
    from dathub.performance.engine.cli import records_main

    return records_main(argv)


def _records_db(argv: list[str]) -> int:
    setup_django()
    from dathub.performance.commands import main

    return main(argv)


def _kpi(argv: list[str]) -> int:
    from dathub.performance.engine.cli import kpi_main

    return kpi_main(argv)


COMMANDS: dict[str, Callable[[list[str]], int]] = {
    "demo": cmd_demo,
    "serve": cmd_serve,
    "worker": cmd_worker,
    "createadmin": cmd_createadmin,
    "migrate": lambda argv: _manage(["migrate", *argv]),
    "manage": _manage,
    "plans": _group("plans", {"parse": _plans_pure, "import": _plans_db}),
    "records": _group(
        "records", {"check": _records_pure, "generate": _records_pure, "import": _records_db}
    ),
    "kpi": _group("kpi", {"compute": _kpi}),
    "reminders": _group("reminders", {"send": _reminders, "schedule": _reminders}),
}


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] in {"-h", "--help", "help"}:
        print(USAGE)
        return 0 if argv else 2
    command = COMMANDS.get(argv[0])
    if command is None:
        print(f"dathub: unknown command '{argv[0]}'\n\n{USAGE}", file=sys.stderr)
        return 2
    return command(argv[1:])


if __name__ == "__main__":
    sys.exit(main())
