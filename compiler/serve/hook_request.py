"""A CDS Hooks 2.0 request, checked field by field; every problem is an ``Issue``.

The request's prefetch is checked against what the service asked for in its
discovery document: each key must be one of ours, hold the resource type its
query names, carry one of the binding's codes, and belong to the patient of
``context.patientId``. A key left out (or ``null``) is *not prefetched*,
which is not the same as *not in the record* (compiler/serve/service.py).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from compiler.serve.outcome import Issue
from fibrolang.graph import FhirBinding

FHIR_ID = re.compile(r"[A-Za-z0-9\-.]{1,64}")


@dataclass(slots=True)
class HookRequest:
    hook: str
    hook_instance: str
    patient_id: str
    fhir_server: str | None
    token: str | None
    prefetch: dict[str, Any]  # key -> resource, for the keys given (not null)
    draft_orders: list[dict[str, Any]] = field(default_factory=list)


def _codings(concept: Any) -> set[tuple[str, str]]:
    if not isinstance(concept, dict) or not isinstance(concept.get("coding"), list):
        return set()
    found: set[tuple[str, str]] = set()
    for coding in concept["coding"]:
        if isinstance(coding, dict):
            system, code = coding.get("system"), coding.get("code")
            if isinstance(system, str) and isinstance(code, str):
                found.add((system, code))
    return found


CODE_ELEMENT = {
    "Observation": "code",
    "Condition": "code",
    "Procedure": "code",
    "MedicationStatement": "medicationCodeableConcept",
}


def _subject_issues(resource: Mapping[str, Any], patient_id: str, where: str) -> list[Issue]:
    subject = resource.get("subject")
    if subject is None:
        return [Issue("required", f"{where}.subject", "the resource names no patient (subject)")]
    reference = subject.get("reference") if isinstance(subject, dict) else None
    if reference != f"Patient/{patient_id}":
        return [
            Issue(
                "invalid",
                f"{where}.subject",
                f"the resource is about {str(reference)[:80]!r}, not Patient/{patient_id}",
            )
        ]
    return []


def check_resources(key: str, binding: FhirBinding, value: Any, patient_id: str, where: str) -> list[Issue]:
    """The problems of one prefetch value (or of one FHIR server answer) for ``binding``."""
    kind = binding.resource
    if not isinstance(value, dict):
        return [Issue("structure", where, "a prefetch value is a FHIR resource (a JSON object) or null")]
    if kind == "Patient":
        if value.get("resourceType") != "Patient":
            found = str(value.get("resourceType"))[:40]
            return [Issue("invalid", where, f"{key!r} holds a {found}, not the Patient")]
        if value.get("id") != patient_id:
            return [Issue("invalid", f"{where}.id", f"the Patient is not {patient_id} (context.patientId)")]
        return []
    if value.get("resourceType") != "Bundle":
        found = str(value.get("resourceType"))[:40]
        return [Issue("invalid", where, f"{key!r} holds a {found}, not the Bundle its {kind} search returns")]
    entries = value.get("entry", [])
    if not isinstance(entries, list):
        return [Issue("structure", f"{where}.entry", "Bundle.entry is not a list")]
    codes = {(c.system, c.code) for c in binding.codes}
    issues: list[Issue] = []
    for number, entry in enumerate(entries):
        at = f"{where}.entry[{number}]"
        resource = entry.get("resource") if isinstance(entry, dict) else None
        if not isinstance(resource, dict):
            issues.append(Issue("structure", at, "an entry without a resource"))
            continue
        search = entry.get("search")
        if isinstance(search, dict) and search.get("mode") == "outcome":
            continue  # the server's note on the search, not patient data
        given = str(resource.get("resourceType"))
        if given != kind:
            issues.append(
                Issue("invalid", f"{at}.resource", f"a {given[:40]} in the {kind} search of {key!r}")
            )
            continue
        element = CODE_ELEMENT[kind]
        if not _codings(resource.get(element)) & codes:
            issues.append(
                Issue(
                    "value",
                    f"{at}.resource.{element}",
                    f"{kind}/{str(resource.get('id'))[:64]} has none of the codes {key!r} asked for",
                )
            )
        issues += _subject_issues(resource, patient_id, f"{at}.resource")
    return issues


def read_request(
    document: Any, hook: str, bindings: Mapping[str, FhirBinding]
) -> tuple[HookRequest | None, list[Issue]]:
    """The request, or every problem found in it."""
    if not isinstance(document, dict):
        return None, [Issue("structure", "", "a CDS Hooks request is a JSON object")]
    issues: list[Issue] = []
    if document.get("hook") != hook:
        issues.append(
            Issue(
                "not-supported",
                "hook",
                f"this service answers the {hook} hook, not {str(document.get('hook'))[:40]!r}",
            )
        )
    hook_instance = document.get("hookInstance")
    if not isinstance(hook_instance, str) or not hook_instance or len(hook_instance) > 128:
        issues.append(Issue("required", "hookInstance", "hookInstance is a non-empty string (a UUID)"))
    server = document.get("fhirServer")
    if server is not None and (not isinstance(server, str) or not re.match(r"https?://[^\s]+$", server)):
        issues.append(Issue("value", "fhirServer", "fhirServer is an http(s) URL"))
    token: str | None = None
    authorization = document.get("fhirAuthorization")
    if authorization is not None:
        if server is None:
            issues.append(Issue("invalid", "fhirAuthorization", "fhirAuthorization without a fhirServer"))
        if not isinstance(authorization, dict):
            issues.append(Issue("structure", "fhirAuthorization", "fhirAuthorization is an object"))
        else:
            if authorization.get("token_type") != "Bearer":
                issues.append(Issue("value", "fhirAuthorization.token_type", "token_type is 'Bearer'"))
            if not isinstance(authorization.get("access_token"), str) or not authorization["access_token"]:
                issues.append(Issue("required", "fhirAuthorization.access_token", "access_token is missing"))
            else:
                token = authorization["access_token"]
    context = document.get("context")
    patient_id = ""
    draft_orders: list[dict[str, Any]] = []
    if not isinstance(context, dict):
        issues.append(Issue("required", "context", "context is an object with the patientId"))
    else:
        candidate = context.get("patientId")
        if not isinstance(candidate, str) or not FHIR_ID.fullmatch(candidate):
            issues.append(Issue("required", "context.patientId", "context.patientId is a FHIR id"))
        else:
            patient_id = candidate
        if hook == "order-select":
            draft_orders = _draft_orders(context, patient_id, issues)
    prefetch = document.get("prefetch", {})
    given: dict[str, Any] = {}
    if not isinstance(prefetch, dict):
        issues.append(Issue("structure", "prefetch", "prefetch is an object"))
    else:
        for key, value in sorted(prefetch.items()):
            if key not in bindings:
                issues.append(
                    Issue(
                        "not-supported",
                        f"prefetch.{key[:40]}",
                        f"{key[:40]!r} is not a prefetch key of this service",
                    )
                )
            elif value is not None:
                issues += check_resources(key, bindings[key], value, patient_id, f"prefetch.{key}")
                given[key] = value
    if issues:
        return None, issues
    assert isinstance(hook_instance, str)
    return HookRequest(hook, hook_instance, patient_id, server, token, given, draft_orders), []


def _draft_orders(context: Mapping[str, Any], patient_id: str, issues: list[Issue]) -> list[dict[str, Any]]:
    selections = context.get("selections")
    if not isinstance(selections, list) or not all(isinstance(s, str) for s in selections):
        issues.append(Issue("required", "context.selections", "context.selections is a list of references"))
    bundle = context.get("draftOrders")
    if not isinstance(bundle, dict) or bundle.get("resourceType") != "Bundle":
        issues.append(Issue("required", "context.draftOrders", "context.draftOrders is a Bundle"))
        return []
    entries = bundle.get("entry", [])
    if not isinstance(entries, list):
        issues.append(Issue("structure", "context.draftOrders.entry", "Bundle.entry is not a list"))
        return []
    orders = []
    for number, entry in enumerate(entries):
        at = f"context.draftOrders.entry[{number}].resource"
        resource = entry.get("resource") if isinstance(entry, dict) else None
        if not isinstance(resource, dict) or not isinstance(resource.get("resourceType"), str):
            issues.append(Issue("structure", at, "an entry without a resource"))
            continue
        if resource["resourceType"] != "MedicationRequest":
            continue  # other orders (a ServiceRequest, say) are not this service's business
        concept = resource.get("medicationCodeableConcept")
        if not isinstance(concept, dict) or not isinstance(concept.get("coding"), list):
            issues.append(
                Issue(
                    "required",
                    f"{at}.medicationCodeableConcept",
                    "the MedicationRequest names no coded medication",
                )
            )
            continue
        issues += _subject_issues(resource, patient_id, at)
        chosen = isinstance(selections, list) and f"MedicationRequest/{resource.get('id')}" in selections
        if chosen:  # the orders just selected; the other draft orders were checked when selected
            orders.append(resource)
    return orders
