"""The engine's shortcuts give exactly what the general path gives.

Each shortcut (no trimming when the file has no whitespace, dates parsed once per distinct
text, episodes numbered by rank, a reference journey found by neighbours) is compared here
with the path it replaces, on inputs built to reach the edges where they could differ.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from dathub.performance.engine.cells import CELL, _codes
from dathub.performance.engine.fields import FIELDS
from dathub.performance.engine.indicators import compute_windows
from dathub.performance.engine.journeys import build_journeys
from dathub.performance.engine.reading import RawRecords, read_csv_bytes, read_records
from dathub.performance.engine.records import check_records
from dathub.performance.engine.units import _by_person, _window_units
from dathub.performance.engine.windows import financial_year_windows

from .test_engine_support import AS_OF, csv_text, d, episode, rec

DATA = Path(__file__).parent / "data"


def assert_same_result(a: RawRecords, b: RawRecords) -> None:
    ra, rb = check_records(a, as_of=AS_OF), check_records(b, as_of=AS_OF)
    assert ra.report() == rb.report()
    assert_frame_equal(ra.accepted, rb.accepted)
    assert_frame_equal(ra.rejected, rb.rejected)


def messy_rows() -> list[dict[str, str]]:
    """Rows without any whitespace that reach many checks: case, empty cells, both date
    formats, a conflict, a duplicate, a no-consent row with junk in typed fields."""
    return [
        rec(SEX="m", RFLS="dip", DOB="01/01/1980"),
        rec(MODID="M2", MODST="2009-01-21", DOB="1980-1-1"),
        rec(MODID="M2", MODST="2009-01-22"),  # duplicate MODID
        rec(EPISODID="E2", DAT="A09C"),
        rec(EPISODID="E2", MODID="M9", DAT="A09D"),  # conflict on DAT
        rec(EPISODID="E3", DOB="2009-02-30"),  # bad date
        rec(EPISODID="E4", CONSENT="n", DRUG1="abc", MODAL="x", DISRSN="1.0", DOB="junk"),
        rec(EPISODID="E5", CPLANDT="", DISD="2010-01-01", DISRSN="80"),
        rec(EPISODID="E6", CONSENT="", SEX="X"),
    ]


def test_file_without_whitespace_skips_trimming_with_the_same_result() -> None:
    data = csv_text(messy_rows()).encode()
    fast = read_csv_bytes(data)
    assert fast.trimmed
    assert_same_result(fast, dataclasses.replace(fast, trimmed=False))


@pytest.mark.parametrize(
    "body",
    [
        b"A, B\n",  # a space
        b"A,B\r\n",  # CRLF line ends
        b"A,\tB\n",  # a tab
        b'A,"B\nC"\n',  # a newline inside a quoted cell
        "A,\u00a0B\n".encode(),  # non-ASCII (a no-break space)
    ],
)
def test_any_possible_whitespace_keeps_trimming(body: bytes) -> None:
    assert not read_csv_bytes(b"X,Y\n" + body).trimmed


def test_whitespace_around_cells_gives_the_same_as_without() -> None:
    rows = messy_rows()
    spaced = [{k: (f" {v}\t" if v else v) for k, v in r.items()} for r in rows]
    plain = check_records(read_csv_bytes(csv_text(rows).encode()), as_of=AS_OF)
    padded = check_records(read_csv_bytes(csv_text(spaced).encode()), as_of=AS_OF)
    assert plain.report() == padded.report()
    assert_frame_equal(plain.accepted, padded.accepted)


def test_blank_records_without_whitespace_are_not_rows() -> None:
    width = len(FIELDS)
    blank_commas = "," * (width - 1)
    blank_quotes = ",".join(['""'] * width)
    text = csv_text([rec()]).rstrip("\n").split("\n")
    lines = [text[0], blank_commas, text[1], blank_quotes, "", text[1].replace("M1", "M7")]
    raw = read_csv_bytes(("\n".join(lines) + "\n").encode())
    assert raw.trimmed
    result = check_records(raw, as_of=AS_OF)
    assert result.report()["rows"] == 2
    assert result.accepted["line"].to_list() == [3, 6]
    assert_same_result(raw, dataclasses.replace(raw, trimmed=False))


def test_line_numbers_without_quotes_with_and_without_final_newline() -> None:
    body = csv_text([rec(), rec(MODID="M2", SEX="X")])
    for text in (body, body.rstrip("\n")):
        result = check_records(read_csv_bytes(text.encode()), as_of=AS_OF)
        assert [e["row"] for e in result.report()["errors"]] == [3]


def test_consent_n_with_junk_in_typed_fields_is_kept_empty() -> None:
    row = rec(CONSENT="N", DRUG1="abc", MODAL="1.5", DISRSN="x", DOB="not a date")
    result = check_records(read_csv_bytes(csv_text([row]).encode()), as_of=AS_OF)
    assert result.report()["errors"] == [] and result.no_consent == 1
    got = result.accepted.row(0, named=True)
    assert got["DRUG1"] is None and got["MODAL"] is None and got["DOB"] is None


def test_a_date_column_with_no_value_at_all() -> None:
    result = check_records(read_csv_bytes(csv_text([rec(), rec(MODID="M2")]).encode()), AS_OF)
    assert result.accepted.schema["CPLANDT"] == pl.Date
    assert result.accepted["CPLANDT"].null_count() == 2


def test_episode_checks_do_not_need_rows_in_file_or_episode_order() -> None:
    rows = messy_rows() + [rec(EPISODID="E2", MODID="M3", DAT="A09C")]
    raw = read_csv_bytes(csv_text(rows).encode())
    shuffled = dataclasses.replace(raw, frame=raw.frame.reverse())
    a, b = check_records(raw, as_of=AS_OF), check_records(shuffled, as_of=AS_OF)
    assert a.report() == b.report()
    # both tables keep the frame's own row order
    assert_frame_equal(a.accepted, b.accepted.sort("line"))
    assert_frame_equal(a.rejected.sort("line"), b.rejected.sort("line"))
    found = {(e["row"], e["code"]) for e in a.report()["errors"]}
    # E2's three rows (lines 5, 6 and the last, 11) disagree on DAT, however far apart
    assert {(5, "episode_conflict"), (6, "episode_conflict"), (11, "episode_conflict")} <= found
    assert (4, "duplicate") in found


def golden_journeys() -> pl.DataFrame:
    result = check_records(read_records(DATA / "golden_records.csv"), as_of=d("2011-04-30"))
    return build_journeys(result.used)


def many_journeys() -> pl.DataFrame:
    rows = []
    for i, person in enumerate(("AB", "CD", "EF", "GH")):
        for k in range(3):
            start = d("2010-01-01") + dt.timedelta(days=60 * k + 7 * i)
            rows.append(
                episode(
                    start,
                    start + dt.timedelta(days=30) if k < 2 else None,
                    80 if k == 0 else 85 if k == 1 else None,
                    person=person,
                    epid=f"E{person}{k}",
                    agency=f"AG{k}",
                    MODID=f"M{k}",
                )
            )
    result = check_records(pl.DataFrame(rows), as_of=AS_OF)
    assert result.rejected.height == 0
    return build_journeys(result.used)


@pytest.mark.parametrize("journeys", [golden_journeys, many_journeys])
def test_indicators_do_not_depend_on_the_journeys_row_order(journeys) -> None:  # type: ignore[no-untyped-def]
    j = journeys()
    windows = financial_year_windows(2009) + financial_year_windows(2010)
    expected = compute_windows(j, windows)
    for seed in range(3):
        shuffled = j.sample(fraction=1.0, shuffle=True, seed=seed)
        assert_frame_equal(compute_windows(shuffled, windows), expected)


def test_reference_by_neighbours_equals_reference_by_group() -> None:
    j, grouped = _by_person(many_journeys())
    assert grouped
    codes, _ = _codes(j, ["dat", "sex", "age_band", "ethnic", "drug", "referral", "agency"])
    lazy = j.with_columns(codes).lazy()
    for w, window in enumerate(financial_year_windows(2010)):
        fast = _window_units(lazy, w, window, grouped=True).collect().sort(CELL)
        slow = _window_units(lazy, w, window, grouped=False).collect().sort(CELL)
        assert_frame_equal(fast, slow)
