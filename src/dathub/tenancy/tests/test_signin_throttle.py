"""Sign-in throttling behind a shared proxy: the client limit counts each person's own address
(the proxy's X-Forwarded-For, only when the proxy is trusted), and the per-account limit
still holds whatever the address."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client, RequestFactory, override_settings

from dathub.tenancy.services import client_address

PROXY = "10.0.0.1"
LOCKED = "Too many failed attempts"


def _sign_in(client: Client, email: str, password: str, forwarded: str = "") -> str:
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {}
    response = client.post("/sign-in/", {"email": email, "password": password}, **extra)
    return response.content.decode() if response.status_code != 302 else "signed in"


def _guess_many_accounts(client: Client, forwarded: str = "") -> None:
    for i in range(settings.DATHUB_SIGNIN_MAX_FAILURES * 4):
        _sign_in(client, f"guess{i}@northshire.example", "wrong-password-guess", forwarded)


@override_settings(DATHUB_TRUSTED_PROXIES=[PROXY])
def test_behind_a_trusted_proxy_one_guesser_does_not_lock_out_the_office(demo):
    """Everyone arrives from the proxy's address: counting that address locked out every
    account in the office after one person's (or one attacker's) failures."""
    via_proxy = Client(REMOTE_ADDR=PROXY)
    _guess_many_accounts(via_proxy, forwarded="203.0.113.7")
    assert LOCKED in _sign_in(
        via_proxy, "coordinator@northshire.example", demo.password, "203.0.113.7"
    )
    colleague = Client(REMOTE_ADDR=PROXY)
    assert (
        _sign_in(colleague, "coordinator@northshire.example", demo.password, "198.51.100.20")
        == "signed in"
    )


@override_settings(DATHUB_TRUSTED_PROXIES=[PROXY])
def test_the_guesser_cannot_escape_by_writing_its_own_forwarded_header(demo):
    """Hops left of the one our proxy appended are the client's own words: only the
    right-most untrusted hop counts."""
    via_proxy = Client(REMOTE_ADDR=PROXY)
    for i in range(settings.DATHUB_SIGNIN_MAX_FAILURES * 4):
        _sign_in(via_proxy, f"guess{i}@northshire.example", "wrong", f"192.0.2.{i}, 203.0.113.7")
    assert LOCKED in _sign_in(
        via_proxy, "coordinator@northshire.example", demo.password, "1.2.3.4, 203.0.113.7"
    )


def test_without_trusted_proxies_the_forwarded_header_is_ignored(demo):
    """Anyone can send X-Forwarded-For: believed by default, it would let a guesser pose as
    a new client on every attempt."""
    client = Client(REMOTE_ADDR="192.0.2.50")
    for i in range(settings.DATHUB_SIGNIN_MAX_FAILURES * 4):
        _sign_in(client, f"guess{i}@northshire.example", "wrong", f"203.0.113.{i}")
    assert LOCKED in _sign_in(
        client, "coordinator@northshire.example", demo.password, "198.51.100.99"
    )


@override_settings(DATHUB_TRUSTED_PROXIES=[PROXY])
def test_the_account_limit_holds_from_every_address(demo):
    email = "analyst@northshire.example"
    for i in range(settings.DATHUB_SIGNIN_MAX_FAILURES):
        _sign_in(Client(REMOTE_ADDR=PROXY), email, "wrong-password-guess", f"203.0.113.{i}")
    fresh = Client(REMOTE_ADDR=PROXY)
    assert LOCKED in _sign_in(fresh, email, demo.password, "198.51.100.1")


@pytest.mark.parametrize(
    ("remote", "forwarded", "trusted", "expected"),
    [
        ("10.0.0.1", "203.0.113.7", [], "10.0.0.1"),  # no proxies trusted
        ("192.0.2.9", "203.0.113.7", ["10.0.0.1"], "192.0.2.9"),  # not through our proxy
        ("10.0.0.1", "203.0.113.7", ["10.0.0.1"], "203.0.113.7"),
        ("10.0.0.1", "6.6.6.6, 203.0.113.7", ["10.0.0.1"], "203.0.113.7"),
        # two proxies of ours (a load balancer, then the web proxy): skip both
        ("10.0.0.1", "203.0.113.7, 10.0.5.5", ["10.0.0.1", "10.0.5.0/24"], "203.0.113.7"),
        ("10.0.0.1", "", ["10.0.0.1"], "10.0.0.1"),  # nothing forwarded
        ("10.0.0.1", "junk, 203.0.113.7", ["10.0.0.1"], "203.0.113.7"),
        ("10.0.0.1", "203.0.113.7, junk", ["10.0.0.1"], "10.0.0.1"),  # ours wrote no address
        ("::1", "2001:db8::5", ["::1"], "2001:db8::5"),
    ],
)
def test_client_address(remote, forwarded, trusted, expected):
    request = RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    with override_settings(DATHUB_TRUSTED_PROXIES=trusted):
        assert client_address(request) == expected
