"""Apps add themselves from ready(): URL patterns, API routers, demo loaders in their order,
pack sections in places of their own."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.urls import reverse

from dathub.core import registry
from dathub.reporting import registry as packs


def test_every_app_with_urls_or_an_api_has_registered_them():
    ours = [a for a in apps.get_app_configs() if a.name.startswith("dathub.")]
    for app in ours:
        for kind, registered in (
            ("urls", registry.url_modules()),
            ("api", registry.api_router_modules()),
        ):
            module = f"{app.name}.{kind}"
            try:
                __import__(module)
            except ModuleNotFoundError:
                continue
            if module == "dathub.api.api":
                continue  # the /api/v1 root itself
            assert module in registered, f"{app.label} does not register {module}"


def test_registered_urls_and_routers_are_served():
    assert reverse("core:sign-in") == "/sign-in/"
    assert reverse("performance:dashboard", args=["N01A"]) == "/p/N01A/performance/"
    assert reverse("api:plan_detail", kwargs={"pk": 1}) == "/api/v1/plans/1"


def test_demo_loaders_run_plans_first_and_packs_last():
    assert registry.demo_loaders() == [
        "dathub.planning.demo.load",
        "dathub.performance.demo.load",
        "dathub.reporting.demo.load",
    ]


def test_registering_twice_changes_nothing():
    before = (registry.url_modules(), registry.api_router_modules(), registry.demo_loaders())
    registry.register_urls("dathub.planning.urls")
    registry.register_api_router("dathub.planning.api")
    registry.register_demo_loader("dathub.planning.demo.load", registry.DEMO_LAST)
    after = (registry.url_modules(), registry.api_router_modules(), registry.demo_loaders())
    assert after == before


def test_two_sections_cannot_take_one_place_in_a_pack():
    def build(partnership, context):
        return {"blocks": []}

    with pytest.raises(ValueError, match="already 'performance'"):
        packs.register_section("risks", "Risks", packs.SECTION_PERFORMANCE, build)
    assert "risks" not in {s.key for s in packs.sections_for(packs.BOARD_PACK)}
    # a section may be registered again at its own place (replaced by key)
    existing = next(s for s in packs.sections_for(packs.BOARD_PACK) if s.key == "performance")
    packs.register_section(
        existing.key,
        existing.title,
        existing.order,
        existing.build,
        existing.template,
        kinds=existing.kinds,
        review_heading=existing.review_heading,
    )
    orders = [s.order for s in packs.sections_for(packs.BOARD_PACK)]
    assert orders == sorted(set(orders))
