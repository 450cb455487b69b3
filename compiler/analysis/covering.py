"""Covering goals for the test generator, built on the path conditions.

``witnesses.witness_report`` gives one patient per edge. A test suite needs
more: every complete path while there are few of them, or else every pair of
consecutive decisions; every action item's guard seen true and false; and
boundary patients for which the compared threshold actually decides the
guard. This module states those goals as z3 terms over the one encoding
(``paths.PathConditions``) and asks the one ``Prover`` for readable witnesses.

Nothing here enumerates the paths of a large graph: ``count_paths`` counts
them by dynamic programming over the DAG, and the caller enumerates only
when the count stays under a limit. Pairs and item outcomes grow with the
number of edges and items, not with the number of paths.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import z3

from compiler.analysis import dates
from compiler.analysis.boundaries import inline, integral
from compiler.analysis.encode import JSON, Term, conj
from compiler.analysis.paths import PathConditions
from compiler.analysis.solve import step_of
from fibrolang.operators import COMPARISONS, mirrored

# -- the shape of the graph ----------------------------------------------------


def successors(graph: JSON, node_id: str) -> list[tuple[str, str]]:
    """(edge id, target) of every edge leaving a node, in branch order."""
    node = graph["nodes"][node_id]
    if node["kind"] == "decision":
        return [(branch["id"], branch["target"]) for branch in node["branches"]]
    if node["kind"] == "action":
        return [(node["next"]["id"], node["next"]["target"])]
    return []


def count_paths(graph: JSON) -> int:
    """The number of complete paths from the start to a terminal (without enumerating them)."""
    nodes = graph["nodes"]
    if graph["start"] not in nodes:
        return 0
    order: list[str] = []  # post-order: every node after the nodes it leads to
    seen: set[str] = set()
    stack: list[tuple[str, bool]] = [(graph["start"], False)]
    while stack:
        node_id, done = stack.pop()
        if done:
            order.append(node_id)
            continue
        if node_id in seen or node_id not in nodes:
            continue
        seen.add(node_id)
        stack.append((node_id, True))
        stack.extend((target, False) for _, target in reversed(successors(graph, node_id)))
    counts: dict[str, int] = {}
    for node_id in order:
        following = [t for _, t in successors(graph, node_id) if t in nodes]
        counts[node_id] = sum(counts.get(t, 0) for t in following) if following else 1
    return counts[graph["start"]]


def complete_paths(graph: JSON, limit: int) -> list[tuple[str, ...]] | None:
    """Every complete path as its edge ids (from ``start``), or None when there are more than ``limit``."""
    if count_paths(graph) > limit:
        return None
    found: list[tuple[str, ...]] = []
    stack: list[tuple[str, tuple[str, ...]]] = [(graph["start"], ("start",))]
    while stack:
        node_id, path = stack.pop()
        following = [(e, t) for e, t in successors(graph, node_id) if t in graph["nodes"]]
        if not following:
            found.append(path)
            continue
        for edge_id, target in reversed(following):
            stack.append((target, (*path, edge_id)))
    return found


def decision_edges(graph: JSON) -> set[str]:
    return {
        branch["id"]
        for node in graph["nodes"].values()
        if node["kind"] == "decision"
        for branch in node["branches"]
    }


def decision_pairs(graph: JSON) -> list[tuple[str, str]]:
    """Pairs of consecutive decision outcomes: a branch of one decision, then a branch of the
    next decision the walk meets after it (through action steps only), in graph order."""
    pairs: list[tuple[str, str]] = []
    for node in graph["nodes"].values():
        if node["kind"] != "decision":
            continue
        for branch in node["branches"]:
            following = _next_decision(graph, branch["target"])
            if following is not None:
                pairs.extend((branch["id"], later["id"]) for later in graph["nodes"][following]["branches"])
    return pairs


def _next_decision(graph: JSON, node_id: str) -> str | None:
    seen: set[str] = set()
    while node_id in graph["nodes"] and node_id not in seen:
        seen.add(node_id)
        node = graph["nodes"][node_id]
        if node["kind"] == "decision":
            return node_id
        if node["kind"] != "action":
            return None
        node_id = node["next"]["target"]
    return None


def pairs_in_trace(
    graph: JSON, edges: tuple[str, ...] | list[str], decided: set[str] | None = None
) -> list[tuple[str, str]]:
    """The consecutive decision pairs a runtime trace takes (``decided``: the decision edges,
    when the caller has them already)."""
    decided = decision_edges(graph) if decided is None else decided
    taken = [edge for edge in edges if edge in decided]
    return list(itertools.pairwise(taken))


# -- goals ---------------------------------------------------------------------


def path_goal(paths: PathConditions, path: tuple[str, ...]) -> list[Term] | None:
    """The walk takes exactly ``path`` (None when an edge of it is not in the reachable graph)."""
    goals = []
    for edge_id in path[1:]:
        edge = paths.edges.get(edge_id)
        if edge is None:
            return None
        goals.append(edge.taken)
    return goals


def pair_goal(paths: PathConditions, pair: tuple[str, str]) -> list[Term] | None:
    first, second = paths.edges.get(pair[0]), paths.edges.get(pair[1])
    if first is None or second is None:
        return None
    return [first.taken, second.taken]


@dataclass(frozen=True)
class ItemOutcome:
    item: str
    node: str
    applies: bool
    goal: Term


def item_outcomes(paths: PathConditions) -> list[ItemOutcome]:
    """For every guarded action item: it is reached and its guard holds, and it is reached and
    its guard is false (known), in graph order."""
    found: list[ItemOutcome] = []
    going_by_node: dict[str, Term] = {}
    for item_id, item in paths.items.items():
        going = going_by_node.get(item.node, paths.reach[item.node])
        if item.guard is not None:
            found.append(ItemOutcome(item_id, item.node, True, item.applies))
            found.append(ItemOutcome(item_id, item.node, False, conj(going, item.guard.fails())))
            going_by_node[item.node] = conj(going, item.guard.known)
        else:
            going_by_node[item.node] = going
    return found


def guard_evaluated(paths: PathConditions, guard_of: str) -> Term | None:
    """The walk evaluates the guard of this branch or item (reaches it with every earlier guard
    of the node known and false, or with the earlier item guards known)."""
    edge = paths.edges.get(guard_of)
    if edge is not None:
        guards = paths.guards.get(edge.node, [])
        earlier = [g.fails() for g in guards[: edge.index] if g is not None]
        return conj(paths.reach[edge.node], *earlier)
    item = paths.items.get(guard_of)
    if item is None:
        return None
    known = []
    for other in paths.items.values():
        if other.id == guard_of:
            break
        if other.node == item.node and other.guard is not None:
            known.append(other.guard.known)
    return conj(paths.reach[item.node], *known)


# -- comparison sites and decisive boundaries ------------------------------------------
#
# A *site* is one comparison against a number as the author wrote it: in a
# definition (``define pregabalin_failed``: its 4th comparison) or directly in
# a branch or item guard. A boundary patient is *decisive* for a site when
# some guard that uses the site is evaluated, the compared value is exactly
# the boundary value, and the guard's outcome would change if the site alone
# had the other truth value (every use of a definition changing together,
# as an edit of the definition would). Such a patient tells apart any edit
# of the site's operator or threshold that moves the boundary past it.

ORDERING = COMPARISONS


@dataclass(frozen=True)
class ComparisonSite:
    origin: str  # "define NAME", or the id of the branch or item whose guard holds it
    ordinal: int  # its position among the origin's comparisons (depth first, keys sorted)
    path: tuple[Any, ...]  # where it is inside the origin's expression
    operator: str  # with the compared expression on the left
    threshold: int | float
    unit: str | None
    expression: JSON  # the compared side, definitions inlined
    guards: tuple[str, ...]  # the branch and item guards that use it, in graph order


def comparisons(expr: Any, path: tuple[Any, ...] = ()) -> list[tuple[tuple[Any, ...], JSON]]:
    """Every comparison in ``expr`` with its path, depth first with keys sorted (a stable order)."""
    found: list[tuple[tuple[Any, ...], JSON]] = []
    if isinstance(expr, dict):
        if expr.get("op") in ORDERING:
            found.append((path, expr))
        for key in sorted(expr):
            found.extend(comparisons(expr[key], (*path, key)))
    elif isinstance(expr, list):
        for index, value in enumerate(expr):
            found.extend(comparisons(value, (*path, index)))
    return found


def _free_variables(expr: Any, bound: frozenset[str] = frozenset()) -> set[str]:
    if isinstance(expr, list):
        return set().union(*(_free_variables(v, bound) for v in expr)) if expr else set()
    if not isinstance(expr, dict):
        return set()
    if expr.get("op") == "var":
        return set() if expr["name"] in bound else {expr["name"]}
    inner = bound | {expr["var"]} if expr.get("op") in ("count", "any", "all", "sum") else bound
    found: set[str] = set()
    for key, value in expr.items():
        found |= _free_variables(value, bound if key == "over" else inner)
    return found


def _uses(expr: Any) -> set[str]:
    if isinstance(expr, dict):
        own = {expr["name"]} if expr.get("op") == "def" else set()
        return own.union(*(_uses(v) for v in expr.values()))
    if isinstance(expr, list):
        return set().union(*(_uses(v) for v in expr)) if expr else set()
    return set()


def guard_expressions(graph: JSON) -> list[tuple[str, str, JSON]]:
    """(guard id, node id, guard) of every guarded branch and item, in graph order."""
    found = []
    for node_id, node in graph["nodes"].items():
        for entry in [*node.get("branches", []), *node.get("items", [])]:
            if entry.get("guard") is not None:
                found.append((entry["id"], node_id, entry["guard"]))
    return found


def definitions_read_by(graph: JSON, expressions: list[JSON]) -> set[str]:
    """The definitions ``expressions`` read, directly or through other definitions."""
    return _read_closure({d["name"]: d["expr"] for d in graph["definitions"]}, expressions)


def _read_closure(definitions: dict[str, JSON], expressions: list[JSON]) -> set[str]:
    pending = set().union(*(_uses(expr) for expr in expressions)) if expressions else set()
    found: set[str] = set()
    while pending:
        name = pending.pop()
        if name in found or name not in definitions:
            continue
        found.add(name)
        pending |= _uses(definitions[name])
    return found


def guards_using(graph: JSON) -> dict[str, list[str]]:
    """Definition name -> the branch and item guards that use it, directly or through others."""
    definitions = {d["name"]: d["expr"] for d in graph["definitions"]}
    users: dict[str, list[str]] = {name: [] for name in definitions}
    for guard_id, _, guard in guard_expressions(graph):
        for used in sorted(_read_closure(definitions, [guard])):
            users[used].append(guard_id)
    return users


def comparison_sites(graph: JSON) -> list[ComparisonSite]:
    """Every comparison of a closed numeric expression against a number, by origin."""
    definitions = {d["name"]: d["expr"] for d in graph["definitions"]}
    guards = guard_expressions(graph)
    users = guards_using(graph)
    origins: list[tuple[str, JSON, tuple[str, ...]]] = [
        (f"define {name}", expr, tuple(users[name])) for name, expr in definitions.items()
    ]
    origins += [(gid, guard, (gid,)) for gid, _, guard in guards]
    sites = []
    for origin, expr, using in origins:
        for ordinal, (path, comparison) in enumerate(comparisons(expr), start=1):
            site = _site(origin, ordinal, path, comparison, definitions, using)
            if site is not None and using:
                sites.append(site)
    return sites


def _site(
    origin: str,
    ordinal: int,
    path: tuple[Any, ...],
    comparison: JSON,
    definitions: dict[str, Any],
    users: tuple[str, ...],
) -> ComparisonSite | None:
    left, right = inline(comparison["left"], definitions), inline(comparison["right"], definitions)
    for constant, other, operator in (
        (right, left, comparison["op"]),
        (left, right, mirrored(comparison["op"])),
    ):
        is_number = constant.get("op") == "const" and not isinstance(constant.get("value"), bool)
        other_constant = other.get("op") == "const"
        if is_number and not other_constant and not _free_variables(other):
            return ComparisonSite(
                origin, ordinal, path, operator, constant["value"], constant.get("unit"), other, users
            )
    return None


def guard_of(graph: JSON, guard_id: str) -> JSON | None:
    """The guard expression of a branch or action item, by id."""
    node = graph["nodes"].get(guard_id.split("/", 1)[0])
    if node is None:
        return None
    for entry in [*node.get("branches", []), *node.get("items", [])]:
        if entry["id"] == guard_id:
            guard: JSON | None = entry["guard"]
            return guard
    return None


def _with_outcome(graph: JSON, site: ComparisonSite, guard_id: str, outcome: bool) -> JSON:
    """The guard ``guard_id``, definitions inlined, with the site replaced by ``outcome``."""
    definitions = {d["name"]: d["expr"] for d in graph["definitions"]}
    constant = {"op": "const", "value": outcome, "unit": None}
    guard = guard_of(graph, guard_id)
    if site.origin.startswith("define "):
        name = site.origin.removeprefix("define ")
        definitions[name] = _replaced(definitions[name], site.path, constant)
    else:
        guard = _replaced(guard, site.path, constant)
    return dict(inline(guard, definitions))


def _replaced(expr: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    head, rest = path[0], path[1:]
    if isinstance(expr, list):
        return [_replaced(v, rest, value) if i == head else v for i, v in enumerate(expr)]
    return {k: _replaced(v, rest, value) if k == head else v for k, v in expr.items()}


def boundary_values(graph: JSON, site: ComparisonSite) -> list[tuple[str, Fraction]]:
    """Just below, at and just above the threshold: step 1 for integral values, else the
    precision of the threshold literal, at least 0.1 (the convention of ``boundaries``)."""
    step = Fraction(1) if integral(site.expression, graph) else step_of({"kind": "decimal"}, site.threshold)
    threshold = Fraction(str(site.threshold))
    if site.expression.get("op") == "elapsed" and site.expression["unit"] in dates.CALENDAR_UNITS:
        # the day before, on and the day after the anniversary, then the next one
        # (compiler/analysis/dates.py ``anniversary_goals``)
        return [
            ("below", threshold - step),
            ("at", threshold),
            ("after", threshold),
            ("above", threshold + step),
        ]
    return [("below", threshold - step), ("at", threshold), ("above", threshold + step)]


def _value_term(value: Fraction) -> Term:
    return z3.IntVal(int(value)) if value.denominator == 1 else z3.Q(value.numerator, value.denominator)


def boundary_goal(
    paths: PathConditions,
    site: ComparisonSite,
    guard_id: str,
    value: Fraction,
    decisive: bool,
    side: str = "",
) -> list[Term] | None:
    """The guard is evaluated and the site's compared value is ``value``; with ``decisive``,
    the guard's outcome also depends on the site there."""
    evaluated = guard_evaluated(paths, guard_id)
    if evaluated is None:
        return None
    item = paths.items.get(guard_id)
    edge = paths.edges.get(guard_id)
    if item is not None:
        plan = item.plan_before
    elif edge is not None:
        plan = paths.entry_plan[edge.node]
    else:
        return None
    encoder = paths.encoder
    compared = encoder.expr(site.expression, plan, {})
    goals = [evaluated, compared.known, compared.value == _value_term(value)]
    if site.expression.get("op") == "elapsed" and value.denominator == 1:  # next to an anniversary
        start = encoder.expr(site.expression["from"], plan, {})
        end = encoder.expr(site.expression["to"], plan, {})
        goals += dates.anniversary_goals(site.expression["unit"], start.value, end.value, side, int(value))
    if decisive:
        graph = paths.graph
        when_true = encoder.condition(_with_outcome(graph, site, guard_id, True), plan).holds()
        when_false = encoder.condition(_with_outcome(graph, site, guard_id, False), plan).holds()
        goals.append(when_true != when_false)
    return goals
