"""Differential: every witness and boundary patient of the generated fibromyalgia
suite, written as the CDS Hooks request an EHR would send (a missing-data patient's
left-out input not prefetched: its key omitted, no fhirServer), gets from the real
service (uvicorn, over HTTP) the cards that ``Guideline.evaluate`` on the record
calls for: one card per drug recommendation with its action and label, one per
flag with its text, the non-drug plan, the avoid list and the monitoring, or
one card naming exactly the runtime's missing facts, or none when the pathway
does not apply."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from hook_requests import request_of
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_round_trip import EVERY_PATIENT

import fibrolang
from compiler.serve import markdown, summaries

NOW = datetime.now(UTC)
GRAPH_PATH = Path(__file__).resolve().parents[2] / "guidelines" / "fibromyalgia.graph.json"
NOT_PREFETCHED = "not prefetched by the EHR, and the request gives no fhirServer to fetch it from"
MISSING_LINE = re.compile(r"^- (?P<label>.+) \(`(?P<path>[^`]+)`\): (?P<reason>.+)$")


def expected_summaries(result: fibrolang.Result, graph: dict[str, Any]) -> list[tuple[str, str]]:
    """(indicator, summary) of every card, from the result, written independently of the service."""
    plain = result.to_dict()
    if result.status == "not_applicable":
        return []
    if result.status == "insufficient_data":
        return [("warning", "Cannot decide: missing ...")]
    found = []
    for r in plain["recommendations"]:
        if r["kind"] == "drug":
            dose = r["dose"]
            text = f"{summaries.VERBS[r['action']]} {r['label']}"
            if dose:
                amount = summaries.number_text(dose["min"])
                if dose["max"] != dose["min"]:
                    amount += f" to {summaries.number_text(dose['max'])}"
                text += f" {amount} {dose['unit']}" + (f" {dose['frequency']}" if dose["frequency"] else "")
            found.append(("warning" if r["action"] == "stop" else "info", text))
    # Reminders (info): the unguarded flags of the plan for every adult, the step `baseline`, which
    # every path to an ok outcome passes through; every other flag was raised by the patient's data.
    reminders = {item["id"] for item in graph["nodes"]["baseline"]["items"] if item["guard"] is None}
    found += [("info" if f["item"] in reminders else "warning", f["text"]) for f in plain["flags"]]
    if any(r["kind"] != "drug" for r in plain["recommendations"]):
        found.append(("info", "Non-drug plan: ..."))
    if plain["avoid"]:
        found.append(("info", "Avoid: " + ", ".join(a["label"] for a in plain["avoid"])))
    if plain["monitoring"]:
        found.append(("info", "Monitor: ..."))
    return found


def _shape(card: dict[str, Any]) -> tuple[str, str]:
    summary = card["summary"]
    for head in ("Non-drug plan: ", "Monitor: ", "Cannot decide: missing "):
        if summary.startswith(head):
            summary = head + "..."
    return card["indicator"], summary


@pytest.fixture(scope="module")
def client() -> httpx.Client:
    return httpx.Client(timeout=30)


def _plain(markdown_text: str) -> str:
    """Markdown text as the string it means (the service escapes punctuation with a backslash)."""
    return re.sub(r"\\(.)", r"\1", markdown_text)


def missing_facts(card: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(label, path, why) of every fact the missing-data card's detail names, in its order."""
    found = []
    for line in card["detail"].splitlines():
        named = MISSING_LINE.match(line)
        if named:
            found.append((_plain(named["label"]), _plain(named["path"]), _plain(named["reason"])))
    return found


def check_missing_data_card(
    card: dict[str, Any], result: fibrolang.Result, patient: dict[str, Any], graph: dict[str, Any]
) -> None:
    """The card names exactly the runtime's missing facts, each with why: an input the request did
    not prefetch (no fhirServer to fetch it from), or one in the record without the fact."""
    assert result.missing
    expected = []
    for path in result.missing:
        top = path.split(".")[0].split("[")[0]
        why = NOT_PREFETCHED if top not in patient else "not in the patient's record"
        expected.append((graph["inputs"][top]["label"], path, why))
    assert missing_facts(card) == expected
    labels = list(dict.fromkeys(label for label, _, _ in expected))  # each input named once
    listed = "Cannot decide: missing " + ", ".join(labels)
    if len(listed) > 140:
        listed = f"Cannot decide: missing {len(labels)} facts (see details)"
    assert card["summary"] == listed


@pytest.mark.parametrize(("name", "patient"), EVERY_PATIENT, ids=[name for name, _ in EVERY_PATIENT])
def test_the_service_cards_match_the_runtime(
    name: str, patient: dict[str, Any], graph: dict[str, Any], service_url: str, client: httpx.Client
) -> None:
    result = fibrolang.load(graph).evaluate(patient)
    answer = client.post(
        f"{service_url}/cds-services/fibromyalgia-patient-view", json=request_of(graph, patient, NOW)
    )
    assert answer.status_code == 200, answer.text
    cards = answer.json()["cards"]
    assert [_shape(card) for card in cards] == expected_summaries(result, graph)
    for card in cards:
        assert len(card["summary"]) <= 140
        assert card["source"]["label"] == "Treatment of fibromyalgia in adults (version 1.0.0)"
        assert card["links"][0]["url"].startswith(f"{service_url}/flowcharts/")
    drugs = [r for r in result.recommendations if r.kind == "drug"]
    drug_cards = cards[: len(drugs)]
    for recommendation, card in zip(drugs, drug_cards, strict=False):
        label = recommendation.label
        assert label is not None
        assert card["summary"].endswith(label) or label + " " in card["summary"]
        if recommendation.quote:
            assert markdown.quote(recommendation.quote) in card["detail"]
    if result.status == "insufficient_data":
        (card,) = cards
        check_missing_data_card(card, result, patient, graph)


AGENTS = sorted(json.loads(GRAPH_PATH.read_text(encoding="utf-8"))["enums"]["agent"]["members"])
trial = st.fixed_dictionaries(
    {
        "daily_dose_mg": st.integers(0, 1000),
        "weeks": st.integers(0, 60),
        "response": st.sampled_from(["adequate", "inadequate", "not_tolerated", "unknown"]),
        "ongoing": st.booleans(),
    }
)
CONDITIONS = {
    "chronic_liver_disease": st.booleans(),
    "depression": st.booleans(),
    "sleep_disturbance": st.booleans(),
    "fatigue": st.booleans(),
    "ecg_done": st.booleans(),
    "comorbidities": st.lists(st.sampled_from(["back_pain", "hypertension", "headache"]), unique=True),
    "medications": st.dictionaries(st.sampled_from(AGENTS), trial, max_size=4),
}
MEASUREMENTS = {
    "age": st.integers(0, 130),
    "egfr": st.one_of(st.integers(0, 250), st.integers(0, 2500).map(lambda v: v / 10)),
    "pain_score": st.integers(0, 10),
}
# An input the record leaves out is not prefetched (its key omitted): unknown, whatever its resource.
# Mostly the Condition-, Procedure- and MedicationStatement-bound inputs are given (so that most
# patients reach a plan), the Observations and the age may be missing; sometimes any input is.
random_patient = st.one_of(
    st.fixed_dictionaries(CONDITIONS, optional=MEASUREMENTS),
    st.fixed_dictionaries({}, optional={**CONDITIONS, **MEASUREMENTS}),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(patient=random_patient)
def test_random_patients_get_the_cards_of_the_runtime(
    patient: dict[str, Any], graph: dict[str, Any], service_url: str
) -> None:
    result = fibrolang.load(graph).evaluate(patient)
    answer = httpx.post(
        f"{service_url}/cds-services/fibromyalgia-patient-view",
        json=request_of(graph, patient, NOW),
        timeout=30,
    )
    assert answer.status_code == 200, answer.text
    cards = answer.json()["cards"]
    assert [_shape(card) for card in cards] == expected_summaries(result, graph)
    if result.status == "insufficient_data":
        check_missing_data_card(cards[0], result, patient, graph)
