"""The graph JSON of a FHIR binding: codes resolved to their systems' URIs,
units to UCUM, the FHIRPath that selects the resources it reads and the CDS
Hooks prefetch template that fetches them (docs/fhir.md, docs/graph-format.md).

Every string taken from the guideline is quoted by ``fhirpath_string`` or
percent-encoded by ``_query_value``: nothing a guideline writes can change the
shape of the FHIRPath or of the query.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from compiler.check import fhir_codes
from compiler.check import unit_catalogue as catalogue
from compiler.front import syntax as s

JSON = Any

# The element of each resource that holds the codes a binding matches.
CODE_ELEMENT = {
    "Observation": "code",
    "Condition": "code",
    "Procedure": "code",
    "MedicationStatement": "medicationCodeableConcept",
}


def fhirpath_string(value: str) -> str:
    """A FHIRPath string literal: single quotes, with backslash escapes.

    A value holding a backslash is refused: fhirpathpy (1.x) undoes escapes one
    kind after another, so the escaped pair ``\\r`` comes back as a backslash
    and a carriage return. The checker lets only catalogue URIs and codes of the
    forms in ``fhir_codes`` reach here, and none of them holds a backslash.
    """
    if "\\" in value:
        raise ValueError(f"a FHIRPath string cannot carry a backslash here: {value!r}")
    escaped = value.replace("'", "\\'")
    escaped = escaped.replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")
    return f"'{escaped}'"


def _code_json(code: s.Code) -> JSON:
    return {"system": fhir_codes.CODE_SYSTEMS[code.system.text].uri, "code": code.code.value}


def _sorted_codes(codes: list[JSON]) -> list[JSON]:
    unique = {(c["system"], c["code"]): c for c in codes}
    return [unique[key] for key in sorted(unique)]


def _coding_test(codes: list[JSON]) -> str:
    tests = " or ".join(
        f"(system = {fhirpath_string(c['system'])} and code = {fhirpath_string(c['code'])})" for c in codes
    )
    return f"coding.where({tests}).exists()"


def _query_value(codes: list[JSON]) -> str:
    return ",".join(quote(f"{c['system']}|{c['code']}", safe="/:") for c in codes)


def binding_json(declared: s.Input, sets: dict[str, s.CodeSet]) -> JSON:
    """The ``binding`` of an input in the graph (the binding has been checked)."""
    binding = declared.binding
    assert binding is not None
    resource = binding.resource.text
    code_set = sets.get(binding.code_set.text) if binding.code_set is not None else None
    member_codes: dict[str, list[JSON]] | None = None
    if code_set is not None and code_set.enumeration is not None:
        member_codes = {
            entry.member.text: _sorted_codes([_code_json(c) for c in entry.codes])
            for entry in code_set.entries
        }
        codes = _sorted_codes([c for listed in member_codes.values() for c in listed])
    elif code_set is not None:
        codes = _sorted_codes([_code_json(c) for c in code_set.codes])
    else:
        codes = _sorted_codes([_code_json(c) for c in binding.codes])
    unit: str | None = None
    if isinstance(declared.type, s.NumberType) and declared.type.unit is not None:
        unit = catalogue.canonical(declared.type.unit.text)
    within_days: int | None = None
    if binding.within is not None and binding.within.unit is not None:
        days = fhir_codes.DAYS_IN[catalogue.canonical(binding.within.unit.text) or ""]
        within_days = int(binding.within.value * days)
    selection = f"Bundle.entry.resource.where(resourceType = {fhirpath_string(resource)}"
    if resource in CODE_ELEMENT:
        selection += f" and {CODE_ELEMENT[resource]}.{_coding_test(codes)}"
    selection += ")"
    if resource == "Patient":
        prefetch = "Patient/{{context.patientId}}"
    else:
        prefetch = f"{resource}?patient={{{{context.patientId}}}}&code={_query_value(codes)}"
    return {
        "resource": resource,
        "value_set": binding.code_set.text if binding.code_set is not None else None,
        "codes": codes,
        "member_codes": member_codes,
        "latest_value": binding.latest,
        "unit": unit if binding.latest else None,
        "ucum": list(fhir_codes.ucum_codes(unit)) if binding.latest and unit is not None else None,
        "within_days": within_days,
        "fields": {
            f.record_field.text: {"role": f.role.text, "url": f.url.value if f.url is not None else None}
            for f in binding.fields
        },
        "fhirpath": selection,
        "prefetch": prefetch,
    }
