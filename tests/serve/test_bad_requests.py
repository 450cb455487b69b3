"""Every malformed request or bundle gets a 4xx with a FHIR OperationOutcome listing
its problems, and no card; an internal error is a 500 without a traceback."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from hook_requests import request_of
from test_problems import PATIENT

NOW = datetime.now(UTC)
PATH = "/cds-services/fibromyalgia-patient-view"
Mutation = Callable[[dict[str, Any]], Any]


def entries(request: dict[str, Any], key: str) -> list[dict[str, Any]]:
    return [e["resource"] for e in request["prefetch"][key]["entry"]]


def set_unit(request: dict[str, Any]) -> None:
    quantity = entries(request, "egfr")[0]["valueQuantity"]
    quantity["code"] = quantity["unit"] = "mL/min"


def set_key(key: str, value: Any) -> Mutation:
    def change(request: dict[str, Any]) -> None:
        request[key] = value

    return change


def set_context(key: str, value: Any) -> Mutation:
    def change(request: dict[str, Any]) -> None:
        request["context"][key] = value

    return change


def drop(key: str) -> Mutation:
    def change(request: dict[str, Any]) -> None:
        del request[key]

    return change


def resource_change(key: str, change: Callable[[dict[str, Any]], None]) -> Mutation:
    def apply(request: dict[str, Any]) -> None:
        change(entries(request, key)[0])

    return apply


def add_entry(key: str, resource: Any) -> Mutation:
    def apply(request: dict[str, Any]) -> None:
        request["prefetch"][key]["entry"].append({"resource": resource})

    return apply


def deep(levels: int) -> Mutation:
    """The request with ``levels`` nested lists in it (as text: json cannot write it)."""

    def apply(request: dict[str, Any]) -> str:
        request["extension"] = "DEEP"
        return json.dumps(request).replace('"DEEP"', "[" * levels + "]" * levels)

    return apply


def twin_egfr(request: dict[str, Any]) -> None:
    twin = copy.deepcopy(entries(request, "egfr")[0])
    twin["id"] = "twin"
    twin["valueQuantity"]["value"] = 60
    request["prefetch"]["egfr"]["entry"].append({"resource": twin})


def duplicate_statement(request: dict[str, Any]) -> None:
    twin = copy.deepcopy(entries(request, "medications")[0])
    twin["id"] = "again"
    request["prefetch"]["medications"]["entry"].append({"resource": twin})


def same_id_differs(request: dict[str, Any]) -> None:
    other = copy.deepcopy(entries(request, "depression")[0])
    other["code"]["coding"][0]["code"] = "38341003"
    request["prefetch"]["comorbidities"]["entry"].append({"resource": other})


def huge_bundle(request: dict[str, Any]) -> None:
    filler = {"resourceType": "Condition", "id": "x", "note": [{"text": "x" * 1000}]}
    request["prefetch"]["fatigue"]["entry"] += [{"resource": filler}] * 10_500


MUTATIONS: dict[str, Mutation] = {
    "not an object": lambda request: [request],
    "wrong hook": set_key("hook", "order-sign"),
    "no hookInstance": drop("hookInstance"),
    "hookInstance not a string": set_key("hookInstance", 5),
    "no context": drop("context"),
    "context not an object": set_key("context", "Patient/example"),
    "no patientId": set_context("patientId", None),
    "patientId not a FHIR id": set_context("patientId", "../../etc/passwd"),
    "fhirServer not a URL": set_key("fhirServer", "ftp://ehr"),
    "fhirAuthorization without fhirServer": set_key(
        "fhirAuthorization", {"access_token": "t", "token_type": "Bearer"}
    ),
    "prefetch not an object": set_key("prefetch", []),
    "unknown prefetch key": lambda request: request["prefetch"].update({"allergies": None}),
    "prefetch value not an object": lambda request: request["prefetch"].update({"egfr": "25"}),
    "Patient key holds a Condition": lambda request: request["prefetch"].update(
        {"age": {"resourceType": "Condition", "id": "example"}}
    ),
    "Patient of another id": lambda request: request["prefetch"]["age"].update({"id": "someone-else"}),
    "search key holds a Patient": lambda request: request["prefetch"].update(
        {"egfr": {"resourceType": "Patient", "id": "example"}}
    ),
    "Bundle.entry not a list": lambda request: request["prefetch"]["egfr"].update({"entry": {}}),
    "entry without a resource": add_entry("egfr", None),
    "wrong resource type in a search": add_entry(
        "egfr", {"resourceType": "Condition", "id": "c", "subject": {"reference": "Patient/example"}}
    ),
    "observation with no code": resource_change("egfr", lambda r: r.pop("code")),
    "observation with a foreign code": resource_change(
        "egfr", lambda r: r["code"]["coding"][0].update({"code": "2160-0"})
    ),
    "condition with a missing code": resource_change(
        "depression", lambda r: r.update({"code": {"text": "sad"}})
    ),
    "resource of another patient": resource_change(
        "depression", lambda r: r.update({"subject": {"reference": "Patient/other"}})
    ),
    "resource without a subject": resource_change("depression", lambda r: r.pop("subject")),
    "unit mismatch": set_unit,
    "egfr out of range": resource_change("egfr", lambda r: r["valueQuantity"].update({"value": 900})),
    "observation without a time": resource_change("egfr", lambda r: r.pop("effectiveDateTime")),
    "observation without a number": resource_change(
        "egfr", lambda r: r["valueQuantity"].update({"value": "25"})
    ),
    "two values at one time": twin_egfr,
    "two statements for one agent": duplicate_statement,
    "statement status unknown": resource_change("medications", lambda r: r.update({"status": "unknown"})),
    "statement without a schedule": resource_change("medications", lambda r: r["dosage"][0].pop("timing")),
    "statement dose in grams": resource_change(
        "medications", lambda r: r["dosage"][0]["doseAndRate"][0]["doseQuantity"].update({"code": "g"})
    ),
    "statement without the response extension": resource_change("medications", lambda r: r.pop("extension")),
    "condition without clinicalStatus": resource_change("depression", lambda r: r.pop("clinicalStatus")),
    "same resource given twice differently": same_id_differs,
    "birth date partial": lambda request: request["prefetch"]["age"].update({"birthDate": "1970"}),
    "deep JSON": deep(40),
    "very deep JSON": deep(100_000),
}


@pytest.fixture(scope="module")
def client() -> httpx.Client:
    return httpx.Client(timeout=60)


def check_refused(answer: httpx.Response, status: int) -> list[dict[str, Any]]:
    assert answer.status_code == status, answer.text[:500]
    document = answer.json()
    assert "cards" not in document
    assert document["resourceType"] == "OperationOutcome"
    assert document["issue"], document
    for issue in document["issue"]:
        assert issue["severity"] == "error" and issue["code"] and issue["diagnostics"]
    return list(document["issue"])


def test_the_clean_request_is_answered(graph: dict[str, Any], service_url: str, client: httpx.Client) -> None:
    answer = client.post(service_url + PATH, json=request_of(graph, PATIENT, NOW))
    assert answer.status_code == 200 and answer.json()["cards"]


@pytest.mark.parametrize("name", sorted(MUTATIONS))
def test_a_malformed_request_is_refused_with_an_operation_outcome(
    name: str, graph: dict[str, Any], service_url: str, client: httpx.Client
) -> None:
    request = request_of(graph, PATIENT, NOW)
    changed = MUTATIONS[name](request)
    body = changed if isinstance(changed, str) else json.dumps(request if changed is None else changed)
    answer = client.post(service_url + PATH, content=body, headers={"Content-Type": "application/json"})
    check_refused(answer, 400)


def test_every_problem_is_listed(graph: dict[str, Any], service_url: str, client: httpx.Client) -> None:
    request = request_of(graph, PATIENT, NOW)
    for name in ("wrong hook", "no hookInstance", "patientId not a FHIR id", "unknown prefetch key"):
        MUTATIONS[name](request)
    issues = check_refused(client.post(service_url + PATH, json=request), 400)
    assert {i.get("expression", [""])[0] for i in issues} >= {"hook", "hookInstance", "context.patientId"}


@pytest.mark.slow
def test_a_10_mb_bundle_is_too_large(graph: dict[str, Any], service_url: str, client: httpx.Client) -> None:
    request = request_of(graph, PATIENT, NOW)
    huge_bundle(request)
    body = json.dumps(request).encode()
    assert len(body) > 10_000_000
    check_refused(
        client.post(service_url + PATH, content=body, headers={"Content-Type": "application/json"}), 413
    )


@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [
        (b"{}", "text/plain", 415),
        (b"{}", "application/x-www-form-urlencoded", 415),
        (b"", "", 415),
        (b"{", "application/json", 400),
        (b"\xff\xfe{}", "application/json", 400),
        (b'{"hook": "patient-view", "hook": "order-select"}', "application/json", 400),
        (b'{"n": NaN}', "application/json", 400),
        (b'{"n": ' + b"9" * 200 + b"}", "application/json", 400),
        (b"null", "application/json", 400),
    ],
    ids=["text", "form", "none", "truncated", "not utf-8", "duplicate key", "NaN", "huge integer", "null"],
)
def test_a_body_that_is_not_a_request_is_refused(
    body: bytes, content_type: str, status: int, service_url: str, client: httpx.Client
) -> None:
    headers = {"Content-Type": content_type} if content_type else {}
    check_refused(client.post(service_url + PATH, content=body, headers=headers), status)


def test_an_unknown_service_is_404(service_url: str, client: httpx.Client) -> None:
    check_refused(client.post(service_url + "/cds-services/nothing", json={}), 404)


def test_an_internal_error_is_500_without_a_traceback(graph: dict[str, Any]) -> None:
    from hook_requests import running

    from compiler.serve.app import create_app

    app = create_app([graph])
    service = app.state.services["fibromyalgia-patient-view"]

    def broken(*_: Any, **__: Any) -> Any:
        raise RuntimeError("secret patient detail 25 mL/min")

    service.answer = broken
    with running(app) as base:
        answer = httpx.post(base + PATH, json=request_of(graph, PATIENT, NOW), timeout=30)
    issues = check_refused(answer, 500)
    assert "Traceback" not in answer.text and "secret" not in answer.text
    assert issues[0]["code"] == "exception"
