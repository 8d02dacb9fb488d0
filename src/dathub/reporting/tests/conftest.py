"""Fixtures of the board pack tests: the small delivery plan and the board."""

from __future__ import annotations

import pytest

from dathub.planning.tests.delivery_fixtures import build


@pytest.fixture
def delivery(demo):
    return build(demo)


@pytest.fixture
def board(demo):
    return demo.body("Northshire Partnership Board")
