"""Property test of ``fibrolang eval`` on JSON Lines files that mix valid patients with
hostile lines (issue 21): output line N answers input line N, each good line's answer
is what evaluating it alone gives, and the exit code is 1 exactly when some line got
an error object."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import fibrolang
from compiler.cli import main

ROOT = Path(__file__).resolve().parents[2]
GRAPH = ROOT / "guidelines" / "fibromyalgia.graph.json"
GUIDELINE = fibrolang.load(GRAPH)
MEMBERS = {enum.name: list(enum.members) for enum in GUIDELINE.graph.enums}

trials = st.fixed_dictionaries(
    {},
    optional={
        "weeks": st.integers(0, 52),
        "response": st.sampled_from(MEMBERS["response"]),
        "ongoing": st.booleans(),
    },
)
patients = st.fixed_dictionaries(
    {"age": st.integers(0, 130)},
    optional={
        "egfr": st.integers(0, 250)
        | st.builds(lambda v: {"value": v, "unit": "mL/min/1.73m2"}, st.integers(0, 250)),
        "chronic_liver_disease": st.booleans(),
        "pain_score": st.integers(0, 10),
        "depression": st.booleans(),
        "sleep_disturbance": st.booleans(),
        "fatigue": st.booleans(),
        "comorbidities": st.lists(st.sampled_from(MEMBERS["comorbidity"]), max_size=3),
        "ecg_done": st.booleans(),
        "medications": st.dictionaries(st.sampled_from(MEMBERS["agent"]), trials, max_size=3),
    },
)


def _line(patient: dict[str, Any]) -> bytes:
    return json.dumps(patient).encode()


@st.composite
def hostile(draw: st.DrawFn) -> bytes:
    kind = draw(st.sampled_from(["deep", "huge", "surrogate", "duplicate", "blank", "truncated", "bytes"]))
    patient = draw(patients)
    text = _line(patient)
    if kind == "deep":
        depth = draw(st.integers(65, 5000))
        opening, closing = draw(st.sampled_from([("[", "]"), ('{"a": ', "}")]))
        return (opening * depth + "1" + closing * depth).encode()
    if kind == "huge":
        return b'{"age": ' + b"7" * draw(st.integers(101, 6000)) + b"}"
    if kind == "surrogate":
        return draw(
            st.sampled_from(
                [b'{"\\ud800": 1}', b'{"comorbidities": ["\\udfff"]}', b'{"age": 1, "\\udbff": 2}']
            )
        )
    if kind == "duplicate":
        return text[:-1] + b', "age": 40}'
    if kind == "blank":
        return draw(st.sampled_from([b"", b"   ", b"\t"]))
    if kind == "truncated":
        return text[: draw(st.integers(2, len(text) - 1))]
    at = draw(st.integers(1, len(text) - 1))
    return text[:at] + b"\xff" + text[at:]


def alone(patient: dict[str, Any]) -> dict[str, Any]:
    try:
        return GUIDELINE.evaluate(patient).to_dict()
    except fibrolang.SafetyViolation:
        return {"error": "safety_violation"}
    except fibrolang.GuidelineError:
        return {"error": "guideline_error"}


lines = st.lists(st.one_of(patients, hostile()), min_size=2, max_size=8).filter(
    lambda drawn: (
        sum(1 for line in drawn if isinstance(line, dict) or line.strip()) >= 2
        and next(line for line in drawn if isinstance(line, dict) or line.strip()) not in (b"{", b"[")
    )
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(drawn=lines)
def test_every_line_is_answered_in_its_place(tmp_path_factory: Any, drawn: list[Any]) -> None:
    file = tmp_path_factory.mktemp("jsonl") / "patients.jsonl"
    file.write_bytes(b"\n".join(_line(line) if isinstance(line, dict) else line for line in drawn) + b"\n")
    result = CliRunner().invoke(main, ["eval", str(GRAPH), "--patient", str(file)])
    answers = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(answers) == len(drawn), result.stderr
    for number, (line, answer) in enumerate(zip(drawn, answers, strict=True), 1):
        if isinstance(line, dict):
            expected = alone(line)
            if "error" in expected:
                assert answer["error"] == expected["error"] and answer["line"] == number
            else:
                assert answer == expected
        else:
            assert answer["line"] == number
            assert answer["error"] in ("unreadable_patient", "invalid_patient", "blank_line")
    failed = any("error" in answer for answer in answers)
    assert result.exit_code == (1 if failed else 0)  # README: 1 when any record got no result
