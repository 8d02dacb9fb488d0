"""Fixtures shared by every app's tests.

- `demo`: the two demo partnerships and their sign-in accounts (see `Demo`).
- `client_for(user)`: a Django test client signed in as `user`.
- `api_client_for(user)`: a client that sends a fresh personal API token of `user` as
  `Authorization: Bearer ...` (the token is made through the service, like the site does).

`demo` works with `db` and with `transactional_db` (live_server): it loads the demo
whenever the database does not hold it yet.
"""

from __future__ import annotations

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


def pytest_configure(config: pytest.Config) -> None:
    # WhiteNoise warns that ./var/static does not exist: tests serve static files from the
    # apps' own folders (WHITENOISE_USE_FINDERS), so the collected folder is never needed.
    config.addinivalue_line("filterwarnings", "ignore:No directory at:UserWarning")
