"""The synthetic records generator."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl

from dathub.performance.engine.fields import CHECK_CODES, FIELDS
from dathub.performance.engine.generate import BAD_CODES, generate, national_partnerships, write_csv
from dathub.performance.engine.journeys import build_journeys
from dathub.performance.engine.records import check_records

AS_OF = dt.date(2011, 3, 31)


def test_deterministic_by_seed_and_different_across_seeds() -> None:
    a = generate(["A09B"], 40, 2, seed=1, as_of=AS_OF)
    assert a.equals(generate(["A09B"], 40, 2, seed=1, as_of=AS_OF))
    assert not a.equals(generate(["A09B"], 40, 2, seed=2, as_of=AS_OF))
    assert a.columns == list(FIELDS)


def test_mix_and_every_check_code() -> None:
    df = generate(["A09B", "B01C"], 300, 3, seed=3, as_of=AS_OF, bad_share=0.02)
    result = check_records(df, as_of=AS_OF)
    assert set(result.errors["code"].unique()) == set(CHECK_CODES) == set(BAD_CODES)
    report = result.report()
    assert 0 < report["rejected"] < 0.1 * report["rows"]
    assert report["no_consent"] > 0
    j = build_journeys(result.accepted)
    assert set(j["drug"].unique()) == {"opiate_crack", "opiate_only", "crack_only", "non_ocu"}
    assert j["end"].null_count() > 0 and j["successful"].any() and (~j["successful"]).any()
    assert (j["wait"] > 21).any() and j["represented"].any()
    used = result.used
    # transfers chained into one journey: more treatment episodes than journeys
    assert used.select("AGNCY", "EPISODID").unique().height > j.height
    assert used["MODST"].null_count() > 0  # triage-only episodes
    assert set(used["MODAL"].drop_nulls().unique()) >= {2, 4, 11}
    assert used.select(pl.col("HEPBSTAT").drop_nulls().unique()).height >= 4


def test_national_codes_and_streaming(tmp_path: Path) -> None:
    codes = national_partnerships()
    assert len(codes) == 150 == len(set(codes))
    path = tmp_path / "f.csv"
    rows = write_csv(path, codes[:3], people_per_partnership=10, years=1, seed=0, as_of=AS_OF)
    back = pl.read_csv(path, infer_schema=False)
    assert back.height == rows
    # empty cells read back as null; otherwise the streamed file is generate()'s frame
    assert back.fill_null("").equals(generate(codes[:3], 10, 1, seed=0, as_of=AS_OF))
