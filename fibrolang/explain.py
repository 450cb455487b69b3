"""``Guideline.explain``: a short, human-readable account of one result.

It names the status, the decisions taken and why (the branch label, or the
guard rendered as text, with the author's notes), then the plan: each
recommendation with dose, titration, evidence and citations, the avoid items,
flags, monitoring and outputs. Every line goes through ``printable_lines``:
a guideline string holding a line break cannot start a line of its own.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from fibrolang import expressions as ex
from fibrolang.absent_defaults import assumed_line
from fibrolang.expression_text import render
from fibrolang.graph import (
    ActionNode,
    DecisionNode,
    Dose,
    Edge,
    Graph,
    Period,
    TableDisplay,
    Titration,
)
from fibrolang.output_units import output_units
from fibrolang.printable import printable_lines
from fibrolang.result import Recommendation, Result
from fibrolang.table_cells import Cell, TableCells, Unsetting


def explain(
    graph: Graph,
    result: Result,
    patient: Mapping[str, Any] | None = None,
    inputs: dict[str, Any] | None = None,
) -> str:
    """The account of ``result``; given the ``patient`` record, an undecided result also
    names the absent inputs the guideline may ask for next; given its validated ``inputs``
    (defaults filled in), each lookup table marks the cell this patient's values select and
    an unset output says which conditions left it without a value (fibrolang/table_cells.py)."""
    cells = TableCells(graph, inputs) if inputs is not None else None
    info = result.guideline
    lines = [
        f"Guideline {info.id} {info.version} ({info.content_hash})",
        f"Status: {result.status}" + (f": {result.message}" if result.message else ""),
    ]
    if result.missing:
        lines.append(f"Missing: {', '.join(result.missing)}")
        later = asked_later(graph, result, patient) if patient is not None else []
        if later:
            lines.append(f"May be needed next, depending on the answer: {', '.join(later)}")
    assumed = assumed_line(graph, result)
    if assumed is not None:
        lines.append(assumed)
    lines += _decisions(graph, result)
    if result.recommendations:
        lines.append("Recommendations:")
        lines += [line for item in result.recommendations for line in _recommendation(item)]
    if result.avoid:
        lines.append("Avoid:")
        lines += [
            f"  - {item.label or item.intervention}" + (f": {item.reason}" if item.reason else "")
            for item in result.avoid
        ]
    if result.flags:
        lines.append("Flags:")
        lines += [f"  - {flag.id}" + (f": {flag.text}" if flag.text else "") for flag in result.flags]
    if result.monitoring:
        lines.append("Monitoring:")
        lines += [
            f"  - {item.text or item.what}" + (f" after {_period(item.after)}" if item.after else "")
            for item in result.monitoring
        ]
    declared = [definition for definition in graph.definitions if definition.output]
    if declared:
        lines.append("Outputs:")
        units = output_units(graph)
        for definition in declared:
            name = definition.name
            if name in result.outputs:
                value = result.outputs[name]
                unit = (
                    units.get(name)
                    if isinstance(value, int | float) and not isinstance(value, bool)
                    else None
                )
                lines.append(f"  {name} = {_value(value)}" + (f" {unit}" if unit else ""))
            else:  # unset by design
                lines.append(f"  {name}: not set (the guideline gives it no value here)")
                why: Unsetting | None = cells.unsetting(definition) if cells is not None else None
                if why is not None:
                    lines.append("    " + _unset_reason(why))
            for table in definition.tables:
                applied = cells.applied(definition, table) if cells is not None else None
                unused = cells is not None and cells.used(definition, table) is False
                lines += table_lines(table, "    ", applied, unused)
    return printable_lines(lines) + "\n"  # each line one line, whatever the guideline says


def _decisions(graph: Graph, result: Result) -> list[str]:
    edges: dict[str, tuple[DecisionNode, Edge]] = {}
    guards = {}
    for node in graph.nodes:
        if isinstance(node, DecisionNode):
            for branch in node.branches:
                edges[branch.id] = (node, branch)
        if isinstance(node, ActionNode):
            for item in node.items:
                if item.guard is not None:
                    guards[item.id] = item.guard
    lines: list[str] = []
    for edge_id in result.trace.edges:
        if edge_id not in edges:
            continue
        node, branch = edges[edge_id]
        lines.append(f"  {node.question or node.id} -> {_branch(branch)}  [{edge_id}]")
        lines += [f"      note: {note}" for note in branch.trace.notes]
    for outcome in result.trace.guards:
        if outcome.value is not None:
            continue
        if outcome.edge in edges:
            node, branch = edges[outcome.edge]
            lines.append(
                f"  {node.question or node.id}: could not tell whether {_branch(branch)}  [{outcome.edge}]"
            )
        elif outcome.item in guards:
            lines.append(f"  could not tell whether {render(guards[outcome.item])}  [{outcome.item}]")
    return ["Decisions:", *lines] if lines else []


def asked_later(graph: Graph, result: Result, patient: Mapping[str, Any]) -> list[str]:
    """The inputs the guards after the undecided one (the decision's later branches, or the
    step's later items) read, that the patient record lacks: what the guideline may ask for
    once the missing facts are given, depending on their values. Sorted; none when the walk
    was not stopped by a guard."""
    undecided = next((g for g in reversed(result.trace.guards) if g.value is None), None)
    if undecided is None:
        return []
    later: list[ex.Expression] = []
    for node in graph.nodes:
        if isinstance(node, DecisionNode):
            ids = [branch.id for branch in node.branches]
            if undecided.edge in ids:
                following = node.branches[ids.index(undecided.edge) + 1 :]
                later = [branch.guard for branch in following if branch.guard is not None]
        elif isinstance(node, ActionNode):
            ids = [item.id for item in node.items]
            if undecided.item in ids:
                rest = node.items[ids.index(undecided.item) + 1 :]
                later = [item.guard for item in rest if item.guard is not None]
    definitions = {definition.name: definition.expr for definition in graph.definitions}
    read: set[str] = set()
    for guard in later:
        _inputs_read(guard, definitions, read, set())
    return sorted(name for name in read if patient.get(name) is None and name not in result.missing)


def _inputs_read(expr: object, definitions: dict[str, ex.Expression], read: set[str], seen: set[str]) -> None:
    """Add the inputs ``expr`` reads, through definitions too."""
    if isinstance(expr, ex.InputReference):
        read.add(expr.name)
    elif isinstance(expr, ex.DefinitionReference):
        if expr.name not in seen and expr.name in definitions:
            seen.add(expr.name)
            _inputs_read(definitions[expr.name], definitions, read, seen)
    elif isinstance(expr, tuple):
        for inner in expr:
            _inputs_read(inner, definitions, read, seen)
    elif dataclasses.is_dataclass(expr):
        for field in dataclasses.fields(expr):
            _inputs_read(getattr(expr, field.name), definitions, read, seen)


def _branch(branch: Edge) -> str:
    if branch.guard is None:
        return branch.label or "otherwise (no earlier branch held)"
    guard = render(branch.guard)
    return f"{branch.label} (when {guard})" if branch.label else f"when {guard}"


def _recommendation(item: Recommendation) -> list[str]:
    name = item.label or item.intervention
    head = f"  - {item.action} {name}"
    if item.dose:
        head += f" {_dose(item.dose)}"
    if item.titration:
        head += f", {_titration(item.titration)}"
    lines = [head]
    if item.evidence:
        lines.append(
            f"      evidence: level {item.evidence.level or '?'}, strength {item.evidence.strength or '?'}"
        )
    lines += [f"      [{citation.number}] {citation.text or ''}".rstrip() for citation in item.citations]
    if item.quote:
        lines.append(f'      quote: "{item.quote}"')
    lines += [f"      note: {note}" for note in item.notes]
    if item.why:
        lines.append("      why: " + ", ".join(reason.label or reason.edge for reason in item.why))
    return lines


def _amount(minimum: float, maximum: float, unit: str | None) -> str:
    amount = _value(minimum) if minimum == maximum else f"{_value(minimum)} to {_value(maximum)}"
    return f"{amount} {unit}" if unit else amount


def _dose(dose: Dose) -> str:
    text = _amount(dose.minimum, dose.maximum, dose.unit)
    return f"{text} {dose.frequency}" if dose.frequency else text


def _titration(titration: Titration) -> str:
    unit = f" {titration.unit}" if titration.unit else ""
    every_unit = f" {titration.every_unit}" if titration.every_unit else ""
    return (
        f"increasing by {_value(titration.step)}{unit} every {_value(titration.every)}"
        f"{every_unit} to {_value(titration.target)}{unit}"
    )


def _period(period: Period) -> str:
    return _amount(period.minimum, period.maximum, period.unit)


def _value(value: object) -> str:
    if value is None:
        return "unknown"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, tuple):
        return "{" + ", ".join(str(member) for member in value) + "}"
    return str(value)


def _unset_reason(why: Unsetting) -> str:
    taken = []
    for condition, value in why.conditions:
        while isinstance(condition, ex.Negation):  # `not c` holds: c does not hold
            condition, value = condition.operand, not value
        taken.append(f"{render(condition)} {'holds' if value else 'does not hold'}")
    if why.in_table:
        taken.append("the table's cell for this patient is unset (marked below)")
    return "because " + " and ".join(taken) if taken else "because the guideline gives it no value"


def table_lines(
    table: TableDisplay, indent: str, applied: Cell | None = None, unused: bool = False
) -> list[str]:
    """A lookup table an output is read from, as the author wrote it, columns aligned; the
    ``applied`` cell (the one this patient's values select) in brackets, its row pointed at;
    ``unused``: the output took an arm without the table for this patient."""
    grid = [["", *table.columns]] if table.columns else []
    header = len(grid)
    grid += [[row.heading, *row.cells] for row in table.rows]
    chosen: tuple[int, int] | None = None  # (line of the grid, column of the grid)
    if applied is not None and applied.row is not None:
        chosen = (header + applied.row, 1 + (applied.column or 0))
        if chosen[1] >= len(grid[chosen[0]]):
            chosen = None  # a grid of the wrong shape: mark nothing
    if chosen is not None:
        line, column = chosen
        grid[line] = [f"[{text}]" if i == column else text for i, text in enumerate(grid[line])]
    width = max(len(row) for row in grid)
    sizes = [max(len(row[i]) for row in grid if i < len(row)) for i in range(width)]
    lines = [f"{indent}from the table by {table.by}" + (" (not used for this patient):" if unused else ":")]
    for number, row in enumerate(grid):
        text = f"{indent}  | " + " | ".join(cell.ljust(sizes[i]) for i, cell in enumerate(row)) + " |"
        if chosen is not None and number == chosen[0]:
            text += "  <- " + _applied_words(table, applied)
        lines.append(text)
    if table.otherwise is not None:
        text = f"{indent}  otherwise {table.otherwise}"
        if applied is not None and applied.row is None:
            text = f"{indent}  otherwise [{table.otherwise}]  <- this patient: no row applies"
        lines.append(text)
    return lines


def _applied_words(table: TableDisplay, applied: Cell | None) -> str:
    if applied is None or applied.row is None:
        return "this patient"
    heading = table.rows[applied.row].heading
    if applied.column is not None and applied.column < len(table.columns):
        return f"this patient ({heading}, {table.columns[applied.column]})"
    return f"this patient ({heading})"
