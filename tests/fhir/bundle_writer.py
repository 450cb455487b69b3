"""Test helper: a patient record written as the FHIR R4 Bundle an EHR would
hold for it, following the guideline's bindings (the inverse of
fibrolang.fhir.read_bundle). Every resource is dated ``now``, so look-back
windows hold."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta
from fractions import Fraction
from typing import Any

UCUM = "http://unitsofmeasure.org"


def _stamp(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def _concept(codes: list[dict[str, str]]) -> dict[str, Any]:
    return {"coding": [{"system": c["system"], "code": c["code"]} for c in codes[:1]]}


def _birth_date(age: int, now: datetime) -> str:
    today = now.date()
    return date(today.year - age, today.month, today.day).isoformat()


def write_bundle(graph: Mapping[str, Any], record: Mapping[str, Any], now: datetime) -> dict[str, Any]:
    entries: list[dict[str, Any]] = []

    def add(resource: dict[str, Any]) -> None:
        resource["id"] = f"{resource['resourceType'].lower()}-{len(entries)}"
        if resource["resourceType"] != "Patient":
            resource["subject"] = {"reference": "Patient/example"}
        entries.append({"fullUrl": f"urn:uuid:{resource['id']}", "resource": resource})

    patient: dict[str, Any] = {"resourceType": "Patient"}
    for name, declared in sorted(graph["inputs"].items()):
        binding = declared.get("binding")
        if binding is None or name not in record:
            continue
        value = record[name]
        kind = binding["resource"]
        if kind == "Patient":
            patient["birthDate"] = _birth_date(value, now)
        elif kind == "Observation":
            add(
                {
                    "resourceType": "Observation",
                    "status": "final",
                    "code": _concept(binding["codes"]),
                    "effectiveDateTime": _stamp(now),
                    "valueQuantity": {
                        "value": value,
                        "unit": binding["ucum"][0],
                        "system": UCUM,
                        "code": binding["ucum"][0],
                    },
                }
            )
        elif kind in ("Condition", "Procedure"):
            members = [None] if binding["member_codes"] is None else sorted(value)
            if binding["member_codes"] is None and not value:
                continue
            for member in members:
                codes = binding["codes"] if member is None else binding["member_codes"][member]
                if kind == "Condition":
                    add(
                        {
                            "resourceType": "Condition",
                            "clinicalStatus": {
                                "coding": [
                                    {
                                        "system": "http://terminology.hl7.org/CodeSystem/condition-clinical",
                                        "code": "active",
                                    }
                                ]
                            },
                            "verificationStatus": {
                                "coding": [
                                    {
                                        "system": "http://terminology.hl7.org/CodeSystem/condition-ver-status",
                                        "code": "confirmed",
                                    }
                                ]
                            },
                            "code": _concept(codes),
                        }
                    )
                else:
                    add(
                        {
                            "resourceType": "Procedure",
                            "status": "completed",
                            "code": _concept(codes),
                            "performedDateTime": _stamp(now),
                        }
                    )
        else:
            for member, trial in sorted(value.items()):
                add(_statement(graph, declared, binding, member, trial, now))
    add(patient)
    entries.insert(0, entries.pop())
    return {"resourceType": "Bundle", "type": "collection", "entry": entries}


def _statement(
    graph: Mapping[str, Any],
    declared: Mapping[str, Any],
    binding: Mapping[str, Any],
    member: str,
    trial: Mapping[str, Any],
    now: datetime,
) -> dict[str, Any]:
    fields = graph["records"][declared["type"]["record"]]["fields"]
    statement: dict[str, Any] = {
        "resourceType": "MedicationStatement",
        "medicationCodeableConcept": _concept(binding["member_codes"][member]),
    }
    ongoing = True
    for field, how in sorted(binding["fields"].items()):
        if how["role"] == "status":
            ongoing = bool(trial[field])
    for field, how in sorted(binding["fields"].items()):
        value = trial[field]
        role = how["role"]
        if role == "status":
            statement["status"] = "active" if value else "completed"
        elif role == "duration":
            seconds = Fraction(str(value)) * (604800 if fields[field].get("unit") == "weeks" else 86400)
            assert seconds.denominator == 1, "the helper writes whole seconds"
            start = now - timedelta(seconds=int(seconds))
            statement["effectivePeriod"] = {
                "start": _stamp(start),
                **({} if ongoing else {"end": _stamp(now)}),
            }
        elif role == "dose":
            unit = fields[field]["unit"].split("/")[0].replace("mcg", "ug")
            statement["dosage"] = [
                {
                    "timing": {"repeat": {"frequency": 1, "period": 1, "periodUnit": "d"}},
                    "doseAndRate": [
                        {"doseQuantity": {"value": value, "unit": unit, "system": UCUM, "code": unit}}
                    ],
                }
            ]
        else:
            key = {"enum": "valueCode", "boolean": "valueBoolean"}.get(fields[field]["kind"], "valueDecimal")
            statement.setdefault("extension", []).append({"url": how["url"], key: value})
    return statement
