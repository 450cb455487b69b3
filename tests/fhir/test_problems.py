"""fibrolang.fhir reports what it cannot map instead of guessing."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bundle_writer import write_bundle

import fibrolang
from fibrolang import read_graph
from fibrolang.fhir import read_bundle

ROOT = Path(__file__).resolve().parents[2]
GRAPH_PATH = ROOT / "guidelines" / "fibromyalgia.graph.json"
GRAPH = json.loads(GRAPH_PATH.read_text(encoding="utf-8"))
MODEL = read_graph(GRAPH)  # the typed graph the FHIR reader reads
NOW = datetime(2026, 6, 15, 12, 0, 0, tzinfo=UTC)
PATIENT: dict[str, Any] = {
    "age": 52,
    "egfr": 25,
    "chronic_liver_disease": False,
    "pain_score": 7,
    "depression": True,
    "sleep_disturbance": False,
    "fatigue": False,
    "comorbidities": ["hypertension"],
    "ecg_done": False,
    "medications": {
        "duloxetine": {"daily_dose_mg": 30, "weeks": 6, "response": "inadequate", "ongoing": True},
        "pregabalin": {"daily_dose_mg": 300, "weeks": 8.5, "response": "not_tolerated", "ongoing": False},
    },
}


def bundle() -> dict[str, Any]:
    return write_bundle(GRAPH, PATIENT, NOW)


def resources(document: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [e["resource"] for e in document["entry"] if e["resource"]["resourceType"] == kind]


def egfr_observation(document: dict[str, Any]) -> dict[str, Any]:
    return next(r for r in resources(document, "Observation") if r["code"]["coding"][0]["code"] == "33914-3")


def test_a_clean_bundle_reads_back_with_no_problem() -> None:
    reading = read_bundle(MODEL, bundle(), NOW)
    assert reading.problems == ()
    assert reading.record == PATIENT


def test_an_observation_in_another_unit_is_reported_not_converted() -> None:
    document = bundle()
    quantity = egfr_observation(document)["valueQuantity"]
    quantity["code"] = quantity["unit"] = "mL/min"
    reading = read_bundle(MODEL, document, NOW)
    assert "egfr" not in reading.record
    assert [(p.input, p.message) for p in reading.problems] == [
        ("egfr", "unit 'mL/min' is not mL/min/1.73m2 (UCUM 'mL/min/{1.73_m2}')")
    ]
    result = fibrolang.load(GRAPH_PATH).evaluate(reading.record)
    assert result.status == "insufficient_data"


def test_an_observation_entered_in_error_is_ignored_and_reported() -> None:
    document = bundle()
    egfr_observation(document)["status"] = "entered-in-error"
    reading = read_bundle(MODEL, document, NOW)
    assert "egfr" not in reading.record
    assert [p.message for p in reading.problems] == ["entered in error: ignored"]


def test_two_different_values_at_the_same_time_are_ambiguous() -> None:
    document = bundle()
    twin = copy.deepcopy(egfr_observation(document))
    twin["id"] = "twin"
    twin["valueQuantity"]["value"] = 60
    document["entry"].append({"fullUrl": "urn:uuid:twin", "resource": twin})
    reading = read_bundle(MODEL, document, NOW)
    assert "egfr" not in reading.record
    assert [p.resource for p in reading.problems] == ["Observation/twin"]
    assert reading.problems[0].message.startswith("ambiguous: 2 different values")


def test_the_newest_observation_wins_and_old_ones_fall_outside_the_window() -> None:
    document = bundle()
    old = copy.deepcopy(egfr_observation(document))
    old["id"] = "old"
    old["effectiveDateTime"] = "2026-01-01T00:00:00Z"
    old["valueQuantity"]["value"] = 90
    document["entry"].append({"fullUrl": "urn:uuid:old", "resource": old})
    assert read_bundle(MODEL, document, NOW).record["egfr"] == 25
    egfr_observation(document)["effectiveDateTime"] = "2024-01-01T00:00:00Z"
    assert read_bundle(MODEL, document, NOW).record["egfr"] == 90
    old["effectiveDateTime"] = "2025-01-01T00:00:00Z"  # more than 360 days before NOW
    assert "egfr" not in read_bundle(MODEL, document, NOW).record


def test_a_duplicate_medication_statement_is_ambiguous() -> None:
    document = bundle()
    statement = copy.deepcopy(resources(document, "MedicationStatement")[0])
    statement["id"] = "again"
    document["entry"].append({"fullUrl": "urn:uuid:again", "resource": statement})
    reading = read_bundle(MODEL, document, NOW)
    assert "duloxetine" not in reading.record["medications"]
    assert [p.message for p in reading.problems] == ["ambiguous: 2 MedicationStatements for duloxetine"]


def test_a_medication_statement_of_unknown_status_or_dose_is_reported() -> None:
    document = bundle()
    duloxetine, pregabalin = resources(document, "MedicationStatement")
    duloxetine["status"] = "on-hold"
    del pregabalin["dosage"][0]["timing"]
    reading = read_bundle(MODEL, document, NOW)
    assert reading.record["medications"] == {}
    assert sorted(p.message for p in reading.problems) == [
        "no dose with a schedule (doseQuantity and timing.repeat)",
        "status 'on-hold': cannot tell whether it is being taken",
    ]


def test_a_refuted_or_resolved_condition_is_not_active() -> None:
    document = bundle()
    depression = next(
        r for r in resources(document, "Condition") if r["code"]["coding"][0]["code"] == "35489007"
    )
    depression["verificationStatus"]["coding"][0]["code"] = "refuted"
    assert read_bundle(MODEL, document, NOW).record["depression"] is False
    depression["verificationStatus"]["coding"][0]["code"] = "confirmed"
    depression["clinicalStatus"]["coding"][0]["code"] = "resolved"
    assert read_bundle(MODEL, document, NOW).record["depression"] is False


def test_a_code_outside_the_value_set_is_not_read() -> None:
    document = bundle()
    hypertension = next(
        r for r in resources(document, "Condition") if r["code"]["coding"][0]["code"] == "38341003"
    )
    hypertension["code"]["coding"][0]["system"] = "http://hl7.org/fhir/sid/icd-10-cm"
    assert read_bundle(MODEL, document, NOW).record["comorbidities"] == []


def test_what_is_not_a_bundle_of_resources_reads_as_nothing_but_problems() -> None:
    for document, message in [
        ({"resourceType": "Patient"}, "not a FHIR Bundle (resourceType must be 'Bundle')"),
        ([], "not a FHIR Bundle (resourceType must be 'Bundle')"),
        ({"resourceType": "Bundle", "entry": "x"}, "Bundle.entry is not a list"),
        (
            {"resourceType": "Bundle", "entry": [{"resource": 5}]},
            "an entry without a resource that has a resourceType",
        ),
    ]:
        reading = read_bundle(MODEL, document, NOW)  # type: ignore[arg-type]
        assert reading.record == {}
        assert [p.message for p in reading.problems] == [message]


def test_a_malformed_resource_is_reported_and_its_input_left_out() -> None:
    document = bundle()
    duloxetine = resources(document, "MedicationStatement")[0]
    duloxetine["extension"] = 5
    reading = read_bundle(MODEL, document, NOW)
    assert "medications" not in reading.record
    assert [(p.input, p.message) for p in reading.problems] == [
        ("medications", "a resource it reads is malformed (TypeError)")
    ]


def test_a_condition_without_clinical_status_is_not_read_as_absent() -> None:
    document = bundle()
    depression = next(
        r for r in resources(document, "Condition") if r["code"]["coding"][0]["code"] == "35489007"
    )
    del depression["clinicalStatus"]
    reading = read_bundle(MODEL, document, NOW)
    assert "depression" not in reading.record
    assert [p.message for p in reading.problems] == ["no clinicalStatus: cannot tell whether it is active"]


def test_a_patient_without_a_birth_date_has_an_unknown_age_and_a_partial_one_is_reported() -> None:
    document = bundle()
    patient = resources(document, "Patient")[0]
    del patient["birthDate"]
    reading = read_bundle(MODEL, document, NOW)
    assert "age" not in reading.record and reading.problems == ()
    patient["birthDate"] = "1974"
    reading = read_bundle(MODEL, document, NOW)
    assert "age" not in reading.record
    assert [p.message for p in reading.problems] == ["no full birth date (YYYY-MM-DD)"]
