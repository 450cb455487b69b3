"""Guard expressions of the decision graph in plain clinical words.

``plain_words(graph, expr)`` turns an expression of the typed graph
(``fibrolang.expressions``, docs/graph-format.md) into the words a clinician
would write on a flowchart edge: input and enum member labels instead of
identifiers, ``≥`` and ``≤`` instead of ``>=`` and ``<=``, units with
superscripts (``mL/min/1.73m²``), ``between`` for ranges. It is a pure
function of (graph, expr): the flowchart, the runtime's explanations and the
generated test suite all word a guard the same way. The test generator and
the review pack, which still hold the graph's JSON, pass it and its JSON
expressions as they are (``as_graph``, ``as_expression``).

Negation is pushed into comparisons only where that is exact under the
graph's three-valued logic (``not (a < b)`` is ``a ≥ b``: both are unknown
when ``a`` is unknown).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any, assert_never

from compiler.backends.flowchart.label_words import inline as inline
from compiler.backends.flowchart.label_words import name_words as name_words
from fibrolang import expressions as ex
from fibrolang import read_graph
from fibrolang.errors import GuidelineError
from fibrolang.expression_reader import read_expression
from fibrolang.expressions import Expression as Expr
from fibrolang.graph import ActionNode, FlagItem, Graph, MapType
from fibrolang.graph_order import in_source_order
from fibrolang.graph_reader import GraphReader
from fibrolang.operators import AND, COMPARE, NOT, OR, POSTFIX, SUM, UNARY, binary

# Binding strength of each kind of phrase; a part is put in parentheses when it
# binds more loosely than its place needs.
# (the operators' own strengths come from fibrolang.operators, on the same scale)
_OR, _AND, _NOT, _COMPARE, _SUM, _UNARY, _ATOM = OR, AND, NOT, COMPARE, SUM, UNARY, POSTFIX

# An item's action in words: the flowchart and the CDS Hooks cards say the same.

_SUPERSCRIPTS = {"2": "²", "3": "³"}
_ACTION_WORDS = {"recommended": "is recommended", "avoided": "is to be avoided", "flagged": "is flagged"}


_last_read: list[tuple[Mapping[str, Any], Graph]] = []  # the last document read, and its graph


def as_graph(graph: Graph | Mapping[str, Any]) -> Graph:
    """The typed graph (``fibrolang.read_graph``) of a graph JSON document, a typed graph as
    it is. For the callers that still hold the document (the test generator, the review
    pack): the last document read is remembered, so a caller that words many guards of one
    document reads it once (a document must not be changed in place between calls)."""
    if isinstance(graph, Graph):
        return graph
    if _last_read and _last_read[0][0] is graph:
        return _last_read[0][1]
    typed = read_graph(graph)
    _last_read[:] = [(graph, typed)]
    return typed


def as_expression(expr: Expr | Mapping[str, Any]) -> Expr:
    """The typed expression (``fibrolang.expressions``) of an expression of a graph JSON document."""
    if not isinstance(expr, Mapping):
        return expr
    reader = GraphReader()
    typed = read_expression(reader, expr, "expression")
    if reader.problems:
        raise GuidelineError("malformed expression", tuple(reader.problems))
    return typed


def unit_words(unit: str | None) -> str:
    """A unit as printed: ``mL/min/1.73m2`` → ``mL/min/1.73m²``, ``m2`` → ``m²``."""
    if not unit:
        return ""
    return re.sub(r"(?<=[A-Za-z])([23])(?![0-9])", lambda m: _SUPERSCRIPTS[m.group(1)], unit)


def number_words(value: object) -> str:
    """A JSON number as written in a guideline: ``60``, ``1.5``, ``0.437``."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return repr(value)
    return str(value)


def quantity_words(value: object, unit: str | None) -> str:
    """A number with its unit: ``30 mL/min/1.73m²``, ``4 weeks``."""
    shown = unit_words(unit)
    return f"{number_words(value)} {shown}" if shown else number_words(value)


def range_words(low: object, high: object, unit: str | None) -> str:
    """``60 mg/day`` when low equals high, else ``4–6 weeks``."""
    if low == high:
        return quantity_words(low, unit)
    return quantity_words(f"{number_words(low)}–{number_words(high)}", unit)


def sentence(text: str) -> str:
    """Capitalise the first letter when the first word is an ordinary lower-case word."""
    first = text.split(" ", 1)[0]
    if first.isalpha() and first.islower():
        return text[0].upper() + text[1:]
    return text


def _named(label: str | None, name: str) -> str:
    return inline(label) if label else name_words(name)


def input_label(document: Graph | Mapping[str, Any], name: str) -> str:
    graph = as_graph(document)
    declared = next((i for i in graph.inputs if i.name == name), None)
    return _named(declared.label if declared else None, name)


def definition_label(document: Graph | Mapping[str, Any], name: str) -> str:
    graph = as_graph(document)
    declared = next((d for d in graph.definitions if d.name == name), None)
    return _named(declared.label if declared else None, name)


def member_label(document: Graph | Mapping[str, Any], enum: str | None, member: str) -> str:
    graph = as_graph(document)
    declared = next((e for e in graph.enums if e.name == (enum or "")), None)
    return _named(dict(declared.member_labels).get(member) if declared else None, member)


def enum_label(document: Graph | Mapping[str, Any], enum: str) -> str:
    graph = as_graph(document)
    declared = next((e for e in graph.enums if e.name == enum), None)
    return _named(declared.label if declared else None, enum)


def intervention_label(document: Graph | Mapping[str, Any], name: str) -> str:
    graph = as_graph(document)
    declared = next((i for i in graph.interventions if i.id == name), None)
    return _named(declared.label if declared else None, name)


def flag_text(document: Graph | Mapping[str, Any], flag: str) -> str:
    """The words of a flag: the text of the first item that raises it, in source order."""
    graph = as_graph(document)
    for node in in_source_order(graph):
        if isinstance(node, ActionNode):
            for item in node.items:
                if isinstance(item, FlagItem) and item.flag == flag and item.text:
                    return item.text
    return name_words(flag)


def _field_label(graph: Graph, record: Expr, name: str) -> str:
    """The label of a record field, found through the map input the record comes from."""
    if isinstance(record, ex.Entry) and isinstance(record.map, ex.InputReference):
        source = record.map.name
        declared = next((i for i in graph.inputs if i.name == source), None)
        record_name = declared.type.record if declared and isinstance(declared.type, MapType) else None
        shape = next((r for r in graph.records if r.name == record_name), None)
        field = next((f for f in shape.fields if f.name == name), None) if shape else None
        if field is not None and field.label:
            return inline(field.label)
    return name_words(name)


def _is_true(expr: Expr) -> bool:
    return isinstance(expr, ex.Constant) and expr.value is True


class _Phrases:
    """Words for one graph; every method returns (text, binding strength)."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph

    def words(self, expr: Expr, need: int = _OR) -> str:
        text, strength = self.phrase(expr)
        return f"({text})" if strength < need else text

    def join(self, operands: Sequence[Expr], word: str, strength: int) -> tuple[str, int]:
        return f" {word} ".join(self.words(o, strength + 1) for o in operands), strength

    def phrase(self, expr: Expr) -> tuple[str, int]:
        graph = self.graph
        if isinstance(expr, ex.Constant):
            value = expr.value
            if isinstance(value, bool):
                return ("true" if value else "false"), _ATOM
            return quantity_words(value, expr.unit), _ATOM
        if isinstance(expr, ex.MemberLiteral):
            return member_label(graph, expr.enum, expr.value), _ATOM
        if isinstance(expr, ex.SetLiteral):
            names = [member_label(graph, expr.enum, m) for m in expr.members]
            return "{" + ", ".join(names) + "}", _ATOM
        if isinstance(expr, ex.SelectedSet):
            entries: list[str] = []
            for member, condition in zip(expr.members, expr.conditions, strict=False):
                name = member_label(graph, expr.enum, member)
                entries.append(name if _is_true(condition) else f"{name} if {self.phrase(condition)[0]}")
            return "{" + "; ".join(entries) + "}", _ATOM
        if isinstance(expr, ex.InputReference):
            return input_label(graph, expr.name), _ATOM
        if isinstance(expr, ex.DefinitionReference):
            return definition_label(graph, expr.name), _ATOM
        if isinstance(expr, ex.VariableReference):
            return expr.name, _ATOM
        if isinstance(expr, ex.EnumerationReference):
            return f"every {enum_label(graph, expr.enum)}", _ATOM
        if isinstance(expr, ex.Entry):
            return f"{self.words(expr.map, _ATOM)} entry for {self.words(expr.key, _ATOM)}", _ATOM
        if isinstance(expr, ex.Field):
            record = expr.record
            label = _field_label(graph, record, expr.name)
            if isinstance(record, ex.Entry):  # "pregabalin daily dose", "a response"
                return f"{self.words(record.key, _ATOM)} {label}", _ATOM
            return f"{label} of {self.words(record, _ATOM)}", _ATOM
        if isinstance(expr, ex.Membership):
            return self.membership(expr, negated=False)
        if isinstance(expr, ex.Negation):
            return self.negation(expr.operand)
        bounds = _between(expr)
        if bounds is not None:
            low, high = bounds
            subject = self.words(low.left, _SUM)
            low_bound, high_bound = low.right, high.right
            high_unit = high_bound.unit if isinstance(high_bound, ex.Constant) else None
            if isinstance(low_bound, ex.Constant) and low_bound.unit == high_unit:
                low_words = number_words(low_bound.value)
                return f"{subject} between {low_words} and {self.words(high_bound, _SUM)}", _COMPARE
            return (
                f"{subject} between {self.words(low_bound, _SUM)} and {self.words(high_bound, _SUM)}",
                _COMPARE,
            )
        if isinstance(expr, ex.Conjunction):
            return self.join(expr.operands, "and", _AND)
        if isinstance(expr, ex.Disjunction):
            return self.join(expr.operands, "or", _OR)
        if isinstance(expr, ex.Comparison | ex.Arithmetic):
            operator = binary(expr.operator)
            match operator.family:
                case "comparison":
                    return self.comparison(expr.operator, expr.left, expr.right)
                case "arithmetic":
                    left = self.words(expr.left, operator.left_needs)
                    right = self.words(expr.right, operator.right_needs)
                    return f"{left} {operator.sign} {right}", operator.strength
                case "function" if expr.operator == "max" and expr.right == ex.UnaryMinus(expr.left):
                    return f"(the absolute value of {self.words(expr.left, _COMPARE)})", _ATOM
                case "function":
                    left, right = self.words(expr.left, _COMPARE), self.words(expr.right, _COMPARE)
                    phrase = operator.words.format(left=left, right=right)
                    if expr.operator == "round" and right == "1":  # "rounded to 1 decimal"
                        phrase = phrase.removesuffix("s")
                    return f"({phrase})", _ATOM
                case unreachable:
                    assert_never(unreachable)
        if isinstance(expr, ex.UnaryMinus):
            return f"−{self.words(expr.operand, _UNARY)}", _UNARY
        if isinstance(expr, ex.Conditional):
            when = self.words(expr.condition)
            then, otherwise = self.words(expr.then), self.words(expr.otherwise)
            return f"({then} if {when}, otherwise {otherwise})", _ATOM
        if isinstance(expr, ex.Quantifier | ex.Sum):
            return self.quantifier(expr)
        if isinstance(expr, ex.CountTrue):
            parts = "; ".join(self.words(o) for o in expr.operands)
            return f"number of [{parts}] that hold", _ATOM
        if isinstance(expr, ex.PlanQuery):
            state, named = expr.state, expr.subject
            if named is None:
                return f"anything {_ACTION_WORDS[state]}", _COMPARE
            if state == "flagged":
                return f"“{flag_text(graph, named)}” is flagged", _COMPARE
            return f"{intervention_label(graph, named)} {_ACTION_WORDS[state]}", _COMPARE
        if isinstance(expr, ex.DoseQuery):
            return f"recommended dose of {intervention_label(graph, expr.subject)}", _ATOM
        if isinstance(expr, ex.Elapsed):  # fibrolang/dates.py
            start, end = self.words(expr.start, _ATOM), self.words(expr.end, _ATOM)
            return f"whole {expr.unit} from {start} to {end}", _ATOM
        raise ValueError(f"no words for the expression {type(expr).__name__} (flowchart/plain_words.py)")

    def membership(self, expr: ex.Membership, negated: bool) -> tuple[str, int]:
        element = self.words(expr.element, _SUM)
        collection = expr.collection
        if isinstance(collection, ex.SetLiteral):
            names = [member_label(self.graph, collection.enum, m) for m in collection.members]
            listed = ", ".join(names)
            return f"{element} is {'not ' if negated else ''}one of {listed}", _COMPARE
        return f"{element} is {'not ' if negated else ''}among {self.words(collection, _SUM)}", _COMPARE

    def negation(self, operand: Expr) -> tuple[str, int]:
        if isinstance(operand, ex.Membership):
            return self.membership(operand, negated=True)
        negated = binary(operand.operator).negation if isinstance(operand, ex.Comparison) else None
        if isinstance(operand, ex.Comparison) and negated is not None:
            return self.comparison(negated, operand.left, operand.right)
        if isinstance(operand, ex.PlanQuery) and operand.subject is not None:
            text, strength = self.phrase(operand)
            return text.replace(" is ", " is not ", 1), strength
        if isinstance(operand, ex.PlanQuery):
            return f"nothing {_ACTION_WORDS[operand.state]}", _COMPARE
        if isinstance(operand, ex.Negation):
            return self.phrase(operand.operand)
        return f"not {self.words(operand, _NOT)}", _NOT

    def comparison(self, op: str, left: Expr, right: Expr) -> tuple[str, int]:
        if op in ("==", "!=") and isinstance(right, ex.Constant) and isinstance(right.value, bool):
            truth = right.value == (op == "==")
            return self.phrase(left) if truth else self.negation(left)
        if op in ("==", "!=") and (isinstance(right, ex.MemberLiteral) or isinstance(left, ex.MemberLiteral)):
            verb = "is" if op == "==" else "is not"
            return f"{self.words(left, _SUM)} {verb} {self.words(right, _SUM)}", _COMPARE
        return f"{self.words(left, _SUM)} {binary(op).sign} {self.words(right, _SUM)}", _COMPARE

    def quantifier(self, expr: ex.Quantifier | ex.Sum) -> tuple[str, int]:
        variable = expr.variable
        over = expr.over
        collection = (
            enum_label(self.graph, over.enum)
            if isinstance(over, ex.EnumerationReference)
            else self.words(over, _ATOM)
        )
        if isinstance(expr, ex.Sum):
            return f"sum over {variable} in {collection} of {self.words(expr.body, _SUM)}", _ATOM
        where = expr.where
        condition = f" where {self.words(where)}" if where is not None else ""
        if expr.kind == "count":
            return f"number of {variable} in {collection}{condition}", _ATOM
        if expr.kind == "any":
            return f"at least one {variable} in {collection}{condition}", _COMPARE
        if where is None:
            return f"every {variable} in {collection}", _COMPARE
        return f"for every {variable} in {collection}, {self.words(where)}", _COMPARE


def _between(expr: Expr) -> tuple[ex.Comparison, ex.Comparison] | None:
    """``v between a and b`` as lowered: ``v >= a and v <= b`` over the same ``v``."""
    if not isinstance(expr, ex.Conjunction) or len(expr.operands) != 2:
        return None
    low, high = expr.operands
    if (
        isinstance(low, ex.Comparison)
        and isinstance(high, ex.Comparison)
        and low.operator == ">="
        and high.operator == "<="
        and low.left == high.left
    ):
        return low, high
    return None


def phrase(graph: Graph | Mapping[str, Any], expr: Expr | Mapping[str, Any]) -> str:
    """The expression in words, as a phrase to place inside a sentence (the graph and the
    expression typed, or as in the graph's JSON document)."""
    return _Phrases(as_graph(graph)).words(as_expression(expr))


def plain_words(graph: Graph | Mapping[str, Any], expr: Expr | Mapping[str, Any]) -> str:
    """The expression in words, ready to stand alone (first letter capitalised
    when it is an ordinary word): ``Age < 18 years``, ``eGFR < 30 mL/min/1.73m²``."""
    return sentence(phrase(graph, expr))
