"""What a generated test protects, in clinical words (the test's docstring and name).

Every phrase comes from ``compiler.backends.flowchart.plain_words``, so a test words a
guard exactly as the flowchart and the runtime's explanation do.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from compiler.analysis.logic import GoalDetail
from compiler.backends.flowchart.plain_words import (
    flag_text,
    intervention_label,
    phrase,
    plain_words,
    quantity_words,
    sentence,
)
from compiler.testgen.literals import slug
from fibrolang import expressions as ex
from fibrolang.expression_parts import inline
from fibrolang.graph import (
    ActionItem,
    ActionNode,
    AvoidItem,
    DecisionNode,
    FlagItem,
    Graph,
    RecommendItem,
)
from fibrolang.graph_order import node_by_id
from fibrolang.operators import binary

_SIDE_WORDS = {"below": "just below", "at": "at", "above": "just above", "after": "the day after reaching"}
_LONG = 110


def shorten(text: str, limit: int = _LONG) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def edge_words(graph: Graph, edge_id: str) -> str:
    """``Is the patient an adult (18 or older)? → under 18 [Age < 18 years]``."""
    node_id = edge_id.split("/", 1)[0]
    node = node_by_id(graph, node_id)
    if isinstance(node, ActionNode):
        return f"step: {node.title or node_id}"
    if not isinstance(node, DecisionNode):
        return edge_id
    for branch in node.branches:
        if branch.id == edge_id:
            question = node.question or node_id
            answer = branch.label or ("otherwise" if branch.guard is None else "yes")
            if branch.guard is None:
                return f"{question} → {answer} (otherwise)"
            guard = shorten(plain_words(graph, branch.guard))
            return f"{question} → {answer} [{guard}]"
    return edge_id


def edge_source(graph: Graph, edge_id: str) -> str:
    node_id = edge_id.split("/", 1)[0]
    node = node_by_id(graph, node_id)
    for branch in node.branches if isinstance(node, DecisionNode) else ():
        if branch.id == edge_id and branch.trace.source:
            return f"line {branch.trace.source.line}"
    if node is not None and node.trace.source:
        return f"line {node.trace.source.line}"
    return "no source line"


def path_words(graph: Graph, edges: tuple[str, ...], outcome: str, message: str | None) -> list[str]:
    """One line per decision taken and per step passed, then the outcome. A long path (more
    than ``LONG_PATH`` edges) shows only the decisions that took a guarded branch."""
    taken = [edge for edge in edges if edge != "start"]
    if len(taken) <= LONG_PATH:
        lines = [edge_words(graph, edge) for edge in taken]
    else:
        guarded = [edge for edge in taken if _guarded_branch(graph, edge)]
        lines = [edge_words(graph, edge) for edge in guarded]
        lines.append(f"(and {len(taken) - len(guarded)} more edges: steps, and decisions answered otherwise)")
    ending = outcome.replace("_", " ")
    lines.append(f"outcome: {ending}" + (f": {shorten(message)}" if message else ""))
    return lines


LONG_PATH = 24


def _guarded_branch(graph: Graph, edge_id: str) -> bool:
    node = node_by_id(graph, edge_id.split("/", 1)[0])
    branches = node.branches if isinstance(node, DecisionNode) else ()
    return any(b.id == edge_id and b.guard is not None for b in branches)


def item_words(graph: Graph, item: ActionItem) -> str:
    """``flag ecg_before_tca when Amitriptyline is recommended and age ≥ 40 years``."""
    if isinstance(item, RecommendItem):
        what = f"{item.action} {intervention_label(graph, item.intervention)}"
    elif isinstance(item, AvoidItem):
        what = f"avoid {intervention_label(graph, item.intervention)}"
    elif isinstance(item, FlagItem):
        what = f"flag {item.flag} ({shorten(flag_text(graph, item.flag), 60)})"
    else:
        what = f"monitor {item.what}"
    if item.guard is not None:
        what += f" when {shorten(phrase(graph, item.guard))}"
    return what


def _definition_of(graph: Graph, expression: ex.Expression) -> str | None:
    """The definition whose inlined expression is ``expression`` (for a short phrase).
    Compared by ``repr``, which tells ``1`` from ``1.0`` as the graph JSON does."""
    definitions = {d.name: d.expr for d in graph.definitions}
    wanted = repr(expression)
    for name, expr in definitions.items():
        if repr(inline(expr, definitions)) == wanted:
            return str(name)
    return None


def compared_words(graph: Graph, expression: ex.Expression) -> str:
    name = _definition_of(graph, expression)
    if name is not None:
        expression = ex.DefinitionReference(name)
    return sentence(shorten(phrase(graph, expression), 80))


@dataclass(frozen=True)
class BoundaryText:
    expression: ex.Expression
    operator: str
    threshold: int | float
    unit: str | None
    side: str
    value: int | float
    guard: str  # the branch or item whose guard is evaluated
    origin: str | None  # where the comparison is written, when the patient is decisive for it


def boundary_words(graph: Graph, boundary: BoundaryText) -> str:
    compared = compared_words(graph, boundary.expression)
    value = quantity_words(boundary.value, boundary.unit)
    threshold = quantity_words(boundary.threshold, boundary.unit)
    operator = binary(boundary.operator).sign
    if boundary.origin is None:
        effect = f"reaches the guard of {boundary.guard}"
    else:
        written = "" if boundary.origin == boundary.guard else f" ({boundary.origin})"
        effect = f"the comparison{written} decides the guard of {boundary.guard}"
    return (
        f"boundary: {compared} = {value}, {_SIDE_WORDS[boundary.side]} the threshold "
        f"{operator} {threshold}; {effect}"
    )


def boundary_slug(graph: Graph, boundary: BoundaryText) -> str:
    name = _definition_of(graph, boundary.expression)
    if name is None:
        name = "_".join(_names(boundary.expression)) or "value"
    value = str(boundary.value).replace(".", "_").replace("-", "minus_")
    return f"{slug(boundary.guard)}__{slug(name, 40)}_{boundary.side}_{slug(value)}"


def _named_parts(expr: ex.Expression) -> tuple[ex.Expression, ...]:
    """The parts a name is looked for in, in the order the words take them (an ``if``'s
    arms, a membership, a date difference and a selected set are not looked into)."""
    match expr:
        case ex.Entry(map=map_, key=key):
            return (map_, key)
        case ex.Field(record=record):
            return (record,)
        case ex.Comparison(left=left, right=right) | ex.Arithmetic(left=left, right=right):
            return (left, right)
        case ex.Negation(operand=operand) | ex.UnaryMinus(operand=operand):
            return (operand,)
        case (
            ex.Conjunction(operands=operands)
            | ex.Disjunction(operands=operands)
            | ex.CountTrue(operands=operands)
        ):
            return operands
        case ex.Quantifier(over=over, where=where):
            return (over,) if where is None else (over, where)
        case ex.Sum(over=over, body=body):
            return (over, body)
    return ()


def _names(expr: ex.Expression) -> list[str]:
    """Input, field and member names an expression mentions, in order, without repeats."""
    found: list[str] = []

    def walk(value: ex.Expression) -> None:
        if isinstance(value, ex.InputReference | ex.DefinitionReference) and value.name not in found:
            found.append(value.name)
        if isinstance(value, ex.MemberLiteral) and value.value not in found:
            found.append(value.value)
        for part in _named_parts(value):
            walk(part)
        if isinstance(value, ex.Field):
            found.append(value.name)

    walk(expr)
    return found[:4]


def logic_words(graph: Graph, kind: str, definition: str, detail: GoalDetail | None, value: Any) -> str:
    """One line for a goal inside a definition or output (``analysis.logic``)."""
    detail = detail or GoalDetail()
    name = definition_label_words(graph, definition)
    if kind == "arm" and detail.condition is not None:
        condition = shorten(phrase(graph, detail.condition), 70)
        arm = "holds" if detail.arm == "then" else "does not hold"
        return f"arm of {name}: {condition} {arm}"
    if kind == "value":
        return f"value of {name}: {_value_words(value)}"
    if kind == "mcdc" and detail.condition is not None:
        condition = shorten(phrase(graph, detail.condition), 70)
        truth = "true" if detail.value else "false"
        return f"condition decides {name} on its own: {condition} is {truth}"
    if kind == "boundary" and detail.compared is not None:
        compared = compared_words(graph, detail.compared)
        operator = binary(detail.operator).sign
        return (
            f"boundary in {name}: {compared} = {quantity_words(detail.value, detail.unit)}, "
            f"{_SIDE_WORDS[detail.side]} the threshold {operator} "
            f"{quantity_words(detail.threshold, detail.unit)}"
        )
    return f"{kind} of {name}"


def definition_label_words(graph: Graph, definition: str) -> str:
    for entry in graph.definitions:
        if entry.name == definition:
            kind = "output" if entry.output else "definition"
            label = entry.label
            return f"{kind} {definition}" + (f" ({shorten(label, 40)})" if label else "")
    return definition


def _value_words(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def logic_slug(kind: str, key: str) -> str:
    """``arm risk #2 then`` → ``arm_risk_2_then``."""
    return slug(key.replace("#", "").replace("=", "is").replace("-", "minus "), 60)


def missing_words(graph: Graph, name: str, outcome: str, missing: list[str]) -> str:
    declared = next((d for d in graph.inputs if d.name == name), None)
    label = (declared.label if declared else None) or name
    if outcome == "insufficient_data" and name in missing:
        effect = "insufficient data naming it"
    else:
        effect = f"{outcome.replace('_', ' ')} without it"
    return f"missing data: no {name} ({shorten(label, 40)}); {effect}"
