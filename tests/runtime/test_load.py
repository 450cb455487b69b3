"""Loading: files and dicts; malformed graphs give one GuidelineError listing problems."""

import copy
import gc
import json
from pathlib import Path

import graphs as g
import pytest

import fibrolang


def test_load_from_a_path_a_string_and_a_dict(tmp_path: Path) -> None:
    path = tmp_path / "tour.graph.json"
    path.write_text(json.dumps(g.tour_graph(), sort_keys=True, indent=2), encoding="utf-8")
    patient = {"age": 12}
    results = [
        fibrolang.load(source).evaluate(patient).to_json() for source in (path, str(path), g.tour_graph())
    ]
    assert results[0] == results[1] == results[2]


def test_unreadable_and_invalid_json_files(tmp_path: Path) -> None:
    with pytest.raises(fibrolang.GuidelineError, match="cannot read"):
        fibrolang.load(tmp_path / "absent.json")
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": ', encoding="utf-8")
    with pytest.raises(fibrolang.GuidelineError, match="not valid JSON"):
        fibrolang.load(bad)


def _codes(document: object) -> list[tuple[str, str]]:
    """The problems the reader finds in ``document`` (rehashed, so that they are the
    structure's problems, not its integrity's: tests/runtime/test_integrity.py)."""
    if isinstance(document, dict):
        document = g.hashed(document)
    with pytest.raises(fibrolang.GuidelineError) as caught:
        fibrolang.load(document)  # type: ignore[arg-type]
    return [(p.path, p.code) for p in caught.value.problems]


def _tour_with(change) -> dict:  # type: ignore[no-untyped-def, type-arg]
    document = copy.deepcopy(g.tour_graph())
    change(document)
    return document


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (lambda d: d.update(format="fibrolang-graph/9"), ("format", "unsupported_format")),
        (lambda d: d.pop("nodes"), ("nodes", "missing_key")),
        (lambda d: d.update(start="nowhere"), ("start", "unknown_name")),
        (
            lambda d: d["nodes"]["adult"]["branches"][0].update(target="x"),
            ("nodes.adult.branches[0].target", "unknown_name"),
        ),
        (
            lambda d: d["nodes"]["adult"]["branches"][0].pop("target"),
            ("nodes.adult.branches[0].target", "missing_key"),
        ),
        (
            lambda d: d["nodes"]["adult"]["branches"][0]["guard"].update(op="lt"),
            ("nodes.adult.branches[0].guard.op", "unknown_op"),
        ),
        (
            lambda d: d["nodes"]["adult"]["branches"][0]["guard"]["left"].update(name="agee"),
            ("nodes.adult.branches[0].guard.left.name", "unknown_name"),
        ),
        (
            lambda d: d["nodes"]["adult"]["branches"][0].update(guard=g.inp("age")),
            ("nodes.adult.branches[0].guard", "type_error"),
        ),
        (
            lambda d: d["nodes"]["adult"]["branches"][0].update(
                guard=g.cmp("<", g.inp("age"), g.inp("egfr"))
            ),
            ("nodes.adult.branches[0].guard", "unit_mismatch"),
        ),
        (
            lambda d: d["nodes"]["adult"]["branches"][0].update(
                guard=g.cmp("<", g.inp("age"), g.member("duloxetine", "agent"))
            ),
            ("nodes.adult.branches[0].guard", "type_error"),
        ),
        (
            lambda d: d["nodes"]["done"].update(
                kind="action", items=[], next={"id": "done/next", "target": "adult"}
            ),
            ("nodes.done", "cycle"),
        ),
        (
            lambda d: d["nodes"]["plan"]["items"][0].update(intervention="yoga"),
            ("nodes.plan.items[0].intervention", "unknown_name"),
        ),
        (
            lambda d: d["nodes"]["plan"]["items"][1].update(id="plan/1"),
            ("nodes.plan.items[1].id", "duplicate"),
        ),
        (
            lambda d: d["inputs"]["medications"]["type"].update(record="visit"),
            ("inputs.medications.type", "unknown_name"),
        ),
        (lambda d: d["definitions"].reverse(), ("definitions[3].expr.over.name", "unknown_name")),
        (lambda d: d["nodes"]["adult"]["branches"].reverse(), ("nodes.adult.branches[0].guard", "malformed")),
        (
            lambda d: d["invariants"][0].update(condition=g.const(3)),
            ("invariants[0].condition", "type_error"),
        ),
        (lambda d: d["nodes"]["adult"].update(branches="none"), ("nodes.adult.branches", "wrong_type")),
        (
            lambda d: d["nodes"]["plan"]["next"].update(target="nowhere"),
            ("nodes.plan.next.target", "unknown_name"),
        ),
        (lambda d: d["nodes"]["plan"]["next"].update(id="adult/1"), ("nodes.plan.next.id", "duplicate")),
        (
            lambda d: d["nodes"]["adult"]["branches"][1].update(id="adult/1"),
            ("nodes.adult.branches[1].id", "duplicate"),
        ),
        (  # a constant of 401 digits was an OverflowError, not a problem listed
            lambda d: d["nodes"]["adult"]["branches"][0]["guard"]["right"].update(value=10**400),
            ("nodes.adult.branches[0].guard.right.value", "wrong_type"),
        ),
        (  # a source without a column was a TypeError, not a problem listed
            lambda d: d["nodes"]["adult"]["source"].pop("column"),
            ("nodes.adult.source.column", "missing_key"),
        ),
        (
            lambda d: d["definitions"][1]["expr"]["where"]["operands"][0].update(element=g.var("b")),
            ("definitions[1].expr.where.operands[0].element.name", "unknown_name"),
        ),
    ],
)
def test_each_kind_of_graph_problem(change, expected: tuple[str, str]) -> None:  # type: ignore[no-untyped-def]
    assert expected in _codes(_tour_with(change))


def test_a_unit_mismatch_says_fibrolang_never_converts_units() -> None:
    """The message once claimed the compiler converts constants to the unit they meet;
    it never does (compiler/check/unit_catalogue.py): the checker demands equal units."""
    document = _tour_with(
        lambda d: d["nodes"]["adult"]["branches"][0].update(guard=g.cmp("<", g.inp("age"), g.inp("egfr")))
    )
    with pytest.raises(fibrolang.GuidelineError) as caught:
        fibrolang.load(g.hashed(document))
    (problem,) = [p for p in caught.value.problems if p.code == "unit_mismatch"]
    assert "never converts units" in problem.message
    assert "converts constants" not in problem.message


def test_many_problems_are_reported_at_once_without_a_traceback() -> None:
    documents: tuple[object, ...] = (
        None,
        [],
        {"format": 3},
        {"nodes": {"a": None}, "inputs": 5},
        {"nodes": {"a": {"kind": "decision", "branches": [{"guard": {}}]}}},
    )
    for document in documents:
        problems = _codes(document)
        assert problems, document
    problems = _codes(
        {"format": "fibrolang-graph/1", "guideline": {}, "inputs": {}, "nodes": {}, "start": "a"}
    )
    assert problems == [
        ("guideline.id", "missing_key"),
        ("guideline.version", "missing_key"),
        ("guideline.content_hash", "missing_key"),
    ]
    # references are checked once the file is well-formed (no cascades from placeholders)
    document = g.graph({}, {}, "a")
    assert _codes(document) == [("start", "unknown_name")]


def test_graph_model_is_frozen() -> None:
    guideline = fibrolang.load(g.tour_graph())
    with pytest.raises(AttributeError):
        guideline.graph.start = "x"  # type: ignore[misc]
    assert isinstance(guideline.graph.nodes, tuple)


def test_a_problem_in_a_node_no_patient_reaches_is_refused_at_load() -> None:
    """Load checks every node, reached or not: a type error in a step no edge leads to
    is a GuidelineError at load, not a surprise at some later evaluation."""

    def add_island(document: dict) -> None:  # type: ignore[type-arg]
        document["nodes"]["island"] = g.action(
            "island", [g.recommend("duloxetine", guard=g.inp("age"))], "done"
        )

    assert ("nodes.island.items[0].guard", "type_error") in _codes(_tour_with(add_island))


def test_load_leaves_the_garbage_collector_as_it_found_it(tmp_path: Path) -> None:
    """``load`` pauses the collector while it builds the guideline: on again after a load
    and after a refused one, still off when it was off."""
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": ', encoding="utf-8")
    assert gc.isenabled()
    try:
        fibrolang.load(g.hashed(g.tour_graph()))
        assert gc.isenabled()
        with pytest.raises(fibrolang.GuidelineError):
            fibrolang.load(bad)
        assert gc.isenabled()
        with pytest.raises(fibrolang.GuidelineError):
            fibrolang.load(_tour_with(lambda d: d.pop("nodes")))  # unhashed: refused
        assert gc.isenabled()
        gc.disable()
        fibrolang.load(g.hashed(g.tour_graph()))
        assert not gc.isenabled()
    finally:
        gc.enable()


@pytest.mark.parametrize("depth", [300, 400, 900])
def test_a_guard_nested_too_deeply_is_a_guideline_error(depth: int) -> None:
    """Deep enough that reading or compiling it runs out of Python's stack: refused with
    a GuidelineError, never a RecursionError (300 still loads)."""
    document = g.tour_graph()
    guard = document["nodes"]["adult"]["branches"][0]["guard"]
    for _ in range(depth - depth % 2):  # an even number of `not`s: the same guard
        guard = g.not_(guard)
    document["nodes"]["adult"]["branches"][0]["guard"] = guard
    if depth == 300:
        for age in (12, 40):
            nested = fibrolang.load(g.hashed(document)).evaluate({"age": age}).to_json()
            assert nested == fibrolang.load(g.hashed(g.tour_graph())).evaluate({"age": age}).to_json()
        return
    with pytest.raises(fibrolang.GuidelineError, match="nests expressions too deeply"):
        fibrolang.load(g.hashed(document))
