"""Evaluating patients from files for ``fibrolang eval``: one JSON patient, or
a JSON Lines file of many (one result per line, in input order)."""

from __future__ import annotations

import json
import re
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import fibrolang
from fibrolang.errors import LISTED, Problem
from fibrolang.patient_json import MAX_RECORD_BYTES, UnreadablePatient, read_record, unreadable
from fibrolang.printable import printable, printable_lines


@dataclass(frozen=True)
class PatientRecord:
    line: int  # 1-based line in a JSON Lines file; 1 for a single JSON file
    patient: Any
    error: str | None = None  # unreadable_patient, invalid_patient or blank_line: not evaluated
    problems: tuple[Problem, ...] = ()


def read_patients(path: Path) -> tuple[bool, Iterator[PatientRecord]]:
    """(is_json_lines, records). A file holding one JSON value is one patient, and so is a
    file whose first non-blank line is a lone ``{`` or ``[`` (a pretty-printed record, whose
    syntax error is reported once, at its line and column); otherwise each line is one
    record: output line N answers input line N, a blank line included. Records are read
    lazily, one line (at most ``MAX_RECORD_BYTES``) at a time."""
    with path.open("rb") as file:
        head = file.read(MAX_RECORD_BYTES + 1)
    if len(head) <= MAX_RECORD_BYTES:
        if _one_document(head):
            return False, iter([_record(1, head)])
    elif _first_line(head) in (b"{", b"["):
        size = path.stat().st_size
        problem = f"the file is {size:,} bytes; a patient record is at most {MAX_RECORD_BYTES:,} bytes"
        too_large = Problem("", problem, "too_large")
        return False, iter([PatientRecord(1, None, "unreadable_patient", (too_large,))])
    return True, _json_lines(path)


def _first_line(text: bytes) -> bytes:
    return next((line.strip() for line in text.split(b"\n") if line.strip()), b"")


def _one_document(text: bytes) -> bool:
    if len([line for line in text.split(b"\n") if line.strip()]) <= 1 or _first_line(text) in (b"{", b"["):
        return True
    try:  # a value spread over several lines? (numbers not converted: this only looks at the shape)
        json.loads(text.decode("utf-8-sig"), parse_int=len)
    except (ValueError, RecursionError):
        return False
    return True


def _record(line: int, raw: bytes) -> PatientRecord:
    try:
        text = raw.decode("utf-8-sig" if line == 1 else "utf-8")
    except UnicodeDecodeError as error:
        where = f"byte 0x{raw[error.start]:02x} at column {error.start + 1}"
        problem = Problem("", f"not UTF-8 text ({where})", "not_utf8")
        return PatientRecord(line, None, "unreadable_patient", (problem,))
    try:
        return PatientRecord(line, read_record(text))
    except UnreadablePatient as error:
        return PatientRecord(line, None, "unreadable_patient", error.problems)
    except fibrolang.InvalidPatient as error:  # duplicate keys
        return PatientRecord(line, None, "invalid_patient", error.problems)


def _json_lines(path: Path) -> Iterator[PatientRecord]:
    with path.open("rb") as file:
        number = 0
        while True:
            raw = file.readline(MAX_RECORD_BYTES + 1)
            if not raw:
                return
            number += 1
            if len(raw) > MAX_RECORD_BYTES and not raw.endswith(b"\n"):
                size = len(raw) + _skip_line(file)
                problems = unreadable(
                    f"the line is {size:,} bytes; a patient record is at most {MAX_RECORD_BYTES:,} bytes",
                    "too_large",
                ).problems
                yield PatientRecord(number, None, "unreadable_patient", problems)
            elif not raw.strip():
                blank = Problem("", "a blank line holds no patient record", "blank_line")
                yield PatientRecord(number, None, "blank_line", (blank,))
            else:
                yield _record(number, raw.rstrip(b"\r\n"))


def _skip_line(file: IO[bytes]) -> int:
    """Read past the rest of an over-long line without holding it; its length."""
    skipped = 0
    while True:
        chunk = file.readline(1 << 16)
        skipped += len(chunk)
        if not chunk or chunk.endswith(b"\n"):
            return skipped


@dataclass(frozen=True)
class Outcome:
    """A patient's result, or (result None) an error object naming every problem."""

    result: fibrolang.Result | None
    data: dict[str, Any]
    patient: dict[str, Any] | None = None  # the record evaluated (when it was)


def error_object(line: int, error: str, problems: Iterable[Problem]) -> dict[str, Any]:
    """``{"line", "error", "problems": [{path, code, message}], "more_problems"}``: the first
    ``LISTED`` problems, each path and message escaped and cut (``printable``); how many
    more there are when there are more."""
    listed: list[dict[str, str]] = []
    more = 0
    for problem in problems:
        if len(listed) < LISTED:
            listed.append(
                {
                    "path": printable(problem.path, 200),
                    "code": problem.code,
                    "message": printable(problem.message, 400),
                }
            )
        else:
            more += 1
    data: dict[str, Any] = {"line": line, "error": error, "problems": listed}
    if more:
        data["more_problems"] = more
    return data


def evaluate_record(guideline: fibrolang.Guideline, record: PatientRecord) -> Outcome:
    unanswered = _unanswerable(record)
    if unanswered is not None:
        return unanswered
    try:
        result = guideline.evaluate(record.patient)
    except (fibrolang.InvalidPatient, fibrolang.SafetyViolation, fibrolang.GuidelineError) as error:
        return _outcome(record, error)
    return _outcome(record, result)


def _unanswerable(record: PatientRecord) -> Outcome | None:
    """The error object of a record that is no patient (unreadable, not an object)."""
    if record.error is not None:
        return Outcome(None, error_object(record.line, record.error, record.problems))
    if not isinstance(record.patient, dict):
        kind = type(record.patient).__name__
        problem = Problem("", f"a patient is a JSON object of facts, not a JSON {kind}", "not_an_object")
        return Outcome(None, error_object(record.line, "invalid_patient", [problem]))
    return None


def _outcome(record: PatientRecord, answer: fibrolang.Result | Exception) -> Outcome:
    if isinstance(answer, fibrolang.InvalidPatient):
        return Outcome(None, error_object(record.line, "invalid_patient", answer.problems))
    if isinstance(answer, fibrolang.SafetyViolation):
        # The plan broke one of the guideline's own safety rules: it is withheld.
        withheld = Problem("", str(answer), "safety_violation")
        return Outcome(None, error_object(record.line, "safety_violation", [withheld]))
    if isinstance(answer, fibrolang.GuidelineError):
        # The guideline has no answer for this patient (an incomplete decision).
        unanswered = Problem("", str(answer), "guideline_error")
        return Outcome(None, error_object(record.line, "guideline_error", [unanswered]))
    if isinstance(answer, Exception):
        raise answer
    return Outcome(answer, answer.to_dict(), record.patient)


_SURROGATE = re.compile("[\ud800-\udfff]")


def json_line(data: dict[str, Any], indent: int | None = None) -> str:
    """``data`` as JSON text, UTF-8 as is; a lone surrogate (which UTF-8 cannot hold) as
    its ``\\u`` escape, so that writing the text never fails."""
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, indent=indent)
    if _SURROGATE.search(text):
        return json.dumps(data, sort_keys=True, ensure_ascii=True, indent=indent)
    return text


def load_guideline(path: Path) -> fibrolang.Guideline:
    """A guideline from a compiled graph (.json) or, through the compiler, a .fibro source."""
    if path.suffix == ".json":
        return fibrolang.load(path)
    from compiler import api

    return fibrolang.load(api.compile_file(path))


def iterate(guideline: fibrolang.Guideline, records: Iterable[PatientRecord]) -> Iterator[Outcome]:
    """The outcome of every record, in order, lazily: the patients go through one
    ``Guideline.evaluate_many``; a record that is no patient is answered in its place."""
    waiting: deque[Outcome] = deque()  # answers to records read before the next patient
    taken: deque[PatientRecord] = deque()  # the record of the patient being evaluated

    def patients() -> Iterator[dict[str, Any]]:
        for record in records:
            unanswered = _unanswerable(record)
            if unanswered is not None:
                waiting.append(unanswered)
                continue
            taken.append(record)
            yield record.patient

    for answer in guideline.evaluate_many(patients()):
        while waiting:
            yield waiting.popleft()
        yield _outcome(taken.popleft(), answer)
    while waiting:
        yield waiting.popleft()


def describe_error(outcome: dict[str, Any]) -> str:
    """An invalid or unreadable patient, one problem per line."""
    where = f"patient on line {outcome['line']}" if outcome.get("line", 1) != 1 else "patient"
    count = len(outcome["problems"]) + outcome.get("more_problems", 0)
    listing = f" ({count} problems)" if count > 1 else ""
    lines = [f"{where}: not evaluated ({str(outcome['error']).replace('_', ' ')}){listing}:"]
    for problem in outcome["problems"]:  # already escaped and cut by ``error_object``
        if problem["path"]:
            lines.append(f"  - {problem['path']}: {problem['message']}")
        else:
            lines.append(f"  - {problem['message']}")
    if outcome.get("more_problems"):
        lines.append(f"  ... and {outcome['more_problems']} more")
    return printable_lines(lines)


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
    return printable_lines(lines)
