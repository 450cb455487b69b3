"""``fibrolang review GUIDELINE -o review.html``: one self-contained page for a review committee.

The page holds, with nothing fetched from the network (no fonts, scripts or
images from elsewhere: the stylesheet, the script and the flowchart SVG are
inlined, the fonts are the reader's own):

* the flowchart (the Graphviz backend's SVG); clicking a node or an edge
  shows its source quotes, citations, notes and CHOICE notes, the generated
  test patients whose walk passes it, and the safety proofs that concern it;
* the traceability table: every source sentence with the elements encoding
  it or its waiver, filterable;
* the safety report: every invariant with its proof status, and the other
  safety checks;
* with ``--previous OLD``, the behavioural diff against the previous version
  (``review.diff``), the changed nodes highlighted on the chart;
* a sign-off block bound to the guideline's content hash.

The page is rendered by Jinja2 with autoescaping on: every guideline string
reaches the HTML escaped. The data the script reads is embedded as JSON with
``tojson`` (which escapes ``<``, ``>``, ``&`` and quotes for HTML). The SVG is
Graphviz's rendering of DOT whose labels the DOT backend escapes.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import jinja2
import markupsafe

import fibrolang
from compiler import api
from compiler.backends.flowchart.plain_words import plain_words
from compiler.review.diff import DiffReport, Version, diff_versions
from compiler.review.diff_render import report_json
from fibrolang import expressions as ex
from fibrolang import graph_order
from fibrolang.expression_parts import subexpressions
from fibrolang.graph import (
    ActionItem,
    ActionNode,
    AvoidItem,
    DecisionNode,
    FlagItem,
    Graph,
    RecommendItem,
    TerminalNode,
    Traceability,
)

Panel = dict[str, Any]  # what the page's script reads about a node, an edge or the safety report

_XML_PROLOGUE = re.compile(r"^.*?(?=<svg)", re.DOTALL)


class ReviewError(Exception):
    """The guideline cannot be reviewed (it does not compile, a file is missing): exit 2."""


@dataclass(frozen=True)
class ReviewInputs:
    version: Version
    guideline_path: Path
    suite: Path | None  # the generated suite file, when there is one
    previous: Version | None = None


def _unique_ids(svg: str) -> str:
    """Graphviz repeats a cluster's id in every cluster of the same name: make each unique."""
    seen: dict[str, int] = {}

    def rename(match: re.Match[str]) -> str:
        name = match.group(1)
        seen[name] = seen.get(name, 0) + 1
        return match.group(0) if seen[name] == 1 else f'id="{name}-{seen[name]}"'

    return re.sub(r'id="([^"]*)"', rename, svg)


def chart_svg(graph: Graph) -> str:
    from compiler.backends.flowchart.files import flowchart_bytes

    svg = flowchart_bytes(graph, "svg").decode("utf-8")
    svg = _XML_PROLOGUE.sub("", svg, count=1)
    title = f"Flowchart of {graph.guideline.title}"
    svg = svg.replace("<svg ", f'<svg role="group" aria-label="{markupsafe.escape(title)}" ', 1)
    return _unique_ids(svg)


# -- what the panel shows for each node and edge -------------------------------------


def _citations(graph: Graph, numbers: tuple[int, ...]) -> list[str]:
    texts = dict(graph.guideline.citations)
    return [f"[{n}] {texts.get(n, '')}".strip() for n in numbers]


def _notes(notes: list[str]) -> tuple[list[str], list[str]]:
    choices = [n for n in notes if n.startswith("CHOICE")]
    return [n for n in notes if not n.startswith("CHOICE")], choices


_NO_TRACE = Traceability((), None, (), None)


def _entry(graph: Graph, trace: Traceability, title: str, kind: str) -> Panel:
    notes, choices = _notes(list(trace.notes))
    return {
        "title": title,
        "kind": kind,
        "quotes": [trace.quote] if trace.quote else [],
        "citations": _citations(graph, trace.citations),
        "notes": notes,
        "choices": choices,
        "line": trace.source.line if trace.source else None,
        "parts": [],
        "patients": [],
        "proofs": [],
    }


def _item_title(item: ActionItem) -> str:
    if isinstance(item, RecommendItem):
        return f"{item.action} {item.intervention}"
    if isinstance(item, AvoidItem):
        return f"avoid {item.intervention}"
    if isinstance(item, FlagItem):
        return f"flag {item.flag}"
    return f"monitor {item.what}".strip()


def chart_elements(graph: Graph) -> tuple[dict[str, Panel], dict[str, Panel]]:
    """Node id -> panel entry, edge id -> panel entry."""
    nodes: dict[str, Panel] = {}
    edges: dict[str, Panel] = {"start": _entry(graph, _NO_TRACE, "Start", "edge")}
    for node in graph.nodes:
        node_id = node.id
        if isinstance(node, TerminalNode):
            kind, title = "terminal", f"{node_id}: {node.status}"
        elif isinstance(node, DecisionNode):
            kind, title = "decision", node.question or node_id
        else:
            kind, title = "action", node.title or node_id
        entry = _entry(graph, node.trace, title, kind)
        for item in node.items if isinstance(node, ActionNode) else ():
            part = _entry(graph, item.trace, _item_title(item), "item")
            if item.guard is not None:
                part["when"] = plain_words(graph, item.guard)
            entry["parts"].append(part)
        for branch in node.branches if isinstance(node, DecisionNode) else ():
            label = branch.label or ("otherwise" if branch.guard is None else branch.id)
            part = _entry(graph, branch.trace, f"{label} → {branch.target}", "branch")
            part["when"] = "otherwise" if branch.guard is None else plain_words(graph, branch.guard)
            entry["parts"].append(part)
            edges[branch.id] = {**part, "kind": "edge", "parts": []}
        if isinstance(node, ActionNode):
            edges[node.next.id] = _entry(graph, _NO_TRACE, f"{node_id} → {node.next.target}", "edge")
        nodes[node_id] = entry
    return nodes, edges


def attach_patients(
    graph: Graph, suite: Path | None, nodes: dict[str, Panel], edges: dict[str, Panel]
) -> list[Panel]:
    """The generated suite's patients (test, what it protects, status), each listed once; every
    node and edge its walk passes lists the patient's number (the page stays small)."""
    if suite is None or not suite.exists():
        return []
    from compiler.testgen.suite import read_patients

    guideline = fibrolang.Guideline(graph)
    patients: list[Panel] = []
    for case in read_patients(suite):
        try:
            result = guideline.evaluate(case.patient)
            walked, taken, status = result.trace.nodes, result.trace.edges, str(result.status)
        except fibrolang.SafetyViolation as violation:
            walked, taken, status = violation.nodes, violation.edges, "refused"
        except fibrolang.GuidelineError:
            continue
        number = len(patients)
        patients.append({"test": case.test, "protects": case.protects, "status": status})
        for node_id in dict.fromkeys(walked):
            if node_id in nodes:
                nodes[node_id]["patients"].append(number)
        for edge_id in dict.fromkeys(taken):
            if edge_id in edges:
                edges[edge_id]["patients"].append(number)
    return patients


def _subjects(expr: ex.Expression) -> set[str]:
    """The interventions an expression asks about (recommended x, avoided x, dose of x)."""
    found: set[str] = set()
    for inner in subexpressions(expr):
        if (
            isinstance(inner, ex.PlanQuery) and inner.state in ("recommended", "avoided") and inner.subject
        ) or (isinstance(inner, ex.DoseQuery) and inner.subject):
            found.add(inner.subject)
    return found


def safety(graph: Graph, nodes: dict[str, Panel]) -> Panel:
    """Invariant statuses and the other checks; each node lists the proofs about what it adds."""
    from compiler.analysis import prepare
    from compiler.analysis.completeness import check_completeness, check_overlap
    from compiler.analysis.invariants import check_conflicts, check_invariants
    from compiler.analysis.reachability import check_reachability
    from compiler.analysis.report import _CHECKS

    analysis = prepare(graph)
    check_reachability(analysis)
    check_completeness(analysis)
    check_overlap(analysis)
    check_conflicts(analysis)
    statuses = check_invariants(analysis)
    codes = [d.code for d in analysis.diagnostics]
    invariants = []
    for status in statuses:
        invariant = {
            "name": status.name,
            "title": status.title or status.kind,
            "kind": status.kind,
            "status": status.status,
            "quote": status.quote,
            "line": status.source.line if status.source is not None else None,
            "counterexample": json.dumps(status.counterexample, sort_keys=True)
            if status.counterexample
            else None,
        }
        invariants.append(invariant)
        condition = next(i.condition for i in graph.invariants if i.name == status.name)
        subjects = _subjects(condition)
        for node in graph.nodes:
            adds = {_intervention(i) for i in node.items} if isinstance(node, ActionNode) else set()
            if subjects & adds:
                nodes[node.id]["proofs"].append(f"{status.name}: {status.status} ({invariant['title']})")
    checks = []
    for title, check_codes in _CHECKS:
        failures = sum(1 for code in codes if code in check_codes)
        verdict = f"fails ({failures})" if failures else ("unknown" if "FIB220" in codes else "proved")
        checks.append({"title": title, "status": verdict})
    return {"invariants": invariants, "checks": checks}


def _intervention(item: ActionItem) -> str | None:
    return item.intervention if isinstance(item, RecommendItem | AvoidItem) else None


def traceability(guideline_path: Path) -> list[Panel]:
    from compiler.traceability.report import trace

    checked = api.check_file(guideline_path)
    if checked.guideline is None:
        return []
    report = trace(checked.guideline, guideline_path.resolve().parent)
    rows = []
    for entry in report.sentences:
        state = "encoded" if entry.elements else "waived" if entry.waiver else "unmapped"
        rows.append(
            {
                "number": entry.sentence.number,
                "line": entry.sentence.line,
                "sentence": entry.sentence.text,
                "elements": list(entry.elements),
                "waiver": entry.waiver if not entry.elements else None,
                "state": state,
            }
        )
    return rows


def changed_nodes(report: DiffReport) -> list[str]:
    """The nodes of the new version an edit touches: edited nodes, the nodes of edited items and
    branches, and the nodes whose guards read an edited definition (directly or through others)."""
    graph = report.new.model
    touched = {e.parent or e.name for e in report.structure.edits if e.kind in ("node", "item", "branch")}
    definitions = {e.name for e in report.structure.edits if e.kind == "definition"}
    bodies = {d.name: d.expr for d in graph.definitions}
    grew = True
    while grew:
        readers = {name for name, expr in bodies.items() if _reads(expr) & definitions}
        grew = not readers <= definitions
        definitions |= readers
    for node in graph.nodes:
        entries = graph_order.guarded_entries(node)
        if any(_reads(entry.guard) & definitions for entry in entries if entry.guard is not None):
            touched.add(node.id)
    ids = {node.id for node in graph.nodes}
    return sorted(n for n in touched if n in ids)


def _reads(expr: ex.Expression) -> set[str]:
    return {inner.name for inner in subexpressions(expr) if isinstance(inner, ex.DefinitionReference)}


# -- the page ------------------------------------------------------------------------


def _asset(name: str) -> str:
    return resources.files("compiler.review").joinpath("templates", name).read_text(encoding="utf-8")


def _environment() -> jinja2.Environment:
    loader = jinja2.FunctionLoader(lambda name: _asset(name))
    return jinja2.Environment(loader=loader, autoescape=True, undefined=jinja2.StrictUndefined)


def review_page(inputs: ReviewInputs, timeout_ms: int = 10_000) -> str:
    graph = inputs.version.model
    nodes, edges = chart_elements(graph)
    patients = attach_patients(graph, inputs.suite, nodes, edges)
    diff = None
    changed: list[str] = []
    if inputs.previous is not None:
        report = diff_versions(inputs.previous, inputs.version, timeout_ms)
        diff = report_json(report)
        changed = changed_nodes(report)
    data = {
        "patients": patients,
        "nodes": nodes,
        "edges": edges,
        "changed": changed,
        "content_hash": graph.guideline.content_hash,
    }
    template = _environment().get_template("review.html.j2")
    return template.render(
        guideline=graph.guideline,
        chart=markupsafe.Markup(chart_svg(graph)),
        data=data,
        patients=len(patients),
        suite=inputs.suite.as_posix() if inputs.suite is not None else None,
        safety=safety(graph, nodes),
        trace=traceability(inputs.guideline_path) if inputs.version.text is not None else [],
        diff=diff,
        changed=changed,
        css=markupsafe.Markup(_asset("review.css")),
        script=markupsafe.Markup(_asset("review.js")),
    )
