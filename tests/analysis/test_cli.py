"""`fibrolang check` runs the analysis: exit codes, --no-prove, and a counterexample
that `fibrolang eval` accepts as it is printed."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from compiler.cli import main

CASES = Path(__file__).parent / "cases"
GUIDELINES = Path(__file__).resolve().parents[2] / "guidelines"


def test_both_guidelines_prove_clean() -> None:
    for name in ("fibromyalgia", "acr2016"):
        result = CliRunner().invoke(main, ["check", str(GUIDELINES / f"{name}.fibro")])
        assert result.exit_code == 0, result.output
        assert "no problems found" in result.output


def test_a_failed_proof_exits_1_and_no_prove_skips_it() -> None:
    path = str(CASES / "invariant.fibro")
    proved = CliRunner().invoke(main, ["check", "--format", "plain", path])
    assert proved.exit_code == 1
    assert "FIB207" in proved.output and "counterexample:" in proved.output
    quick = CliRunner().invoke(main, ["check", "--no-prove", path])
    assert quick.exit_code == 0, quick.output


def test_counterexample_feeds_straight_into_eval(tmp_path: Path) -> None:
    path = str(CASES / "conflict.fibro")
    report = CliRunner().invoke(main, ["check", "--format", "json", path])
    assert report.exit_code == 1
    conflict = next(d for d in json.loads(report.output)["diagnostics"] if d["code"] == "FIB205")
    patient_file = tmp_path / "patient.json"
    patient_file.write_text(json.dumps(conflict["data"]["counterexample"]), encoding="utf-8")
    evaluated = CliRunner().invoke(main, ["eval", path, "--patient", str(patient_file)])
    assert evaluated.exit_code == 0, evaluated.output
    result = json.loads(evaluated.output)
    assert "tramadol" in [r["intervention"] for r in result["recommendations"]]
    assert "tramadol" in [a["intervention"] for a in result["avoid"]]
