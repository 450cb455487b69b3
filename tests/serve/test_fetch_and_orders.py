"""Not prefetched is not "not in the record": the service fetches a missing key from
the hook's fhirServer (a FHIR-like test server on loopback, serving the Bundles of
the patient), or, without one, answers insufficient_data naming the fact.
order-select warns about a draft order of an agent the pathway avoids, stops or
contraindicates for the patient."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote

import httpx
from hook_requests import PATIENT_ID, request_of
from test_problems import PATIENT

import fibrolang

NOW = datetime.now(UTC)
VIEW = "/cds-services/fibromyalgia-patient-view"
ORDER = "/cds-services/fibromyalgia-order-select"
TOKEN = "test-bearer-token"


@contextmanager
def fhir_server(answers: dict[str, Any], seen: list[tuple[str, str | None]]) -> Iterator[str]:
    """A FHIR-like server on loopback: GET of a prefetch query answers its Bundle (or 404);
    a request without the bearer token is 401."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            seen.append((unquote(self.path), self.headers.get("Authorization")))
            if self.headers.get("Authorization") != f"Bearer {TOKEN}":
                self.send_response(401)
                self.end_headers()
                return
            body = answers.get(unquote(self.path).removeprefix("/fhir/"))
            self.send_response(200 if body is not None else 404)
            self.send_header("Content-Type", "application/fhir+json")
            self.end_headers()
            self.wfile.write(json.dumps(body or {"resourceType": "OperationOutcome"}).encode())

        def log_message(self, *_: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/fhir"
    finally:
        server.shutdown()
        server.server_close()


def queries(graph: dict[str, Any], request: dict[str, Any]) -> dict[str, Any]:
    """What the FHIR server answers: each binding's query, with the patient id, decoded."""
    return {
        unquote(
            graph["inputs"][key]["binding"]["prefetch"].replace("{{context.patientId}}", PATIENT_ID)
        ): value
        for key, value in request["prefetch"].items()
    }


def cards_for(service_url: str, path: str, request: dict[str, Any]) -> list[dict[str, Any]]:
    answer = httpx.post(service_url + path, json=request, timeout=30)
    assert answer.status_code == 200, answer.text
    return list(answer.json()["cards"])


def test_keys_not_prefetched_are_fetched_from_the_fhir_server(
    graph: dict[str, Any], service_url: str
) -> None:
    full = request_of(graph, PATIENT, NOW)
    expected = cards_for(service_url, VIEW, full)
    partial = request_of(graph, PATIENT, NOW)
    for key in ("egfr", "medications", "depression"):
        del partial["prefetch"][key]
    partial["prefetch"]["fatigue"] = None  # null: the EHR could not prefetch it
    partial["fhirServer"] = "placeholder"
    seen: list[tuple[str, str | None]] = []
    with fhir_server(queries(graph, full), seen) as base:
        partial["fhirServer"] = base
        partial["fhirAuthorization"] = {"access_token": TOKEN, "token_type": "Bearer", "expires_in": 300}
        fetched = cards_for(service_url, VIEW, partial)
    assert len(seen) == 4 and all(auth == f"Bearer {TOKEN}" for _, auth in seen)
    assert sorted(path.split("?")[0] for path, _ in seen) == [
        "/fhir/Condition",
        "/fhir/Condition",
        "/fhir/MedicationStatement",
        "/fhir/Observation",
    ]
    strip = [{k: v for k, v in card.items() if k not in ("links",)} for card in fetched]
    assert strip == [{k: v for k, v in card.items() if k not in ("links",)} for card in expected]


def test_not_prefetched_without_a_fhir_server_is_insufficient_data_naming_it(
    graph: dict[str, Any], service_url: str
) -> None:
    request = request_of(graph, PATIENT, NOW)
    del request["prefetch"]["egfr"]
    (card,) = cards_for(service_url, VIEW, request)
    assert card["indicator"] == "warning"
    assert card["summary"] == "Cannot decide: missing eGFR"
    assert "not prefetched by the EHR, and the request gives no fhirServer" in card["detail"]


def test_not_in_the_record_is_a_value_not_missing_data(graph: dict[str, Any], service_url: str) -> None:
    """An empty depression search (prefetched) means no depression: the plan is given."""
    request = request_of(graph, {**PATIENT, "depression": False}, NOW)
    assert request["prefetch"]["depression"]["entry"] == []
    cards = cards_for(service_url, VIEW, request)
    assert cards and not any(c["summary"].startswith("Cannot decide") for c in cards)


def test_a_fhir_server_that_fails_leaves_the_fact_unknown(graph: dict[str, Any], service_url: str) -> None:
    request = request_of(graph, PATIENT, NOW)
    del request["prefetch"]["egfr"]
    seen: list[tuple[str, str | None]] = []
    with fhir_server({}, seen) as base:  # it knows nothing: 404
        request["fhirServer"] = base
        request["fhirAuthorization"] = {"access_token": TOKEN, "token_type": "Bearer"}
        (card,) = cards_for(service_url, VIEW, request)
    assert card["summary"] == "Cannot decide: missing eGFR"
    assert "fetching it failed: the FHIR server answered HTTP 404" in card["detail"]


def draft(agent_code: str, order_id: str) -> dict[str, Any]:
    return {
        "resourceType": "MedicationRequest",
        "id": order_id,
        "status": "draft",
        "intent": "order",
        "subject": {"reference": f"Patient/{PATIENT_ID}"},
        "medicationCodeableConcept": {
            "coding": [{"system": "http://www.nlm.nih.gov/research/umls/rxnorm", "code": agent_code}]
        },
    }


def order_request(graph: dict[str, Any], patient: dict[str, Any], *orders: dict[str, Any]) -> dict[str, Any]:
    request = request_of(graph, patient, NOW, hook="order-select")
    request["context"]["selections"] = [f"MedicationRequest/{o['id']}" for o in orders]
    request["context"]["draftOrders"] = {"resourceType": "Bundle", "entry": [{"resource": o} for o in orders]}
    return request


def test_order_select_warns_about_duloxetine_at_egfr_25_and_a_strong_opioid(
    graph: dict[str, Any], service_url: str
) -> None:
    patient = {**PATIENT, "medications": {}}
    assert patient["egfr"] == 25
    request = order_request(
        graph, patient, draft("72625", "dulox"), draft("7804", "oxy"), draft("187832", "preg")
    )
    cards = cards_for(service_url, ORDER, request)
    assert [(c["indicator"], c["summary"]) for c in cards] == [
        ("critical", "Duloxetine: contraindicated for this patient by this pathway"),
        ("warning", "Strong opioids: this pathway says to avoid it for this patient"),
    ]
    assert "GFR &lt;30 mL/min" in cards[0]["detail"]
    assert cards[0]["suggestions"][0]["actions"] == [
        {
            "type": "delete",
            "description": "Remove the draft order for Duloxetine",
            "resourceId": ["MedicationRequest/dulox"],
        }
    ]


def test_order_select_is_quiet_for_an_agent_the_pathway_allows(
    graph: dict[str, Any], service_url: str
) -> None:
    patient = {**PATIENT, "egfr": 80, "medications": {}}
    result = fibrolang.load(graph).evaluate(patient)
    assert result.status == "ok"
    assert cards_for(service_url, ORDER, order_request(graph, patient, draft("72625", "dulox"))) == []


def test_the_flowchart_link_draws_the_patients_path(graph: dict[str, Any], service_url: str) -> None:
    cards = cards_for(service_url, VIEW, request_of(graph, PATIENT, NOW))
    chart = httpx.get(cards[0]["links"][0]["url"], timeout=60)
    assert chart.status_code == 200 and chart.headers["content-type"] == "image/svg+xml"
    assert b"<svg" in chart.content
    missing = httpx.get(service_url + "/flowcharts/no-such-token.svg", timeout=30)
    assert missing.status_code == 404 and missing.json()["resourceType"] == "OperationOutcome"


def test_an_input_without_a_binding_is_named_as_such() -> None:
    from pathlib import Path

    from hook_requests import running

    from compiler.serve.app import create_app

    root = Path(__file__).resolve().parents[2]
    acr = json.loads((root / "guidelines" / "acr2016.graph.json").read_text(encoding="utf-8"))
    request = {
        "hook": "patient-view",
        "hookInstance": "x-1",
        "context": {"patientId": PATIENT_ID},
        "prefetch": {},
    }
    with running(create_app([acr])) as base:
        (card,) = cards_for(base, "/cds-services/acr2016-patient-view", request)
    assert card["indicator"] == "warning" and card["summary"].startswith("Cannot decide: missing")
    assert "the guideline binds it to no FHIR resource" in card["detail"]


def test_order_select_looks_at_the_selected_orders_only(graph: dict[str, Any], service_url: str) -> None:
    patient = {**PATIENT, "medications": {}}
    request = order_request(graph, patient, draft("72625", "dulox"), draft("7804", "oxy"))
    request["context"]["selections"] = ["MedicationRequest/oxy"]
    cards = cards_for(service_url, ORDER, request)
    assert [c["summary"] for c in cards] == ["Strong opioids: this pathway says to avoid it for this patient"]
