"""Reading and checking records files: every check code at its edges."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from dathub.performance.engine.check_result import rejected_frame, write_rejected_csv
from dathub.performance.engine.fields import FIELDS
from dathub.performance.engine.reading import RecordsFileError, read_records
from dathub.performance.engine.records import check_records

from .test_engine_support import AS_OF, csv_text, frame, rec


def errors_of(rows: list[dict[str, str]], as_of: dt.date = AS_OF) -> set[tuple[int, str, str]]:
    result = check_records(frame(rows), as_of=as_of)
    return {(e["row"], e["field"], e["code"]) for e in result.report()["errors"]}


def codes(row: dict[str, str], as_of: dt.date = AS_OF) -> set[tuple[str, str]]:
    return {(f, c) for _, f, c in errors_of([row], as_of)}


def test_valid_row_is_accepted_and_typed() -> None:
    result = check_records(frame([rec()]), as_of=AS_OF)
    assert result.report() == {
        "rows": 1,
        "accepted": 1,
        "rejected": 0,
        "no_consent": 0,
        "errors": [],
    }
    row = result.accepted.row(0, named=True)
    assert row["line"] == 2
    assert row["DOB"] == dt.date(1980, 1, 1)
    assert row["DRUG1"] == 1011 and row["MODAL"] == 2
    assert result.accepted.schema["MODST"] == pl.Date


def test_header_case_spaces_bom_unknown_columns_and_formats(tmp_path: Path) -> None:
    header = [f" {f.lower()} " if i % 2 else f for i, f in enumerate(FIELDS)] + ["NOTES"]
    row = rec(DOB="01/01/1980", REFLD="5/1/2009", SEX="m", RFLS="dip", ETHNIC="a")
    row["NOTES"] = "anything"
    path = tmp_path / "f.csv"
    path.write_bytes(b"\xef\xbb\xbf" + csv_text([row], header).encode())
    result = check_records(path, as_of=AS_OF)
    assert result.report()["errors"] == []
    got = result.accepted.row(0, named=True)
    assert got["DOB"] == dt.date(1980, 1, 1) and got["REFLD"] == dt.date(2009, 1, 5)
    assert got["SEX"] == "M" and got["RFLS"] == "DIP"


def test_missing_column_counts_as_empty(tmp_path: Path) -> None:
    header = [f for f in FIELDS if f != "SEX"]
    path = tmp_path / "f.csv"
    path.write_text(csv_text([rec()], header))
    assert {(e["field"], e["code"]) for e in check_records(path, AS_OF).report()["errors"]} == {
        ("SEX", "missing")
    }


def test_line_numbers_skip_blank_lines_and_follow_quoted_newlines(tmp_path: Path) -> None:
    good = ",".join(rec().values())
    bad = ",".join(rec(SEX="X", EPISODID="E2").values())
    quoted = ",".join(rec(EPISODID="E3", CLIENTID='"C\nX"', SEX="Q").values())
    text = ",".join(FIELDS) + "\n" + good + "\n\n" + quoted + "\n" + bad + "\n"
    path = tmp_path / "f.csv"
    path.write_text(text)
    result = check_records(path, as_of=AS_OF)
    assert result.rows == 3
    assert [(e["row"], e["field"]) for e in result.report()["errors"]] == [(4, "SEX"), (6, "SEX")]


@pytest.mark.parametrize(
    ("cells", "expected"),
    [
        ({"DOB": ""}, {("DOB", "missing")}),
        ({"AGNCY": " "}, {("AGNCY", "missing")}),
        ({"DRUG1": ""}, {("DRUG1", "missing")}),
        ({"DISD": "2009-03-01"}, {("DISRSN", "missing")}),
        ({"DISRSN": "80"}, {("DISD", "missing")}),
        ({"MODEND": "2009-02-01"}, {("MODEXIT", "missing")}),
        ({"MODEXIT": "A"}, {("MODEND", "missing")}),
        ({"MODAL": ""}, {("MODAL", "missing")}),
        (
            {"MODID": "", "MODAL": "", "REFMODDT": "", "MODST": "", "FAOMODDT": "2009-01-12"},
            {
                ("MODID", "missing"),
                ("MODAL", "missing"),
                ("REFMODDT", "missing"),
                ("MODST", "missing"),
            },
        ),
        ({"ETHNIC": "", "CPLANDT": "", "RFLS": "", "DRUG2": ""}, set()),
    ],
)
def test_missing(cells: dict[str, str], expected: set[tuple[str, str]]) -> None:
    assert codes(rec(**cells)) == expected


def test_triage_only_row_needs_no_modality() -> None:
    assert codes(rec(MODID="", MODAL="", REFMODDT="", MODST="")) == set()


@pytest.mark.parametrize(
    "text", ["2009-02-29", "29/02/2009", "2009/01/05", "5-1-2009", "+2009-1-5", "x"]
)
def test_bad_date(text: str) -> None:
    assert ("REFLD", "bad_date") in codes(rec(REFLD=text))


def test_leap_day_is_a_real_date() -> None:
    assert codes(rec(DOB="29/02/1980")) == set()


def test_future_date_edge() -> None:
    on = rec(DISD="2011-03-31", DISRSN="85")
    after = rec(DISD="2011-04-01", DISRSN="85")
    assert codes(on) == set()
    assert codes(after) == {("DISD", "future_date")}
    assert codes(after, as_of=dt.date(2011, 4, 1)) == set()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("CONSENT", "X"),
        ("SEX", "U"),
        ("ETHNIC", "I"),
        ("ETHNIC", "O"),
        ("INJSTAT", "Y"),
        ("RFLS", "POL"),
        ("HEPBSTAT", "F"),
        ("HEPCSTAT", "C"),
        ("DRUG1", "1234"),
        ("DRUG2", "01011"),
        ("DRUG3", "1011.0"),
        ("MODAL", "13"),
        ("MODAL", "0"),
    ],
)
def test_bad_code(field: str, value: str) -> None:
    assert (field, "bad_code") in codes(rec(**{field: value}))


def test_bad_code_disrsn_and_modexit() -> None:
    row = rec(DISD="2009-03-01", DISRSN="90", MODEND="2009-02-01", MODEXIT="D")
    assert codes(row) == {("DISRSN", "bad_code"), ("MODEXIT", "bad_code")}


def test_codes_ignore_case() -> None:
    assert codes(rec(CONSENT="y", SEX="f", INJSTAT="p", HEPBSTAT="e", RFLS="gp")) == set()


def test_under_18_edge() -> None:
    assert codes(rec(DOB="1991-01-05", REFLD="2009-01-05")) == set()  # 18th birthday
    assert codes(rec(DOB="1991-01-06", REFLD="2009-01-05")) == {("DOB", "under_18")}


@pytest.mark.parametrize(
    ("cells", "field"),
    [
        ({"DOB": "2009-01-05"}, "REFLD"),  # DOB on REFLD
        ({"REFLD": "2009-01-11"}, "TRIAGED"),
        ({"TRIAGED": "2009-01-21", "REFLD": "2009-01-05"}, "MODST"),
        ({"FAOMODDT": "2009-01-10"}, "FAOMODDT"),  # REFMODDT after FAOMODDT
        ({"FAOMODDT": "2009-01-21"}, "MODST"),  # FAOMODDT after MODST
        ({"REFMODDT": "2009-01-21"}, "MODST"),  # REFMODDT after MODST
        ({"MODEND": "2009-01-19", "MODEXIT": "A"}, "MODEND"),
        ({"MODEND": "2009-03-02", "MODEXIT": "A", "DISD": "2009-03-01", "DISRSN": "80"}, "DISD"),
        ({"DISD": "2009-01-19", "DISRSN": "80"}, "DISD"),  # MODST after DISD
    ],
)
def test_date_order_names_the_later_field(cells: dict[str, str], field: str) -> None:
    assert (field, "date_order") in codes(rec(**cells))


def test_triaged_after_disd_on_a_triage_only_row() -> None:
    row = rec(MODID="", MODAL="", REFMODDT="", MODST="", DISD="2009-01-09", DISRSN="88")
    assert codes(row) == {("DISD", "date_order")}


def test_equal_dates_are_in_order() -> None:
    same = "2009-01-10"
    row = rec(
        REFLD=same,
        TRIAGED=same,
        REFMODDT=same,
        FAOMODDT=same,
        MODST=same,
        MODEND=same,
        MODEXIT="A",
        DISD=same,
        DISRSN="80",
    )
    assert codes(row) == set()


def test_every_reason_of_a_row_is_kept() -> None:
    assert codes(rec(SEX="X", DOB="", DRUG1="1")) == {
        ("SEX", "bad_code"),
        ("DOB", "missing"),
        ("DRUG1", "bad_code"),
    }


def test_episode_conflict_rejects_every_row_of_the_episode() -> None:
    rows = [
        rec(MODID="M1"),
        rec(MODID="M2", DAT="B01C"),
        rec(MODID="M3"),
        rec(EPISODID="E9", MODID="M1"),
    ]
    assert errors_of(rows) == {
        (2, "DAT", "episode_conflict"),
        (3, "DAT", "episode_conflict"),
        (4, "DAT", "episode_conflict"),
    }


def test_episode_fields_compare_by_value() -> None:
    rows = [
        rec(MODID="M1", DOB="1980-01-01", SEX="M"),
        rec(MODID="M2", DOB="01/01/1980", SEX="m", MODAL="4"),
    ]
    assert errors_of(rows) == set()


def test_empty_versus_filled_is_a_conflict() -> None:
    rows = [rec(MODID="M1", CPLANDT="2009-01-12"), rec(MODID="M2")]
    assert errors_of(rows) == {
        (2, "CPLANDT", "episode_conflict"),
        (3, "CPLANDT", "episode_conflict"),
    }


def test_rejected_rows_and_consent_n_take_no_part_in_episode_checks() -> None:
    rows = [
        rec(MODID="M1"),
        rec(MODID="M2", DAT="B01C", SEX="X"),  # rejected on its own: no conflict made
        rec(MODID="M1", CONSENT="N"),  # no consent: neither duplicate nor conflict
    ]
    assert errors_of(rows) == {(3, "SEX", "bad_code")}


def test_duplicate_rejects_the_later_row_only() -> None:
    rows = [rec(MODID="M1"), rec(MODID="M2", MODAL="4"), rec(MODID="M1"), rec(MODID="M1")]
    assert errors_of(rows) == {(4, "MODID", "duplicate"), (5, "MODID", "duplicate")}


def test_duplicate_earlier_row_rejected_keeps_the_next() -> None:
    rows = [rec(MODID="M1", MODEXIT="A"), rec(MODID="M1")]
    assert errors_of(rows) == {(2, "MODEND", "missing")}


def test_consent_n_is_kept_counted_and_blanked() -> None:
    nc = {f: "" for f in FIELDS} | {
        "AGNCY": "AG1",
        "CLIENTID": "C2",
        "EPISODID": "E2",
        "CONSENT": "n",
    }
    extra = dict(nc, EPISODID="E3", SEX="X")  # other cells of an N row are not checked
    missing = dict(nc, EPISODID="E4", CLIENTID="")
    result = check_records(frame([rec(), nc, extra, missing]), as_of=AS_OF)
    report = result.report()
    assert (report["rows"], report["accepted"], report["rejected"], report["no_consent"]) == (
        4,
        3,
        1,
        2,
    )
    assert report["errors"][0]["field"] == "CLIENTID"
    assert result.used.height == 1
    assert result.accepted.filter(pl.col("CONSENT") == "N")["SEX"].null_count() == 2


def test_messages_quote_no_cell_value() -> None:
    result = check_records(frame([rec(SEX="Zq", FINITIAL="")]), as_of=AS_OF)
    assert all("Zq" not in e["message"] for e in result.report()["errors"])


def test_rejected_csv_keeps_the_file_as_written_and_reads_back(tmp_path: Path) -> None:
    header = [f.lower() for f in FIELDS] + ["Notes"]
    rows = [rec(SEX="x"), rec(EPISODID="E2", DOB="31/02/1980")]
    for r in rows:
        r["NOTES"] = "n"
    src = tmp_path / "in.csv"
    src.write_text(csv_text(rows, header))
    result = check_records(src, as_of=AS_OF)
    out = tmp_path / "rejected.csv"
    assert write_rejected_csv(result, out) == 2
    back = pl.read_csv(out, infer_schema=False)
    assert back.columns == [*header, "reasons"]
    assert back["sex"].to_list() == ["x", "M"]
    assert back["dob"].to_list() == ["1980-01-01", "31/02/1980"]
    assert back["reasons"].to_list()[0].startswith("SEX: bad_code")
    # sent again unchanged, the same rows are rejected for the same reasons
    again = check_records(out, as_of=AS_OF)
    assert again.report()["errors"] == result.report()["errors"]
    assert rejected_frame(result).columns == [*header, "reasons"]


def test_xlsx_is_read_like_csv(tmp_path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(list(FIELDS))
    row = rec()
    cells: list[object] = [row[f] for f in FIELDS]
    cells[FIELDS.index("DOB")] = dt.datetime(1980, 1, 1)
    cells[FIELDS.index("DRUG1")] = 1011
    ws.append(cells)
    ws.append([row[f] if f != "SEX" else "X" for f in FIELDS])
    path = tmp_path / "f.xlsx"
    wb.save(path)
    result = check_records(path, as_of=AS_OF)
    assert result.accepted.height == 1
    assert result.report()["errors"] == [
        {"row": 3, "field": "SEX", "code": "bad_code", "message": "SEX must be one of M, F"}
    ]


def test_unreadable_files(tmp_path: Path) -> None:
    with pytest.raises(RecordsFileError):
        read_records(tmp_path / "nope.csv")
    bad = tmp_path / "latin.csv"
    bad.write_bytes("AGNCY,CLIENTID\n\xe9,1\n".encode("latin-1"))
    with pytest.raises(RecordsFileError):
        read_records(bad)
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(RecordsFileError):
        read_records(empty)


cell_values = st.sampled_from(
    ["", "X", "1011", "2009-13-01", "2012-01-01", "01/02/1990", "Y", "N", "M1", "80"]
)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from(FIELDS), cell_values, st.sampled_from(["E1", "E2", "E3"])),
        min_size=1,
        max_size=12,
    )
)
def test_rows_equal_accepted_plus_rejected(changes: list[tuple[str, str, str]]) -> None:
    rows = [rec(**({"EPISODID": ep} | {field: value})) for field, value, ep in changes]
    result = check_records(frame(rows), as_of=AS_OF)
    report = result.report()
    assert report["rows"] == len(rows) == report["accepted"] + report["rejected"]
    assert report["no_consent"] <= report["accepted"]
    assert {e["row"] for e in report["errors"]} == set(result.rejected["line"].to_list())


def test_guarded_csv_reads_back_exactly_as_the_unguarded_one() -> None:
    """The rejected-rows download guards cells a spreadsheet would run as a formula; the
    reader takes the guard off, so every cell (and the header) reads back as written."""
    from dathub.performance.engine.formula_guard import guard_csv
    from dathub.performance.engine.reading import read_csv_bytes

    rows = [rec(CLIENTID="-12", SEX="=1+1"), rec(EPISODID="@E2", FINITIAL="+A")]
    header = [*FIELDS, "=note"]
    for r in rows:
        r["=NOTE"] = "=SUM(A1)"
    data = csv_text(rows, header).encode()
    guarded = guard_csv(data)
    assert b"'-12" in guarded and b"'=1+1" in guarded and b"'@E2" in guarded
    plain, back = read_csv_bytes(data), read_csv_bytes(guarded)
    assert back.header == plain.header
    assert back.frame.equals(plain.frame)
    assert check_records(back, as_of=AS_OF).report() == check_records(plain, as_of=AS_OF).report()
