"""One CDS service: a compiled guideline answering one hook (no HTTP here).

``GuidelineService.answer(document)`` turns a parsed CDS Hooks request into
cards, or raises ``RequestProblems`` listing every problem:

1. the request and its prefetch are checked (compiler/serve/hook_request.py);
2. each prefetch key left out is fetched from ``fhirServer`` when the request
   gives one; otherwise it is *not prefetched* and its input stays unknown;
3. the prefetched resources are read into a patient record
   (``fibrolang.fhir.read_bundle``); a resource it cannot map is a problem of
   the request (HTTP 400), except one it ignores by rule (entered in error,
   not final);
4. the record is evaluated (``Guideline.evaluate``) and the result becomes
   cards (compiler/serve/cards.py). ``order-select`` adds a warning for each
   draft MedicationRequest of an agent the pathway avoids, stops or
   contraindicates for this patient.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

import httpx

import fibrolang
from compiler.serve import cards, summaries
from compiler.serve import markdown as md
from compiler.serve.fhir_client import fetch, query_url
from compiler.serve.hook_request import HookRequest, _codings, check_resources, read_request
from compiler.serve.outcome import Issue, RequestProblems
from fibrolang import expressions as ex
from fibrolang.fhir import read_bundle
from fibrolang.graph import Definition, FhirBinding, FhirCode, Graph

HOOKS = ("patient-view", "order-select")
CONTRAINDICATED = "cds_contraindicated__"


@dataclass(frozen=True, slots=True)
class Answer:
    cards: list[dict[str, Any]]
    status: str  # the result's status, for the log
    trace: Any  # the result's trace, for the flowchart link


def _medication_input(bindings: Mapping[str, FhirBinding]) -> str | None:
    for name, binding in sorted(bindings.items()):
        if binding.resource == "MedicationStatement" and binding.member_codes:
            return name
    return None


def _with_contraindications(graph: Graph) -> Graph:
    """The graph with one output per contraindicated drug (true when a contraindication holds):
    the runtime evaluates them with the pathway, whatever the result's status."""
    added = []
    for intervention in sorted(graph.interventions, key=lambda i: i.id):
        conditions = tuple(c.condition for c in intervention.contraindications)
        if not conditions:
            continue
        expr = conditions[0] if len(conditions) == 1 else ex.Disjunction(conditions)
        added.append(Definition(CONTRAINDICATED + intervention.id, None, True, expr, (), None))
    return replace(graph, definitions=(*graph.definitions, *added))


class GuidelineService:
    """A compiled guideline served on one hook."""

    def __init__(self, graph: Mapping[str, Any], hook: str) -> None:
        self.hook = hook
        self.guideline = fibrolang.load(graph)
        self.id = f"{self.guideline.id}-{hook}"
        # Derived here from the graph just verified: typed, so there is no hash to renew.
        self.checker = fibrolang.Guideline(_with_contraindications(self.guideline.graph))
        self.bindings: dict[str, FhirBinding] = {
            declared.name: declared.binding
            for declared in sorted(self.guideline.graph.inputs, key=lambda i: i.name)
            if declared.binding is not None
        }
        self.medications = _medication_input(self.bindings)
        self.every_plan = cards.nodes_on_every_plan(self.guideline.graph)
        self.agent_codes: dict[str, tuple[FhirCode, ...]] = (
            {entry.member: entry.codes for entry in self.bindings[self.medications].member_codes or ()}
            if self.medications
            else {}
        )

    def discovery(self) -> dict[str, Any]:
        info = self.guideline.graph.guideline
        title = info.title or info.id
        if self.hook == "patient-view":
            description = f"The {title} pathway (version {info.version}) for the patient in view."
        else:
            description = (
                f"Warns when a draft medication order is an agent the {title} pathway "
                f"(version {info.version}) avoids, stops or contraindicates for the patient."
            )
        return {
            "id": self.id,
            "hook": self.hook,
            "title": title,
            "description": description,
            "prefetch": {name: binding.prefetch for name, binding in self.bindings.items()},
        }

    def answer(
        self, document: Any, client: httpx.Client, flowchart_url: str | None, now: datetime | None = None
    ) -> Answer:
        request, issues = read_request(document, self.hook, self.bindings)
        if request is None:
            raise RequestProblems(400, issues)
        unavailable = self._fetch_missing(request, client)
        bundle = self._bundle(request)
        reading = read_bundle(self.guideline.graph, bundle, now or datetime.now(UTC), select="codes")
        fatal = [p for p in reading.problems if not p.message.endswith(": ignored")]
        if fatal:
            raise RequestProblems(
                400,
                [
                    Issue(
                        "value",
                        f"{p.resource or 'Bundle'}",
                        f"{p.input}: {p.message}" if p.input else p.message,
                    )
                    for p in fatal
                ],
            )
        record = {k: v for k, v in reading.record.items() if k not in unavailable}
        try:
            result = self.checker.evaluate(record)
        except fibrolang.InvalidPatient as error:
            raise RequestProblems(
                400,
                [
                    Issue("value", problem.path, f"{problem.path}: {problem.message}")
                    for problem in error.problems
                ],
            ) from None
        outputs = dict(result.outputs)
        plain = result.to_dict()
        plain["outputs"] = {k: v for k, v in plain["outputs"].items() if not k.startswith(CONTRAINDICATED)}
        context = cards.Context(
            self.guideline.graph,
            request.hook_instance,
            request.patient_id,
            flowchart_url,
            self._statements(bundle),
            self.agent_codes,
            self.every_plan,
        )
        found: list[dict[str, Any]] = []
        if self.hook == "order-select":
            found += self._order_cards(context, request, plain, outputs)
        if result.status == "ok" and self.hook == "patient-view":
            found += cards.plan_cards(context, plain)
        elif result.status == "insufficient_data":
            found.append(cards.insufficient_card(context, plain, unavailable))
        return Answer(found, result.status, result.trace)

    def evaluate_record(self, record: Mapping[str, Any]) -> fibrolang.Result:
        return self.guideline.evaluate(record)

    def _fetch_missing(self, request: HookRequest, client: httpx.Client) -> dict[str, str]:
        """Fetch the keys not prefetched; the inputs still unavailable, each with the reason."""
        unavailable = {
            name: "the guideline binds it to no FHIR resource, so no EHR can send it"
            for name in (declared.name for declared in self.guideline.graph.inputs)
            if name not in self.bindings
        }
        for name, binding in self.bindings.items():
            if name in request.prefetch:
                continue
            if request.fhir_server is None:
                unavailable[name] = (
                    "not prefetched by the EHR, and the request gives no fhirServer to fetch it from"
                )
                continue
            url = query_url(request.fhir_server, binding.prefetch, request.patient_id)
            fetched = fetch(client, request.fhir_server, url, request.token)
            if fetched.failure is not None:
                unavailable[name] = f"not prefetched, and fetching it failed: {fetched.failure}"
                continue
            problems = check_resources(name, binding, fetched.value, request.patient_id, name)
            if problems:
                unavailable[name] = (
                    f"not prefetched, and the FHIR server's answer is unusable: {problems[0].message}"
                )
                continue
            request.prefetch[name] = fetched.value
        return unavailable

    def _bundle(self, request: HookRequest) -> dict[str, Any]:
        """One Bundle of every prefetched resource; a resource given under two keys once."""
        entries: list[dict[str, Any]] = []
        seen: dict[tuple[str, str], Any] = {}
        for _, value in sorted(request.prefetch.items()):
            resources = (
                [
                    e.get("resource")
                    for e in value.get("entry", [])
                    if not (isinstance(e.get("search"), dict) and e["search"].get("mode") == "outcome")
                ]
                if value.get("resourceType") == "Bundle"
                else [value]
            )
            for resource in resources:
                key = (resource["resourceType"], str(resource.get("id")))
                if resource.get("id") is not None and key in seen:
                    if seen[key] != resource:
                        raise RequestProblems(
                            400,
                            [
                                Issue(
                                    "invalid",
                                    f"{key[0]}/{key[1][:64]}",
                                    "the same resource is given twice, differently",
                                )
                            ],
                        )
                    continue
                seen[key] = resource
                entries.append({"resource": resource})
        return {"resourceType": "Bundle", "type": "collection", "entry": entries}

    def _statements(self, bundle: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
        found: dict[str, dict[str, Any]] = {}
        for entry in bundle["entry"]:
            resource = entry["resource"]
            if resource.get("resourceType") != "MedicationStatement":
                continue
            codings = _codings(resource.get("medicationCodeableConcept"))
            for agent, codes in self.agent_codes.items():
                if codings & {(c.system, c.code) for c in codes}:
                    found.setdefault(agent, resource)
        return found

    def _order_cards(
        self,
        context: cards.Context,
        request: HookRequest,
        result: Mapping[str, Any],
        outputs: Mapping[str, Any],
    ) -> list[dict[str, Any]]:
        avoided = {a["intervention"]: a for a in result["avoid"]}
        stopped = {r["intervention"]: r for r in result["recommendations"] if r["action"] == "stop"}
        found = []
        for order in request.draft_orders:
            codings = _codings(order.get("medicationCodeableConcept"))
            for agent, codes in sorted(self.agent_codes.items()):
                if not codings & {(c.system, c.code) for c in codes}:
                    continue
                graph = self.guideline.graph
                intervention = next((i for i in graph.interventions if i.id == agent), None)
                label = (intervention.label if intervention else None) or agent
                suggestion = self._withdraw(context, order, label)
                if outputs.get(CONTRAINDICATED + agent) is True and intervention is not None:
                    reasons = intervention.contraindications
                    text = "\n\n".join(md.quote(c.quote) for c in reasons if c.quote)
                    texts = dict(graph.guideline.citations)
                    citations = [{"number": n, "text": texts.get(n)} for n in intervention.citations]
                    text = cards.detail(
                        f"A contraindication of {label} holds for this patient.",
                        None,
                        citations,
                        extra=[text],
                    )
                    found.append(
                        cards._card(
                            context,
                            f"contraindicated:{agent}:{order.get('id')}",
                            summaries.contraindicated_order(label),
                            "critical",
                            text,
                            suggestion,
                        )
                    )
                elif agent in avoided or agent in stopped:
                    item = avoided.get(agent) or stopped[agent]
                    lead = item.get("reason") or f"The pathway recommends stopping {label} for this patient."
                    text = cards.detail(
                        lead, item.get("quote"), item.get("citations", []), item.get("notes", [])
                    )
                    found.append(
                        cards._card(
                            context,
                            f"avoided:{agent}:{order.get('id')}",
                            summaries.avoided_order(label),
                            "warning",
                            text,
                            suggestion,
                        )
                    )
        return found

    def _withdraw(self, context: cards.Context, order: Mapping[str, Any], label: str) -> list[dict[str, Any]]:
        if not isinstance(order.get("id"), str):
            return []
        return [
            {
                "label": f"Remove the draft order for {label}"[:140],
                "uuid": str(
                    uuid.uuid5(
                        uuid.NAMESPACE_URL, f"fibrolang:{context.hook_instance}:withdraw:{order['id']}"
                    )
                ),
                "actions": [
                    {
                        "type": "delete",
                        "description": f"Remove the draft order for {label}",
                        "resourceId": [f"MedicationRequest/{order['id']}"],
                    }
                ],
            }
        ]
