"""fibrolang eval: one patient or a JSON Lines file; invalid records list
every problem instead of a result; exit codes 0, 1 and 2."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from compiler.cli import main

ROOT = Path(__file__).resolve().parents[2]
GUIDELINE = ROOT / "guidelines" / "fibromyalgia.fibro"
GRAPH = ROOT / "guidelines" / "fibromyalgia.graph.json"
EXAMPLE = json.loads(
    (ROOT / "guidelines" / "patients" / "fibromyalgia-example.json").read_text(encoding="utf-8")
)


def run(*arguments: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["eval", *arguments])
    return result.exit_code, result.output


def test_one_patient_from_the_source_or_the_graph_gives_the_same_result(tmp_path: Path) -> None:
    patient = tmp_path / "p.json"
    patient.write_text(json.dumps(EXAMPLE), encoding="utf-8")
    code, from_source = run(str(GUIDELINE), "--patient", str(patient))
    assert code == 0
    code, from_graph = run(str(GRAPH), "--patient", str(patient))
    assert code == 0
    assert json.loads(from_source) == json.loads(from_graph)
    assert json.loads(from_graph)["status"] == "ok"


def test_json_lines_gives_one_result_per_line_and_lists_every_problem_of_a_bad_record(tmp_path: Path) -> None:
    young = {**EXAMPLE, "age": 16}
    bad = {**EXAMPLE, "age": "52", "egfr": -1, "colour": "red"}
    patients = tmp_path / "many.jsonl"
    patients.write_text("\n".join(json.dumps(p) for p in (EXAMPLE, young, bad)) + "\n", encoding="utf-8")
    code, output = run(str(GRAPH), "--patient", str(patients))
    assert code == 1
    lines = [json.loads(line) for line in output.splitlines()]
    assert [line.get("status", line.get("error")) for line in lines] == [
        "ok",
        "not_applicable",
        "invalid_patient",
    ]
    assert lines[2]["line"] == 3
    assert sorted(problem["path"] for problem in lines[2]["problems"]) == ["age", "colour", "egfr"]


def test_text_format_explains_the_decisions(tmp_path: Path) -> None:
    patient = tmp_path / "p.json"
    patient.write_text(json.dumps({**EXAMPLE, "medications": {"nsaid": {"weeks": 2}}}), encoding="utf-8")
    code, output = run(str(GRAPH), "--patient", str(patient), "--format", "text", "--explain")
    assert code == 0
    assert "Status: insufficient_data" in output
    assert "medications.nsaid.ongoing" in output


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    assert run(str(GRAPH))[0] == 2  # no --patient
    not_a_graph = tmp_path / "g.json"
    not_a_graph.write_text("{}", encoding="utf-8")
    patient = tmp_path / "p.json"
    patient.write_text("{}", encoding="utf-8")
    code, output = run(str(not_a_graph), "--patient", str(patient))
    assert code == 2
    assert "cannot load" in output


def test_an_undecided_result_names_what_may_be_needed_next(tmp_path: Path) -> None:
    # The symptom decision cannot tell whether the pain comes with depression; if it does
    # not, its later branches read sleep disturbance and fatigue, which the record lacks too.
    record = {k: v for k, v in EXAMPLE.items() if k not in ("depression", "sleep_disturbance", "fatigue")}
    patient = tmp_path / "p.json"
    patient.write_text(json.dumps(record), encoding="utf-8")
    code, output = run(str(GRAPH), "--patient", str(patient), "--format", "text", "--explain")
    assert code == 0
    assert "Missing: depression\n" in output
    assert "May be needed next, depending on the answer: fatigue, sleep_disturbance\n" in output
    # what the record holds is never asked for again
    patient.write_text(json.dumps({**record, "fatigue": False}), encoding="utf-8")
    assert (
        "depending on the answer: sleep_disturbance\n"
        in run(str(GRAPH), "--patient", str(patient), "--format", "text", "--explain")[1]
    )


def test_the_explanation_without_the_record_does_not_guess_what_is_absent() -> None:
    import fibrolang

    guideline = fibrolang.load(GRAPH)
    record = {k: v for k, v in EXAMPLE.items() if k != "depression"}
    result = guideline.evaluate(record)
    assert result.status == "insufficient_data"
    assert "May be needed next" not in guideline.explain(result)
    assert "May be needed next" not in guideline.explain(result, record)  # the rest is given


def test_the_text_summary_also_says_what_may_be_needed_next(tmp_path: Path) -> None:
    record = {k: v for k, v in EXAMPLE.items() if k not in ("depression", "fatigue")}
    patient = tmp_path / "p.json"
    patient.write_text(json.dumps(record), encoding="utf-8")
    code, output = run(str(GRAPH), "--patient", str(patient), "--format", "text")
    assert code == 0
    assert output.splitlines() == [
        "status: insufficient_data",
        "  missing: depression",
        "  may be needed next, depending on the answer: fatigue",
    ]
