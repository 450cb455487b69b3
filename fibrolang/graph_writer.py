"""Write a typed ``Graph`` back as its graph JSON document: the inverse of ``graph_reader``.

``write_graph(read_graph(document)) == document`` for every graph the compiler
makes (tests/runtime/test_graph_writer.py checks it on every committed graph and
fixture, and read → write → read on random graphs), so a tool can change a graph
as typed data (``dataclasses.replace``: a mutant, a version with one edit undone)
and write it out as the file the runtime loads.

The rules are lowering's (compiler/lower.py, docs/graph-format.md): every key the
compiler writes is written, null or empty when it has no value; a few are written
only when present: an input's ``binding`` and ``default``, an ordinal's ``points``,
a definition's ``tables`` and a table's ``at``, and an action's ``next`` carries
only its ``id`` and ``target`` (its label and traceability when it has them).
Mappings (enums, records, inputs, interventions, nodes, a record's or a binding's
fields, member labels and codes) are written in the typed graph's order, which is
the file's sorted order. ``graph_hash`` (fibrolang/integrity.py) is computed from
the written content; ``hashed=False`` leaves it out (a graph changed on purpose,
which ``fibrolang.load`` then refuses unless ``verify=False``).

Standard library only: the runtime carries it, as it carries the reader.
"""

from __future__ import annotations

from typing import Any, TypeAlias, assert_never

from fibrolang.expression_writer import write_expression
from fibrolang.graph import (
    FORMAT,
    ActionItem,
    ActionNode,
    AvoidItem,
    BooleanType,
    Contraindication,
    DateType,
    DecisionNode,
    Definition,
    Edge,
    Enumeration,
    EnumType,
    FhirBinding,
    FhirCode,
    FlagItem,
    Graph,
    GuidelineInfo,
    InputDeclaration,
    Intervention,
    Invariant,
    MapType,
    MonitorItem,
    Node,
    NumberType,
    Period,
    RecommendItem,
    Record,
    SetType,
    SourcePosition,
    TableDisplay,
    TerminalNode,
    Traceability,
    ValueType,
)
from fibrolang.integrity import with_graph_hash
from fibrolang.result import dose_json, evidence_json, titration_json

JSON = dict[str, Any]


def write_graph(graph: Graph, hashed: bool = True) -> JSON:
    """The graph JSON document of ``graph`` (fresh dicts and lists, shared with nothing),
    carrying its ``graph_hash`` unless ``hashed`` is False."""
    document: JSON = {
        "format": FORMAT,
        "guideline": _guideline(graph.guideline),
        "enums": {enum.name: _enumeration(enum) for enum in graph.enums},
        "records": {record.name: _record(record) for record in graph.records},
        "inputs": {declared.name: _input(declared) for declared in graph.inputs},
        "definitions": [_definition(definition) for definition in graph.definitions],
        "interventions": {item.id: _intervention(item) for item in graph.interventions},
        "start": graph.start,
        "nodes": {node.id: write_node(node) for node in graph.nodes},
        "invariants": [_invariant(rule) for rule in graph.invariants],
    }
    return with_graph_hash(document) if hashed else document


# ---- the header and the declarations ------------------------------------------------


def _guideline(info: GuidelineInfo) -> JSON:
    return {
        "id": info.id,
        "title": info.title,
        "version": info.version,
        "content_hash": info.content_hash,
        "sources": [{"name": s.name, "file": s.file, "date": s.date} for s in info.sources],
        "citations": {str(number): text for number, text in info.citations},
    }


def _enumeration(enum: Enumeration) -> JSON:
    written: JSON = {
        "label": enum.label,
        "members": list(enum.members),
        "member_labels": dict(enum.member_labels),
    }
    if enum.points:  # an ordinal
        written["points"] = dict(enum.points)
    return written


def write_type(declared: ValueType) -> JSON:
    """The ``type`` object of an input or a record field."""
    match declared:
        case BooleanType():
            return {"kind": "boolean"}
        case DateType():
            return {"kind": "date"}
        case NumberType(integral=integral, unit=unit, minimum=minimum, maximum=maximum):
            return {
                "kind": "integer" if integral else "decimal",
                "unit": unit,
                "min": minimum,
                "max": maximum,
            }
        case SetType(enum=enum):
            return {"kind": "set", "enum": enum}
        case MapType(key=key, record=record):
            return {"kind": "map", "key": key, "record": record}
        case EnumType(enum=enum):
            return {"kind": "enum", "enum": enum}
        case unreachable:
            assert_never(unreachable)


def _record(record: Record) -> JSON:
    return {
        "label": record.label,
        "fields": {field.name: {**write_type(field.type), "label": field.label} for field in record.fields},
    }


def _input(declared: InputDeclaration) -> JSON:
    written: JSON = {
        "label": declared.label,
        "type": write_type(declared.type),
        "notes": list(declared.notes),
    }
    if declared.binding is not None:
        written["binding"] = _binding(declared.binding)
    if declared.default is not None:
        written["default"] = declared.default
    return written


def _codes(codes: tuple[FhirCode, ...]) -> list[JSON]:
    return [{"system": code.system, "code": code.code} for code in codes]


def _binding(binding: FhirBinding) -> JSON:
    member_codes = binding.member_codes
    return {
        "resource": binding.resource,
        "value_set": binding.value_set,
        "codes": _codes(binding.codes),
        "member_codes": None if member_codes is None else {e.member: _codes(e.codes) for e in member_codes},
        "latest_value": binding.latest_value,
        "unit": binding.unit,
        "ucum": None if binding.ucum is None else list(binding.ucum),
        "within_days": binding.within_days,
        "fields": {field.name: {"role": field.role, "url": field.url} for field in binding.fields},
        "fhirpath": binding.fhirpath,
        "prefetch": binding.prefetch,
    }


def _definition(definition: Definition) -> JSON:
    written: JSON = {
        "name": definition.name,
        "label": definition.label,
        "output": definition.output,
        "expr": write_expression(definition.expr),
        "notes": list(definition.notes),
        "quote": definition.quote,
    }
    if definition.tables:
        written["tables"] = [_table(table) for table in definition.tables]
    return written


def _table(table: TableDisplay) -> JSON:
    written: JSON = {
        "by": table.by,
        "columns": list(table.columns),
        "rows": [{"heading": row.heading, "cells": list(row.cells)} for row in table.rows],
        "otherwise": table.otherwise,
    }
    if table.at is not None:
        written["at"] = table.at
    return written


def _period(period: Period | None) -> JSON | None:
    if period is None:
        return None
    return {"min": period.minimum, "max": period.maximum, "unit": period.unit}


def _intervention(item: Intervention) -> JSON:
    return {
        "kind": item.kind,
        "label": item.label,
        "class": item.drug_class,
        "dose": dose_json(item.dose),
        "fda_approved": item.fda_approved,
        "evidence": evidence_json(item.evidence),
        "effect_sizes": [{"value": effect.value, "outcome": effect.outcome} for effect in item.effect_sizes],
        "contraindications": [_contraindication(c) for c in item.contraindications],
        "side_effects": list(item.side_effects),
        "citations": list(item.citations),
        "quote": item.quote,
        "notes": list(item.notes),
        "source": _position(item.source),
    }


def _contraindication(contraindication: Contraindication) -> JSON:
    return {
        "condition": write_expression(contraindication.condition),
        "quote": contraindication.quote,
        "notes": list(contraindication.notes),
    }


def _invariant(rule: Invariant) -> JSON:
    return {
        "name": rule.name,
        "title": rule.title,
        "kind": rule.kind,
        "condition": write_expression(rule.condition),
        **_trace(rule.trace),
    }


# ---- the pathway ------------------------------------------------------------------------


def _position(source: SourcePosition | None) -> JSON | None:
    return None if source is None else {"line": source.line, "column": source.column}


def _trace(trace: Traceability) -> JSON:
    return {
        "notes": list(trace.notes),
        "quote": trace.quote,
        "citations": list(trace.citations),
        "source": _position(trace.source),
    }


def _branch(edge: Edge) -> JSON:
    return {
        "id": edge.id,
        "guard": None if edge.guard is None else write_expression(edge.guard),
        "target": edge.target,
        "label": edge.label,
        **_trace(edge.trace),
    }


def _next(edge: Edge) -> JSON:
    """An action's ``next``: its id and target, and only what else it carries."""
    written: JSON = {"id": edge.id, "target": edge.target}
    if edge.label is not None:
        written["label"] = edge.label
    trace = edge.trace
    if trace.notes:
        written["notes"] = list(trace.notes)
    if trace.quote is not None:
        written["quote"] = trace.quote
    if trace.citations:
        written["citations"] = list(trace.citations)
    if trace.source is not None:
        written["source"] = _position(trace.source)
    return written


# An element of the graph the review's structural diff names (compiler/review/structure.py).
Element: TypeAlias = InputDeclaration | Definition | Node | Invariant | Intervention | Enumeration | Record


def write_element(element: Element | Edge | ActionItem) -> JSON:
    """The JSON object the graph file holds for one element, or for one branch or item of a
    node (an element's name or id is its key where the file keys it by name)."""
    match element:
        case InputDeclaration():
            return _input(element)
        case Definition():
            return _definition(element)
        case DecisionNode() | ActionNode() | TerminalNode():
            return write_node(element)
        case Invariant():
            return _invariant(element)
        case Intervention():
            return _intervention(element)
        case Enumeration():
            return _enumeration(element)
        case Record():
            return _record(element)
        case Edge():
            return _branch(element)
        case _:
            return write_item(element)


def write_item(item: ActionItem) -> JSON:
    """The JSON object of one action item."""
    common: JSON = {
        "id": item.id,
        "guard": None if item.guard is None else write_expression(item.guard),
        **_trace(item.trace),
    }
    match item:
        case RecommendItem():
            return {
                **common,
                "kind": "recommend",
                "action": item.action,
                "intervention": item.intervention,
                "dose": dose_json(item.dose),
                "titration": titration_json(item.titration),
            }
        case AvoidItem():
            return {**common, "kind": "avoid", "intervention": item.intervention, "reason": item.reason}
        case FlagItem():
            return {**common, "kind": "flag", "flag": item.flag, "text": item.text}
        case MonitorItem():
            return {
                **common,
                "kind": "monitor",
                "what": item.what,
                "text": item.text,
                "after": _period(item.after),
            }
        case unreachable:
            assert_never(unreachable)


def write_node(node: Node) -> JSON:
    """The JSON object of one pathway node (its id is its key in ``nodes``)."""
    common = _trace(node.trace)
    match node:
        case DecisionNode():
            return {
                **common,
                "kind": "decision",
                "question": node.question,
                "exclusive": node.exclusive,
                "branches": [_branch(edge) for edge in node.branches],
            }
        case ActionNode():
            return {
                **common,
                "kind": "action",
                "title": node.title,
                "items": [write_item(item) for item in node.items],
                "next": _next(node.next),
            }
        case TerminalNode():
            return {**common, "kind": "terminal", "status": node.status, "message": node.message}
        case unreachable:
            assert_never(unreachable)
