"""Lowering: the checked syntax tree becomes the decision graph (a JSON-ready
dict in the format of docs/graph-format.md).

Lowering runs only on a guideline the checker accepted: it takes a
``CheckedGuideline`` (compiler/check/checked.py), made only when the check
found no error, and reads the checker's resolution from it (what each name
is, which enumeration a member belongs to, the type of each expression)
instead of working it out again. Anything it cannot place is an internal
error, not a guess.
Node ids are the author's names; edge and item ids are the node id plus a
1-based ordinal (``adult/1``, ``adult/otherwise``, ``plan/3``), so they stay
put when unrelated lines are added.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from decimal import Decimal
from pathlib import PurePosixPath
from typing import Any

from compiler.check.checked import CheckedGuideline
from compiler.check.model import Member, Model, Number, SetOf
from compiler.check.symbols import Symbols
from compiler.front import syntax as s
from compiler.lower_bindings import binding_json
from compiler.lower_table_positions import TABLE_MARK, place_tables
from compiler.lower_units import convert_units
from fibrolang.integrity import with_graph_hash

GRAPH_FORMAT = "fibrolang-graph/1"

JSON = dict[str, Any]


class LoweringError(Exception):
    """A guideline reached lowering with a problem the checker should have caught."""


def number(value: Decimal) -> int | float:
    """A source number as a JSON number: integral values as int."""
    if value == value.to_integral_value():
        return int(value)
    return float(value)


def _attributes(attributes: Iterable[s.Attribute]) -> JSON:
    notes: list[str] = []
    quotes: list[str] = []
    citations: list[int] = []
    label: str | None = None
    for attribute in attributes:
        if isinstance(attribute, s.Note):
            notes.append(attribute.text.value)
        elif isinstance(attribute, s.Quote):
            quotes.append(attribute.text.value)
        elif isinstance(attribute, s.Cite):
            citations.extend(attribute.numbers)
        elif isinstance(attribute, s.Label):
            label = attribute.text.value
    return {
        "notes": notes,
        "quote": " … ".join(quotes) if quotes else None,
        "citations": sorted(set(citations)),
        "label": label,
    }


def _source(span: s.Span) -> JSON:
    return {"line": span.line, "column": span.column}


class _Lowerer:
    def __init__(self, checked: CheckedGuideline) -> None:
        self.guideline = checked.guideline
        # The checker's resolution: its namespaces, and what each name and
        # expression of this very tree resolved to (compiler/check/checked.py).
        self.symbols: Symbols = checked.symbols
        self.model: Model = checked.model

    # -- types --------------------------------------------------------------

    def type_json(self, type_: s.TypeExpr) -> JSON:
        if isinstance(type_, s.BooleanType):
            return {"kind": "boolean"}
        if isinstance(type_, s.DateType):
            return {"kind": "date"}
        if isinstance(type_, s.NumberType):
            return {
                "kind": "integer" if type_.integer else "decimal",
                "unit": type_.unit.text if type_.unit else None,
                "min": number(type_.low) if type_.low is not None else None,
                "max": number(type_.high) if type_.high is not None else None,
            }
        if isinstance(type_, s.SetType):
            return {"kind": "set", "enum": type_.element.text}
        if isinstance(type_, s.MapType):
            return {"kind": "map", "key": type_.key.text, "record": type_.value.text}
        return {"kind": "enum", "enum": type_.name.text}

    # -- expressions -----------------------------------------------------------

    def reference(self, name: s.Name) -> JSON:
        """A bare name, as the checker resolved it."""
        resolution = self.model.resolution_of(name)
        kind = resolution.kind if resolution is not None else "unresolved"
        if kind == "variable":
            return {"op": "var", "name": name.text}
        if kind == "input":
            return {"op": "input", "name": name.text}
        if kind == "definition":
            return {"op": "def", "name": name.text}
        if kind == "enum":
            return {"op": "enum", "enum": name.text}
        if kind == "member" and resolution is not None and resolution.enum is not None:
            return self.member(name.text, resolution.enum)
        raise LoweringError(f"`{name.text}` is {kind} (line {name.span.line})")

    def member(self, name: str, enum: str) -> JSON:
        return {"op": "member", "value": name, "enum": enum}

    def expr(self, node: s.Expr) -> JSON:
        if isinstance(node, s.BooleanLiteral):
            return {"op": "const", "value": node.value, "unit": None}
        if isinstance(node, s.NumberLiteral):
            unit = node.quantity.unit.text if node.quantity.unit else None
            return {"op": "const", "value": number(node.quantity.value), "unit": unit}
        if isinstance(node, s.Reference):
            return self.reference(node.name)
        if isinstance(node, s.SetLiteral):
            typed = self.model.type_of(node)
            if not isinstance(typed, SetOf):
                raise LoweringError(f"the set at line {node.span.line} has no enumeration")
            members = [m.text for m in node.members]
            if node.conditions:
                conditions = [
                    self.expr(c) if c is not None else {"op": "const", "value": True, "unit": None}
                    for c in node.conditions
                ]
                return {"op": "select", "members": members, "when": conditions, "enum": typed.enum}
            return {"op": "set", "members": members, "enum": typed.enum}
        if isinstance(node, s.Entry):
            return {"op": "entry", "map": self.expr(node.map), "key": self.expr(node.key)}
        if isinstance(node, s.Field):
            return {"op": "field", "record": self.expr(node.record), "name": node.name.text}
        if isinstance(node, s.Membership):
            lowered: JSON = {
                "op": "in",
                "element": self.expr(node.element),
                "collection": self.expr(node.collection),
            }
            return {"op": "not", "operand": lowered} if node.negated else lowered
        if isinstance(node, s.Comparison):
            operator = {"is": "==", "is not": "!="}.get(node.operator, node.operator)
            return {"op": operator, "left": self.expr(node.left), "right": self.expr(node.right)}
        if isinstance(node, s.Between):
            value = self.expr(node.value)
            return {
                "op": "and",
                "operands": [
                    {"op": ">=", "left": value, "right": self.expr(node.low)},
                    {"op": "<=", "left": value, "right": self.expr(node.high)},
                ],
            }
        if isinstance(node, s.Arithmetic):
            return {"op": node.operator, "left": self.expr(node.left), "right": self.expr(node.right)}
        if isinstance(node, s.Negative):
            return {"op": "neg", "operand": self.expr(node.operand)}
        if isinstance(node, s.Not):
            return {"op": "not", "operand": self.expr(node.operand)}
        if isinstance(node, s.And):
            return {"op": "and", "operands": [self.expr(o) for o in node.operands]}
        if isinstance(node, s.Or):
            return {"op": "or", "operands": [self.expr(o) for o in node.operands]}
        if isinstance(node, s.Conditional):
            return {
                "op": "if",
                "condition": self.expr(node.condition),
                "then": self.expr(node.then),
                "else": self.expr(node.otherwise),
            }
        if isinstance(node, s.Unset):
            return {"op": "unset"}  # only an output's `if` arms (compiler/check/unset.py)
        if isinstance(node, s.TextLiteral):
            return {"op": "text", "value": node.value}  # shown, never read (compiler/check/text.py)
        if isinstance(node, s.Table) and node.chain is not None:
            # a lookup table is its `if` chain (compiler/front/tables.py), marked until
            # `place_tables` records where it is for the display (lower_tables.py)
            return {**self.expr(node.chain), TABLE_MARK: True}
        if isinstance(node, s.Quantifier):
            over = self.expr(node.collection)
            body = self.expr(node.body) if node.body is not None else None
            if node.kind == "sum":
                return {"op": "sum", "var": node.variable.text, "over": over, "body": body}
            return {"op": node.kind, "var": node.variable.text, "over": over, "where": body}
        if isinstance(node, s.CountTrue):
            return {"op": "count_true", "operands": [self.expr(o) for o in node.conditions]}
        if isinstance(node, s.PointsOf):
            return self.points_of(node)
        if isinstance(node, s.Elapsed):  # whole units between two dates (fibrolang/dates.py)
            typed = self.model.type_of(node)
            if not isinstance(typed, Number) or typed.unit is None:
                raise LoweringError(f"the span of time at line {node.span.line} has no unit")
            return {
                "op": "elapsed",
                "unit": typed.unit,
                "from": self.expr(node.start),
                "to": self.expr(node.end),
            }
        if isinstance(node, s.PlanQuery):
            subject = node.subject.text if node.subject is not None else None
            return {"op": node.kind, "subject": subject}
        raise LoweringError(f"cannot lower {type(node).__name__}")

    def points_of(self, node: s.PointsOf) -> JSON:
        """``points of band``: a choice of the band's points, the first band's last
        (``if band == b1 then 3 else if band == b2 then 1 else 0``), so the runtime,
        the proofs and every target read it as they read ``if``."""
        typed = self.model.type_of(node.operand)
        ordinal = self.symbols.enums.get(typed.enum) if isinstance(typed, Member) else None
        if ordinal is None or not ordinal.ordinal:
            raise LoweringError("`points of` needs a band of an ordinal")
        band = self.expr(node.operand)
        bands = [(m.name.text, m.points) for m in ordinal.members if m.points is not None]
        lowered: JSON = {"op": "const", "value": number(bands[-1][1]), "unit": "points"}
        for name, points in reversed(bands[:-1]):
            lowered = {
                "op": "if",
                "condition": {"op": "==", "left": band, "right": self.member(name, ordinal.name.text)},
                "then": {"op": "const", "value": number(points), "unit": "points"},
                "else": lowered,
            }
        return lowered

    # -- declarations ----------------------------------------------------------

    def definitions_in_order(self) -> list[s.Definition]:
        """Definitions with every dependency before its user, otherwise in source order."""
        ordered: list[s.Definition] = []
        placed: set[str] = set()

        def place(definition: s.Definition, visiting: tuple[str, ...]) -> None:
            name = definition.name.text
            if name in placed or name in visiting:
                return
            for dependency in sorted(self.model.definitions_used(definition.expression)):
                place(self.symbols.definitions[dependency], (*visiting, name))
            placed.add(name)
            ordered.append(definition)

        for definition in self.symbols.definitions.values():
            place(definition, ())
        return ordered

    def dose_json(self, dose: s.DoseRange | None) -> JSON | None:
        if dose is None:
            return None
        high = dose.high if dose.high is not None else dose.low
        unit = high.unit or dose.low.unit
        return {
            "min": number(dose.low.value),
            "max": number(high.value),
            "unit": unit.text if unit else None,
            "frequency": dose.frequency.value if dose.frequency else None,
        }

    def intervention_json(self, item: s.Intervention) -> JSON:
        attributes = _attributes(item.attributes)
        return {
            "kind": item.kind,
            "label": item.label.value if item.label else item.name.text,
            "class": item.drug_class.text if item.drug_class else None,
            "dose": self.dose_json(item.dose),
            "fda_approved": item.fda_approved,
            "evidence": {
                "level": item.evidence.level.text,
                "strength": item.evidence.strength.text if item.evidence.strength else None,
            }
            if item.evidence
            else None,
            "effect_sizes": [
                {"value": number(e.value), "outcome": e.outcome.text} for e in item.effect_sizes
            ],
            "contraindications": [
                {
                    "condition": self.expr(c.condition),
                    "quote": _attributes(c.attributes)["quote"],
                    "notes": _attributes(c.attributes)["notes"],
                }
                for c in item.contraindications
            ],
            "side_effects": [name.text for name in item.side_effects],
            "citations": attributes["citations"],
            "quote": attributes["quote"],
            "notes": attributes["notes"],
            "source": _source(item.span),
        }

    def invariant_json(self, rule: s.Invariant) -> JSON:
        if rule.form == "plain":
            if rule.condition is None:
                raise LoweringError(f"invariant {rule.name.text} has no condition")
            condition = self.expr(rule.condition)
        else:
            subject = rule.subject.text if rule.subject else None
            recommended: JSON = {"op": "recommended", "subject": subject}
            guard = self.expr(rule.condition) if rule.condition is not None else None
            if rule.kind == "never":
                condition = {"op": "and", "operands": [recommended, guard]} if guard else recommended
            else:
                condition = (
                    {"op": "or", "operands": [{"op": "not", "operand": guard}, recommended]}
                    if guard
                    else recommended
                )
        attributes = _attributes(rule.attributes)
        return {
            "name": rule.name.text,
            "title": rule.title.value if rule.title else None,
            "kind": rule.kind,
            "condition": condition,
            "quote": attributes["quote"],
            "notes": attributes["notes"],
            "citations": attributes["citations"],
            "source": _source(rule.span),
        }

    # -- the pathway -----------------------------------------------------------

    def item_json(self, node_id: str, ordinal: int, item: s.ActionItem) -> JSON:
        attributes = _attributes(item.attributes)
        common: JSON = {
            "id": f"{node_id}/{ordinal}",
            "guard": self.expr(item.guard) if item.guard is not None else None,
            "notes": attributes["notes"],
            "quote": attributes["quote"],
            "citations": attributes["citations"],
            "source": _source(item.span),
        }
        if isinstance(item, s.Recommendation):
            titration = None
            if item.titration is not None:
                unit = item.titration.target.unit or item.titration.step.unit
                titration = {
                    "step": number(item.titration.step.value),
                    "every": number(item.titration.interval.value),
                    "every_unit": item.titration.interval.unit.text if item.titration.interval.unit else None,
                    "target": number(item.titration.target.value),
                    "unit": unit.text if unit else None,
                }
            return {
                **common,
                "kind": "recommend",
                "action": item.verb,
                "intervention": item.intervention.text,
                "dose": self.dose_json(item.dose),
                "titration": titration,
            }
        if isinstance(item, s.AvoidItem):
            return {
                **common,
                "kind": "avoid",
                "intervention": item.intervention.text,
                "reason": item.reason.value if item.reason else None,
            }
        if isinstance(item, s.Flag):
            return {
                **common,
                "kind": "flag",
                "flag": item.name.text,
                "text": item.text.value if item.text else None,
            }
        after = None
        if item.after_low is not None:
            high = item.after_high or item.after_low
            unit = high.unit or item.after_low.unit
            after = {
                "min": number(item.after_low.value),
                "max": number(high.value),
                "unit": unit.text if unit else None,
            }
        return {
            **common,
            "kind": "monitor",
            "what": item.name.text,
            "text": item.text.value if item.text else None,
            "after": after,
        }

    def node_json(self, node: s.PathwayNode) -> JSON:
        attributes = _attributes(node.attributes)
        common: JSON = {
            "notes": attributes["notes"],
            "quote": attributes["quote"],
            "citations": attributes["citations"],
            "source": _source(node.span),
        }
        node_id = node.name.text
        if isinstance(node, s.Decision):
            branches = []
            ordinal = 0
            for branch in node.branches:
                branch_attributes = _attributes(branch.attributes)
                if branch.guard is None:
                    edge_id = f"{node_id}/otherwise"
                else:
                    ordinal += 1
                    edge_id = f"{node_id}/{ordinal}"
                branches.append(
                    {
                        "id": edge_id,
                        "guard": self.expr(branch.guard) if branch.guard is not None else None,
                        "target": branch.target.text,
                        "label": branch_attributes["label"],
                        "notes": branch_attributes["notes"],
                        "quote": branch_attributes["quote"],
                        "citations": branch_attributes["citations"],
                        "source": _source(branch.span),
                    }
                )
            return {
                **common,
                "kind": "decision",
                "question": node.question.value if node.question else node_id,
                "exclusive": node.exclusive,
                "branches": branches,
            }
        if isinstance(node, s.Step):
            return {
                **common,
                "kind": "action",
                "title": node.title.value if node.title else node_id,
                "items": [self.item_json(node_id, i, item) for i, item in enumerate(node.items, 1)],
                "next": {"id": f"{node_id}/next", "target": node.next.text},
            }
        return {
            **common,
            "kind": "terminal",
            "status": node.status.text,
            "message": node.message.value if node.message else None,
        }

    # -- the whole guideline ---------------------------------------------------

    def graph(self, content_hash: str) -> JSON:
        header = self.guideline.header
        pathway = self.guideline.pathway
        if pathway is None:
            raise LoweringError("the guideline has no pathway")
        return {
            "format": GRAPH_FORMAT,
            "guideline": {
                "id": header.id.text,
                "title": header.title.value,
                "version": header.version.value,
                "content_hash": content_hash,
                "sources": [
                    {
                        "name": source.name.text,
                        "file": PurePosixPath(source.path.value).name,
                        "date": source.date.value if source.date else None,
                    }
                    for source in header.sources
                ],
                "citations": {str(c.number): c.text.value for c in header.citations},
            },
            "enums": {
                name: {
                    "label": enum.label.value if enum.label else None,
                    "members": [m.name.text for m in enum.members],
                    "member_labels": {m.name.text: m.label.value for m in enum.members if m.label},
                    **({"points": _points(enum)} if enum.ordinal else {}),
                }
                for name, enum in self.symbols.enums.items()
            },
            "records": {
                name: {
                    "label": record.label.value if record.label else None,
                    "fields": {
                        f.name.text: {**self.type_json(f.type), "label": f.label.value if f.label else None}
                        for f in record.fields
                    },
                }
                for name, record in self.symbols.records.items()
            },
            "inputs": {
                name: {
                    "label": declared.label.value if declared.label else None,
                    "type": self.type_json(declared.type),
                    "notes": _attributes(declared.attributes)["notes"],
                    **(
                        {"binding": binding_json(declared, self.symbols.code_sets)}
                        if declared.binding is not None
                        else {}
                    ),
                    **({"default": _default_json(declared.default)} if declared.default is not None else {}),
                }
                for name, declared in self.symbols.inputs.items()
            },
            "definitions": [
                {
                    "name": definition.name.text,
                    "label": definition.label.value if definition.label else None,
                    "output": definition.output,
                    "expr": self.expr(definition.expression),
                    "notes": _attributes(definition.attributes)["notes"],
                    "quote": _attributes(definition.attributes)["quote"],
                    **_tables_json(definition.expression),
                }
                for definition in self.definitions_in_order()
            ],
            "interventions": {
                name: self.intervention_json(item) for name, item in self.symbols.interventions.items()
            },
            "start": pathway.start.text,
            "nodes": {node.name.text: self.node_json(node) for node in pathway.nodes},
            "invariants": [
                self.invariant_json(d) for d in self.guideline.declarations if isinstance(d, s.Invariant)
            ],
        }


def _points(enum: s.Enumeration) -> JSON:
    """An ordinal's bands and their points."""
    return {m.name.text: number(m.points) for m in enum.members if m.points is not None}


def _default_json(default: s.AbsentDefault) -> bool | int | float | str:
    """The assumed value of an absent fact as a patient record would give it."""
    value = default.value
    if isinstance(value, s.BooleanLiteral):
        return value.value
    if isinstance(value, s.NumberLiteral):
        return number(value.quantity.value)
    return value.name.text


def content_hash(text: str) -> str:
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def lower(checked: CheckedGuideline, source_text: str, hashed: bool = True) -> JSON:
    """The decision graph of a guideline the checker accepted, carrying its integrity hash
    (``graph_hash``, fibrolang/integrity.py); ``hashed=False`` leaves the hash out, for a graph
    that stays in memory (the proofs of ``fibrolang check``: the hash is half the time of lowering)."""
    graph = _Lowerer(checked).graph(content_hash(source_text))
    convert_units(graph)
    place_tables(graph)
    return with_graph_hash(graph) if hashed else graph


def _tables_json(expr: s.Expr) -> dict[str, Any]:
    """``{"tables": [...]}`` for a definition with lookup tables (for display: the
    flowchart draws them; ``expr`` is what is evaluated), else nothing."""
    from compiler.lower_tables import displays

    found = displays(expr)
    return {"tables": found} if found else {}
