"""The result of evaluating a guideline for one patient: frozen, plain data.

``Result.to_dict()`` gives plain JSON types in a fixed key order (documented
in docs/result-format.md); ``Result.to_json()`` serialises it. Nothing here
refers back to the graph: a result can be stored, compared and sent as is.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from fibrolang.graph import Dose, Evidence, Period, Status, Titration
from fibrolang.records import record

OutputValue = bool | int | float | str | tuple[str, ...] | None


@record
class Reason:
    """A decision branch taken on the way to an item: its edge id and its label."""

    edge: str
    label: str | None

    def to_dict(self) -> dict[str, Any]:
        return {"edge": self.edge, "label": self.label}


@record
class Citation:
    number: int
    text: str | None

    def to_dict(self) -> dict[str, Any]:
        return {"number": self.number, "text": self.text}


@record
class Recommendation:
    intervention: str
    kind: str
    label: str | None
    drug_class: str | None
    action: str
    dose: Dose | None
    titration: Titration | None
    evidence: Evidence | None
    citations: tuple[Citation, ...]
    quote: str | None
    notes: tuple[str, ...]
    node: str
    item: str
    why: tuple[Reason, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "intervention": self.intervention,
            "kind": self.kind,
            "label": self.label,
            "class": self.drug_class,
            "action": self.action,
            "dose": dose_json(self.dose),
            "titration": titration_json(self.titration),
            "evidence": evidence_json(self.evidence),
            "citations": [citation.to_dict() for citation in self.citations],
            "quote": self.quote,
            "notes": list(self.notes),
            "node": self.node,
            "item": self.item,
            "why": [reason.to_dict() for reason in self.why],
        }


@record
class Avoidance:
    intervention: str
    label: str | None
    reason: str | None
    quote: str | None
    node: str
    item: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "intervention": self.intervention,
            "label": self.label,
            "reason": self.reason,
            "quote": self.quote,
            "node": self.node,
            "item": self.item,
        }


@record
class Flag:
    id: str
    text: str | None
    node: str
    item: str

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "text": self.text, "node": self.node, "item": self.item}


@record
class Monitoring:
    what: str
    text: str | None
    after: Period | None
    node: str
    item: str

    def to_dict(self) -> dict[str, Any]:
        after = self.after
        return {
            "what": self.what,
            "text": self.text,
            "after": None
            if after is None
            else {"min": after.minimum, "max": after.maximum, "unit": after.unit},
            "node": self.node,
            "item": self.item,
        }


@record
class GuardOutcome:
    """One guard the evaluation computed: a branch's (``edge``) or an item's (``item``)."""

    edge: str | None
    item: str | None
    value: bool | None  # None: unknown

    def to_dict(self) -> dict[str, Any]:
        return {"edge": self.edge, "item": self.item, "value": self.value}


@record
class Trace:
    nodes: tuple[str, ...]
    edges: tuple[str, ...]
    guards: tuple[GuardOutcome, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "nodes": list(self.nodes),
            "edges": list(self.edges),
            "guards": [guard.to_dict() for guard in self.guards],
        }


@record
class GuidelineIdentity:
    id: str
    version: str
    content_hash: str

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "version": self.version, "content_hash": self.content_hash}


@record
class Result:
    status: Status
    message: str | None
    missing: tuple[str, ...]
    recommendations: tuple[Recommendation, ...]
    avoid: tuple[Avoidance, ...]
    flags: tuple[Flag, ...]
    monitoring: tuple[Monitoring, ...]
    outputs: Mapping[str, OutputValue]  # a read-only mapping, in declaration order
    trace: Trace
    guideline: GuidelineIdentity
    # the inputs whose declared default stood in for an absent fact (fibrolang/absent_defaults.py)
    assumed: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "message": self.message,
            "missing": list(self.missing),
            **({"assumed": list(self.assumed)} if self.assumed else {}),
            "recommendations": [item.to_dict() for item in self.recommendations],
            "avoid": [item.to_dict() for item in self.avoid],
            "flags": [item.to_dict() for item in self.flags],
            "monitoring": [item.to_dict() for item in self.monitoring],
            "outputs": {
                name: list(value) if isinstance(value, tuple) else value
                for name, value in self.outputs.items()
            },
            "trace": self.trace.to_dict(),
            "guideline": self.guideline.to_dict(),
        }

    def to_json(self, indent: int | None = 2) -> str:
        """The result as JSON text; the same result always gives the same bytes."""
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False, allow_nan=False)


# The JSON forms of a dose, a titration and an evidence grade: the same in a result
# (Recommendation.to_dict) and in the graph file (graph_writer.py).


def dose_json(dose: Dose | None) -> dict[str, Any] | None:
    if dose is None:
        return None
    return {"min": dose.minimum, "max": dose.maximum, "unit": dose.unit, "frequency": dose.frequency}


def titration_json(titration: Titration | None) -> dict[str, Any] | None:
    if titration is None:
        return None
    return {
        "step": titration.step,
        "every": titration.every,
        "every_unit": titration.every_unit,
        "target": titration.target,
        "unit": titration.unit,
    }


def evidence_json(evidence: Evidence | None) -> dict[str, Any] | None:
    if evidence is None:
        return None
    return {"level": evidence.level, "strength": evidence.strength}


# ---- cheap construction ----------------------------------------------------------------
#
# A frozen dataclass's generated __init__ sets each field through object.__setattr__;
# the evaluator builds two of these per result, so it sets the slots directly instead.
# tests/runtime/test_fast_paths.py checks that both ways give equal objects.

_new = object.__new__
_RESULT_SLOTS = tuple(
    Result.__dict__[name].__set__
    for name in (
        "status",
        "message",
        "missing",
        "recommendations",
        "avoid",
        "flags",
        "monitoring",
        "outputs",
        "trace",
        "guideline",
    )
)
_SET_ASSUMED = Result.__dict__["assumed"].__set__
_TRACE_SLOTS = tuple(Trace.__dict__[name].__set__ for name in ("nodes", "edges", "guards"))


_OUTCOME_SLOTS = tuple(GuardOutcome.__dict__[name].__set__ for name in ("edge", "item", "value"))


def guard_outcomes(edge: str | None, item: str | None) -> tuple[GuardOutcome, GuardOutcome, GuardOutcome]:
    """The three outcomes of one guard (held, failed, undecided), built as ``new_result``
    builds a result: a step makes them once, at load."""
    set_edge, set_item, set_value = _OUTCOME_SLOTS
    made = []
    for value in (True, False, None):
        outcome: GuardOutcome = _new(GuardOutcome)
        set_edge(outcome, edge)
        set_item(outcome, item)
        set_value(outcome, value)
        made.append(outcome)
    return made[0], made[1], made[2]


def new_result(
    status: Status,
    message: str | None,
    missing: tuple[str, ...],
    recommendations: tuple[Recommendation, ...],
    avoid: tuple[Avoidance, ...],
    flags: tuple[Flag, ...],
    monitoring: tuple[Monitoring, ...],
    outputs: Mapping[str, OutputValue],
    trace: Trace,
    guideline: GuidelineIdentity,
) -> Result:
    """``Result(...)``, built without the frozen dataclass's per-field ``__setattr__``."""
    result: Result = _new(Result)
    (
        set_status,
        set_message,
        set_missing,
        set_recommendations,
        set_avoid,
        set_flags,
        set_monitoring,
        set_outputs,
        set_trace,
        set_guideline,
    ) = _RESULT_SLOTS
    set_status(result, status)
    set_message(result, message)
    set_missing(result, missing)
    set_recommendations(result, recommendations)
    set_avoid(result, avoid)
    set_flags(result, flags)
    set_monitoring(result, monitoring)
    set_outputs(result, outputs)
    set_trace(result, trace)
    set_guideline(result, guideline)
    _SET_ASSUMED(result, ())
    return result


def new_trace(nodes: tuple[str, ...], edges: tuple[str, ...], guards: tuple[GuardOutcome, ...]) -> Trace:
    """``Trace(nodes, edges, guards)``, built like ``new_result``."""
    trace: Trace = _new(Trace)
    set_nodes, set_edges, set_guards = _TRACE_SLOTS
    set_nodes(trace, nodes)
    set_edges(trace, edges)
    set_guards(trace, guards)
    return trace
