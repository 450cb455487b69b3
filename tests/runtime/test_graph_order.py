"""fibrolang.graph_order: successors, topological orders and dominators of the pathway."""

from __future__ import annotations

import itertools

import pytest
from graphs import (
    action,
    boolean,
    branch,
    const,
    decision,
    drug,
    graph,
    inp,
    recommend,
    terminal,
)
from hypothesis import given, settings
from hypothesis import strategies as st

from fibrolang import read_graph
from fibrolang.graph_order import (
    CycleError,
    DominatorTree,
    count_paths,
    depth_first_order,
    dominators,
    edge_paths,
    following_in,
    node_by_id,
    nodes_by_id,
    predecessors,
    ranked_order,
    reachability,
    successors,
    targets,
)

Edges = dict[str, list[str]]


def _diamond() -> Edges:
    return {"a": ["c", "b"], "b": ["d"], "c": ["d"], "d": []}


def test_successors_are_a_decisions_branches_and_an_actions_next_in_branch_order() -> None:
    document = graph(
        {"x": boolean()},
        {
            "ask": decision(
                "ask", [branch("ask", 0, inp("x"), "treat"), branch("ask", 1, const(True), "done")]
            ),
            "treat": action("treat", [recommend("duloxetine")], "done"),
            "done": terminal(),
        },
        "ask",
        interventions={"duloxetine": drug("Duloxetine")},
    )
    nodes = nodes_by_id(read_graph(document))
    assert [edge.id for edge in successors(nodes["ask"])] == ["ask/0", "ask/1"]
    assert targets(nodes["ask"]) == ["treat", "done"]
    assert [edge.id for edge in successors(nodes["treat"])] == ["treat/next"]
    assert targets(nodes["done"]) == []
    assert following_in({"ask": nodes["ask"], "done": nodes["done"]})("ask") == ["done"]


def test_depth_first_order_is_the_reverse_post_order_taking_branches_in_order() -> None:
    assert depth_first_order("a", _diamond().__getitem__) == ["a", "b", "c", "d"]
    assert depth_first_order("b", _diamond().__getitem__) == ["b", "d"]


def test_a_cycle_is_skipped_or_refused_when_strict() -> None:
    edges = {"a": ["b"], "b": ["c"], "c": ["a", "d"], "d": []}
    assert depth_first_order("a", edges.__getitem__) == ["a", "b", "c", "d"]
    with pytest.raises(CycleError, match="cycle through 'a'"):
        depth_first_order("a", edges.__getitem__, strict=True)


def test_ranked_order_takes_the_ready_node_of_least_rank() -> None:
    rank = {"a": 0, "b": 1, "c": 2, "d": 3}.__getitem__
    assert ranked_order("a", _diamond().__getitem__, rank) == ["a", "b", "c", "d"]
    reverse = {"a": 3, "b": 2, "c": 1, "d": 0}.__getitem__
    assert ranked_order("a", _diamond().__getitem__, reverse) == ["a", "c", "b", "d"]


def test_predecessors_once_each_in_order_and_reachability() -> None:
    edges = {"a": ["b", "b"], "b": ["c"], "c": []}
    assert predecessors(["a", "b", "c"], edges.__getitem__) == {"a": [], "b": ["a"], "c": ["b"]}
    assert reachability(["a", "b", "c"], edges.__getitem__) == {
        "a": {"a", "b", "c"},
        "b": {"b", "c"},
        "c": {"c"},
    }


def test_dominators_of_a_diamond_and_of_two_roots() -> None:
    order = ["a", "b", "c", "d"]
    before = predecessors(order, _diamond().__getitem__)
    assert dominators(order, before)["d"] == {"a", "d"}
    tree = DominatorTree(order, before)
    assert tree.parent == {"a": "a", "b": "a", "c": "a", "d": "a"}
    assert tree.chain("d") == ["a", "d"]
    roots = {"x": ["z"], "y": ["z"], "z": []}
    assert dominators(["x", "y", "z"], predecessors(["x", "y", "z"], roots.__getitem__))["z"] == {"z"}


# ---- the dominators agree with their definition on random DAGs ---------------------


@st.composite
def dags(draw: st.DrawFn) -> tuple[list[str], Edges]:
    """A random DAG on nodes n0..nk, edges only from a lower to a higher number."""
    size = draw(st.integers(min_value=1, max_value=9))
    names = [f"n{index}" for index in range(size)]
    edges: Edges = {name: [] for name in names}
    for low, high in itertools.combinations(range(size), 2):
        if draw(st.booleans()):
            edges[names[low]].append(names[high])
    for name in names:
        edges[name] = draw(st.permutations(edges[name]))
    return names, edges


def _reaches_avoiding(edges: Edges, sources: list[str], goal: str, avoided: str) -> bool:
    seen, stack = {avoided}, [s for s in sources if s != avoided]
    while stack:
        current = stack.pop()
        if current == goal:
            return True
        if current in seen:
            continue
        seen.add(current)
        stack.extend(edges[current])
    return False


def _brute_force_dominators(order: list[str], edges: Edges) -> dict[str, frozenset[str]]:
    """d dominates n when n cannot be reached from any root (a node without predecessors)
    once d is taken out."""
    inside = set(order)
    local = {n: [t for t in edges[n] if t in inside] for n in order}
    roots = [n for n in order if not any(n in local[p] for p in order)]
    return {
        n: frozenset({n} | {d for d in order if d != n and not _reaches_avoiding(local, roots, n, d)})
        for n in order
    }


@settings(max_examples=300, deadline=None)
@given(dags(), st.data())
def test_dominators_agree_with_the_definition(dag: tuple[list[str], Edges], data: st.DataObject) -> None:
    names, edges = dag
    subset = [n for n in names if data.draw(st.booleans(), label=f"keep {n}")] or names[:1]
    inside = set(subset)
    following = lambda n: [t for t in edges[n] if t in inside]  # noqa: E731 - a sub-graph, as print_pages cuts it
    found = dominators(subset, predecessors(subset, following))
    assert found == _brute_force_dominators(subset, edges)


@settings(max_examples=300, deadline=None)
@given(dags())
def test_the_dominator_tree_from_the_start_agrees_with_the_definition(dag: tuple[list[str], Edges]) -> None:
    names, edges = dag
    order = depth_first_order(names[0], edges.__getitem__)
    expected = _brute_force_dominators(order, edges)
    tree = DominatorTree(order, predecessors(order, edges.__getitem__))
    assert set(tree.parent) == set(order)
    for node_id in order:
        assert tree.chain(node_id) == sorted(expected[node_id], key=order.index)
    for first, second in itertools.combinations(order, 2):
        common = expected[first] & expected[second]
        assert tree.meet(first, second) == max(common, key=order.index)


@settings(max_examples=200, deadline=None)
@given(dags(), st.permutations(range(9)))
def test_both_orders_place_every_reachable_node_after_its_predecessors(
    dag: tuple[list[str], Edges], ranks: list[int]
) -> None:
    names, edges = dag
    reachable = {names[0]}
    for name in names:  # names are in topological order
        if name in reachable:
            reachable.update(edges[name])
    rank = {name: ranks[index] for index, name in enumerate(names)}.__getitem__
    for order in (
        depth_first_order(names[0], edges.__getitem__),
        ranked_order(names[0], edges.__getitem__, rank),
    ):
        assert set(order) == reachable and len(order) == len(reachable)
        position = {n: i for i, n in enumerate(order)}
        assert all(position[n] < position[t] for n in order for t in edges[n])


def _all_paths(start: str, edges: Edges) -> list[tuple[str, ...]]:
    """Every path from ``start`` to a node without successors, by plain recursion, as the
    edges it takes (``a>b``), in branch order."""
    if not edges[start]:
        return [()]
    return [(f"{start}>{t}", *rest) for t in edges[start] for rest in _all_paths(t, edges)]


@settings(max_examples=200, deadline=None)
@given(dags())
def test_paths_are_counted_and_listed_as_plain_recursion_finds_them(dag: tuple[list[str], Edges]) -> None:
    names, edges = dag
    expected = _all_paths(names[0], edges)
    assert count_paths(names[0], edges.__getitem__) == len(expected)
    leaving = lambda n: [(f"{n}>{t}", t) for t in edges[n]]  # noqa: E731 - edge ids from the ends
    assert edge_paths(names[0], leaving) == expected


def test_paths_through_a_diamond() -> None:
    edges = _diamond()
    assert count_paths("a", edges.__getitem__) == 2
    leaving = lambda n: [(f"{n}>{t}", t) for t in edges[n]]  # noqa: E731
    assert edge_paths("a", leaving) == [("a>c", "c>d"), ("a>b", "b>d")]


def test_node_by_id_answers_for_the_graph_asked_about_whichever_was_asked_before() -> None:
    first = read_graph(graph({"x": boolean()}, {"done": terminal()}, "done"))
    second = read_graph(
        graph({"x": boolean()}, {"end": terminal(), "done": terminal("not_applicable")}, "end")
    )
    for _ in range(2):
        assert node_by_id(first, "done") is first.nodes[0]
        assert node_by_id(first, "end") is None
        found = node_by_id(second, "done")
        assert found is not None and found is nodes_by_id(second)["done"]
        assert node_by_id(second, "nowhere") is None
