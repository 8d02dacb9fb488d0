"""Limits of the records reader and checks, and the rejected-rows formula guard.

Issue 9, item 10 (a carriage return in a cell bypassed the guard) and item 13 (field lengths
bounded; cells beyond a row's header reported, not dropped)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dathub.performance.engine.check_result import write_rejected_csv
from dathub.performance.engine.formula_guard import FORMULA_START, guard_cell, guard_csv
from dathub.performance.engine.reading import RecordsFileError, read_csv_bytes, read_records
from dathub.performance.engine.records import check_records

AS_OF = dt.date(2011, 4, 1)
GOLDEN = Path(__file__).parent / "data" / "golden_records.csv"


# --- item 10: the formula guard ---------------------------------------------------------------


def _records_outside_quotes(data: str) -> tuple[int, bool]:
    """(records, whether every CR or LF that does not end a record is inside quotes),
    worked out from quote parity alone (RFC 4180), independently of the csv module."""
    quoted = False
    records = 0
    bare_break = False
    for ch in data:
        if ch == '"':
            quoted = not quoted
        elif ch in "\r\n" and not quoted:
            if ch == "\n":
                records += 1
            else:
                bare_break = True  # a carriage return a spreadsheet would split a row at
    return records, not bare_break


def test_a_carriage_return_in_a_cell_cannot_start_an_unguarded_row():
    original = io.StringIO()
    csv.writer(original, quoting=csv.QUOTE_ALL, lineterminator="\n").writerows(
        [["AGNCY", "SEX"], ["A1", "x\r=1+1"], ["A1", "y\n=2+2"]]
    )
    guarded = guard_csv(original.getvalue().encode()).decode()
    records, safe = _records_outside_quotes(guarded)
    assert records == 3 and safe
    assert '"x\r=1+1"' in guarded
    assert list(csv.reader(io.StringIO(guarded, newline=""))) == [
        ["AGNCY", "SEX"],
        ["A1", "x\r=1+1"],
        ["A1", "y\n=2+2"],
    ]


CELL = st.text(alphabet=st.sampled_from(list("=+-@\t\r\n\"',; aZ1")), max_size=8)


@settings(max_examples=500, deadline=None)
@given(st.lists(st.lists(CELL, min_size=2, max_size=2), min_size=1, max_size=6))
def test_every_cell_is_guarded_after_splitting_and_reads_back(rows):
    """Whatever the cells hold: the guarded file splits into exactly the rows and cells it
    was made of, each guarded; no line break outside quotes but the rows' own; and the
    records reader takes the guard off again."""
    table = [["AGNCY", "SEX"], *rows]
    original = io.StringIO()
    csv.writer(original, quoting=csv.QUOTE_ALL, lineterminator="\n").writerows(table)
    guarded = guard_csv(original.getvalue().encode())
    text = guarded.decode()
    records, safe = _records_outside_quotes(text)
    assert safe and records == len(table)
    parsed = list(csv.reader(io.StringIO(text, newline="")))
    assert parsed == [[guard_cell(c) for c in row] for row in table]
    assert not [c for row in parsed for c in row if c.startswith(FORMULA_START)]
    raw = read_csv_bytes(guarded)
    kept = [r for r in rows if any(c.strip() for c in r)]
    assert raw.frame.height == len(kept)
    read_back = [tuple(c or "" for c in r) for r in raw.frame.select("c0", "c1").rows()]
    assert read_back == [tuple(r) for r in kept]  # the guards are taken off again


def test_the_rejected_rows_download_of_a_cell_with_a_carriage_return(tmp_path):
    data = GOLDEN.read_bytes().decode()
    head, first, *rest = data.split("\n")
    cells = next(csv.reader([first]))
    cells[head.split(",").index("SEX")] = "M\r=1+1"
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(cells)
    result = check_records(
        read_csv_bytes("\n".join([head, out.getvalue().rstrip("\n"), *rest]).encode()), AS_OF
    )
    assert result.rejected.height >= 1
    write_rejected_csv(result, tmp_path / "rejected.csv")
    guarded = guard_csv((tmp_path / "rejected.csv").read_bytes()).decode()
    assert _records_outside_quotes(guarded)[1]
    assert not [
        c
        for row in csv.reader(io.StringIO(guarded, newline=""))
        for c in row
        if c.startswith(FORMULA_START)
    ]


# --- item 13: bounded fields, cells beyond the header ------------------------------------------


def _golden_with(change) -> bytes:
    lines = GOLDEN.read_bytes().decode().rstrip("\n").split("\n")
    header = lines[0].split(",")
    rows = [next(csv.reader([line])) for line in lines[1:]]
    change(header, rows)
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([header, *rows])
    return out.getvalue().encode()


def _codes(data: bytes) -> dict[int, set[tuple[str, str]]]:
    result = check_records(read_csv_bytes(data), AS_OF)
    found: dict[int, set[tuple[str, str]]] = {}
    for e in result.report()["errors"]:
        found.setdefault(e["row"], set()).add((e["field"], e["code"]))
    return found


def test_a_reference_longer_than_its_bound_is_rejected():
    def long(header, rows):
        rows[0][header.index("CLIENTID")] = "C" * 20_000_000
        rows[1][header.index("EPISODID")] = "E" * 65
        rows[2][header.index("MODID")] = "M" * 64  # the bound itself is fine

    errors = _codes(_golden_with(long))
    assert ("CLIENTID", "too_long") in errors[2]
    assert ("EPISODID", "too_long") in errors[3]
    assert ("MODID", "too_long") not in errors.get(4, set())


def test_too_long_applies_to_the_fields_a_no_consent_row_keeps():
    def no_consent(header, rows):
        row = [""] * len(header)
        for f, v in {"AGNCY": "A1", "CLIENTID": "C" * 70, "EPISODID": "E9", "CONSENT": "N"}.items():
            row[header.index(f)] = v
        rows.append(row)

    errors = _codes(_golden_with(no_consent))
    assert errors[max(errors)] == {("CLIENTID", "too_long")}


def test_cells_beyond_the_header_are_reported_not_dropped(tmp_path):
    def extra(header, rows):
        rows[0] += ["stray", "", "more"]
        rows[1] += ["", ""]  # empty cells beyond the header (a trailing comma): ignored

    data = _golden_with(extra)
    errors = _codes(data)
    assert ("row", "extra_cells") in errors[2]
    assert 3 not in errors or ("row", "extra_cells") not in errors[3]
    result = check_records(read_csv_bytes(data), AS_OF)
    message = next(e["message"] for e in result.report()["errors"] if e["code"] == "extra_cells")
    assert "2 filled cell(s)" in message and "stray" not in message
    assert result.rows == result.accepted.height + result.rejected.height == 11

    # the same in a workbook
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    for row in csv.reader(io.StringIO(data.decode())):
        ws.append(row)
    wb.save(tmp_path / "extra.xlsx")
    book = check_records(read_records(tmp_path / "extra.xlsx"), AS_OF)
    assert [
        (e["row"], e["code"]) for e in book.report()["errors"] if e["code"] == "extra_cells"
    ] == [(2, "extra_cells")]


def test_a_row_holding_only_cells_beyond_the_header_is_a_row():
    data = GOLDEN.read_bytes() + b",,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,,x\n"
    result = check_records(read_csv_bytes(data), AS_OF)
    assert result.rows == 12 and result.rejected.height >= 1


def test_the_reader_refuses_more_rows_than_allowed(tmp_path):
    data = GOLDEN.read_bytes()
    assert read_csv_bytes(data, max_rows=11).frame.height == 11
    with pytest.raises(RecordsFileError, match="more than 10 rows"):
        read_csv_bytes(data, max_rows=10)
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    for row in csv.reader(io.StringIO(data.decode())):
        ws.append(row)
    for _ in range(50):
        ws.append([None, None])  # formatted but empty rows do not count
    wb.save(tmp_path / "golden.xlsx")
    assert read_records(tmp_path / "golden.xlsx", max_rows=11).frame.height == 11
    with pytest.raises(RecordsFileError, match="more than 10 rows"):
        read_records(tmp_path / "golden.xlsx", max_rows=10)
