"""A result of ``Guideline.evaluate`` as CDS Hooks 2.0 cards (docs/cds-hooks.md).

- ``ok``: one card per drug recommendation (``Start Duloxetine 60 mg/day once
  daily``; a stop is a warning), one card per flag (info for a reminder every
  plan carries: an unguarded flag on a node every path to an ``ok`` outcome
  passes through; a warning otherwise), and one card
  each for the non-drug therapies, the agents to avoid and the monitoring.
  A start, add or switch suggests a draft MedicationRequest; a stop suggests
  recording the patient's MedicationStatement as stopped.
- ``insufficient_data``: one warning card naming every missing fact and why it
  is missing (not in the record, not prefetched, unreadable).
- ``not_applicable``: no card.

Every card's detail carries the quote, the citations and the notes of the item,
escaped (``compiler.serve.markdown``); its source is the guideline and version;
its link opens the patient's path on the flowchart.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from compiler.serve import markdown as md
from compiler.serve import summaries
from fibrolang.graph import ActionNode, FhirCode, Graph, TerminalNode
from fibrolang.graph_order import nodes_by_id, targets

JSON = Any
STARTS = frozenset({"start", "add", "switch"})


@dataclass(frozen=True, slots=True)
class Context:
    """What a card needs besides the result: the graph, the patient, where the chart is."""

    graph: Graph
    hook_instance: str
    patient_id: str
    flowchart_url: str | None
    statements: Mapping[str, Mapping[str, Any]]  # agent -> the patient's MedicationStatement
    agent_codes: Mapping[str, Sequence[FhirCode]]  # agent -> its codes
    every_plan: frozenset[str] = frozenset()  # the nodes on every path to an ``ok`` outcome


def nodes_on_every_plan(graph: Graph) -> frozenset[str]:
    """The nodes every path from the start to an ``ok`` outcome passes through."""
    nodes = nodes_by_id(graph)
    ends = {node.id for node in graph.nodes if isinstance(node, TerminalNode) and node.status == "ok"}

    def reaches_end_without(skipped: str) -> bool:
        seen, stack = {skipped}, [graph.start]
        while stack:
            name = stack.pop()
            if name in seen:
                continue
            if name in ends:
                return True
            seen.add(name)
            stack.extend(targets(nodes[name]))
        return False

    return frozenset(name for name in nodes if name not in ends and not reaches_end_without(name))


def source(graph: Graph) -> JSON:
    info = graph.guideline
    return {"label": f"{info.title or info.id} (version {info.version})"}


def _citations(numbers: Sequence[Any]) -> list[str]:
    return [
        f"{number}\\. {md.text(text or 'citation ' + str(number))}"
        for number, text in ((c["number"], c.get("text")) for c in numbers)
    ]


def detail(
    lead: str | None,
    quote: str | None,
    citations: Sequence[Any],
    notes: Sequence[str] = (),
    why: Sequence[str] = (),
    extra: Sequence[str] = (),
) -> str:
    """The card's Markdown: every guideline string escaped."""
    parts: list[str] = []
    if lead:
        parts.append(md.text(lead))
    parts.extend(extra)
    if quote:
        parts.append(md.quote(quote))
    if why:
        parts.append("Why: " + " → ".join(md.text(w) for w in why))
    if notes:
        parts.append("Notes:\n\n" + "\n".join(f"- {md.text(n)}" for n in notes))
    if citations:
        parts.append("Sources:\n\n" + "\n".join(_citations(citations)))
    return "\n\n".join(parts)


def _dose(dose: Mapping[str, Any] | None) -> str | None:
    if dose is None:
        return None
    return summaries.dose_text(dose["min"], dose.get("max"), dose["unit"], dose.get("frequency"))


def _card(
    context: Context, key: str, summary: str, indicator: str, text: str, suggestions: list[JSON] | None = None
) -> JSON:
    card: JSON = {
        "uuid": str(uuid.uuid5(uuid.NAMESPACE_URL, f"fibrolang:{context.hook_instance}:{key}")),
        "summary": summary[: summaries.SUMMARY_LIMIT],
        "indicator": indicator,
        "detail": text,
        "source": source(context.graph),
    }
    if suggestions:
        card["suggestions"] = suggestions
        card["selectionBehavior"] = "at-most-one"
    if context.flowchart_url is not None:
        card["links"] = [
            {
                "label": "This patient's path on the flowchart",
                "url": context.flowchart_url,
                "type": "absolute",
            }
        ]
    return card


def _coding(codes: Sequence[FhirCode]) -> JSON:
    return [{"system": c.system, "code": c.code} for c in codes[:1]]


def _suggestion(context: Context, recommendation: Mapping[str, Any]) -> list[JSON]:
    agent, action, label = recommendation["intervention"], recommendation["action"], recommendation["label"]
    if recommendation["kind"] != "drug":
        return []
    if action in STARTS and agent in context.agent_codes:
        dose = _dose(recommendation.get("dose"))
        request: JSON = {
            "resourceType": "MedicationRequest",
            "status": "draft",
            "intent": "proposal",
            "subject": {"reference": f"Patient/{context.patient_id}"},
            "medicationCodeableConcept": {"coding": _coding(context.agent_codes[agent]), "text": label},
        }
        if dose is not None:
            request["dosageInstruction"] = [{"text": dose}]
        description = f"Draft an order for {label}"
        return [_one_action(context, f"order:{agent}", f"Order {label}", "create", description, request)]
    if action == "stop" and agent in context.statements:
        stopped = {**context.statements[agent], "status": "stopped"}
        text = f"Record {label} as stopped"
        return [_one_action(context, f"stop:{agent}", text, "update", text, stopped)]
    return []


def _recommendation_card(context: Context, recommendation: Mapping[str, Any]) -> JSON:
    summary = summaries.recommendation(
        recommendation["action"], recommendation["label"], _dose(recommendation.get("dose"))
    )
    extra = []
    titration = recommendation.get("titration")
    if titration:
        extra.append(
            md.text(
                f"Titration: by {summaries.number_text(titration['step'])} {titration['unit']} every "
                f"{summaries.number_text(titration['every'])} {titration['every_unit']}"
                + (
                    f" up to {summaries.number_text(titration['target'])} {titration['unit']}"
                    if titration.get("target") is not None
                    else ""
                )
            )
        )
    evidence = recommendation.get("evidence")
    if evidence:
        extra.append(md.text(f"Evidence: level {evidence['level']}, strength {evidence['strength']}"))
    text = detail(
        None,
        recommendation.get("quote"),
        recommendation["citations"],
        recommendation["notes"],
        [w["label"] for w in recommendation["why"] if w.get("label")],
        extra,
    )
    indicator = "warning" if recommendation["action"] == "stop" else "info"
    key = f"{recommendation['item']}:{recommendation['intervention']}"
    return _card(context, key, summary, indicator, text, _suggestion(context, recommendation))


def _therapies_card(context: Context, therapies: Sequence[Mapping[str, Any]]) -> JSON:
    labels = [summaries.recommendation(r["action"], r["label"], None) for r in therapies]
    lines = []
    for recommendation, label in zip(therapies, labels, strict=True):
        lines.append(f"**{md.text(label)}**")
        if recommendation.get("quote"):
            lines.append(md.quote(recommendation["quote"]))
        if recommendation["citations"]:
            lines.append("Sources: " + "; ".join(_citations(recommendation["citations"])))
    summary = summaries.listing("Non-drug plan", [r["label"] for r in therapies], "therapies")
    return _card(context, "therapies", summary, "info", "\n\n".join(lines))


def _avoid_card(context: Context, avoid: Sequence[Mapping[str, Any]]) -> JSON:
    lines = []
    for item in avoid:
        lines.append(f"**{md.text(item['label'])}**: {md.text(item.get('reason') or '')}")
        if item.get("quote"):
            lines.append(md.quote(item["quote"]))
    summary = summaries.listing("Avoid", [a["label"] for a in avoid], "agents")
    return _card(context, "avoid", summary, "info", "\n\n".join(lines))


def _monitoring_card(context: Context, monitoring: Sequence[Mapping[str, Any]]) -> JSON:
    lines = []
    for item in monitoring:
        after = item.get("after")
        when = ""
        if after:
            low, high = summaries.number_text(after["min"]), after.get("max")
            span = low if high is None or high == after["min"] else f"{low} to {summaries.number_text(high)}"
            when = f" (after {span} {after['unit']})"
        lines.append(f"- {md.text(item.get('text') or item['what'])}{md.text(when)}")
    summary = summaries.listing("Monitor", [m.get("text") or m["what"] for m in monitoring], "items")
    return _card(context, "monitoring", summary, "info", "\n".join(lines))


def _flag_card(context: Context, flag: Mapping[str, Any]) -> JSON:
    node = nodes_by_id(context.graph).get(flag["node"])
    items = node.items if isinstance(node, ActionNode) else ()
    item = next((i for i in items if i.id == flag["item"]), None)
    texts = dict(context.graph.guideline.citations)
    citations = [{"number": n, "text": texts.get(n)} for n in (item.trace.citations if item else ())]
    text = detail(None, item.trace.quote if item else None, citations, item.trace.notes if item else ())
    reminder = item is not None and item.guard is None and flag["node"] in context.every_plan
    indicator = "info" if reminder else "warning"
    return _card(context, f"flag:{flag['id']}", summaries.flag(flag["text"] or flag["id"]), indicator, text)


def plan_cards(context: Context, result: Mapping[str, Any]) -> list[JSON]:
    """The cards of an ``ok`` result, in a fixed order: drugs, flags, therapies, avoid, monitoring."""
    cards = [_recommendation_card(context, r) for r in result["recommendations"] if r["kind"] == "drug"]
    cards += [_flag_card(context, flag) for flag in result["flags"]]
    therapies = [r for r in result["recommendations"] if r["kind"] != "drug"]
    if therapies:
        cards.append(_therapies_card(context, therapies))
    if result["avoid"]:
        cards.append(_avoid_card(context, result["avoid"]))
    if result["monitoring"]:
        cards.append(_monitoring_card(context, result["monitoring"]))
    return cards


def insufficient_card(context: Context, result: Mapping[str, Any], why_missing: Mapping[str, str]) -> JSON:
    """One warning card: the pathway could not decide; what it needs and why each fact is missing."""
    labels = {declared.name: declared.label for declared in context.graph.inputs}
    missing = list(result["missing"]) or sorted(why_missing)
    names = []
    lines = []
    for path in missing:
        top = path.split(".")[0].split("[")[0]
        label = labels.get(top) or top
        if label not in names:  # one input, several facts (a medication's fields): named once
            names.append(label)
        reason = why_missing.get(top, "not in the patient's record")
        lines.append(f"- {md.text(label)} (`{md.text(path)}`): {md.text(reason)}")
    title = context.graph.guideline.title or context.graph.guideline.id
    summary = summaries.listing("Cannot decide: missing", names, "facts", " ")
    text = md.text(f"The {title} pathway cannot recommend anything until these are recorded.")
    if result.get("message"):
        text += "\n\n" + md.text(result["message"])
    text += "\n\n" + "\n".join(lines)
    return _card(context, "insufficient", summary, "warning", text)


def _one_action(context: Context, key: str, label: str, kind: str, description: str, resource: JSON) -> JSON:
    """A CDS Hooks suggestion with one FHIR action, its uuid stable for this hook instance."""
    return {
        "label": label[:140],
        "uuid": str(uuid.uuid5(uuid.NAMESPACE_URL, f"fibrolang:{context.hook_instance}:{key}")),
        "actions": [{"type": kind, "description": description, "resource": resource}],
    }
