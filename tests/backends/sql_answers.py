"""The runtime's answer in the shape of the SQL target's result row, and the patients to ask.

Shared by the SQL target's differential tests (DuckDB and Spark).
"""

from __future__ import annotations

import importlib.util
import math
from pathlib import Path
from typing import Any

import fibrolang
from compiler.backends.sql.records import flat_row
from compiler.testgen.suite import read_patients

ROOT = Path(__file__).resolve().parents[2]


def record_maker(graph: Any, seed: int) -> Any:
    """The Python target's random record maker (valid, absent, null and invalid facts)."""
    path = ROOT / "tests" / "backends" / "test_python_module.py"
    spec = importlib.util.spec_from_file_location("python_target_records", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.RecordMaker(graph, seed)


def runtime_row(guideline: fibrolang.Guideline, patient: Any) -> dict[str, Any]:
    """The runtime's result for a valid record, as the SQL query returns it."""
    try:
        result = guideline.evaluate(patient).to_dict()
    except fibrolang.SafetyViolation:
        return {"status": "safety_violation"}
    except fibrolang.GuidelineError:
        return {"status": "incomplete_guideline"}
    return {
        "status": result["status"],
        "missing": result["missing"],
        "recommendations": [_recommendation(item) for item in result["recommendations"]],
        "avoid": [item["intervention"] for item in result["avoid"]],
        "flags": [item["id"] for item in result["flags"]],
        "monitoring": [item["what"] for item in result["monitoring"]],
        "outputs": _outputs(result["outputs"]),
        "path": result["trace"]["edges"],
    }


def _number(value: Any) -> float | None:
    return None if value is None else float(value)


def _recommendation(item: dict[str, Any]) -> dict[str, Any]:
    dose = item["dose"] or {}
    titration = item["titration"] or {}
    return {
        "item": item["item"],
        "intervention": item["intervention"],
        "action": item["action"],
        "dose_min": _number(dose.get("min")),
        "dose_max": _number(dose.get("max")),
        "dose_unit": dose.get("unit"),
        "dose_frequency": dose.get("frequency"),
        "titration_step": _number(titration.get("step")),
        "titration_every": _number(titration.get("every")),
        "titration_every_unit": titration.get("every_unit"),
        "titration_target": _number(titration.get("target")),
    }


def _outputs(outputs: dict[str, Any]) -> dict[str, Any] | None:
    return {
        name: list(value) if isinstance(value, tuple) else value for name, value in outputs.items()
    } or None


def sql_row(row: dict[str, Any]) -> dict[str, Any]:
    """A result row as comparable data (the fields the runtime side has, for its status)."""
    answer = {key: value for key, value in row.items() if key != "patient_id"}
    if answer["status"] in ("safety_violation", "incomplete_guideline"):
        return {"status": answer["status"]}
    return answer


def same(expected: Any, got: Any) -> bool:
    """Equal, numbers by value but an int never equal to a non-integral float; NaN never."""
    if isinstance(expected, dict) and isinstance(got, dict):
        return expected.keys() == got.keys() and all(same(expected[k], got[k]) for k in expected)
    if isinstance(expected, list) and isinstance(got, list):
        return len(expected) == len(got) and all(same(a, b) for a, b in zip(expected, got, strict=True))
    if isinstance(expected, bool) or isinstance(got, bool):
        return expected is got
    if isinstance(expected, int | float) and isinstance(got, int | float):
        return not (math.isnan(expected) or math.isnan(got)) and expected == got
    return bool(expected == got)


def population(name: str, guideline: fibrolang.Guideline, random_patients: int, seed: int = 15) -> list[Any]:
    """Every witness and boundary patient of the generated suite, then random valid records."""
    suite = ROOT / "tests" / "generated" / f"test_guideline_{name}.py"
    patients: list[Any] = [case.patient for case in read_patients(suite)]
    maker = record_maker(guideline.graph, seed)
    made = 0
    while made < random_patients:
        patient = maker.patient()
        try:
            guideline.validate(patient)
        except fibrolang.InvalidPatient:
            continue
        except Exception:
            continue
        patients.append(patient)
        made += 1
    return patients


def rows_of(guideline: fibrolang.Guideline, patients: list[Any]) -> list[dict[str, Any]]:
    rows = []
    for index, patient in enumerate(patients):
        row = flat_row(guideline.graph, guideline.validate(patient))
        row["patient_id"] = str(index)
        rows.append(row)
    return rows
