"""Guard expressions of the decision graph in plain clinical words.

``plain_words(graph, expr)`` turns an expression of the graph (docs/graph-format.md)
into the words a clinician would write on a flowchart edge: input and enum
member labels instead of identifiers, ``≥`` and ``≤`` instead of ``>=`` and
``<=``, units with superscripts (``mL/min/1.73m²``), ``between`` for ranges.
It is a pure function of (graph, expr): the flowchart, the runtime's
explanations and the generated test suite all word a guard the same way.

Negation is pushed into comparisons only where that is exact under the
graph's three-valued logic (``not (a < b)`` is ``a ≥ b``: both are unknown
when ``a`` is unknown).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any, assert_never

from fibrolang.operators import AND, BINARY, COMPARE, NOT, OR, POSTFIX, SUM, UNARY, binary

Expr = Mapping[str, Any]
Graph = Mapping[str, Any]

# Binding strength of each kind of phrase; a part is put in parentheses when it
# binds more loosely than its place needs.
# (the operators' own strengths come from fibrolang.operators, on the same scale)
_OR, _AND, _NOT, _COMPARE, _SUM, _UNARY, _ATOM = OR, AND, NOT, COMPARE, SUM, UNARY, POSTFIX

# An item's action in words: the flowchart and the CDS Hooks cards say the same.
ACTION_WORDS = {
    "start": "Start",
    "continue": "Continue",
    "increase": "Increase",
    "decrease": "Decrease",
    "switch": "Switch to",
    "add": "Add",
    "stop": "Stop",
    "consider": "Consider",
    "recommend": "Recommend",
}

_SUPERSCRIPTS = {"2": "²", "3": "³"}
_ACTION_WORDS = {"recommended": "is recommended", "avoided": "is to be avoided", "flagged": "is flagged"}


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


def name_words(identifier: str) -> str:
    """An identifier in words: ``pain_score`` → ``pain score``."""
    return identifier.replace("_", " ").strip() or identifier


def inline(label: str) -> str:
    """A label placed inside a sentence: a leading capitalised ordinary word is
    lower-cased (``Chronic liver disease`` → ``chronic liver disease``), while
    abbreviations and names with inner capitals (``eGFR``, ``ACR``, ``WPI``) stay."""
    first = label.split(" ", 1)[0]
    if first in ("A", "An", "The") or (
        len(first) >= 2 and first[0].isupper() and first[1:].isalpha() and first[1:].islower()
    ):
        return label[0].lower() + label[1:]
    return label


def sentence(text: str) -> str:
    """Capitalise the first letter when the first word is an ordinary lower-case word."""
    first = text.split(" ", 1)[0]
    if first.isalpha() and first.islower():
        return text[0].upper() + text[1:]
    return text


def input_label(graph: Graph, name: str) -> str:
    declared = graph.get("inputs", {}).get(name) or {}
    label = declared.get("label")
    return inline(label) if label else name_words(name)


def definition_label(graph: Graph, name: str) -> str:
    for definition in graph.get("definitions", []):
        if definition.get("name") == name:
            label = definition.get("label")
            return inline(label) if label else name_words(name)
    return name_words(name)


def member_label(graph: Graph, enum: str | None, member: str) -> str:
    declared = graph.get("enums", {}).get(enum or "") or {}
    label = (declared.get("member_labels") or {}).get(member)
    return inline(label) if label else name_words(member)


def enum_label(graph: Graph, enum: str) -> str:
    declared = graph.get("enums", {}).get(enum) or {}
    label = declared.get("label")
    return inline(label) if label else name_words(enum)


def intervention_label(graph: Graph, name: str) -> str:
    declared = graph.get("interventions", {}).get(name) or {}
    label = declared.get("label")
    return inline(label) if label else name_words(name)


def flag_text(graph: Graph, flag: str) -> str:
    """The words of a flag: the text of the first item that raises it, in source order."""
    for node in graph.get("nodes", {}).values():
        for item in node.get("items", []) or []:
            if item.get("kind") == "flag" and item.get("flag") == flag and item.get("text"):
                return str(item["text"])
    return name_words(flag)


def _field_label(graph: Graph, record: Expr, name: str) -> str:
    """The label of a record field, found through the map input the record comes from."""
    if record.get("op") == "entry":
        source = record.get("map") or {}
        if source.get("op") == "input":
            declared = graph.get("inputs", {}).get(source.get("name", "")) or {}
            record_name = (declared.get("type") or {}).get("record")
            fields = (graph.get("records", {}).get(record_name or "") or {}).get("fields", {})
            label = (fields.get(name) or {}).get("label")
            if label:
                return inline(label)
    return name_words(name)


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
        op = expr.get("op")
        graph = self.graph
        if op == "const":
            value = expr.get("value")
            if isinstance(value, bool):
                return ("true" if value else "false"), _ATOM
            return quantity_words(value, expr.get("unit")), _ATOM
        if op == "member":
            return member_label(graph, expr.get("enum"), str(expr.get("value"))), _ATOM
        if op == "set":
            enum = expr.get("enum")
            names = [member_label(graph, enum, str(m)) for m in expr.get("members", [])]
            return "{" + ", ".join(names) + "}", _ATOM
        if op == "select":
            enum = expr.get("enum")
            entries: list[str] = []
            for member, condition in zip(expr.get("members", []), expr.get("when", []), strict=False):
                name = member_label(graph, enum, str(member))
                always = condition.get("op") == "const" and condition.get("value") is True
                entries.append(name if always else f"{name} if {self.phrase(condition)[0]}")
            return "{" + "; ".join(entries) + "}", _ATOM
        if op == "input":
            return input_label(graph, str(expr.get("name"))), _ATOM
        if op == "def":
            return definition_label(graph, str(expr.get("name"))), _ATOM
        if op == "var":
            return str(expr.get("name")), _ATOM
        if op == "enum":
            return f"every {enum_label(graph, str(expr.get('enum')))}", _ATOM
        if op == "entry":
            return f"{self.words(expr['map'], _ATOM)} entry for {self.words(expr['key'], _ATOM)}", _ATOM
        if op == "field":
            record = expr.get("record") or {}
            label = _field_label(graph, record, str(expr.get("name")))
            if record.get("op") == "entry":  # "pregabalin daily dose", "a response"
                return f"{self.words(record['key'], _ATOM)} {label}", _ATOM
            return f"{label} of {self.words(record, _ATOM)}", _ATOM
        if op == "in":
            return self.membership(expr, negated=False)
        if op == "not":
            return self.negation(expr["operand"])
        if op == "and" and _is_between(expr):
            low, high = expr["operands"]
            value = self.words(low["left"], _SUM)
            low_bound, high_bound = low["right"], high["right"]
            if low_bound.get("op") == "const" and low_bound.get("unit") == high_bound.get("unit"):
                low_words = number_words(low_bound.get("value"))
                return f"{value} between {low_words} and {self.words(high_bound, _SUM)}", _COMPARE
            return (
                f"{value} between {self.words(low_bound, _SUM)} and {self.words(high_bound, _SUM)}",
                _COMPARE,
            )
        if op in ("and", "or"):
            return self.join(expr.get("operands", []), op, _AND if op == "and" else _OR)
        if op in BINARY:
            operator = binary(op)
            match operator.family:
                case "comparison":
                    return self.comparison(op, expr["left"], expr["right"])
                case "arithmetic":
                    left = self.words(expr["left"], operator.left_needs)
                    right = self.words(expr["right"], operator.right_needs)
                    return f"{left} {operator.sign} {right}", operator.strength
                case "function" if op == "max" and expr["right"] == {"op": "neg", "operand": expr["left"]}:
                    return f"(the absolute value of {self.words(expr['left'], _COMPARE)})", _ATOM
                case "function":
                    left, right = self.words(expr["left"], _COMPARE), self.words(expr["right"], _COMPARE)
                    return f"({operator.words.format(left=left, right=right)})", _ATOM
                case unreachable:
                    assert_never(unreachable)
        if op == "neg":
            return f"−{self.words(expr['operand'], _UNARY)}", _UNARY
        if op == "if":
            condition = self.words(expr["condition"])
            then, otherwise = self.words(expr["then"]), self.words(expr["else"])
            return f"({then} if {condition}, otherwise {otherwise})", _ATOM
        if op in ("count", "any", "all", "sum"):
            return self.quantifier(expr)
        if op == "count_true":
            parts = "; ".join(self.words(o) for o in expr.get("operands", []))
            return f"number of [{parts}] that hold", _ATOM
        if op in _ACTION_WORDS:
            subject = expr.get("subject")
            if subject is None:
                return f"anything {_ACTION_WORDS[op]}", _COMPARE
            if op == "flagged":
                return f"“{flag_text(graph, str(subject))}” is flagged", _COMPARE
            return f"{intervention_label(graph, str(subject))} {_ACTION_WORDS[op]}", _COMPARE
        if op == "dose":
            return f"recommended dose of {intervention_label(graph, str(expr.get('subject')))}", _ATOM
        raise ValueError(f"no words for the expression op {op!r} (compiler/backends/plain_words.py)")

    def membership(self, expr: Expr, negated: bool) -> tuple[str, int]:
        element = self.words(expr["element"], _SUM)
        collection = expr.get("collection") or {}
        if collection.get("op") == "set":
            enum = collection.get("enum")
            names = [member_label(self.graph, enum, str(m)) for m in collection.get("members", [])]
            listed = ", ".join(names)
            return f"{element} is {'not ' if negated else ''}one of {listed}", _COMPARE
        return f"{element} is {'not ' if negated else ''}among {self.words(collection, _SUM)}", _COMPARE

    def negation(self, operand: Expr) -> tuple[str, int]:
        op = operand.get("op")
        if op == "in":
            return self.membership(operand, negated=True)
        negated = BINARY[op].negation if op in BINARY else None
        if negated is not None:
            return self.comparison(negated, operand["left"], operand["right"])
        if op in _ACTION_WORDS and operand.get("subject") is not None:
            text, strength = self.phrase(operand)
            return text.replace(" is ", " is not ", 1), strength
        if op in _ACTION_WORDS:
            return f"nothing {_ACTION_WORDS[op]}", _COMPARE
        if op == "not":
            return self.phrase(operand["operand"])
        return f"not {self.words(operand, _NOT)}", _NOT

    def comparison(self, op: str, left: Expr, right: Expr) -> tuple[str, int]:
        if op in ("==", "!=") and right.get("op") == "const" and isinstance(right.get("value"), bool):
            truth = bool(right["value"]) == (op == "==")
            return self.phrase(left) if truth else self.negation(left)
        if op in ("==", "!=") and (right.get("op") == "member" or left.get("op") == "member"):
            verb = "is" if op == "==" else "is not"
            return f"{self.words(left, _SUM)} {verb} {self.words(right, _SUM)}", _COMPARE
        return f"{self.words(left, _SUM)} {binary(op).sign} {self.words(right, _SUM)}", _COMPARE

    def quantifier(self, expr: Expr) -> tuple[str, int]:
        op = expr["op"]
        variable = str(expr.get("var"))
        over = expr.get("over") or {}
        collection = (
            enum_label(self.graph, str(over.get("enum")))
            if over.get("op") == "enum"
            else self.words(over, _ATOM)
        )
        if op == "sum":
            return f"sum over {variable} in {collection} of {self.words(expr['body'], _SUM)}", _ATOM
        where = expr.get("where")
        condition = f" where {self.words(where)}" if where is not None else ""
        if op == "count":
            return f"number of {variable} in {collection}{condition}", _ATOM
        if op == "any":
            return f"at least one {variable} in {collection}{condition}", _COMPARE
        if where is None:
            return f"every {variable} in {collection}", _COMPARE
        return f"for every {variable} in {collection}, {self.words(where)}", _COMPARE


def _is_between(expr: Expr) -> bool:
    """``v between a and b`` as lowered: ``v >= a and v <= b`` over the same ``v``."""
    operands = expr.get("operands") or []
    return (
        len(operands) == 2
        and operands[0].get("op") == ">="
        and operands[1].get("op") == "<="
        and operands[0].get("left") == operands[1].get("left")
    )


def phrase(graph: Graph, expr: Expr) -> str:
    """The expression in words, as a phrase to place inside a sentence."""
    return _Phrases(graph).words(expr)


def plain_words(graph: Graph, expr: Expr) -> str:
    """The expression in words, ready to stand alone (first letter capitalised
    when it is an ordinary word): ``Age < 18 years``, ``eGFR < 30 mL/min/1.73m²``."""
    return sentence(phrase(graph, expr))
