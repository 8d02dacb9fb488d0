"""The `dathub` command: one entry point for users, the demo and the tests.

Commands that work on files (plans parse, records check, kpi compute, records generate) need
no database and do not start Django; the rest set Django up first.
"""

from __future__ import annotations

import argparse
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
  serve [--host H] [--port N]    serve the site (and run background work) on http://HOST:PORT
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


def cmd_serve(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="dathub serve")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--no-worker", action="store_true", help="do not run background work")
    args = parser.parse_args(argv)
    _migrate(quiet=True)
    worker = None
    if not args.no_worker:
        # The worker watches this process and leaves with it, so a killed server never
        # leaves a worker behind holding the database.
        env = {**os.environ, "DATHUB_PARENT_PID": str(os.getpid())}
        worker = subprocess.Popen([sys.executable, "-m", "dathub.cli", "worker"], env=env)
    # SIGTERM (kill, a service manager) ends the server through `finally`, stopping the worker.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        return _manage(["runserver", f"{args.host}:{args.port}", "--noreload"])
    finally:
        if worker is not None:
            worker.terminate()


def _exit_with_parent(parent: int) -> None:
    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(2)
        os._exit(0)

    threading.Thread(target=watch, daemon=True, name="parent-watch").start()


def cmd_worker(argv: list[str]) -> int:
    parent = os.environ.get("DATHUB_PARENT_PID", "")
    if parent.isdigit():
        _exit_with_parent(int(parent))
    setup_django()
    from dathub.planning.reminders import ensure_scheduled

    ensure_scheduled()  # django-tasks has no scheduler: the daily digest queues itself
    return _manage(["db_worker", *argv])


def _reminders(argv: list[str]) -> int:
    setup_django()
    from dathub.planning.reminders import main

    return main(argv)


def cmd_demo(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="dathub demo")
    parser.add_argument("--no-serve", action="store_true")
    parser.add_argument("--port", type=int, default=8000)
    args = parser.parse_args(argv)
    _migrate(quiet=True)
    from dathub.demo import DEMO_PASSWORD, load_demo

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
