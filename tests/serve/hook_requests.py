"""Test helpers: a patient record as the CDS Hooks request an EHR would send
(each prefetch key holding its search's answer; an input the record leaves out
not prefetched, its key omitted, and no fhirServer), and a real uvicorn on loopback."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from typing import Any

import uvicorn
from prefetch_writer import PATIENT_ID, patient_prefetch

__all__ = ["PATIENT_ID", "free_port", "request_of", "running"]


def request_of(
    graph: Mapping[str, Any], record: Mapping[str, Any], now: datetime, hook: str = "patient-view"
) -> dict[str, Any]:
    return {
        "hook": hook,
        "hookInstance": "d1577c69-dfbe-44ad-ba6d-3e05e953b2ea",
        "context": {"userId": "Practitioner/1", "patientId": PATIENT_ID},
        "prefetch": patient_prefetch(graph, record, now),
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
