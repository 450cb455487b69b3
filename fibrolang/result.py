"""The result of evaluating a guideline for one patient: frozen, plain data.

``Result.to_dict()`` gives plain JSON types in a fixed key order (documented
in docs/result-format.md); ``Result.to_json()`` serialises it. Nothing here
refers back to the graph: a result can be stored, compared and sent as is.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from fibrolang.graph import Dose, Evidence, Period, Status, Titration

OutputValue = bool | int | float | str | tuple[str, ...] | None


@dataclass(frozen=True, slots=True)
class Reason:
    """A decision branch taken on the way to an item: its edge id and its label."""

    edge: str
    label: str | None

    def to_dict(self) -> dict[str, Any]:
        return {"edge": self.edge, "label": self.label}


@dataclass(frozen=True, slots=True)
class Citation:
    number: int
    text: str | None

    def to_dict(self) -> dict[str, Any]:
        return {"number": self.number, "text": self.text}


@dataclass(frozen=True, slots=True)
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
            "dose": _dose(self.dose),
            "titration": _titration(self.titration),
            "evidence": _evidence(self.evidence),
            "citations": [citation.to_dict() for citation in self.citations],
            "quote": self.quote,
            "notes": list(self.notes),
            "node": self.node,
            "item": self.item,
            "why": [reason.to_dict() for reason in self.why],
        }


@dataclass(frozen=True, slots=True)
class Avoidance:
    intervention: str
    label: str | None
    reason: str | None
    quote: str | None
    node: str
    item: str

    def to_dict(self) -> dict[str, Any]:
        return {"intervention": self.intervention, "label": self.label, "reason": self.reason,
                "quote": self.quote, "node": self.node, "item": self.item}


@dataclass(frozen=True, slots=True)
class Flag:
    id: str
    text: str | None
    node: str
    item: str

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "text": self.text, "node": self.node, "item": self.item}


@dataclass(frozen=True, slots=True)
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
            "after": None if after is None else
            {"min": after.minimum, "max": after.maximum, "unit": after.unit},
            "node": self.node,
            "item": self.item,
        }


@dataclass(frozen=True, slots=True)
class GuardOutcome:
    """One guard the evaluation computed: a branch's (``edge``) or an item's (``item``)."""

    edge: str | None
    item: str | None
    value: bool | None  # None: unknown

    def to_dict(self) -> dict[str, Any]:
        return {"edge": self.edge, "item": self.item, "value": self.value}


@dataclass(frozen=True, slots=True)
class Trace:
    nodes: tuple[str, ...]
    edges: tuple[str, ...]
    guards: tuple[GuardOutcome, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"nodes": list(self.nodes), "edges": list(self.edges),
                "guards": [guard.to_dict() for guard in self.guards]}


@dataclass(frozen=True, slots=True)
class GuidelineIdentity:
    id: str
    version: str
    content_hash: str

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "version": self.version, "content_hash": self.content_hash}


@dataclass(frozen=True, slots=True)
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

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "message": self.message,
            "missing": list(self.missing),
            "recommendations": [item.to_dict() for item in self.recommendations],
            "avoid": [item.to_dict() for item in self.avoid],
            "flags": [item.to_dict() for item in self.flags],
            "monitoring": [item.to_dict() for item in self.monitoring],
            "outputs": {name: list(value) if isinstance(value, tuple) else value
                        for name, value in self.outputs.items()},
            "trace": self.trace.to_dict(),
            "guideline": self.guideline.to_dict(),
        }

    def to_json(self, indent: int | None = 2) -> str:
        """The result as JSON text; the same result always gives the same bytes."""
        return json.dumps(self.to_dict(), indent=indent, ensure_ascii=False, allow_nan=False)


def _dose(dose: Dose | None) -> dict[str, Any] | None:
    if dose is None:
        return None
    return {"min": dose.minimum, "max": dose.maximum, "unit": dose.unit,
            "frequency": dose.frequency}


def _titration(titration: Titration | None) -> dict[str, Any] | None:
    if titration is None:
        return None
    return {"step": titration.step, "every": titration.every,
            "every_unit": titration.every_unit, "target": titration.target,
            "unit": titration.unit}


def _evidence(evidence: Evidence | None) -> dict[str, Any] | None:
    if evidence is None:
        return None
    return {"level": evidence.level, "strength": evidence.strength}
