"""What a generated test protects, in clinical words (the test's docstring and name).

Every phrase comes from ``compiler.backends.flowchart.plain_words``, so a test words a
guard exactly as the flowchart and the runtime's explanation do.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from compiler.analysis.boundaries import inline
from compiler.backends.flowchart.plain_words import (
    flag_text,
    intervention_label,
    phrase,
    plain_words,
    quantity_words,
    sentence,
)
from compiler.testgen.literals import slug
from fibrolang.operators import binary

JSON = dict[str, Any]

_SIDE_WORDS = {"below": "just below", "at": "at", "above": "just above", "after": "the day after reaching"}
_LONG = 110


def shorten(text: str, limit: int = _LONG) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def edge_words(graph: JSON, edge_id: str) -> str:
    """``Is the patient an adult (18 or older)? → under 18 [Age < 18 years]``."""
    node_id = edge_id.split("/", 1)[0]
    node = graph["nodes"].get(node_id, {})
    if node.get("kind") == "action":
        return f"step: {node.get('title') or node_id}"
    for branch in node.get("branches", []):
        if branch["id"] == edge_id:
            question = node.get("question") or node_id
            answer = branch.get("label") or ("otherwise" if branch["guard"] is None else "yes")
            if branch["guard"] is None:
                return f"{question} → {answer} (otherwise)"
            guard = shorten(plain_words(graph, branch["guard"]))
            return f"{question} → {answer} [{guard}]"
    return edge_id


def edge_source(graph: JSON, edge_id: str) -> str:
    node_id = edge_id.split("/", 1)[0]
    node = graph["nodes"].get(node_id, {})
    for branch in node.get("branches", []):
        if branch["id"] == edge_id and branch.get("source"):
            return f"line {branch['source']['line']}"
    if node.get("source"):
        return f"line {node['source']['line']}"
    return "no source line"


def path_words(graph: JSON, edges: tuple[str, ...], outcome: str, message: str | None) -> list[str]:
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


def _guarded_branch(graph: JSON, edge_id: str) -> bool:
    node = graph["nodes"].get(edge_id.split("/", 1)[0], {})
    return any(b["id"] == edge_id and b["guard"] is not None for b in node.get("branches", []))


def item_words(graph: JSON, item: JSON) -> str:
    """``flag ecg_before_tca when Amitriptyline is recommended and age ≥ 40 years``."""
    kind = item["kind"]
    if kind == "recommend":
        what = f"{item['action']} {intervention_label(graph, item['intervention'])}"
    elif kind == "avoid":
        what = f"avoid {intervention_label(graph, item['intervention'])}"
    elif kind == "flag":
        what = f"flag {item['flag']} ({shorten(flag_text(graph, item['flag']), 60)})"
    else:
        what = f"monitor {item.get('what', '')}"
    if item.get("guard") is not None:
        what += f" when {shorten(phrase(graph, item['guard']))}"
    return what


def find_item(graph: JSON, item_id: str) -> JSON | None:
    node = graph["nodes"].get(item_id.split("/", 1)[0], {})
    for item in node.get("items", []):
        if item["id"] == item_id:
            found: JSON = item
            return found
    return None


def _definition_of(graph: JSON, expression: JSON) -> str | None:
    """The definition whose inlined expression is ``expression`` (for a short phrase)."""
    definitions = {d["name"]: d["expr"] for d in graph["definitions"]}
    wanted = json.dumps(expression, sort_keys=True)
    for name, expr in definitions.items():
        if json.dumps(inline(expr, definitions), sort_keys=True) == wanted:
            return str(name)
    return None


def compared_words(graph: JSON, expression: JSON) -> str:
    name = _definition_of(graph, expression)
    if name is not None:
        expression = {"op": "def", "name": name}
    return sentence(shorten(phrase(graph, expression), 80))


@dataclass(frozen=True)
class BoundaryText:
    expression: JSON
    operator: str
    threshold: int | float
    unit: str | None
    side: str
    value: int | float
    guard: str  # the branch or item whose guard is evaluated
    origin: str | None  # where the comparison is written, when the patient is decisive for it


def boundary_words(graph: JSON, boundary: BoundaryText) -> str:
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


def boundary_slug(graph: JSON, boundary: BoundaryText) -> str:
    name = _definition_of(graph, boundary.expression)
    if name is None:
        name = "_".join(_names(boundary.expression)) or "value"
    value = str(boundary.value).replace(".", "_").replace("-", "minus_")
    return f"{slug(boundary.guard)}__{slug(name, 40)}_{boundary.side}_{slug(value)}"


def _names(expr: Any) -> list[str]:
    """Input, field and member names an expression mentions, in order, without repeats."""
    found: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            op = value.get("op")
            if op in ("input", "def") and value.get("name") not in found:
                found.append(value["name"])
            if op == "member" and value.get("value") not in found:
                found.append(value["value"])
            for key in (
                "map",
                "key",
                "record",
                "left",
                "right",
                "operand",
                "operands",
                "over",
                "where",
                "body",
            ):
                if key in value:
                    walk(value[key])
            if op == "field":
                found.append(value["name"])
        elif isinstance(value, list):
            for inner in value:
                walk(inner)

    walk(expr)
    return found[:4]


def logic_words(graph: JSON, kind: str, definition: str, detail: JSON | None, value: Any) -> str:
    """One line for a goal inside a definition or output (``analysis.logic``)."""
    detail = detail or {}
    name = definition_label_words(graph, definition)
    if kind == "arm":
        condition = shorten(phrase(graph, detail["condition"]), 70)
        arm = "holds" if detail["arm"] == "then" else "does not hold"
        return f"arm of {name}: {condition} {arm}"
    if kind == "value":
        return f"value of {name}: {_value_words(value)}"
    if kind == "mcdc":
        condition = shorten(phrase(graph, detail["condition"]), 70)
        truth = "true" if detail["value"] else "false"
        return f"condition decides {name} on its own: {condition} is {truth}"
    if kind == "boundary":
        compared = compared_words(graph, detail["compared"])
        operator = binary(detail["operator"]).sign
        return (
            f"boundary in {name}: {compared} = {quantity_words(detail['value'], detail['unit'])}, "
            f"{_SIDE_WORDS[detail['side']]} the threshold {operator} "
            f"{quantity_words(detail['threshold'], detail['unit'])}"
        )
    return f"{kind} of {name}"


def definition_label_words(graph: JSON, definition: str) -> str:
    for entry in graph["definitions"]:
        if entry["name"] == definition:
            kind = "output" if entry.get("output") else "definition"
            label = entry.get("label")
            return f"{kind} {definition}" + (f" ({shorten(label, 40)})" if label else "")
    return definition


def _value_words(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def logic_slug(kind: str, key: str) -> str:
    """``arm risk #2 then`` → ``arm_risk_2_then``."""
    return slug(key.replace("#", "").replace("=", "is").replace("-", "minus "), 60)


def missing_words(graph: JSON, name: str, outcome: str, missing: list[str]) -> str:
    label = graph["inputs"][name].get("label") or name
    if outcome == "insufficient_data" and name in missing:
        effect = "insufficient data naming it"
    else:
        effect = f"{outcome.replace('_', ' ')} without it"
    return f"missing data: no {name} ({shorten(label, 40)}); {effect}"
