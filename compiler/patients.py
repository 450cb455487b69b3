"""Evaluating patients from files for ``fibrolang eval``: one JSON patient, or
a JSON Lines file of many (one result per line, in input order)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import fibrolang


@dataclass(frozen=True)
class PatientRecord:
    line: int  # 1-based line in a JSON Lines file; 1 for a single JSON file
    patient: Any
    problem: str | None  # the JSON could not be read


def read_patients(path: Path) -> tuple[bool, list[PatientRecord]]:
    """(is_json_lines, records). A file holding one JSON value is one patient;
    otherwise each non-empty line must be one JSON object."""
    text = path.read_text(encoding="utf-8")
    try:
        return False, [PatientRecord(1, json.loads(text), None)]
    except json.JSONDecodeError as whole_error:
        records: list[PatientRecord] = []
        lines = text.splitlines()
        if len([line for line in lines if line.strip()]) <= 1:
            return False, [PatientRecord(1, None, f"not valid JSON: {whole_error}")]
        for number, line in enumerate(lines, 1):
            if not line.strip():
                continue
            try:
                records.append(PatientRecord(number, json.loads(line), None))
            except json.JSONDecodeError as error:
                records.append(
                    PatientRecord(number, None, f"not valid JSON: {error.msg} at column {error.colno}")
                )
        return True, records


@dataclass(frozen=True)
class Outcome:
    """A patient's result, or (result None) an error object naming every problem."""

    result: fibrolang.Result | None
    data: dict[str, Any]
    patient: dict[str, Any] | None = None  # the record evaluated (when it was)


def evaluate_record(guideline: fibrolang.Guideline, record: PatientRecord) -> Outcome:
    if record.problem is not None:
        return Outcome(
            None, {"line": record.line, "error": "unreadable_patient", "problems": [record.problem]}
        )
    if not isinstance(record.patient, dict):
        kind = type(record.patient).__name__
        problem = f"a patient is a JSON object of facts, not a JSON {kind}"
        return Outcome(None, {"line": record.line, "error": "invalid_patient", "problems": [problem]})
    try:
        result = guideline.evaluate(record.patient)
    except fibrolang.InvalidPatient as invalid:
        problems = [
            {"path": problem.path, "code": problem.code, "message": problem.message}
            for problem in invalid.problems
        ]
        return Outcome(None, {"line": record.line, "error": "invalid_patient", "problems": problems})
    except fibrolang.SafetyViolation as violation:
        # The plan broke one of the guideline's own safety rules: it is withheld.
        withheld = {"path": "", "code": "safety_violation", "message": str(violation)}
        return Outcome(None, {"line": record.line, "error": "safety_violation", "problems": [withheld]})
    except fibrolang.GuidelineError as error:
        # The guideline has no answer for this patient (an incomplete decision).
        unanswered = {"path": "", "code": "guideline_error", "message": str(error)}
        return Outcome(None, {"line": record.line, "error": "guideline_error", "problems": [unanswered]})
    return Outcome(result, result.to_dict(), record.patient)


def load_guideline(path: Path) -> fibrolang.Guideline:
    """A guideline from a compiled graph (.json) or, through the compiler, a .fibro source."""
    if path.suffix == ".json":
        return fibrolang.load(path)
    from compiler import api

    return fibrolang.load(api.compile_file(path))


def iterate(guideline: fibrolang.Guideline, records: list[PatientRecord]) -> Iterator[Outcome]:
    for record in records:
        yield evaluate_record(guideline, record)


def describe_error(outcome: dict[str, Any]) -> str:
    """An invalid or unreadable patient, one problem per line."""
    where = f"patient on line {outcome['line']}" if outcome.get("line", 1) != 1 else "patient"
    lines = [f"{where}: not evaluated ({str(outcome['error']).replace('_', ' ')}):"]
    for problem in outcome["problems"]:
        if isinstance(problem, dict) and problem["path"]:
            lines.append(f"  - {problem['path']}: {problem['message']}")
        elif isinstance(problem, dict):
            lines.append(f"  - {problem['message']}")
        else:
            lines.append(f"  - {problem}")
    return "\n".join(lines)


def summary_text(outcome: dict[str, Any], later: list[str] | None = None) -> str:
    """A few lines per patient; ``later``: the absent inputs that may be needed next
    (``fibrolang.explain.asked_later``), shown with an ``insufficient_data`` status."""
    lines = [f"status: {outcome['status']}"]
    for recommendation in outcome.get("recommendations", []):
        lines.append(f"  {recommendation['action']} {recommendation['intervention']}")
    for avoid in outcome.get("avoid", []):
        lines.append(f"  avoid {avoid['intervention']}")
    for flag in outcome.get("flags", []):
        lines.append(f"  flag {flag['id']}")
    if outcome.get("missing"):
        lines.append("  missing: " + ", ".join(outcome["missing"]))
    if later:
        lines.append("  may be needed next, depending on the answer: " + ", ".join(later))
    return "\n".join(lines)
