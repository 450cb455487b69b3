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

import z3

from compiler.analysis import dates
from compiler.analysis.boundaries import integral
from compiler.analysis.encode import Term, conj
from compiler.analysis.paths import PathConditions
from compiler.analysis.solve import step_of
from fibrolang import expressions as ex
from fibrolang import graph_order
from fibrolang.expression_parts import Step, inline, parts, replaced, subexpressions
from fibrolang.graph import ActionNode, DecisionNode, Graph, Node
from fibrolang.operators import COMPARISONS, mirrored

# -- the shape of the graph ----------------------------------------------------


def count_paths(graph: Graph) -> int:
    """The number of complete paths from the start to a terminal (without enumerating them)."""
    nodes = graph_order.nodes_by_id(graph)
    if graph.start not in nodes:
        return 0
    return graph_order.count_paths(graph.start, graph_order.following_in(nodes))


def complete_paths(graph: Graph, limit: int) -> list[tuple[str, ...]] | None:
    """Every complete path as its edge ids (from ``start``), or None when there are more than ``limit``."""
    if count_paths(graph) > limit:
        return None
    nodes = graph_order.nodes_by_id(graph)

    def leaving(node_id: str) -> list[tuple[str, str]]:
        node = nodes.get(node_id)
        edges = graph_order.successors(node) if node is not None else ()
        return [(edge.id, edge.target) for edge in edges if edge.target in nodes]

    return [("start", *path) for path in graph_order.edge_paths(graph.start, leaving)]


def decision_edges(graph: Graph) -> set[str]:
    return {branch.id for node in graph.nodes if isinstance(node, DecisionNode) for branch in node.branches}


def decision_pairs(graph: Graph) -> list[tuple[str, str]]:
    """Pairs of consecutive decision outcomes: a branch of one decision, then a branch of the
    next decision the walk meets after it (through action steps only), in graph order."""
    nodes = graph_order.nodes_by_id(graph)
    pairs: list[tuple[str, str]] = []
    for node in graph.nodes:
        if not isinstance(node, DecisionNode):
            continue
        for branch in node.branches:
            following = _next_decision(nodes, branch.target)
            if following is not None:
                pairs.extend((branch.id, later.id) for later in following.branches)
    return pairs


def _next_decision(nodes: dict[str, Node], node_id: str) -> DecisionNode | None:
    seen: set[str] = set()
    while node_id in nodes and node_id not in seen:
        seen.add(node_id)
        node = nodes[node_id]
        if isinstance(node, DecisionNode):
            return node
        if not isinstance(node, ActionNode):
            return None
        node_id = node.next.target
    return None


def pairs_in_trace(
    graph: Graph, edges: tuple[str, ...] | list[str], decided: set[str] | None = None
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
    path: Step  # where it is inside the origin's expression
    operator: str  # with the compared expression on the left
    threshold: int | float
    unit: str | None
    expression: ex.Expression  # the compared side, definitions inlined
    guards: tuple[str, ...]  # the branch and item guards that use it, in graph order


def comparisons(expr: ex.Expression, path: Step = ()) -> list[tuple[Step, ex.Comparison]]:
    """Every comparison in ``expr`` with its path, depth first with keys sorted (a stable order)."""
    found: list[tuple[Step, ex.Comparison]] = []
    if isinstance(expr, ex.Comparison):
        found.append((path, expr))
    for step, part in parts(expr):
        found.extend(comparisons(part, (*path, *step)))
    return found


def _free_variables(expr: ex.Expression, bound: frozenset[str] = frozenset()) -> set[str]:
    if isinstance(expr, ex.VariableReference):
        return set() if expr.name in bound else {expr.name}
    inner = bound | {expr.variable} if isinstance(expr, ex.Quantifier | ex.Sum) else bound
    found: set[str] = set()
    for step, part in parts(expr):
        found |= _free_variables(part, bound if step == ("over",) else inner)
    return found


def _uses(expr: ex.Expression) -> set[str]:
    return {inner.name for inner in subexpressions(expr) if isinstance(inner, ex.DefinitionReference)}


def guard_expressions(graph: Graph) -> list[tuple[str, str, ex.Expression]]:
    """(guard id, node id, guard) of every guarded branch and item, in graph order."""
    found = []
    for node in graph.nodes:
        entries = graph_order.guarded_entries(node)
        for entry in entries:
            if entry.guard is not None:
                found.append((entry.id, node.id, entry.guard))
    return found


def definition_expressions(graph: Graph) -> dict[str, ex.Expression]:
    """Definition name -> its expression, in the graph's order."""
    return {definition.name: definition.expr for definition in graph.definitions}


def definitions_read_by(graph: Graph, expressions: list[ex.Expression]) -> set[str]:
    """The definitions ``expressions`` read, directly or through other definitions."""
    return _read_closure(definition_expressions(graph), expressions)


def _read_closure(definitions: dict[str, ex.Expression], expressions: list[ex.Expression]) -> set[str]:
    pending = set().union(*(_uses(expr) for expr in expressions)) if expressions else set()
    found: set[str] = set()
    while pending:
        name = pending.pop()
        if name in found or name not in definitions:
            continue
        found.add(name)
        pending |= _uses(definitions[name])
    return found


def guards_using(graph: Graph) -> dict[str, list[str]]:
    """Definition name -> the branch and item guards that use it, directly or through others."""
    definitions = definition_expressions(graph)
    users: dict[str, list[str]] = {name: [] for name in definitions}
    for guard_id, _, guard in guard_expressions(graph):
        for used in sorted(_read_closure(definitions, [guard])):
            users[used].append(guard_id)
    return users


def comparison_sites(graph: Graph) -> list[ComparisonSite]:
    """Every comparison of a closed numeric expression against a number, by origin."""
    definitions = definition_expressions(graph)
    guards = guard_expressions(graph)
    users = guards_using(graph)
    origins: list[tuple[str, ex.Expression, tuple[str, ...]]] = [
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


def number_constant(expr: ex.Expression) -> ex.Constant | None:
    """The expression as a number constant (a boolean constant is not one), or None."""
    if isinstance(expr, ex.Constant) and not isinstance(expr.value, bool):
        return expr
    return None


def _site(
    origin: str,
    ordinal: int,
    path: Step,
    comparison: ex.Comparison,
    definitions: dict[str, ex.Expression],
    users: tuple[str, ...],
) -> ComparisonSite | None:
    left, right = inline(comparison.left, definitions), inline(comparison.right, definitions)
    for constant_side, other, operator in (
        (right, left, comparison.operator),
        (left, right, mirrored(comparison.operator)),
    ):
        constant = number_constant(constant_side)
        if constant is not None and not isinstance(other, ex.Constant) and not _free_variables(other):
            return ComparisonSite(
                origin, ordinal, path, operator, constant.value, constant.unit, other, users
            )
    return None


def guard_of(graph: Graph, guard_id: str) -> ex.Expression | None:
    """The guard expression of a branch or action item, by id."""
    node = graph_order.node_by_id(graph, guard_id.split("/", 1)[0])
    if node is None:
        return None
    for entry in graph_order.guarded_entries(node):
        if entry.id == guard_id:
            return entry.guard
    return None


def _with_outcome(graph: Graph, site: ComparisonSite, guard_id: str, outcome: bool) -> ex.Expression:
    """The guard ``guard_id``, definitions inlined, with the site replaced by ``outcome``."""
    definitions = definition_expressions(graph)
    constant = ex.Constant(outcome, None)
    guard = guard_of(graph, guard_id)
    if guard is None:
        raise KeyError(f"no guard {guard_id!r}")
    if site.origin.startswith("define "):
        name = site.origin.removeprefix("define ")
        definitions[name] = replaced(definitions[name], site.path, constant)
    else:
        guard = replaced(guard, site.path, constant)
    return inline(guard, definitions)


def boundary_values(graph: Graph, site: ComparisonSite) -> list[tuple[str, Fraction]]:
    """Just below, at and just above the threshold: step 1 for integral values, else the
    precision of the threshold literal, at least 0.1 (the convention of ``boundaries``)."""
    step = Fraction(1) if integral(site.expression, graph) else step_of(False, site.threshold)
    threshold = Fraction(str(site.threshold))
    if isinstance(site.expression, ex.Elapsed) and site.expression.unit in dates.CALENDAR_UNITS:
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
    if isinstance(site.expression, ex.Elapsed) and value.denominator == 1:  # next to an anniversary
        start = encoder.expr(site.expression.start, plan, {})
        end = encoder.expr(site.expression.end, plan, {})
        goals += dates.anniversary_goals(site.expression.unit, start.value, end.value, side, int(value))
    if decisive:
        graph = paths.graph
        when_true = encoder.condition(_with_outcome(graph, site, guard_id, True), plan).holds()
        when_false = encoder.condition(_with_outcome(graph, site, guard_id, False), plan).holds()
        goals.append(when_true != when_false)
    return goals
