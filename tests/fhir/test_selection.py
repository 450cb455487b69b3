"""``read_bundle(select="codes")`` (Python) selects exactly what each binding's
compiled FHIRPath selects in fhirpathpy, and so reads the same record with the
same problems: on every witness bundle, on the bundles of test_problems, and on
random resources built from the guideline's codes and a few foreign ones."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import fhirpathpy
import pytest
from bundle_writer import write_bundle
from hypothesis import given, settings
from hypothesis import strategies as st
from test_round_trip import PATIENTS

from fibrolang import read_graph
from fibrolang.fhir import read_bundle
from fibrolang.fhir.reader import select_by_codes
from fibrolang.graph import FhirBinding

ROOT = Path(__file__).resolve().parents[2]
GRAPH = json.loads((ROOT / "guidelines" / "fibromyalgia.graph.json").read_text(encoding="utf-8"))
MODEL = read_graph(GRAPH)  # the typed graph the FHIR reader reads
NOW = datetime(2026, 6, 15, 12, 0, 0, tzinfo=UTC)
BINDINGS = [d.binding for d in MODEL.inputs if d.binding is not None]
CODES = [
    *sorted({(c.system, c.code) for b in BINDINGS for c in b.codes}),
    ("http://loinc.org", "2160-0"),
    ("http://snomed.info/sct", "0"),
]


def by_fhirpath(binding: FhirBinding, bundle: dict[str, Any]) -> list[Any]:
    return [r.get("id") for r in fhirpathpy.evaluate(bundle, binding.fhirpath) if isinstance(r, dict)]


def by_codes(binding: FhirBinding, bundle: dict[str, Any]) -> list[Any]:
    return [r.get("id") for r in select_by_codes(binding, bundle)]


@pytest.mark.parametrize(("name", "patient"), PATIENTS[::7], ids=[name for name, _ in PATIENTS[::7]])
def test_both_selections_read_the_same_record(name: str, patient: dict[str, Any]) -> None:
    bundle = write_bundle(GRAPH, patient, NOW)
    assert read_bundle(MODEL, bundle, NOW, select="codes") == read_bundle(MODEL, bundle, NOW)


coding = st.sampled_from(CODES).map(lambda c: {"system": c[0], "code": c[1]})
concept = st.one_of(
    st.none(),
    st.builds(lambda cs: {"coding": cs}, st.lists(coding, max_size=3)),
    st.builds(lambda c: {"coding": c}, coding),
    st.just({"text": "no coding"}),
    st.just({"coding": [{"system": "http://loinc.org"}]}),
)
resource = st.builds(
    lambda kind, element, value, number: {"resourceType": kind, "id": f"r{number}", element: value},
    st.sampled_from(["Observation", "Condition", "Procedure", "MedicationStatement", "Patient", "Basic"]),
    st.sampled_from(["code", "medicationCodeableConcept"]),
    concept,
    st.integers(0, 10**6),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(resource, max_size=8))
def test_both_selections_pick_the_same_resources(resources: list[dict[str, Any]]) -> None:
    bundle = {"resourceType": "Bundle", "entry": [{"resource": r} for r in resources]}
    for binding in BINDINGS:
        assert by_codes(binding, bundle) == by_fhirpath(binding, bundle), binding.fhirpath
