"""The test cases of a guideline: concrete patients, each with what it protects.

Cases are gathered in six rounds, each asking the analysis (the one z3
encoding: ``PathConditions`` and a ``Prover``) for readable, complete
witness patients and replaying every patient through the runtime before it
becomes a test:

1. **edges**: one minimal patient per edge not taken by an earlier one, as
   ``witnesses.witness_report`` makes them, each checked against the path
   the encoding predicts (``witnesses.predicted_path``);
2. **paths**: every complete path, while ``count_paths`` stays within
   ``PATH_LIMIT``; above it, a **covering set**: every pair of consecutive
   decision outcomes that some patient can take (``covering.decision_pairs``);
3. **item outcomes**: each guarded action item seen applying and not applying;
4. **boundaries**: for every comparison of a value against a number, as the
   author wrote it (``covering.comparison_sites``: in a definition or a
   guard), a patient just below, at and just above the threshold, in the
   compared value's unit and precision (the convention of
   ``boundaries.boundary_patients``), for whom the comparison decides a guard
   that uses it; failing that, one who at least reaches such a guard;
5. **inside definitions and outputs**: every arm of every conditional, every
   value of an enumeration, yes/no or small whole-number output, MC/DC on
   yes/no definitions, boundaries in definitions no guard uses
   (``logic_cases.gather_logic``);
6. **missing data**: a patient without each input a guard or an output reads
   (``logic_cases.gather_missing``).

Every witness is asked of a fresh solver holding only the question's cone
of influence (``cone.Cones``), so its cost follows what the question
depends on, not the size of the whole graph (docs/testing.md, "Speed").

A goal already met by an earlier patient's trace gets no new patient. Equal
patients are merged into one case that lists every purpose. The order of
cases, and every patient, is a function of the graph alone.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from compiler.analysis import covering
from compiler.analysis.paths import PathConditions
from compiler.analysis.replay import Replay, Runtime
from compiler.analysis.solve import DEFAULT_TIMEOUT_MS, Prover
from compiler.analysis.witnesses import ReplayMismatch, predicted_path
from compiler.testgen import words
from compiler.testgen.literals import slug
from compiler.testgen.logic_cases import gather_logic, gather_missing
from fibrolang import graph_order, read_graph
from fibrolang.graph import Graph

JSON = dict[str, Any]  # a patient record or a runtime result

# Above this many complete paths the suite covers pairs of consecutive decisions instead.
PATH_LIMIT = 128
_GOOD_OUTCOMES = ("ok", "not_applicable", "insufficient_data")


class GenerationError(Exception):
    """The guideline cannot get a trustworthy suite (unreachable edges, unsafe plans)."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__("; ".join(problems))


@dataclass(frozen=True)
class Purpose:
    kind: str  # edge, path, pair, item, boundary
    name: str  # the test name this purpose gives when it comes first
    words: str  # one line in clinical words


@dataclass
class Case:
    patient: JSON
    replay: Replay
    purposes: list[Purpose] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.purposes[0].name

    @property
    def protects(self) -> str:
        """What the case protects, one purpose a line, as its test's docstring lists it (and
        ``suite.read_patients`` reads it back)."""
        return "\n".join(f"- {purpose.words}" for purpose in self.purposes)


@dataclass
class Suite:
    graph: Graph
    cases: list[Case]
    mode: str  # "paths" or "covering"
    path_count: int
    feasible_paths: int
    infeasible_paths: int
    edges: int
    pairs_feasible: int
    pairs_infeasible: int
    item_outcomes_feasible: int
    item_outcomes_infeasible: int
    boundaries: int
    boundaries_decisive: int
    boundaries_without_patient: int
    # kind (arm, value, mcdc, boundary) -> (goals met, goals proven unreachable): analysis.logic
    logic: dict[str, tuple[int, int]] = field(default_factory=dict)
    missing_inputs: tuple[int, int] = (0, 0)  # (inputs a test leaves out, inputs no test reads)


def canonical_document(document: Mapping[str, Any]) -> dict[str, Any]:
    """A graph JSON document as the committed JSON file holds it (sorted keys)."""
    loaded: dict[str, Any] = json.loads(json.dumps(document, sort_keys=True, ensure_ascii=False))
    return loaded


def canonical(document: Mapping[str, Any]) -> Graph:
    """The typed graph of a graph JSON document, read as the committed JSON file holds it
    (sorted keys), so that the order of its nodes, inputs and interventions is the file's."""
    return read_graph(canonical_document(document))


def _taken_items(replay: Replay) -> set[tuple[str, bool]]:
    guards = replay.result.get("trace", {}).get("guards", []) if replay.result else []
    return {(g["item"], bool(g["value"])) for g in guards if g.get("item") and g.get("value") is not None}


class _Gatherer:
    def __init__(self, graph: Graph, timeout_ms: int) -> None:
        self.graph = graph
        self.paths = PathConditions(graph)
        self.prover = Prover(self.paths, timeout_ms)
        self.runtime = Runtime()
        self.cases: list[Case] = []
        self.by_patient: dict[str, Case] = {}
        self.names: set[str] = set()
        self.edges_taken: set[str] = set()
        self.first_taking: dict[str, Case] = {}  # edge -> the first case whose walk takes it
        self.paths_taken: set[tuple[str, ...]] = set()
        self.first_path: dict[tuple[str, ...], Case] = {}
        self.pairs_taken: set[tuple[str, str]] = set()
        self.items_taken: set[tuple[str, bool]] = set()
        self.problems: list[str] = []
        self.decided = covering.decision_edges(graph)

    def _unique(self, name: str) -> str:
        candidate, number = name, 2
        while candidate in self.names:
            candidate = f"{name}_{number}"
            number += 1
        self.names.add(candidate)
        return candidate

    def add(
        self, patient: JSON, kind: str, name: str, text: str, replay: Replay | None = None
    ) -> Case | None:
        key = json.dumps(patient, sort_keys=True)
        case = self.by_patient.get(key)
        if case is not None:
            case.purposes.append(Purpose(kind, name, text))
            return case
        replay = replay or self.runtime.run(self.graph, patient)
        if replay.outcome not in _GOOD_OUTCOMES:
            self.problems.append(
                f"the witness for {name} ends in {replay.outcome} ({replay.detail}); "
                "run `fibrolang check` on the guideline"
            )
            return None
        case = Case(patient, replay, [Purpose(kind, self._unique(name), text)])
        self.cases.append(case)
        self.by_patient[key] = case
        self.edges_taken.update(replay.edges)
        for edge in replay.edges:
            self.first_taking.setdefault(edge, case)
        self.paths_taken.add(tuple(replay.edges))
        self.first_path.setdefault(tuple(replay.edges), case)
        self.pairs_taken.update(covering.pairs_in_trace(self.graph, replay.edges, self.decided))
        self.items_taken.update(_taken_items(replay))
        return case

    def witness(self, goals: list[Any], what: str) -> tuple[JSON, Replay] | None:
        patient = self.prover.witness(*goals)
        if patient is None:
            return None
        replay = self.runtime.run(self.graph, patient)
        return patient, replay


def gather(
    document: Mapping[str, Any], path_limit: int = PATH_LIMIT, timeout_ms: int = DEFAULT_TIMEOUT_MS
) -> Suite:
    """Every test case of a graph JSON document; ``GenerationError`` when an edge is unreachable."""
    graph = canonical(document)
    state = _Gatherer(graph, timeout_ms)
    witnessed = _edges(state)
    all_edges = [edge.id for node in graph.nodes for edge in graph_order.successors(node)]
    unreachable = [edge for edge in all_edges if edge not in witnessed]
    if unreachable:
        raise GenerationError(
            [
                f"edge {edge} is unreachable: no patient takes it (`fibrolang check` reports it)"
                for edge in unreachable
            ]
        )
    mode, path_count, feasible, infeasible, pairs_ok, pairs_no = _paths_or_pairs(state, path_limit)
    items_ok, items_no = _item_outcomes(state)
    boundaries, decisive, without = _boundaries(state)
    logic = gather_logic(state)
    missing = gather_missing(state)
    if state.problems:
        raise GenerationError(state.problems)
    return Suite(
        graph,
        state.cases,
        mode,
        path_count,
        feasible,
        infeasible,
        len(all_edges),
        pairs_ok,
        pairs_no,
        items_ok,
        items_no,
        boundaries,
        decisive,
        without,
        logic,
        missing,
    )


def _edges(state: _Gatherer) -> set[str]:
    """A minimal witness per edge, as ``witnesses.witness_report`` gives them (with the faster
    prover), each checked against the path the encoding predicts."""
    witnessed: set[str] = set()
    for edge_id, edge in state.paths.edges.items():
        text = f"edge {edge_id} ({words.edge_source(state.graph, edge_id)}): "
        text += words.edge_words(state.graph, edge_id)
        if edge_id in state.edges_taken:  # an earlier witness takes it too
            witnessed.add(edge_id)
            case = state.first_taking[edge_id]
            case.purposes.append(Purpose("edge", f"test_edge_{slug(edge_id)}", text))
            continue
        found = state.witness([edge.taken], edge_id)
        if found is None:
            continue
        patient, replay = found
        expected = predicted_path(state.paths, state.prover, patient)
        if edge_id not in replay.edges or list(replay.edges) != expected[: len(replay.edges)]:
            raise ReplayMismatch(
                f"witness for edge {edge_id}: the encoding predicts {' -> '.join(expected)}, "
                f"the runtime took {' -> '.join(replay.edges)} ({replay.outcome}; {replay.detail})"
            )
        witnessed.add(edge_id)
        state.add(patient, "edge", f"test_edge_{slug(edge_id)}", text, replay)
    return witnessed


def _path_name(graph: Graph, path: tuple[str, ...]) -> str:
    decided = covering.decision_edges(graph)
    return "test_path__" + "__".join(slug(edge) for edge in path if edge in decided)


def _paths_or_pairs(state: _Gatherer, limit: int) -> tuple[str, int, int, int, int, int]:
    graph = state.graph
    count = covering.count_paths(graph)
    every = covering.complete_paths(graph, limit)
    if every is not None:
        feasible = infeasible = 0
        for number, path in enumerate(every, start=1):
            text = f"complete path {number} of {count}"
            if path in state.paths_taken:
                feasible += 1
                state.first_path[path].purposes.append(Purpose("path", _path_name(graph, path), text))
                continue
            goals = covering.path_goal(state.paths, path)
            found = state.witness(goals, text) if goals is not None else None
            if found is None:
                infeasible += 1
                continue
            patient, replay = found
            if tuple(replay.edges) != path:
                raise ReplayMismatch(
                    f"path witness took {' -> '.join(replay.edges)}, not {' -> '.join(path)}"
                )
            feasible += 1
            state.add(patient, "path", _path_name(graph, path), text, replay)
        return "paths", count, feasible, infeasible, 0, 0
    pairs_ok = pairs_no = 0
    for pair in covering.decision_pairs(graph):
        if pair in state.pairs_taken:
            pairs_ok += 1
            continue
        goals = covering.pair_goal(state.paths, pair)
        text = f"decisions in a row: {pair[0]} then {pair[1]}"
        found = state.witness(goals, text) if goals is not None else None
        if found is None:
            pairs_no += 1
            continue
        patient, replay = found
        if pair not in covering.pairs_in_trace(graph, replay.edges):
            raise ReplayMismatch(f"pair witness for {pair} took {' -> '.join(replay.edges)}")
        pairs_ok += 1
        state.add(patient, "pair", f"test_pair__{slug(pair[0])}__{slug(pair[1])}", text, replay)
    return "covering", count, 0, 0, pairs_ok, pairs_no


def _item_outcomes(state: _Gatherer) -> tuple[int, int]:
    feasible = infeasible = 0
    for outcome in covering.item_outcomes(state.paths):
        key = (outcome.item, outcome.applies)
        if key in state.items_taken:
            feasible += 1
            continue
        item = state.paths.items[outcome.item].item
        verdict = "applies" if outcome.applies else "does not apply"
        text = f"item {outcome.item} {verdict}: {words.item_words(state.graph, item)}"
        found = state.witness([outcome.goal], text)
        if found is None:
            infeasible += 1
            continue
        patient, replay = found
        if key not in _taken_items(replay):
            raise ReplayMismatch(f"item witness for {outcome.item} ({verdict}) not confirmed by the runtime")
        feasible += 1
        name = f"test_item_{slug(outcome.item)}_{'applies' if outcome.applies else 'does_not_apply'}"
        state.add(patient, "item", name, text, replay)
    return feasible, infeasible


def _number(value: Fraction) -> int | float:
    return int(value) if value.denominator == 1 else float(value)


def _boundary_patient(
    state: _Gatherer, site: covering.ComparisonSite, value: Fraction, decisive: bool, side: str = ""
) -> tuple[JSON, Replay, str] | None:
    """(patient, replay, guard) for the first guard using the site that the patient evaluates
    with the compared value at ``value`` (and, with ``decisive``, decided by the site)."""
    for guard in site.guards:
        goals = covering.boundary_goal(state.paths, site, guard, value, decisive, side)
        found = state.witness(goals, guard) if goals is not None else None
        if found is not None:
            patient, replay = found
            evaluated = {
                g.get("edge") or g.get("item") for g in replay.result.get("trace", {}).get("guards", [])
            }
            if guard not in evaluated:
                raise ReplayMismatch(
                    f"boundary patient for {site.origin} does not reach the guard of {guard}"
                )
            return patient, replay, guard
    return None


def _boundaries(state: _Gatherer) -> tuple[int, int, int]:
    """Just below, at and just above every comparison site: decisive where some patient allows,
    else a patient who at least reaches a guard using it with that value."""
    graph = state.graph
    total = decisive = without = 0
    for site in covering.comparison_sites(graph):
        for side, value in covering.boundary_values(graph, site):
            total += 1
            hit = _boundary_patient(state, site, value, decisive=True, side=side)
            decided = hit is not None
            if hit is None:
                hit = _boundary_patient(state, site, value, decisive=False, side=side)
            if hit is None:
                without += 1
                continue
            decisive += decided
            patient, replay, guard = hit
            text = words.BoundaryText(
                site.expression,
                site.operator,
                site.threshold,
                site.unit,
                side,
                _number(value),
                guard,
                site.origin if decided else None,
            )
            name = f"test_boundary_{words.boundary_slug(graph, text)}"
            state.add(patient, "boundary", name, words.boundary_words(graph, text), replay)
    return total, decisive, without
