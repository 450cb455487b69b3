"""Path conditions: for every node, edge and action item of the decision graph,
the condition over the inputs under which a patient gets there.

The graph is a DAG and every patient takes exactly one path, so the paths
into a node are mutually exclusive. Instead of enumerating paths (which
explodes: 2^k paths through k independent decisions) the conditions are
merged per node: a node is reached when one of its incoming edges is taken,
and what the path has added so far (the ``Plan``) is merged by cases over
those edges (``recommended x`` holds if it holds on the incoming edge that was
taken). Every node, edge and item gets a named z3 Boolean defined by an
equation in ``constraints``; analyses ask the solver about those names with
push/pop, so one solver serves every question. Formula size grows with the
graph (nodes x plan entries), not with the number of paths.

Semantics follow the runtime (``fibrolang.pathway``): branches are tried in
order and the first whose guard is true is taken; a guard that is unknown
(a map entry the patient does not have) stops the walk with
``insufficient_data``; action items apply in order when their guard holds,
``stop`` does not count as recommending, and the dose of an intervention is
the largest dose (or titration target) bound any applied item gave it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import z3

from compiler.analysis.encode import (
    FALSE,
    TRUE,
    Encoder,
    Plan,
    Sym,
    Term,
    boolean_constant,
    choose,
    conj,
    disj,
    equation,
    is_false,
    is_true,
    number_term,
    same,
)
from fibrolang import graph_order
from fibrolang.expressions import Expression
from fibrolang.graph import (
    ActionItem,
    ActionNode,
    AvoidItem,
    DecisionNode,
    Edge,
    FlagItem,
    Graph,
    Node,
    RecommendItem,
    TerminalNode,
)


@dataclass(frozen=True)
class EdgeCondition:
    """An edge leaving a node; ``taken`` holds exactly when a patient's walk takes it."""

    id: str
    node: str
    target: str
    index: int  # position among the node's branches (0 for an action's next edge)
    guard: Expression | None
    taken: Term
    edge: Edge
    local: Term  # taken, given the node is reached (earlier guards false, this one true)


@dataclass(frozen=True)
class ItemCondition:
    """An action item; ``applies`` holds when the walk reaches it and its guard holds."""

    id: str
    node: str
    item: ActionItem
    applies: Term
    plan_before: Plan
    guard: Sym | None


@dataclass
class PathConditions:
    """The path conditions of one graph, named and defined for a z3 solver."""

    graph: Graph
    encoder: Encoder = field(init=False)
    nodes: dict[str, Node] = field(init=False)  # by id, in the graph's order
    constraints: list[Term] = field(default_factory=list)
    order: list[str] = field(default_factory=list)  # reachable nodes, topologically
    reach: dict[str, Term] = field(default_factory=dict)
    entry_plan: dict[str, Plan] = field(default_factory=dict)
    edges: dict[str, EdgeCondition] = field(default_factory=dict)
    items: dict[str, ItemCondition] = field(default_factory=dict)
    # decision node -> the patient reaches it and no branch holds (only without otherwise)
    no_branch: dict[str, Term] = field(default_factory=dict)
    # node -> the walk stops there with insufficient_data (an unknown guard)
    undecided: dict[str, Term] = field(default_factory=dict)
    # the guards of a decision node, encoded in the plan the node is reached with
    guards: dict[str, list[Sym | None]] = field(default_factory=dict)
    # named term -> the positions in ``constraints`` of the equations defining it (``cone``)
    defined_at: dict[str, list[int]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.encoder = Encoder(self.graph)
        self.nodes = graph_order.nodes_by_id(self.graph)
        named = [
            item.intervention
            for node in self.graph.nodes
            if isinstance(node, ActionNode)
            for item in node.items
            if isinstance(item, RecommendItem | AvoidItem)
        ]
        self.interventions = list(dict.fromkeys([*(i.id for i in self.graph.interventions), *named]))
        self.flags = sorted(
            {
                item.flag
                for node in self.graph.nodes
                if isinstance(node, ActionNode)
                for item in node.items
                if isinstance(item, FlagItem)
            }
        )
        self.constraints.extend(self.encoder.patient.ranges)
        self._build()

    # -- naming --

    def _name(self, label: str, formula: Term) -> Term:
        """A named Boolean defined to equal ``formula`` (constants stay constants)."""
        if is_true(formula) or is_false(formula):
            return formula
        name = f"~{label}"
        named = boolean_constant(name)
        self._define(name, named, formula)
        return named

    def _name_number(self, label: str, formula: Term) -> Term:
        if z3.is_int_value(formula) or z3.is_rational_value(formula):
            return formula
        name = f"~{label}"
        named = z3.Real(name)
        self._define(name, named, formula)
        return named

    def _define(self, name: str, named: Term, formula: Term) -> None:
        """``name`` is ``named``'s (``named.decl().name()``, known here without asking z3)."""
        self.defined_at.setdefault(name, []).append(len(self.constraints))
        self.constraints.append(equation(named, formula))

    # -- the walk --

    def _topological(self) -> list[str]:
        """The reachable nodes in topological order; of the nodes ready, the earliest in the graph first."""
        nodes = self.nodes
        position = {n: i for i, n in enumerate(nodes)}
        start = self.graph.start
        leads_to = graph_order.following_in(nodes)
        return graph_order.ranked_order(start, leads_to, position.__getitem__) if start in nodes else []

    def _build(self) -> None:
        nodes = self.nodes
        self.order = self._topological()
        incoming: dict[str, list[tuple[Term, Plan]]] = {n: [] for n in self.order}
        start = self.graph.start
        if start in incoming:
            incoming[start].append((TRUE, Plan.empty(self.interventions, self.flags)))
        for node_id in self.order:
            arrivals = incoming[node_id]
            reach = self._name(f"reach {node_id}", disj(*(c for c, _ in arrivals)))
            plan = self._merge(node_id, arrivals)
            self.reach[node_id] = reach
            self.entry_plan[node_id] = plan
            node = nodes[node_id]
            if isinstance(node, DecisionNode):
                self._decision(node_id, node, reach, plan, incoming)
            elif isinstance(node, ActionNode):
                self._action(node_id, node, reach, plan, incoming)

    def _merge(self, node_id: str, arrivals: list[tuple[Term, Plan]]) -> Plan:
        if len(arrivals) == 1:
            return arrivals[0][1]
        if not arrivals:
            return Plan.empty(self.interventions, self.flags)

        def booleans(state: str) -> dict[str, Term]:
            merged = {}
            for key in getattr(arrivals[0][1], state):
                terms = [getattr(plan, state)[key] for _, plan in arrivals]
                if all(same(t, terms[0]) for t in terms):
                    merged[key] = terms[0]
                else:
                    formula = disj(*(conj(c, t) for (c, _), t in zip(arrivals, terms, strict=True)))
                    merged[key] = self._name(f"{state} {key} at {node_id}", formula)
            return merged

        doses = {}
        for key in arrivals[0][1].doses:
            terms = [plan.doses[key] for _, plan in arrivals]
            if all(same(t, terms[0]) for t in terms):
                doses[key] = terms[0]
            else:
                formula = terms[-1]
                for (condition, _), term in zip(reversed(arrivals[:-1]), reversed(terms[:-1]), strict=True):
                    formula = choose(condition, term, formula)
                doses[key] = self._name_number(f"dose {key} at {node_id}", formula)
        return Plan(booleans("recommended"), booleans("avoided"), booleans("flagged"), doses)

    def _decision(
        self,
        node_id: str,
        node: DecisionNode,
        reach: Term,
        plan: Plan,
        incoming: dict[str, list[tuple[Term, Plan]]],
    ) -> None:
        still_trying = reach  # reached, and every earlier guard was known and false
        earlier_fail = TRUE
        undecided = []
        guards: list[Sym | None] = []
        has_otherwise = False
        for index, branch in enumerate(node.branches):
            if branch.guard is None:
                guard = None
                taken_formula = still_trying
                local = earlier_fail
                has_otherwise = True
            else:
                guard = self.encoder.condition(branch.guard, plan)
                taken_formula = conj(still_trying, guard.holds())
                local = conj(earlier_fail, guard.holds())
                undecided.append(
                    conj(still_trying, z3.Not(guard.known)) if not is_true(guard.known) else FALSE
                )
            guards.append(guard)
            taken = self._name(f"edge {branch.id}", taken_formula)
            self.edges[branch.id] = EdgeCondition(
                branch.id, node_id, branch.target, index, branch.guard, taken, branch, local
            )
            if branch.target in incoming:
                incoming[branch.target].append((taken, plan))
            if guard is None:
                break
            still_trying = conj(still_trying, guard.fails())
            earlier_fail = conj(earlier_fail, guard.fails())
        self.guards[node_id] = guards
        self.undecided[node_id] = self._name(f"undecided {node_id}", disj(*undecided))
        if not has_otherwise:
            self.no_branch[node_id] = self._name(f"no branch {node_id}", still_trying)

    def _action(
        self,
        node_id: str,
        node: ActionNode,
        reach: Term,
        plan: Plan,
        incoming: dict[str, list[tuple[Term, Plan]]],
    ) -> None:
        going = reach  # reached, and no item guard so far was unknown
        undecided = []
        recommended = dict(plan.recommended)
        avoided = dict(plan.avoided)
        flagged = dict(plan.flagged)
        doses = dict(plan.doses)
        for item in node.items:
            before = Plan(dict(recommended), dict(avoided), dict(flagged), dict(doses))
            guard = self.encoder.condition(item.guard, before) if item.guard is not None else None
            if guard is None:
                applies_formula = going
            else:
                applies_formula = conj(going, guard.holds())
                if not is_true(guard.known):
                    undecided.append(conj(going, z3.Not(guard.known)))
                    going = self._name(f"going {item.id}", conj(going, guard.known))
            applies = self._name(f"item {item.id}", applies_formula)
            self.items[item.id] = ItemCondition(item.id, node_id, item, applies, before, guard)
            self._apply(item, applies, recommended, avoided, flagged, doses)
        taken = self._name(f"edge {node.next.id}", going)
        self.undecided[node_id] = self._name(f"undecided {node_id}", disj(*undecided))
        target = node.next.target
        self.edges[node.next.id] = EdgeCondition(
            node.next.id, node_id, target, 0, None, taken, node.next, TRUE
        )
        if target in incoming:
            incoming[target].append((taken, Plan(recommended, avoided, flagged, doses)))

    def _apply(
        self,
        item: ActionItem,
        applies: Term,
        recommended: dict[str, Term],
        avoided: dict[str, Term],
        flagged: dict[str, Term],
        doses: dict[str, Term],
    ) -> None:
        item_id = item.id
        if isinstance(item, RecommendItem) and item.action != "stop":
            name = item.intervention
            recommended[name] = self._name(
                f"recommended {name} after {item_id}", disj(recommended[name], applies)
            )
            bound = dose_bound(item)
            if bound is not None:
                current = doses[name]
                value = number_term(bound)
                raised = choose(conj(applies, value > current), value, current)
                doses[name] = self._name_number(f"dose {name} after {item_id}", raised)
        elif isinstance(item, AvoidItem):
            name = item.intervention
            avoided[name] = self._name(f"avoided {name} after {item_id}", disj(avoided[name], applies))
        elif isinstance(item, FlagItem):
            name = item.flag
            flagged[name] = self._name(f"flagged {name} after {item_id}", disj(flagged[name], applies))

    # -- queries --

    def terminals(self) -> list[str]:
        return [n for n in self.order if isinstance(self.nodes[n], TerminalNode)]

    def path_of(self, model: Any) -> list[str]:
        """The edges a model's patient takes, in walk order, as the runtime's trace lists them."""
        by_node: dict[str, list[EdgeCondition]] = {}
        for edge in self.edges.values():
            by_node.setdefault(edge.node, []).append(edge)
        path = ["start"]
        node_id = self.graph.start
        for _ in range(len(self.order) + 1):
            taken = [
                e for e in by_node.get(node_id, []) if z3.is_true(model.eval(e.taken, model_completion=True))
            ]
            if len(taken) != 1:
                break
            path.append(taken[0].id)
            node_id = taken[0].target
        return path


def dose_bound(item: RecommendItem) -> int | float | None:
    """The dose bound an applied recommendation sets: the larger of its dose maximum and titration target."""
    bounds: list[int | float] = []
    if item.dose is not None:
        bounds.append(item.dose.maximum)
    if item.titration is not None:
        bounds.append(item.titration.target)
    return max(bounds) if bounds else None
