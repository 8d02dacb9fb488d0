"""Fixtures shared by every app's tests.

- `demo`: the two demo partnerships and their sign-in accounts (see `Demo`).
- `client_for(user)`: a Django test client signed in as `user`.
- `api_client_for(user)`: a client that sends a fresh personal API token of `user` as
  `Authorization: Bearer ...` (the token is made through the service, like the site does).

`demo` works with `db` and with `transactional_db` (live_server): it loads the demo
whenever the database does not hold it yet.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.test import Client

DEMO_ACCOUNTS = {
    "coordinator": "coordinator@northshire.example",
    "analyst": "analyst@northshire.example",
    "provider": "provider@northshire.example",
    "board": "board@northshire.example",
    "eastvale": "coordinator@eastvale.example",
    "admin": "admin@dathub.example",
}


@dataclass
class Demo:
    """The loaded demo: partnerships by name and code, and the sign-in users by role."""

    northshire: Any  # Northshire DAAT, N01A
    eastvale_partnership: Any  # Eastvale DAT, E02B
    coordinator: Any  # Northshire co-ordinator
    analyst: Any  # Northshire performance analyst
    provider: Any  # Northshire provider user of Northshire Recovery Trust
    board: Any  # Northshire board member (read-only)
    eastvale: Any  # Eastvale co-ordinator
    admin: Any  # site administrator
    password: str = "demo-password-1"
    users: dict[str, Any] = field(default_factory=dict)

    @property
    def partnerships(self) -> dict[str, Any]:
        return {"N01A": self.northshire, "E02B": self.eastvale_partnership}

    def person(self, email: str) -> Any:
        """The Person of a demo e-mail address, e.g. 'police@northshire.example'."""
        from dathub.tenancy.models import Person

        return Person.objects.get(email=email)

    def organisation(self, name: str) -> Any:
        from dathub.tenancy.models import Organisation

        return Organisation.objects.get(name=name)

    def body(self, name: str) -> Any:
        from dathub.tenancy.models import Body

        return Body.objects.get(name=name)


@pytest.fixture
def demo(db: None) -> Demo:
    from dathub.demo import DEMO_PASSWORD, load_demo
    from dathub.tenancy.models import Partnership, User

    load_demo(with_activity=False)
    users = {role: User.objects.get(email=email) for role, email in DEMO_ACCOUNTS.items()}
    return Demo(
        northshire=Partnership.objects.get(code="N01A"),
        eastvale_partnership=Partnership.objects.get(code="E02B"),
        password=DEMO_PASSWORD,
        users=users,
        **users,
    )


@pytest.fixture
def client_for(db: None) -> Callable[[Any], Client]:
    def make(user: Any) -> Client:
        client = Client()
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        return client

    return make


class ApiClient(Client):
    """A test client that authenticates every request with one personal API token."""

    def __init__(self, key: str, token: Any) -> None:
        super().__init__(headers={"Authorization": f"Bearer {key}"})
        self.key = key
        self.token = token


@pytest.fixture
def api_client_for(db: None) -> Callable[[Any], ApiClient]:
    from dathub.tenancy import services

    def make(user: Any) -> ApiClient:
        token, key = services.api_token_create(actor=user, name="tests")
        return ApiClient(key, token)

    return make


def dated_moment(when: str, now: Any) -> Any:
    """The moment a dated run of the suite pretends it is, in the site's zone.

    `when` is an ISO date and time (2027-03-31T23:30), or one relative to `now` so that the
    runs never fall behind the calendar: `today 08:30`, `next 03-31T23:30` (the next 31 March
    at 23:30 from now; `next 02-29T12:00` is the next leap day), `+10y` (ten years on)."""
    import datetime as dt

    local = now.tzinfo
    if when.startswith("today "):
        hour, minute = map(int, when.split()[1].split(":"))
        return now.replace(hour=hour, minute=minute, second=0, microsecond=0)
    if when.startswith("next "):
        month_day, clock_time = when.split()[1].split("T")
        month, day = map(int, month_day.split("-"))
        hour, minute = map(int, clock_time.split(":"))
        year = now.year
        while True:
            try:
                moment = dt.datetime(year, month, day, hour, minute, tzinfo=local)
            except ValueError:  # 29 February in a common year
                year += 1
                continue
            if moment > now:
                return moment
            year += 1
    if when.startswith("+") and when.endswith("y"):
        years = int(when[1:-1])
        try:
            return now.replace(year=now.year + years)
        except ValueError:
            return now.replace(year=now.year + years, day=28)
    moment = dt.datetime.fromisoformat(when)
    return moment if moment.tzinfo else moment.replace(tzinfo=local)


def _travel_to(when: str) -> None:
    """Move the one clock (and everything else that reads the system clock) to `when`,
    ticking on from there."""
    import datetime as dt
    import zoneinfo

    import time_machine

    now = dt.datetime.now(zoneinfo.ZoneInfo("Europe/London"))
    time_machine.travel(dated_moment(when, now), tick=True).start()


def pytest_configure(config: pytest.Config) -> None:
    # DATHUB_TEST_NOW=2027-03-31T23:30 runs the suite as if it were that moment (see
    # `make pytest-dates`): no test may depend on the day it runs.
    if os.environ.get("DATHUB_TEST_NOW"):
        _travel_to(os.environ["DATHUB_TEST_NOW"])
    # WhiteNoise warns that ./var/static does not exist: tests serve static files from the
    # apps' own folders (WHITENOISE_USE_FINDERS), so the collected folder is never needed.
    config.addinivalue_line("filterwarnings", "ignore:No directory at:UserWarning")
