"""The ``dathub plans parse`` command."""

import json
from pathlib import Path

from dathub.planning.document.cli import main

SHARED = Path(__file__).resolve().parents[4].parent / "shared"


def test_parse_prints_plan_json(capsys):
    path = SHARED / "examples" / "northshire-2009-10-grids.txt"
    assert main(["parse", str(path), "--format", "json"]) == 0
    out, err = capsys.readouterr()
    expected = json.loads(path.with_suffix(".expected.json").read_text("utf-8"))
    assert json.loads(out) == expected
    assert "‘did not attend’" in out  # ensure_ascii off
    assert out.startswith('{\n  "schema"')
    assert err == ""


def test_issues_go_to_stderr_and_exit_is_still_zero(capsys):
    path = SHARED / "seeds" / "ealing-daat-treatment-plan-2007-08-grids.txt"
    assert main(["parse", str(path)]) == 0
    out, err = capsys.readouterr()
    assert json.loads(out)["issues"]
    assert err.splitlines() == ["issue: grid 6, objective 1: objective has no title: ''"]


def test_missing_file_exits_2(capsys, tmp_path):
    assert main(["parse", str(tmp_path / "nope.txt")]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert "cannot read" in err and "nope.txt" in err


def test_file_that_is_not_a_plan_exits_2(capsys, tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("Board minutes\nNothing to plan here.\n", encoding="utf-8")
    assert main(["parse", str(path)]) == 2
    assert "no planning grids" in capsys.readouterr().err


def test_bad_arguments_exit_2(capsys):
    assert main(["parse"]) == 2
    assert main(["parse", "x.txt", "--format", "csv"]) == 2


def test_package_does_not_import_django():
    import subprocess
    import sys

    code = (
        "import sys, dathub.planning.document, dathub.planning.document.cli; "
        "print(any(m == 'django' or m.startswith('django.') for m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"
