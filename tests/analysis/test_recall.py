"""Per-question recall (compiler/analysis/recall.py, compiler/proof_cache.py): proving a guideline
with the answers another version of it left gives exactly the diagnostics of proving it afresh,
for every guideline and fixture that checks, a sample of their mutants both ways round, and a
version warmed by itself (every question recalled, cores rebuilt from the journal)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from compiler import api, proof_cache
from compiler.analysis import analyse
from compiler.analysis.recall import Recall
from compiler.diagnostics.catalogue import Diagnostic
from compiler.front import syntax as s
from compiler.testgen.mutants import mutants
from fibrolang.graph import Graph

ROOT = Path(__file__).resolve().parents[2]
SUBJECTS = sorted(
    [
        *(ROOT / "guidelines").glob("*.fibro"),
        *(ROOT / "tests" / "fixtures").glob("*.fibro"),
        *(ROOT / "tests" / "analysis" / "cases").glob("*.fibro"),
    ]
)
MUTANTS_PER_SUBJECT = 4
SALT = "test salt"


@dataclass(frozen=True)
class Subject:
    guideline: s.Guideline
    graph: Graph


@cache
def subject(path: Path) -> Subject | None:
    checked = api.check_file(path)
    if not checked.ok or checked.guideline is None:
        return None
    graph = api.graph_to_prove(checked)
    return None if isinstance(graph, list) else Subject(checked.guideline, graph)


@cache
def versions(path: Path) -> tuple[tuple[str, Graph], ...]:
    """The guideline's graph and a sample of its mutants, spread over the operators."""
    found = subject(path)
    if found is None:
        return ()
    every = mutants(found.graph)
    step = max(1, len(every) // MUTANTS_PER_SUBJECT)
    return (("original", found.graph), *((m.id, m.model) for m in every[::step][:MUTANTS_PER_SUBJECT]))


def prove(guideline: s.Guideline, graph: Graph, recall: Recall | None = None) -> list[Diagnostic]:
    return analyse(graph, guideline, recall=recall)


def answers_of(guideline: s.Guideline, graph: Graph) -> dict[str, dict[str, Any]]:
    recall = Recall(SALT)
    prove(guideline, graph, recall)
    assert recall.asked == len(recall.answers)  # every answer asked once, and noted
    return recall.answers


def test_the_subjects_include_the_guidelines_and_failing_cases() -> None:
    proved = [p for p in SUBJECTS if subject(p) is not None]
    assert {p.name for p in (ROOT / "guidelines").glob("*.fibro")} <= {p.name for p in proved}
    assert {"shadowed.fibro", "unreachable.fibro", "invariant.fibro"} <= {p.name for p in proved}


@pytest.mark.slow
@pytest.mark.parametrize("path", SUBJECTS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_recalled_answers_of_another_version_give_the_diagnostics_of_proving_afresh(path: Path) -> None:
    found = subject(path)
    if found is None:
        pytest.skip("does not check")
    guideline = found.guideline
    graphs = versions(path)
    original = graphs[0][1]
    warm_original = answers_of(guideline, original)
    recalled_somewhere = False
    for name, graph in graphs:
        afresh = prove(guideline, graph)
        # warmed by the original (by itself, for the original: every question recalled)
        recall = Recall(SALT, warm_original)
        assert prove(guideline, graph, recall) == afresh, name
        recalled_somewhere |= len(recall.answers) > recall.asked
        if name == "original":
            continue
        # the other way round: the original, warmed by the mutant
        recall = Recall(SALT, answers_of(guideline, graph))
        assert prove(guideline, original, recall) == prove(guideline, original), name
    assert recalled_somewhere


def test_every_question_of_an_unchanged_guideline_is_recalled_and_cores_are_rebuilt() -> None:
    path = ROOT / "tests" / "analysis" / "cases" / "shadowed.fibro"
    found = subject(path)
    assert found is not None
    afresh = prove(found.guideline, found.graph)
    assert any(d.related for d in afresh)  # an unsatisfiable core explains a diagnostic
    recall = Recall(SALT, answers_of(found.guideline, found.graph))
    assert prove(found.guideline, found.graph, recall) == afresh
    assert recall.answers and recall.asked < len(recall.answers)


def test_another_salt_recalls_nothing() -> None:
    found = subject(ROOT / "guidelines" / "acr2016.fibro")
    assert found is not None
    warm = answers_of(found.guideline, found.graph)
    recall = Recall("another salt", warm)
    prove(found.guideline, found.graph, recall)
    assert recall.asked > 0 and recall.answers and not set(recall.answers) & set(warm)


def test_a_wrong_verdict_under_a_key_would_change_the_diagnostics() -> None:
    """The recalled answers are used (not merely checked): flipping every verdict of an
    invariant's counterexample question changes the diagnostics, so the differential tests
    above compare answers that were really recalled."""
    found = subject(ROOT / "tests" / "analysis" / "cases" / "invariant.fibro")
    assert found is not None
    afresh = prove(found.guideline, found.graph)
    warm = answers_of(found.guideline, found.graph)
    flipped = {
        key: {"verdict": "unsat"} if answer == {"verdict": "sat"} else answer for key, answer in warm.items()
    }
    assert prove(found.guideline, found.graph, Recall(SALT, flipped)) != afresh


def test_the_answers_on_disk_are_ignored_when_damaged(tmp_path: Path) -> None:
    entry = tmp_path / "questions" / "entry.json"
    answers: dict[str, dict[str, Any]] = {"a" * 64: {"verdict": "sat"}, "b" * 64: {"patient": {"age": 40}}}
    proof_cache.write_answers(entry, answers)
    assert proof_cache.read_answers(entry) == answers
    assert entry.parent.stat().st_mode & 0o777 == 0o700
    text = entry.read_text(encoding="utf-8")
    payload = json.loads(text)
    damaged = [
        "not json",
        "[]",
        text.replace('"sat"', '"unsat"'),  # the digest no longer matches
        text.replace('"age": 40', '"age": 41'),
        json.dumps({**payload, "format": 99}),
        json.dumps({**payload, "extra": 1}),
        json.dumps({**payload, "answers": {"short": {"verdict": "sat"}}}),
        json.dumps({**payload, "answers": {"a" * 64: {"verdict": "maybe"}}}),
        json.dumps({**payload, "answers": {"a" * 64: {"verdict": "sat", "patient": {}}}}),
        json.dumps({**payload, "answers": []}),
    ]
    for variant in damaged:
        entry.write_text(variant, encoding="utf-8")
        assert proof_cache.read_answers(entry) == {}, variant
    assert proof_cache.read_answers(tmp_path / "absent.json") == {}
