"""The ``dathub records`` and ``dathub kpi`` main functions, on files."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest

from dathub.performance.engine.cli import kpi_main, records_main

DATA = Path(__file__).parent / "data"
GOLDEN = DATA / "golden_records.csv"


def test_records_check_prints_the_report(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    rejected = tmp_path / "rejected.csv"
    code = records_main(
        ["check", str(GOLDEN), "--as-of", "2011-04-30", "--rejected", str(rejected)]
    )
    out = capsys.readouterr().out
    report = json.loads(out)
    assert code == 1
    assert report == {
        "rows": 11,
        "accepted": 10,
        "rejected": 1,
        "no_consent": 1,
        "errors": [
            {"row": 11, "field": "SEX", "code": "bad_code", "message": "SEX must be one of M, F"}
        ],
    }
    assert "O,P,1979" not in out  # no client-level data on stdout
    assert pl.read_csv(rejected, infer_schema=False)["CLIENTID"].to_list() == ["C107"]


def test_records_check_clean_file_exits_0(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    lines = GOLDEN.read_text().splitlines()
    clean = tmp_path / "clean.csv"
    clean.write_text("\n".join(line for line in lines if ",X," not in line) + "\n")
    assert records_main(["check", str(clean), "--as-of", "2011-04-30"]) == 0
    assert json.loads(capsys.readouterr().out)["rejected"] == 0


def test_future_dates_against_default_as_of_today(capsys: pytest.CaptureFixture[str]) -> None:
    assert records_main(["check", str(GOLDEN)]) == 1
    assert "future_date" not in capsys.readouterr().out  # 2011 is in the past


@pytest.mark.parametrize(
    "argv",
    [
        ["check"],
        ["check", "missing-file.csv"],
        ["check", "FILE", "--as-of", "31/03/2011"],
        ["nonsense"],
        [],
        ["generate"],
        ["generate", "--national", "--partnerships", "A01B", "--out", "x.csv"],
    ],
)
def test_records_usage_errors_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    argv = [str(GOLDEN) if a == "FILE" else a for a in argv]
    assert records_main(argv) == 2
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err


def test_unreadable_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"AGNCY\n\xff\xfe\n")
    assert records_main(["check", str(bad)]) == 2
    assert "UTF-8" in capsys.readouterr().err


def test_records_generate_is_deterministic(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    args = [
        "generate",
        "--partnerships",
        "N01A,E02B",
        "--people",
        "30",
        "--years",
        "2",
        "--seed",
        "5",
    ]
    assert records_main([*args, "--as-of", "2011-03-31", "--out", str(a)]) == 0
    assert records_main([*args, "--as-of", "2011-03-31", "--out", str(b)]) == 0
    assert a.read_bytes() == b.read_bytes()
    assert "wrote" in capsys.readouterr().out
    assert set(pl.read_csv(a, infer_schema=False)["AGNCY"].str.slice(0, 4).unique()) == {
        "N01A",
        "E02B",
    }


def test_kpi_compute_csv(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["compute", str(GOLDEN), "--from", "2010-04-01", "--to", "2011-03-31"]
    assert (
        kpi_main(
            [*argv, "--as-of", "2011-04-30", "--prevalence", str(DATA / "golden_prevalence.csv")]
        )
        == 0
    )
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0] == "dat,indicator,breakdown,numerator,denominator,value"
    assert "A09B,in_treatment,all,4,,4" in lines
    assert "A09B,effective_treatment,all,2,3,66.7" in lines
    assert "A09B,penetration,all,3,40,7.5" in lines
    assert "B01C,planned_exit,all,0,0," in lines


def test_kpi_compute_json_and_suppressed(capsys: pytest.CaptureFixture[str]) -> None:
    argv = [
        "compute",
        str(GOLDEN),
        "--from",
        "2010-04-01",
        "--to",
        "2011-03-31",
        "--as-of",
        "2011-04-30",
    ]
    assert kpi_main([*argv, "--format", "json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    first = {(r["dat"], r["indicator"], r["breakdown"]): r for r in rows}
    assert first[("A09B", "effective_treatment", "all")] == {
        "dat": "A09B",
        "indicator": "effective_treatment",
        "breakdown": "all",
        "numerator": 2,
        "denominator": 3,
        "value": 66.7,
    }
    assert first[("A09B", "in_treatment", "all")]["value"] == 4
    assert first[("B01C", "planned_exit", "all")]["value"] is None
    assert not any(r["indicator"] == "penetration" for r in rows)
    assert kpi_main([*argv, "--format", "json", "--suppress"]) == 0
    hidden = {
        (r["dat"], r["indicator"], r["breakdown"]): r for r in json.loads(capsys.readouterr().out)
    }
    assert hidden[("A09B", "in_treatment", "all")]["numerator"] == "*"


@pytest.mark.parametrize(
    "argv",
    [
        ["compute", "FILE", "--from", "2011-04-01", "--to", "2011-03-31"],
        ["compute", "FILE", "--to", "2011-03-31"],
        ["compute", "FILE", "--from", "2010-04-01", "--to", "2011-03-31", "--format", "xml"],
        ["compute", "nope.csv", "--from", "2010-04-01", "--to", "2011-03-31"],
        [
            "compute",
            "FILE",
            "--from",
            "2010-04-01",
            "--to",
            "2011-03-31",
            "--prevalence",
            "nope.csv",
        ],
    ],
)
def test_kpi_usage_errors_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    argv = [str(GOLDEN) if a == "FILE" else a for a in argv]
    assert kpi_main(argv) == 2
    assert capsys.readouterr().err
