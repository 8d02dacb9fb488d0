"""Fixtures for the plan tests: a plan imported from the Northshire example (fictional)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

EXAMPLE = Path(__file__).parent / "data" / "northshire-2009-10-grids.txt"


@pytest.fixture
def example_bytes() -> bytes:
    return EXAMPLE.read_bytes()


@pytest.fixture
def plan(demo: Any, example_bytes: bytes) -> Any:
    from dathub.planning import services

    staged = services.plan_import_stage(
        actor=demo.coordinator,
        partnership=demo.northshire,
        filename="northshire-2009-10-grids.txt",
        data=example_bytes,
    )
    return services.plan_import_confirm(actor=demo.coordinator, plan_import=staged)
