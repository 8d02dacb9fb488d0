"""Disclosure by differencing (issue 9, item 8) across the line: the API, the pages and the
board pack's performance section never let a provider work out another provider's figure
from the partnership's figure and its own; everyone else sees the figures as before.
"""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dathub.core import clock
from dathub.performance import board_pack, disclosure, selectors, services
from dathub.performance.models import Computation, IndicatorResult
from dathub.tenancy.tests.factories import OrganisationFactory

from .site_helpers import csv_bytes, last_month, records

pytestmark = pytest.mark.calendar

INDICATORS = "/api/v1/partnerships/N01A/indicators"


def _upload(actor: Any, partnership: Any, agency: str, seed: int, people: int = 60) -> None:
    """One agency's records for last month, sent and processed (tasks run at once here)."""
    sub = services.submission_create(
        actor=actor,
        partnership=partnership,
        agency=agency,
        month=last_month(),
        filename="r.csv",
        data=csv_bytes(records(people=people, seed=seed, agency=agency)),
    )
    sub.refresh_from_db()
    assert sub.status == "current", (sub.status, sub.failure)


@pytest.fixture
def two_agencies(demo, api_client_for):
    """Northshire's two providers both send records: NRT01 (the demo provider's) and NPT02."""
    _upload(demo.analyst, demo.northshire, "NRT01", 31)
    _upload(demo.analyst, demo.northshire, "NPT02", 32)
    return api_client_for(demo.analyst)


def _period(demo: Any) -> str:
    return next(p for p, kind in selectors.periods_available(demo.northshire) if kind == "quarter")


def _by_breakdown(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {f["breakdown"]: f for f in body["figures"]}


def test_a_provider_cannot_difference_the_total_into_the_other_providers_figure(
    demo, two_agencies, api_client_for
):
    """The finding: the provider saw "all" and its own "agency:NRT01", and the difference
    was NPT02's count. Now the total says it is withheld, and why; the own figure stays."""
    query = {"indicator": "in_treatment", "period": _period(demo), "breakdowns": "true"}
    staff = _by_breakdown(two_agencies.get(INDICATORS, query).json())
    total, own, other = (
        int(staff[b]["numerator"]) for b in ("all", "agency:NRT01", "agency:NPT02")
    )
    assert total == own + other and other > 0  # the staff's figures: the difference is real

    response = api_client_for(demo.provider).get(INDICATORS, query)
    assert response.status_code == 200
    seen = _by_breakdown(response.json())
    assert "agency:NPT02" not in seen
    assert seen["agency:NRT01"]["numerator"] == str(own)
    assert seen["all"]["numerator"] == "withheld"
    assert seen["all"]["value"] == "withheld"
    assert seen["all"]["withheld"] == "Withheld: would disclose another provider's figure"
    # every partnership-wide breakdown would give it too (sex:M + sex:F = all)
    for breakdown, fig in seen.items():
        if breakdown != "agency:NRT01":
            assert fig["numerator"] == "withheld", breakdown
    # nothing the provider is shown is NPT02's count, directly or by subtraction
    shown = [int(f["numerator"]) for f in seen.values() if f["numerator"].isdigit()]
    assert other not in shown and all(a - b != other for a, b in itertools.permutations(shown, 2))
    # the staff's own figures carry no withheld mark
    assert all(f["withheld"] is None for f in staff.values())


def test_with_two_providers_every_total_is_withheld_from_either(demo, two_agencies, api_client_for):
    """With one other provider, any total minus one's own is the other's figure (or shows
    that it is zero): every indicator and period says withheld, the list without
    breakdowns included. Staff get every total."""
    provider = api_client_for(demo.provider).get(INDICATORS).json()["figures"]
    staff = two_agencies.get(INDICATORS).json()["figures"]
    assert provider and len(provider) == len(staff)
    assert all(f["breakdown"] == "all" for f in provider)
    assert all(f["numerator"] == f["value"] == "withheld" and f["withheld"] for f in provider)
    assert not any(f["withheld"] for f in staff)


def test_staff_and_board_see_the_true_total(demo, two_agencies, client_for, api_client_for):
    """The rule narrows only viewers restricted to one provider."""
    query = {"indicator": "in_treatment", "period": _period(demo), "breakdowns": "true"}
    for user in (demo.analyst, demo.board, demo.coordinator):
        body = _by_breakdown(api_client_for(user).get(INDICATORS, query).json())
        assert body["all"]["numerator"].isdigit()
        assert "agency:NPT02" in body
    html = client_for(demo.board).get("/p/N01A/performance/").content.decode()
    assert "would disclose another provider" not in html


def test_the_dashboard_indicator_and_breakdown_pages_say_withheld(demo, two_agencies, client_for):
    client = client_for(demo.provider)
    period = _period(demo)
    staff_total = selectors.national_figures(
        actor=demo.analyst, partnership=demo.northshire, indicator="in_treatment", period=period
    )[0]
    dashboard = client.get("/p/N01A/performance/")
    assert dashboard.status_code == 200
    html = dashboard.content.decode()
    assert "Withheld: would disclose another provider&#x27;s figure" in html
    assert "Not shown (withheld: would disclose another provider&#x27;s figure)" in html

    page = client.get("/p/N01A/performance/indicator/", {"indicator": "in_treatment"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "would disclose another provider" in html
    assert f">{staff_total.shown_value}<" not in html

    page = client.get(
        "/p/N01A/performance/breakdowns/", {"indicator": "in_treatment", "period": period}
    )
    html = page.content.decode()
    assert "NRT01" in html and "NPT02" not in html
    assert "withheld" in html and "would disclose another provider" in html
    assert f">{staff_total.shown_value}<" not in html


def test_the_forecast_says_it_cannot_be_worked_out_from_withheld_figures(demo, two_agencies):
    """No rating and no forecast come from withheld figures, and each says why."""
    cards = selectors.dashboard(actor=demo.provider, partnership=demo.northshire, published=True)
    national = [c for c in cards if not c.info.local and c.series]
    assert national
    for card in national:
        assert all(p.figure.withheld for p in card.series), card.info.key
        assert card.rating.key in ("no_figure", "no_target")
        assert card.direction is not None and card.direction.word == "Withheld"
        assert card.forecast is None and card.forecast_text
        assert card.withheld_reason == disclosure.WITHHELD_REASON
    # where the forecast would have come from the figures, it says they are withheld
    assert any("withheld" in c.forecast_text for c in national)


def test_a_pack_section_built_for_a_provider_holds_to_the_rule(demo, two_agencies):
    """Providers cannot open board packs (they need view_governance), but the section reads
    through the same selectors: built for one, it says what is withheld."""
    from dathub.reporting.registry import BOARD_PACK, PackContext

    def ctx(actor: Any) -> PackContext:
        return PackContext(
            actor=actor,
            body=None,
            meeting_date=clock.today(),
            as_at=clock.today(),
            since=None,
            kind=BOARD_PACK,
        )

    provider = board_pack.section(demo.northshire, ctx(demo.provider))
    text = repr(provider)
    assert "Withheld" in text and "would disclose another provider" in text
    table = next(b for b in provider["blocks"] if b["type"] == "table")
    national = [row for row in table["rows"] if row[0] in {i.name for i in _national()}]
    assert national and all(row[2] == "withheld" for row in national)
    staff = board_pack.section(demo.northshire, ctx(demo.coordinator))
    assert "would disclose another provider" not in repr(staff)


def _national() -> list[Any]:
    from dathub.performance.catalogue import NATIONAL

    return list(NATIONAL.values())


def test_with_three_providers_the_total_is_shown(demo, api_client_for):
    """With two other providers contributing, the total minus the provider's own is their
    sum, which is neither's figure: the total is shown."""
    OrganisationFactory(partnership=demo.northshire, name="Third provider", agency_code="NTH03")
    for agency, seed in (("NRT01", 41), ("NPT02", 42), ("NTH03", 43)):
        _upload(demo.analyst, demo.northshire, agency, seed)
    query = {"indicator": "in_treatment", "period": _period(demo), "breakdowns": "true"}
    seen = _by_breakdown(api_client_for(demo.provider).get(INDICATORS, query).json())
    assert seen["all"]["numerator"].isdigit() and seen["all"]["withheld"] is None
    assert set(seen) & {"agency:NPT02", "agency:NTH03"} == set()


# --- the property through the selector, over random agency splits -------------------------

AGENCIES = ("NRT01", "NPT02", "NTH03", "NFO04", "NFI05")


@st.composite
def _split(draw: Any) -> dict[str, tuple[int, int]]:
    """agency -> (numerator, denominator) of planned exits in one quarter; 1-5 agencies,
    the demo provider's (NRT01) among them or not."""
    n = draw(st.integers(min_value=1, max_value=5))
    codes = draw(st.permutations(AGENCIES))[:n]
    out = {}
    for code in codes:
        den = draw(st.integers(0, 40))
        out[code] = (draw(st.integers(0, den)), den)
    return out


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(split=_split())
def test_property_what_the_api_shows_a_provider_never_gives_another_agencys_figure(
    demo, api_client_for, split
):
    """For every figure the API shows the provider, the shown total minus the shown own
    figure equals no other single agency's numerator or denominator."""
    comp = Computation.objects.create(
        status=Computation.Status.DONE, as_of=clock.today(), finished_at=clock.now()
    )
    start, end = dt.date(2025, 4, 1), dt.date(2025, 6, 30)
    period = "2025/26 Q1"

    def row(breakdown: str, num: int, den: int) -> IndicatorResult:
        return IndicatorResult(
            computation=comp,
            partnership=demo.northshire,
            indicator="planned_exit",
            breakdown=breakdown,
            period=period,
            kind="quarter",
            period_start=start,
            period_end=end,
            numerator=num,
            denominator=den,
            value=None,
        )

    total = (sum(n for n, _ in split.values()), sum(d for _, d in split.values()))
    IndicatorResult.objects.bulk_create(
        [row("all", *total)] + [row("agency:" + a, n, d) for a, (n, d) in split.items()]
    )
    # the provider sees true counts here: its figures are published (1-4 shown as "*"),
    # and the counts it knows of its own are the true ones
    shown = _by_breakdown(
        api_client_for(demo.provider)
        .get(INDICATORS, {"indicator": "planned_exit", "period": period, "breakdowns": "true"})
        .json()
    )
    assert set(shown) <= {"all", "agency:NRT01"}
    own = split.get("NRT01", (0, 0))
    others = {a: v for a, v in split.items() if a != "NRT01"}
    fig = shown["all"]
    if fig["numerator"] == "withheld":
        assert fig["withheld"] == disclosure.WITHHELD_REASON and fig["value"] == "withheld"
        return
    for part in (0, 1):
        rest = total[part] - own[part]
        assert all(rest != v[part] for v in others.values()), (split, part)
