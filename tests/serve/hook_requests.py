"""Test helpers: a patient record as the CDS Hooks request an EHR would send
(each prefetch key holding its search's answer), and a real uvicorn on loopback."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import fhirpathpy
import uvicorn
from bundle_writer import write_bundle

PATIENT_ID = "example"


def prefetch_of(graph: Mapping[str, Any], bundle: Mapping[str, Any]) -> dict[str, Any]:
    """Each binding's prefetch answer: the Patient, or a searchset of the resources it selects."""
    prefetch: dict[str, Any] = {}
    patient = next(e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Patient")
    for name, declared in sorted(graph["inputs"].items()):
        binding = declared.get("binding")
        if binding is None:
            continue
        if binding["resource"] == "Patient":
            prefetch[name] = {**patient, "id": PATIENT_ID}
            continue
        chosen = {r["id"] for r in fhirpathpy.evaluate(dict(bundle), binding["fhirpath"])}
        selected = [e["resource"] for e in bundle["entry"] if e["resource"].get("id") in chosen]
        prefetch[name] = {
            "resourceType": "Bundle",
            "type": "searchset",
            "entry": [
                {"resource": {**r, "subject": {"reference": f"Patient/{PATIENT_ID}"}}} for r in selected
            ],
        }
    return prefetch


def request_of(
    graph: Mapping[str, Any], record: Mapping[str, Any], now: datetime, hook: str = "patient-view"
) -> dict[str, Any]:
    bundle = write_bundle(graph, record, now)
    return {
        "hook": hook,
        "hookInstance": "d1577c69-dfbe-44ad-ba6d-3e05e953b2ea",
        "context": {"userId": "Practitioner/1", "patientId": PATIENT_ID},
        "prefetch": prefetch_of(graph, bundle),
    }


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def running(app: Any) -> Iterator[str]:
    """``app`` on a real uvicorn in a thread, on a free loopback port; its base URL."""
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
