"""Differential test: the runtime on the real fibromyalgia graph agrees with the hand-written
reference (benchmarks/reference_fibromyalgia.py) on thousands of seeded random patients.

They must agree on the status, the missing facts, the recommendations (intervention, action,
dose, titration, in path order), the avoid, flag and monitoring ids, and the outputs; and both
must reject the same invalid records. The patients are drawn to hit the thresholds of the
guideline (4 weeks, the dose ceilings, eGFR 30, ages 18/40/65) and to leave facts out at every
level, so that every branch and every kind of ``insufficient_data`` is exercised.
"""

from __future__ import annotations

import importlib
import importlib.util
import random
from collections import Counter
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

import fibrolang
from compiler import api
from compiler.backends import graph_json

ROOT = Path(__file__).resolve().parents[2]
AGENTS = (
    "duloxetine",
    "milnacipran",
    "amitriptyline",
    "pregabalin",
    "tramadol",
    "paracetamol",
    "low_dose_naltrexone",
    "tropisetron",
    "pramipexole",
    "strong_opioid",
    "corticosteroid",
    "nsaid",
)
FIRST_LINE = AGENTS[:4]
RESPONSES = ("adequate", "inadequate", "not_tolerated", "unknown")
DOSES = (
    0,
    1.5,
    3,
    4.5,
    4.6,
    10,
    25,
    49.5,
    50,
    59,
    60,
    61,
    75,
    99,
    100,
    120,
    150,
    200,
    201,
    299,
    300,
    301,
    449,
    450,
    451,
    600,
)


def _load_module(name: str, path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def graph_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("graphs") / "fibromyalgia.graph.json"
    path.write_text(
        graph_json.dumps(api.compile_file(ROOT / "guidelines" / "fibromyalgia.fibro")), encoding="utf-8"
    )
    return path


@pytest.fixture(scope="module")
def guideline(graph_file: Path) -> fibrolang.Guideline:
    return fibrolang.load(graph_file)


@pytest.fixture(scope="module")
def reference() -> ModuleType:
    return _load_module("reference_fibromyalgia", ROOT / "benchmarks" / "reference_fibromyalgia.py")


def _maybe(rng: random.Random, value: Any, absent: float) -> Any:
    """The value, or (with probability ``absent``) a marker that the caller leaves it out."""
    return _ABSENT if rng.random() < absent else value


_ABSENT: Any = object()


def _number(rng: random.Random, value: float, unit: str) -> Any:
    roll = rng.random()
    if roll < 0.15:
        return {"value": value, "unit": unit}
    if roll < 0.25 and float(value).is_integer():
        return float(value)
    return value


def _trial(rng: random.Random, absent: float) -> dict[str, Any]:
    fields = {
        "daily_dose_mg": _number(rng, rng.choice(DOSES), "mg/day"),
        "weeks": _number(rng, rng.choice((0, 1, 3, 3.9, 4, 4.5, 6, 12, 52)), "weeks"),
        "response": rng.choice(RESPONSES),
        "ongoing": rng.random() < 0.6,
    }
    trial: dict[str, Any] = {}
    for name, value in fields.items():
        value = _maybe(rng, value, absent)
        if value is _ABSENT:
            if rng.random() < 0.3:
                trial[name] = None  # null is the same as leaving it out
        else:
            trial[name] = value
    return trial


def random_patient(rng: random.Random) -> dict[str, Any]:
    absent = rng.choice((0.0, 0.0, 0.05, 0.15, 0.4))
    medications: dict[str, Any] = {}
    for agent in rng.sample(FIRST_LINE, rng.randint(0, 4)):
        medications[agent] = _trial(rng, absent)
    for agent in rng.sample(AGENTS[4:], rng.randint(0, 3)):
        medications[agent] = _trial(rng, absent) if rng.random() < 0.9 else None
    fields = {
        "age": _number(rng, rng.choice((17, 18, 39, 40, 41, 64, 65, 90, rng.randint(0, 130))), "years"),
        "egfr": _number(rng, rng.choice((29, 29.9, 30, 30.5, 60, 90, 250)), "mL/min/1.73m2"),
        "chronic_liver_disease": rng.random() < 0.2,
        "pain_score": rng.randint(0, 10),
        "depression": rng.random() < 0.4,
        "sleep_disturbance": rng.random() < 0.4,
        "fatigue": rng.random() < 0.4,
        "comorbidities": rng.sample(("back_pain", "hypertension", "headache"), rng.randint(0, 3)),
        "ecg_done": rng.random() < 0.5,
        "medications": medications,
    }
    patient: dict[str, Any] = {}
    for name, value in fields.items():
        value = _maybe(rng, value, absent)
        if value is _ABSENT:
            if rng.random() < 0.2:
                patient[name] = None
        else:
            patient[name] = value
    return patient


def _dose(dose: Any) -> tuple[Any, ...] | None:
    return None if dose is None else (dose.minimum, dose.maximum, dose.unit, dose.frequency)


def _titration(titration: Any) -> tuple[Any, ...] | None:
    if titration is None:
        return None
    return (titration.step, titration.every, titration.every_unit, titration.target, titration.unit)


def runtime_answer(guideline: fibrolang.Guideline, patient: dict[str, Any]) -> dict[str, Any]:
    try:
        result = guideline.evaluate(patient)
    except fibrolang.SafetyViolation as violation:
        return {"status": f"violation {violation.invariant}"}
    return {
        "status": result.status,
        "missing": list(result.missing),
        "recommendations": [
            (item.intervention, item.action, _dose(item.dose), _titration(item.titration))
            for item in result.recommendations
        ],
        "avoid": [item.intervention for item in result.avoid],
        "flags": [item.id for item in result.flags],
        "monitoring": [item.what for item in result.monitoring],
        "outputs": dict(result.outputs),
    }


def reference_answer(reference: ModuleType, patient: dict[str, Any]) -> dict[str, Any]:
    try:
        answer: dict[str, Any] = reference.evaluate_fibromyalgia(patient)
    except reference.SafetyRuleBroken as broken:
        return {"status": f"violation {broken}"}
    return answer


def test_the_reference_agrees_with_the_runtime_on_random_patients(
    guideline: fibrolang.Guideline, reference: ModuleType
) -> None:
    rng = random.Random(20250812)
    statuses: Counter[str] = Counter()
    missing: set[str] = set()
    recommended: set[tuple[str, str]] = set()
    for _ in range(6000):
        patient = random_patient(rng)
        expected = runtime_answer(guideline, patient)
        assert reference_answer(reference, patient) == expected, patient
        statuses[expected["status"]] += 1
        missing.update(expected.get("missing", ()))
        recommended.update((item[0], item[1]) for item in expected.get("recommendations", ()))
    # the patients reach every outcome, many kinds of missing fact and every recommendation
    assert set(statuses) == {"ok", "not_applicable", "insufficient_data"}
    assert min(statuses.values()) > 200, statuses
    assert {
        "age",
        "comorbidities",
        "medications",
        "depression",
        "ecg_done",
        "medications.duloxetine.weeks",
        "medications.pregabalin.daily_dose_mg",
    } <= missing
    assert ("low_dose_naltrexone", "consider") in recommended
    for agent in ("duloxetine", "milnacipran", "amitriptyline", "pregabalin"):
        assert (agent, "decrease") in recommended  # above the source's range
    for agent in ("tramadol", "paracetamol", "tropisetron", "pramipexole"):
        assert {(agent, "continue"), (agent, "stop")} <= recommended  # adjuncts reviewed
    assert len(recommended) >= 30, sorted(recommended)


def test_the_reference_agrees_on_naltrexone_after_the_fda_approved_agents(
    guideline: fibrolang.Guideline, reference: ModuleType
) -> None:
    """Random patients rarely have all three FDA-approved agents failed and take low-dose
    naltrexone: these do, at every step of its titration (1.5, 3, 4.5 mg/day and around)."""
    rng = random.Random(4512)
    recommended: set[tuple[str, str]] = set()
    for _ in range(800):
        patient = random_patient(rng)
        medications = patient.get("medications") or {}
        for agent in ("duloxetine", "milnacipran", "pregabalin"):
            dose = {"duloxetine": 60, "milnacipran": 100, "pregabalin": 450}[agent]
            medications[agent] = {
                "daily_dose_mg": dose,
                "weeks": 8,
                "response": "inadequate",
                "ongoing": False,
            }
        medications["low_dose_naltrexone"] = _trial(rng, 0.05)
        medications["low_dose_naltrexone"]["daily_dose_mg"] = rng.choice((0, 1, 1.5, 2, 3, 4, 4.5, 5, 9))
        patient["medications"] = medications
        expected = runtime_answer(guideline, patient)
        assert reference_answer(reference, patient) == expected, patient
        recommended.update((item[0], item[1]) for item in expected.get("recommendations", ()))
    naltrexone = {action for agent, action in recommended if agent == "low_dose_naltrexone"}
    assert naltrexone == {"consider", "increase", "continue", "decrease", "stop"}, naltrexone


def test_the_reference_agrees_on_the_benchmark_patients(
    guideline: fibrolang.Guideline, reference: ModuleType
) -> None:
    bench = _load_module("bench_evaluate", ROOT / "benchmarks" / "bench_evaluate.py")
    for patient in bench.synthetic_patients(guideline.graph, 3000, 11, 0.1):
        assert reference_answer(reference, patient) == runtime_answer(guideline, patient), patient


INVALID_FIELDS: list[tuple[str, Any]] = [
    ("age", 17.5),
    ("age", True),
    ("age", "40"),
    ("age", -1),
    ("age", 131),
    ("age", {"value": 40, "unit": "months"}),
    ("age", {"value": 40}),
    ("age", float("nan")),
    ("egfr", float("inf")),
    ("egfr", 250.5),
    ("egfr", {"value": 40, "unit": "mL/min"}),
    ("chronic_liver_disease", 1),
    ("chronic_liver_disease", "yes"),
    ("pain_score", 11),
    ("comorbidities", "back_pain"),
    ("comorbidities", ["back pain"]),
    ("comorbidities", [None]),
    ("medications", []),
    ("medications", {"duloxetin": {}}),
    ("medications", {"nsaid": 3}),
    ("medications", {"duloxetine": {"weeks": -1}}),
    ("medications", {"duloxetine": {"response": "good"}}),
    ("medications", {"duloxetine": {"ongoing": 0}}),
    ("medications", {"duloxetine": {"dose": 60}}),
    ("medications", {"duloxetine": {"daily_dose_mg": {"value": 60, "unit": "mg"}}}),
    ("medications", {"ibuprofen": None}),
    ("weight", 70),
    ("weight", None),
]


@pytest.mark.parametrize(("name", "value"), INVALID_FIELDS)
def test_both_reject_the_same_invalid_records(
    guideline: fibrolang.Guideline, reference: ModuleType, name: str, value: Any
) -> None:
    patient = {"age": 50, "comorbidities": [], name: value}
    with pytest.raises(fibrolang.InvalidPatient):
        guideline.evaluate(patient)
    with pytest.raises(ValueError):
        reference.evaluate_fibromyalgia(patient)


def test_both_reject_a_record_that_is_not_an_object(
    guideline: fibrolang.Guideline, reference: ModuleType
) -> None:
    not_objects: tuple[object, ...] = ([], "patient", None, 3)
    for patient in not_objects:
        with pytest.raises(fibrolang.InvalidPatient):
            guideline.evaluate(patient)  # type: ignore[arg-type]
        with pytest.raises(ValueError):
            reference.evaluate_fibromyalgia(patient)


def test_the_benchmark_compares_runtime_and_reference_in_one_run(
    graph_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bench = _load_module("bench_evaluate", ROOT / "benchmarks" / "bench_evaluate.py")
    reference = f"{ROOT / 'benchmarks' / 'reference_fibromyalgia.py'}:evaluate_fibromyalgia"
    argv = ["--graph", str(graph_file), "--patients", "300", "--rounds", "2", "--loads", "2"]
    assert bench.main([*argv, "--reference", reference]) == 0
    report = capsys.readouterr().out
    for label in ("machine", "load", "compile closures", "evaluations/s", "µs/patient", "ratio"):
        assert label in report
    assert "same outcomes" in report
