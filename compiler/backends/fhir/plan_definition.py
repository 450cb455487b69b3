"""``fibrolang compile --target fhir``: the guideline as a CPG-on-FHIR PlanDefinition (FHIR R4).

What it carries (docs/fhir.md, "The PlanDefinition export"):

- the guideline's identity (id, version, title, source date) and its citations
  (``relatedArtifact``), profiled as a CPG computable PlanDefinition;
- one action per pathway node, in the graph's order: a decision's branches are
  sub-actions (``selectionBehavior`` exactly-one, or the first that applies) with
  an applicability ``condition`` and a ``relatedAction`` to the node they lead
  to; a step's items are sub-actions (a recommendation points at an
  ActivityDefinition, an avoid item, a flag or a monitoring item is a text
  action); an outcome is an action with its message;
- the FHIR bindings as a contained Library's ``dataRequirement`` (type, codes,
  look-back window) with the FHIRPath of each, and the code sets as contained
  ValueSets; each drug as a contained ActivityDefinition (MedicationRequest,
  with its codes and dose).

Conditions are written in fibrolang's own expression language
(``text/x-fibrolang``), not CQL or FHIRPath: a CPG engine can show them but not
run them. Every string comes from the guideline through ``json`` (no text is
spliced into another language).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from fibrolang import graph as g
from fibrolang import read_graph
from fibrolang.expression_text import render
from fibrolang.expressions import Expression

JSON = Any
CPG_PROFILE = "http://hl7.org/fhir/uv/cpg/StructureDefinition/cpg-computableplandefinition"
LANGUAGE = "text/x-fibrolang"


def fhir_id(name: str) -> str:
    """A FHIR id ([A-Za-z0-9-.]{1,64}) for a fibrolang name or node id."""
    return re.sub(r"[^A-Za-z0-9\-.]", "-", name.replace("/", "."))[:64] or "x"


def _pascal(name: str) -> str:
    words = re.split(r"[^A-Za-z0-9]+", name)
    text = "".join(w[:1].upper() + w[1:] for w in words if w)
    return text if text[:1].isalpha() else "G" + text


UCUM_TIME = {"weeks": "wk", "days": "d", "months": "mo", "years": "a", "hours": "h", "minutes": "min"}


def _quantity(value: int | float, unit: str | None) -> JSON:
    return {
        "value": value,
        "unit": unit,
        "system": "http://unitsofmeasure.org",
        "code": None if unit is None else UCUM_TIME.get(unit, unit),
    }


def _documentation(trace: g.Traceability, citations: Mapping[int, str]) -> list[JSON]:
    found: list[JSON] = []
    if trace.quote:
        found.append({"type": "documentation", "display": "Source text", "citation": trace.quote})
    for number in trace.citations:
        found.append(
            {
                "type": "citation",
                "label": str(number),
                "citation": citations.get(number, f"citation {number}"),
            }
        )
    return found


def _condition(expression: Expression | None, label: str | None) -> list[JSON]:
    if expression is None:
        return []
    text: JSON = {"language": LANGUAGE, "expression": render(expression)}
    if label:
        text["description"] = label
    return [{"kind": "applicability", "expression": text}]


def _dose_text(dose: g.Dose | None) -> str | None:
    if dose is None:
        return None
    from compiler.serve.summaries import dose_text

    unit = str(dose.unit)  # the checker gives every dose a unit (a missing one would read "None")
    return dose_text(dose.minimum, dose.maximum, unit, dose.frequency)


def _codings(codes: tuple[g.FhirCode, ...]) -> list[JSON]:
    return [{"system": c.system, "code": c.code} for c in codes]


def _value_sets(model: g.Graph) -> list[JSON]:
    sets: dict[str, tuple[g.FhirCode, ...]] = {}
    for declared in model.inputs:
        binding = declared.binding
        if binding is not None and binding.value_set:
            sets[binding.value_set] = binding.codes
    found = []
    for name, codes in sorted(sets.items()):
        systems: dict[str, list[str]] = {}
        for code in codes:
            systems.setdefault(code.system, []).append(code.code)
        found.append(
            {
                "resourceType": "ValueSet",
                "id": fhir_id(f"vs-{name}"),
                "name": _pascal(name),
                "status": "draft",
                "compose": {
                    "include": [
                        {"system": system, "concept": [{"code": c} for c in sorted(listed)]}
                        for system, listed in sorted(systems.items())
                    ]
                },
            }
        )
    return found


def _data_requirements(model: g.Graph) -> list[JSON]:
    found = []
    for declared in sorted(model.inputs, key=lambda i: i.name):
        binding = declared.binding
        if binding is None:
            continue
        requirement: JSON = {"type": binding.resource, "id": fhir_id(declared.name)}
        if binding.resource != "Patient":
            path = "medication" if binding.resource == "MedicationStatement" else "code"
            code_filter: JSON = {"path": path, "code": _codings(binding.codes)}
            if binding.value_set:
                code_filter["valueSet"] = f"#{fhir_id('vs-' + binding.value_set)}"
            requirement["codeFilter"] = [code_filter]
        if binding.within_days:
            element = "performed" if binding.resource == "Procedure" else "effective"
            requirement["dateFilter"] = [
                {"path": element, "valueDuration": _quantity(binding.within_days, "days")}
            ]
        found.append(requirement)
    return found


def _activity(model: g.Graph, intervention: g.Intervention) -> JSON:
    name = intervention.id
    activity: JSON = {
        "resourceType": "ActivityDefinition",
        "id": fhir_id(f"ad-{name}"),
        "name": _pascal(name),
        "title": intervention.label or name,
        "status": "draft",
        "kind": "MedicationRequest" if intervention.kind == "drug" else "ServiceRequest",
    }
    codes: list[JSON] = []
    for declared in model.inputs:
        binding = declared.binding
        member = binding.codes_of(name) if binding is not None else None
        if binding is not None and binding.resource == "MedicationStatement" and member is not None:
            codes = _codings(member)
    concept: JSON = {"text": intervention.label or name}
    if codes:
        concept["coding"] = codes
    if intervention.kind == "drug":
        activity["productCodeableConcept"] = concept
        dose = _dose_text(intervention.dose)
        if dose:
            activity["dosage"] = [{"text": dose}]
    else:
        activity["code"] = concept
    return activity


def plan_definition(document: Mapping[str, Any] | g.Graph) -> JSON:
    """The PlanDefinition of a decision graph (its JSON document or the typed graph; a
    JSON-ready dict, keys in a fixed order)."""
    model = document if isinstance(document, g.Graph) else read_graph(document)
    info = model.guideline
    citations = dict(info.citations)
    interventions = {item.id: item for item in model.interventions}
    actions: list[JSON] = []
    for node in model.nodes:
        action: JSON = {"id": fhir_id(node.id)}
        if isinstance(node, g.DecisionNode):
            action["title"] = node.question or node.id
            action["selectionBehavior"] = "exactly-one"  # the branches in order: the first that applies
            action["action"] = [
                {
                    "id": fhir_id(edge.id),
                    "title": edge.label or ("otherwise" if edge.guard is None else edge.id),
                    **({"condition": _condition(edge.guard, edge.label)} if edge.guard is not None else {}),
                    "relatedAction": [{"actionId": fhir_id(edge.target), "relationship": "before-start"}],
                }
                for edge in node.branches
            ]
        elif isinstance(node, g.ActionNode):
            action["title"] = node.title or node.id
            action["groupingBehavior"] = "logical-group"
            action["selectionBehavior"] = "all"
            subactions = []
            for item in node.items:
                sub: JSON = {"id": fhir_id(item.id)}
                if isinstance(item, g.RecommendItem):
                    label = interventions[item.intervention].label or item.intervention
                    dose = _dose_text(item.dose)
                    sub["title"] = f"{item.action} {label}" + (f" {dose}" if dose else "")
                    sub["definitionCanonical"] = f"#{fhir_id('ad-' + item.intervention)}"
                elif isinstance(item, g.AvoidItem):
                    label = interventions[item.intervention].label or item.intervention
                    sub["title"] = f"avoid {label}"
                    if item.reason:
                        sub["textEquivalent"] = item.reason
                elif isinstance(item, g.FlagItem):
                    sub["title"] = f"flag {item.flag}"
                    sub["textEquivalent"] = item.text or item.flag
                else:
                    sub["title"] = f"monitor {item.what}"
                    sub["textEquivalent"] = item.text or item.what
                    after = item.after
                    if after is not None:
                        sub["timingRange"] = {
                            "low": _quantity(after.minimum, after.unit),
                            "high": _quantity(after.maximum, after.unit),
                        }
                sub["documentation"] = _documentation(item.trace, citations)
                if not sub["documentation"]:
                    del sub["documentation"]
                sub["condition"] = _condition(item.guard, None)
                if not sub["condition"]:
                    del sub["condition"]
                subactions.append(sub)
            action["action"] = subactions
            action["relatedAction"] = [
                {"actionId": fhir_id(node.next.target), "relationship": "before-start"}
            ]
        else:
            action["title"] = f"{node.status}: {node.id}"
            if node.message:
                action["textEquivalent"] = node.message
        documentation = _documentation(node.trace, citations)
        if documentation:
            action["documentation"] = documentation
        if node.trace.notes:
            action["description"] = " ".join(node.trace.notes)
        actions.append(action)
    start = {
        "id": "start",
        "title": "start",
        "relatedAction": [{"actionId": fhir_id(model.start), "relationship": "before-start"}],
    }
    library: JSON = {
        "resourceType": "Library",
        "id": "bindings",
        "name": f"{_pascal(info.id)}Bindings",
        "status": "draft",
        "type": {
            "coding": [
                {"system": "http://terminology.hl7.org/CodeSystem/library-type", "code": "module-definition"}
            ]
        },
        "dataRequirement": _data_requirements(model),
    }
    contained = [library, *_value_sets(model)]
    contained += [_activity(model, item) for _, item in sorted(interventions.items())]
    sources = info.sources
    plan: JSON = {
        "resourceType": "PlanDefinition",
        "id": fhir_id(info.id),
        "meta": {"profile": [CPG_PROFILE]},
        "contained": contained,
        "url": f"urn:fibrolang:guideline:{info.id}",
        "version": info.version,
        "name": _pascal(info.id),
        "title": info.title or info.id,
        "type": {
            "coding": [
                {
                    "system": "http://terminology.hl7.org/CodeSystem/plan-definition-type",
                    "code": "clinical-protocol",
                }
            ]
        },
        "status": "draft",
        "experimental": True,
        "description": f"Generated by fibrolang from {info.id} {info.version} ({info.content_hash}).",
        "relatedArtifact": [
            {"type": "citation", "label": str(number), "citation": text}
            for number, text in sorted(citations.items())
        ]
        + [{"type": "derived-from", "display": s.file or s.name} for s in sources],
        "library": ["#bindings"],
        "action": [start, *actions],
    }
    dates = [s.date for s in sources if s.date]
    if dates:
        plan["date"] = max(dates)
    return plan
