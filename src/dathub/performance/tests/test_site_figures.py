"""The figures the site and the API show are the engine's figures on the same records
(no second implementation), suppressed wherever they are published."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import polars as pl
import pytest
from django.core.exceptions import ValidationError

from dathub.core import clock
from dathub.performance import selectors, services
from dathub.performance.engine.indicators import compute_windows
from dathub.performance.engine.journeys import build_journeys
from dathub.performance.engine.prevalence import read_prevalence
from dathub.performance.engine.rates import rate
from dathub.performance.engine.reading import read_csv_bytes
from dathub.performance.engine.records import check_records
from dathub.performance.engine.suppression import suppress
from dathub.performance.models import IndicatorResult
from dathub.performance.periods import standard_periods
from dathub.tenancy.tests.factories import MembershipFactory, PersonFactory, member_user

from .site_helpers import csv_bytes, last_month, records

pytestmark = pytest.mark.calendar


def _engine(data: bytes, prevalence: pl.DataFrame | None = None) -> pl.DataFrame:
    periods = standard_periods(clock.today())
    used = check_records(read_csv_bytes(data), as_of=clock.today()).used
    if prevalence is None:  # the site always gives a table (penetration with no estimate)
        prevalence = pl.DataFrame(
            schema={"dat": pl.String, "finyear": pl.String, "estimate": pl.Int64}
        )
    table = compute_windows(build_journeys(used), [p.window for p in periods], prevalence)
    return table.filter(pl.col("dat") == "N01A")


def _api_upload(api, data: bytes, agency: str = "NRT01") -> dict:
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = api.post(
        "/api/v1/partnerships/N01A/submissions",
        {
            "agency": agency,
            "month": last_month(),
            "file": SimpleUploadedFile("r.csv", data, content_type="text/csv"),
        },
    )
    assert response.status_code == 202, response.content
    return response.json()


@pytest.fixture
def uploaded(demo, api_client_for):
    data = csv_bytes(records(people=120, seed=21))
    body = _api_upload(api_client_for(demo.analyst), data)
    assert body["status"] == "current"
    return data


def test_stored_figures_are_the_engines_on_the_same_file(demo, uploaded):
    engine = _engine(uploaded)
    stored = pl.DataFrame(
        list(
            IndicatorResult.objects.filter(partnership=demo.northshire).values(
                "period",
                "period_start",
                "period_end",
                "indicator",
                "breakdown",
                "numerator",
                "denominator",
                "value",
            )
        ),
        orient="row",
        # typed as the site reads them: inferred from the first rows, a year end (all of
        # them empty or whole) gives a column that the later decimals cannot join
        schema_overrides={"value": pl.Decimal(38, 1)},
        infer_schema_length=None,
    )
    assert stored.height == engine.height > 0
    key = ["period", "indicator", "breakdown"]
    joined = engine.join(stored, on=key, how="full", suffix="_site", coalesce=True)
    assert joined.filter(pl.col("numerator_site").is_null()).height == 0
    assert (joined["numerator"] == joined["numerator_site"]).all()
    assert joined["denominator"].eq_missing(joined["denominator_site"]).all()
    assert [None if v is None else Decimal(v) for v in joined["value"].to_list()] == [
        v for v in joined["value_site"].to_list()
    ]
    # every standard period is there: years, the year to date, quarters, rolling 12 months
    kinds = set(IndicatorResult.objects.values_list("kind", flat=True))
    assert kinds == {"year", "ytd", "quarter", "rolling"}


def test_api_and_pages_show_the_engines_figures(demo, uploaded, api_client_for, client_for):
    engine = _engine(uploaded)
    quarter = engine.filter(pl.col("period").str.contains("Q")).sort("period_end")["period"][-1]
    api = (
        api_client_for(demo.analyst)
        .get(
            "/api/v1/partnerships/N01A/indicators",
            {"indicator": "retention_12wk", "period": quarter, "breakdowns": "true"},
        )
        .json()
    )
    assert api["published"] is False and "not for publication" in api["note"]
    want = engine.filter((pl.col("indicator") == "retention_12wk") & (pl.col("period") == quarter))
    got = {(f["breakdown"], f["numerator"], f["denominator"], f["value"]) for f in api["figures"]}
    assert got == {
        (
            r["breakdown"],
            str(r["numerator"]),
            str(r["denominator"]),
            None if r["value"] is None else str(r["value"]),
        )
        for r in want.iter_rows(named=True)
    }
    page = (
        client_for(demo.analyst)
        .get("/p/N01A/performance/breakdowns/", {"indicator": "retention_12wk", "period": quarter})
        .content.decode()
    )
    assert "Not for publication" in page
    male = want.filter(pl.col("breakdown") == "sex:M").row(0, named=True)
    if male["value"] is not None:
        assert f"{male['value']}%" in page
    dash = client_for(demo.analyst).get("/p/N01A/performance/").content.decode()
    latest = engine.filter(
        (pl.col("indicator") == "in_treatment")
        & (pl.col("breakdown") == "all")
        & (pl.col("period") == quarter)
    )["numerator"][0]
    assert f"Latest ({quarter})" in dash and f">{latest:,}<" in dash


def test_prevalence_file_gives_penetration(demo, uploaded, client_for, tmp_path):
    from dathub.performance.engine.windows import financial_year
    from dathub.performance.periods import last_month_end

    fy = financial_year(last_month_end(clock.today()))
    data = f"DAT,FINYEAR,OCU_ESTIMATE\nN01A,{fy},150\n".encode()
    n = services.prevalence_import(actor=demo.analyst, partnership=demo.northshire, data=data)
    assert n == 1
    path = tmp_path / "prev.csv"
    path.write_bytes(data)
    engine = _engine(uploaded, read_prevalence(path))
    want = engine.filter(pl.col("indicator") == "penetration")
    got = {
        r.period: (r.numerator, r.denominator, r.value)
        for r in IndicatorResult.objects.filter(indicator="penetration")
    }
    assert got and got == {
        r["period"]: (
            r["numerator"],
            r["denominator"],
            None if r["value"] is None else Decimal(r["value"]),
        )
        for r in want.iter_rows(named=True)
    }
    assert any(den == 150 for _, den, _ in got.values())
    # a file with another partnership's estimate is refused as a whole
    with pytest.raises(Exception) as exc:
        services.prevalence_import(
            actor=demo.analyst,
            partnership=demo.northshire,
            data=b"DAT,FINYEAR,OCU_ESTIMATE\nE02B,2026/27,10\n",
        )
    assert "E02B" in str(exc.value)


def _small_cells(api_figures: list[dict]) -> list[dict]:
    return [f for f in api_figures if f["numerator"] == "*" or f["value"] == "*"]


def test_published_views_suppress_small_numbers(demo, uploaded, api_client_for, client_for):
    engine = _engine(uploaded)
    quarter = engine.filter(pl.col("period").str.contains("Q")).sort("period_end")["period"][-1]
    scrutiny = member_user(demo.northshire, "scrutiny_viewer")
    query = {"indicator": "planned_exit", "period": quarter, "breakdowns": "true"}
    published = api_client_for(scrutiny).get("/api/v1/partnerships/N01A/indicators", query).json()
    assert published["published"] is True
    want = suppress(
        engine.filter((pl.col("indicator") == "planned_exit") & (pl.col("period") == quarter))
    )
    expected = {(r["breakdown"], r["numerator"], r["value"]) for r in want.iter_rows(named=True)}
    got = {(f["breakdown"], f["numerator"], f["value"]) for f in published["figures"]}
    assert got == expected
    assert _small_cells(published["figures"]), "the small file should have cells of 1 to 4"
    # staff asking for the published view get the same; the page says which it is
    staff = (
        api_client_for(demo.analyst)
        .get("/api/v1/partnerships/N01A/indicators", {**query, "published": "true"})
        .json()
    )
    assert {(f["breakdown"], f["numerator"], f["value"]) for f in staff["figures"]} == got
    page = client_for(scrutiny).get(
        "/p/N01A/performance/breakdowns/", {"indicator": "planned_exit", "period": quarter}
    )
    html = page.content.decode()
    assert "Published figures" in html and "Not for publication" not in html
    assert ">*<" in html
    # the board sees true figures, marked, as the matrix says
    board = client_for(demo.board).get("/p/N01A/performance/").content.decode()
    assert "Not for publication" in board
    board_published = client_for(demo.board).get("/p/N01A/performance/?view=published")
    assert "Published figures" in board_published.content.decode()
    # the chart of a published view plots no suppressed figure
    chart = client_for(scrutiny).get("/p/N01A/performance/chart.png?indicator=planned_exit")
    assert chart.status_code == 200 and chart["Content-Type"] == "image/png"
    assert chart.content[:8] == b"\x89PNG\r\n\x1a\n"


def test_regional_viewers_compare_published_figures(demo, uploaded, client_for):
    regional = member_user(demo.northshire, "regional_viewer")
    person = PersonFactory(
        partnership=demo.eastvale_partnership, user=regional, email=regional.email
    )
    MembershipFactory(person=person, roles=["regional_viewer"])
    services.submission_store_checked(
        partnership=demo.eastvale_partnership,
        agency="EDS01",
        month=dt.date(2026, 1, 1),
        as_of=clock.today(),
        raw=records(people=50, seed=22, agency="EDS01", dat="E02B"),
    )
    services.recompute()
    quarter = selectors.periods_available(demo.northshire)
    period = [p for p, k in quarter if k == "quarter"][0]
    page = client_for(regional).get(
        "/performance/compare/", {"indicator": "in_treatment", "period": period}
    )
    html = page.content.decode()
    assert page.status_code == 200 and "Northshire DAAT (N01A)" in html
    assert "Eastvale DAT (E02B)" in html and "Published figures" in html
    # a co-ordinator holds no regional role: nothing to compare, no partnership's figures
    own = client_for(demo.coordinator).get("/performance/compare/").content.decode()
    assert "You hold none" in own and "Northshire DAAT (N01A)" not in own


def test_local_indicators_use_the_engines_rate(demo, client_for):
    indicator = services.local_indicator_create(
        actor=demo.analyst,
        partnership=demo.northshire,
        code="dip-assessment",
        name="DIP: required assessments attended",
        unit="percent",
        higher_is_better=True,
    )
    figure = services.local_figure_set(
        actor=demo.analyst,
        indicator=indicator,
        financial_year="2025/26",
        quarter=2,
        numerator=91,
        denominator=100,
    )
    assert figure.period == "2025/26 Q2" and figure.value == rate(91, 100) == Decimal("91.0")
    odd = services.local_figure_set(
        actor=demo.analyst,
        indicator=indicator,
        financial_year="2025/26",
        quarter=3,
        numerator=1,
        denominator=3,
    )
    assert odd.value == rate(1, 3) == Decimal("33.3")
    with pytest.raises(ValidationError):
        services.local_figure_set(
            actor=demo.analyst,
            indicator=indicator,
            financial_year="2025/26",
            quarter=4,
            numerator=5,
            denominator=4,
        )
    html = client_for(demo.coordinator).get("/p/N01A/performance/").content.decode()
    assert "DIP: required assessments attended" in html and "33.3%" in html
    # published: 1 of 3 is a small number
    scrutiny = member_user(demo.northshire, "scrutiny_viewer")
    published = client_for(scrutiny).get("/p/N01A/performance/").content.decode()
    assert "33.3%" not in published and "91.0%" in published


def test_providers_see_only_their_own_agencys_breakdown(demo, api_client_for, client_for):
    """A provider user sees what concerns its organisation: the agency breakdown shows its
    own agency, never another provider's, on the page and through the API."""
    analyst = api_client_for(demo.analyst)
    _api_upload(analyst, csv_bytes(records(people=60, seed=31, agency="NRT01")), "NRT01")
    _api_upload(analyst, csv_bytes(records(people=60, seed=32, agency="NPT02")), "NPT02")
    period = selectors.periods_available(demo.northshire)[0][0]
    query = {"indicator": "in_treatment", "period": period, "breakdowns": "true"}
    staff = analyst.get("/api/v1/partnerships/N01A/indicators", query).json()
    assert {"agency:NRT01", "agency:NPT02"} <= {f["breakdown"] for f in staff["figures"]}
    provider = api_client_for(demo.provider).get("/api/v1/partnerships/N01A/indicators", query)
    seen = {f["breakdown"] for f in provider.json()["figures"]}
    assert "agency:NRT01" in seen and "agency:NPT02" not in seen and "all" in seen
    page = client_for(demo.provider).get(
        "/p/N01A/performance/breakdowns/", {"indicator": "in_treatment", "period": period}
    )
    assert page.status_code == 200
    html = page.content.decode()
    assert "NRT01" in html and "NPT02" not in html


def test_prevalence_upload_refuses_a_huge_file(demo, client_for):
    """The prevalence file is read whole into memory: an upload has a size limit."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from dathub.performance.models import PrevalenceEstimate

    data = b"DAT,FINYEAR,OCU_ESTIMATE\n" + b"N01A,2026/27,1850\n" * 70_000
    response = client_for(demo.analyst).post(
        "/p/N01A/performance/prevalence/upload/",
        {"file": SimpleUploadedFile("prevalence.csv", data, content_type="text/csv")},
    )
    assert response.status_code == 400
    assert "smaller than 1 MB" in response.content.decode()
    assert not PrevalenceEstimate.objects.filter(partnership=demo.northshire).exists()
