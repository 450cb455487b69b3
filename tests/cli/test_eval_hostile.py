"""fibrolang eval on hostile patient files (issue 21): one bad line never costs the
others their answers, output line N answers input line N, duplicate keys are
rejected, echoed values and problem lists are capped, and a pretty-printed
patient with one syntax error gets that one error at its line and column."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

import fibrolang
from compiler.cli import main

ROOT = Path(__file__).resolve().parents[2]
GRAPH = ROOT / "guidelines" / "fibromyalgia.graph.json"
EXAMPLE = json.loads(
    (ROOT / "guidelines" / "patients" / "fibromyalgia-example.json").read_text(encoding="utf-8")
)


def run(patient: Path, *options: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["eval", str(GRAPH), "--patient", str(patient), *options])
    return result.exit_code, result.stdout, result.stderr


def alone(record: dict[str, object]) -> dict[str, object]:
    return fibrolang.load(GRAPH).evaluate(record).to_dict()


def test_every_good_line_is_answered_in_order_and_each_bad_line_in_its_place(tmp_path: Path) -> None:
    young = {**EXAMPLE, "age": 16}
    lines = [
        json.dumps(EXAMPLE),
        '{"a": ' * 100_000 + "1" + "}" * 100_000,  # nested 100,000 deep
        '{"age": ' + "9" * 4301 + "}",  # an integer of 4,301 digits
        '{"\\ud800": 1}',  # a lone surrogate key
        "",  # a blank line
        json.dumps(young),
    ]
    patients = tmp_path / "many.jsonl"
    patients.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, stdout, _ = run(patients)
    assert code == 1
    answers = [json.loads(line) for line in stdout.splitlines()]
    assert len(answers) == len(lines)
    assert answers[0] == alone(EXAMPLE)
    assert answers[5] == alone(young)
    assert [answer.get("line") for answer in answers[1:5]] == [2, 3, 4, 5]
    assert [answer["error"] for answer in answers[1:5]] == [
        "unreadable_patient",
        "unreadable_patient",
        "invalid_patient",
        "blank_line",
    ]
    assert "nested" in answers[1]["problems"][0]["message"]
    assert "4301 digits" in answers[2]["problems"][0]["message"]
    assert answers[3]["problems"][0]["code"] == "unknown_field"
    assert "\\ud800" in answers[3]["problems"][0]["message"]


def test_a_surrogate_in_a_single_patient_is_reported_not_a_crash(tmp_path: Path) -> None:
    patient = tmp_path / "p.json"
    patient.write_text('{"\\ud800": 1, "age": "\\udfff"}', encoding="utf-8")
    code, stdout, stderr = run(patient)
    assert code == 1
    assert "internal error" not in stderr
    assert json.loads(stdout)["error"] == "invalid_patient"
    code, stdout, _ = run(patient, "--format", "text")
    assert code == 1 and "\\ud800" in stdout


def test_non_utf8_bytes_spoil_only_their_line(tmp_path: Path) -> None:
    patients = tmp_path / "many.jsonl"
    patients.write_bytes(
        json.dumps(EXAMPLE).encode() + b"\n" + b'{"age": "\xff\xfe"}\n' + json.dumps(EXAMPLE).encode() + b"\n"
    )
    code, stdout, _ = run(patients)
    assert code == 1
    answers = [json.loads(line) for line in stdout.splitlines()]
    assert answers[0] == answers[2] == alone(EXAMPLE)
    assert answers[1]["error"] == "unreadable_patient"
    assert "UTF-8" in answers[1]["problems"][0]["message"]


def test_duplicate_keys_are_rejected_at_every_level(tmp_path: Path) -> None:
    patient = tmp_path / "p.json"
    text = json.dumps(EXAMPLE)[:-1] + ', "chronic_liver_disease": true}'
    text = text.replace('"medications": {}', '"medications": {"duloxetine": {"weeks": 4}, "duloxetine": {}}')
    patient.write_text(text, encoding="utf-8")
    code, stdout, _ = run(patient)
    assert code == 1
    error = json.loads(stdout)
    assert error["error"] == "invalid_patient"
    assert sorted((p["path"], p["code"]) for p in error["problems"]) == [
        ("chronic_liver_disease", "duplicate_key"),
        ("medications.duloxetine", "duplicate_key"),
    ]
    assert "recommend" not in stdout
    lines = tmp_path / "many.jsonl"
    lines.write_text(json.dumps(EXAMPLE) + "\n" + text + "\n", encoding="utf-8")
    code, stdout, _ = run(lines)
    assert code == 1
    assert [json.loads(line).get("error") for line in stdout.splitlines()] == [None, "invalid_patient"]


def test_echoed_values_and_problem_lists_are_capped(tmp_path: Path) -> None:
    patient = tmp_path / "p.json"
    record = {**EXAMPLE, "x" * 100_000: 1, **{f"unknown_{i}": 1 for i in range(5000)}}
    patient.write_text(json.dumps(record), encoding="utf-8")
    code, stdout, stderr = run(patient)
    assert code == 1
    error = json.loads(stdout)
    assert len(stdout) < 20_000 and len(stderr) < 20_000
    assert len(error["problems"]) == 20
    assert error["more_problems"] == 5001 - 20
    assert "5001 problems" in stderr and "4981 more" in stderr
    assert all(len(problem["message"]) < 300 for problem in error["problems"])
    assert all(len(problem["path"]) <= 81 for problem in error["problems"])


def test_a_huge_string_value_is_not_echoed_whole(tmp_path: Path) -> None:
    patient = tmp_path / "p.json"
    patient.write_text(json.dumps({**EXAMPLE, "comorbidities": ["y" * 200_000]}), encoding="utf-8")
    code, stdout, stderr = run(patient)
    assert code == 1
    assert len(stdout) + len(stderr) < 5_000
    assert "…" in stdout


def test_a_pretty_printed_patient_with_a_trailing_comma_gets_one_error_at_its_place(tmp_path: Path) -> None:
    text = json.dumps(EXAMPLE, indent=2)
    broken = text.replace('"medications": {}\n', '"medications": {},\n')
    assert broken != text
    patient = tmp_path / "p.json"
    patient.write_text(broken, encoding="utf-8")
    code, stdout, stderr = run(patient)
    assert code == 1
    error = json.loads(stdout)
    assert error["error"] == "unreadable_patient"
    assert len(error["problems"]) == 1
    lines = broken.splitlines()
    at = f"line {len(lines) - 1}, column {len(lines[-2])}"  # the comma ending the last field
    assert error["problems"][0]["message"] == f"not valid JSON at {at}: a comma before the closing '}}'"
    assert stderr.count("\n") == 2  # the headline and the one problem


def test_the_exit_codes_are_the_ones_the_readme_gives(tmp_path: Path) -> None:
    readme = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
    assert "an invalid patient record (one that is not valid JSON too)" in readme
    assert "2 when it could not do its job (a usage error, a patient file that cannot be opened" in readme
    patient = tmp_path / "p.json"
    patient.write_text("{not json", encoding="utf-8")
    assert run(patient)[0] == 1
    patient.write_bytes(b"\xff\xfe{}")
    assert run(patient)[0] == 1  # not UTF-8: a record that cannot be read, like one not JSON
    assert run(tmp_path / "absent.json")[0] == 2
    assert run(tmp_path)[0] == 2  # a directory
