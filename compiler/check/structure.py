"""The shape of the pathway: a start that exists, decisions with at least one
``when`` and ``otherwise`` last, targets that exist (FIB110), no cycles
(FIB111: the graph is a DAG), every node reachable from the start (FIB115)
and outcome statuses the runtime knows (FIB117)."""

from __future__ import annotations

from compiler.check.context import Context, did_you_mean
from compiler.diagnostics import catalogue as diag
from compiler.diagnostics.catalogue import Diagnostic, RelatedSpan
from compiler.front import syntax as s

STATUSES = ("ok", "not_applicable", "insufficient_data")


def _edges(node: s.PathwayNode) -> list[tuple[s.Name, s.Span]]:
    """The targets a node leads to, each with the span of the arrow's line."""
    if isinstance(node, s.Decision):
        return [(branch.target, branch.span) for branch in node.branches]
    if isinstance(node, s.Step):
        return [(node.next, node.next.span)]
    return []


def check_structure(guideline: s.Guideline, context: Context) -> list[Diagnostic]:
    pathway = guideline.pathway
    if pathway is None:
        return [
            diag.make(
                "FIB113",
                f"the guideline `{guideline.header.id.text}` has no pathway",
                guideline.header.id.span,
                hint="add `pathway start -> first_node ... end` after the declarations",
            )
        ]
    nodes = context.symbols.nodes
    found: list[Diagnostic] = []
    if pathway.start.text not in nodes:
        found.append(_nowhere(pathway.start, "the start", nodes))
    for node in pathway.nodes:
        if isinstance(node, s.Decision):
            found += _branches(node)
        if isinstance(node, s.Outcome) and node.status.text not in STATUSES:
            found.append(
                diag.make(
                    "FIB117",
                    f"`{node.status.text}` is not an outcome status",
                    node.status.span,
                    hint=" ".join(
                        part
                        for part in (
                            did_you_mean(node.status.text, STATUSES),
                            "The statuses are ok, not_applicable and insufficient_data.",
                        )
                        if part
                    ),
                )
            )
        for target, _span in _edges(node):
            if target.text not in nodes:
                found.append(_nowhere(target, f"`{node.name.text}`", nodes))
    found += _cycles(pathway, nodes)
    if pathway.start.text in nodes:
        found += _unreachable(pathway, nodes)
    return found


def _nowhere(target: s.Name, origin: str, nodes: dict[str, s.PathwayNode]) -> Diagnostic:
    return diag.make(
        "FIB110",
        f"{origin} leads to `{target.text}`, but the pathway has no node of that name",
        target.span,
        hint=did_you_mean(target.text, nodes)
        or f"add `decide {target.text}`, `step {target.text}` or `outcome {target.text}` to the pathway",
    )


def _branches(node: s.Decision) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    if not any(branch.guard is not None for branch in node.branches):
        found.append(
            diag.make(
                "FIB113",
                f"the decision `{node.name.text}` has no `when` branch",
                node.name.span,
                hint="a decision asks a question: add `when <condition> -> node`, or make it a step",
            )
        )
    for index, branch in enumerate(node.branches[:-1]):
        if branch.guard is None:
            later = node.branches[index + 1]
            found.append(
                diag.make(
                    "FIB120",
                    f"`otherwise` in `{node.name.text}` is not the last branch, so the branches after "
                    "it are never tried",
                    branch.span,
                    hint="move `otherwise` to the end of the decision",
                    related=[RelatedSpan(later.span, "never tried")],
                )
            )
    return found


def _cycles(pathway: s.Pathway, nodes: dict[str, s.PathwayNode]) -> list[Diagnostic]:
    """Each cycle once, reported at the arrow that closes it (depth-first from
    the start, then from nodes in source order)."""
    found: list[Diagnostic] = []
    state: dict[str, str] = {}  # "open" on the current path, "done" when finished
    seen: set[frozenset[str]] = set()

    def visit(root: str) -> None:
        # Iterative depth-first search (a long pathway must not exhaust the
        # Python stack); each frame is a node and its remaining out-edges.
        path: list[str] = [root]
        state[root] = "open"
        frames = [(root, iter(_edges(nodes[root])))]
        while frames:
            name, edges = frames[-1]
            advanced = False
            for target, span in edges:
                if target.text not in nodes:
                    continue
                if state.get(target.text) == "open":
                    loop = [*path[path.index(target.text) :], target.text]
                    key = frozenset(loop)
                    if key not in seen:
                        seen.add(key)
                        found.append(_cycle(loop, span, nodes))
                elif target.text not in state:
                    state[target.text] = "open"
                    path.append(target.text)
                    frames.append((target.text, iter(_edges(nodes[target.text]))))
                    advanced = True
                    break
            if not advanced:
                frames.pop()
                path.pop()
                state[name] = "done"

    order = [pathway.start.text] if pathway.start.text in nodes else []
    order += [node.name.text for node in pathway.nodes]
    for name in order:
        if name not in state:
            visit(name)
    return found


def _cycle(loop: list[str], span: s.Span, nodes: dict[str, s.PathwayNode]) -> Diagnostic:
    if len(loop) == 2:
        message = f"`{loop[0]}` leads back to itself"
    else:
        message = f"the pathway goes round in a cycle: {' → '.join(loop)}"
    return diag.make(
        "FIB111",
        message,
        span,
        hint="a pathway runs one way: lead to a new node (e.g. a follow-up step) instead",
        related=[RelatedSpan(nodes[name].name.span, f"`{name}` is here") for name in loop[:-1]],
    )


def _unreachable(pathway: s.Pathway, nodes: dict[str, s.PathwayNode]) -> list[Diagnostic]:
    reached = {pathway.start.text}
    stack = [pathway.start.text]
    while stack:
        for target, _span in _edges(nodes[stack.pop()]):
            if target.text in nodes and target.text not in reached:
                reached.add(target.text)
                stack.append(target.text)
    return [
        diag.make(
            "FIB115",
            f"`{node.name.text}` cannot be reached from the start",
            node.name.span,
            hint="lead to it from a decision or step, or remove it",
        )
        for node in pathway.nodes
        if node.name.text not in reached and nodes.get(node.name.text) is node
    ]
