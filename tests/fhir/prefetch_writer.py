"""Test helpers: a patient record as the CDS Hooks prefetch an EHR would send,
and that prefetch read back into a record as a caller of fibrolang.fhir must.

Each bound input has its own prefetch key (the service's discovery asks one
query per input, docs/cds-hooks.md), holding that query's answer: the Patient,
or a searchset of the resources the binding selects. An input the record leaves
out is *not prefetched*: its key is omitted, as an EHR that did not run the
query would (an empty searchset would mean "not in the record" instead)."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import datetime
from typing import Any

import fhirpathpy
from bundle_writer import write_bundle

from fibrolang import read_graph
from fibrolang.fhir import Reading, read_bundle

PATIENT_ID = "example"


def prefetch_of(
    graph: Mapping[str, Any], bundle: Mapping[str, Any], not_prefetched: Collection[str] = ()
) -> dict[str, Any]:
    """Each binding's prefetch answer from ``bundle``; the keys in ``not_prefetched`` left out."""
    prefetch: dict[str, Any] = {}
    patient = next(e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "Patient")
    for name, declared in sorted(graph["inputs"].items()):
        binding = declared.get("binding")
        if binding is None or name in not_prefetched:
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


def patient_prefetch(graph: Mapping[str, Any], record: Mapping[str, Any], now: datetime) -> dict[str, Any]:
    """The prefetch an EHR would send for ``record``: every bound input the record leaves out
    is not prefetched (its key omitted)."""
    left_out = [name for name in graph["inputs"] if name not in record]
    return prefetch_of(graph, write_bundle(graph, record, now), not_prefetched=left_out)


def read_prefetch(graph: Mapping[str, Any], prefetch: Mapping[str, Any], now: datetime) -> Reading:
    """The record a prefetch gives, as docs/fhir.md asks of the caller: the prefetched resources
    read as one Bundle (a resource given under two keys once), then every input whose key was
    not prefetched dropped, so that it is unknown rather than "not in the record"."""
    entries: dict[tuple[str, str], dict[str, Any]] = {}
    for _, value in sorted(prefetch.items()):
        resources = [e["resource"] for e in value["entry"]] if value["resourceType"] == "Bundle" else [value]
        for resource in resources:
            key = (resource["resourceType"], resource["id"])
            assert entries.get(key, resource) == resource, f"{key} given twice, differently"
            entries[key] = resource
    bundle = {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [{"resource": r} for r in entries.values()],
    }
    reading = read_bundle(read_graph(graph), bundle, now)
    record = {name: value for name, value in reading.record.items() if name in prefetch}
    return Reading(record, reading.problems)
