"""The proofs' time budget and the fast path for chains.

- A budget bounds the analysis: no question starts after it, and every question it leaves
  undecided is a FIB221 naming what was not proved (never silence, never a verdict).
- Cones stop at the nodes every patient reaches (``always_reached``): the verdicts, the
  counterexamples and the related spans are those of the general path, on every analysis
  case, both real guidelines and a synthetic chain.
"""

from __future__ import annotations

import sys
import tempfile
import time
from functools import cache
from pathlib import Path

import pytest
from click.testing import CliRunner

from compiler import api
from compiler.analysis import analyse, solve
from compiler.analysis.always_reached import always_reached, exits
from compiler.analysis.paths import PathConditions
from compiler.cli import main
from compiler.diagnostics.renderers import render_json
from fibrolang import read_graph
from fibrolang.graph import Graph

ROOT = Path(__file__).resolve().parents[2]
CASES = Path(__file__).parent / "cases"
sys.path.insert(0, str(ROOT / "benchmarks"))

from synthetic import synthetic_guideline  # noqa: E402

GUIDELINES = [
    *sorted(CASES.glob("*.fibro")),
    ROOT / "guidelines" / "acr2016.fibro",
    ROOT / "guidelines" / "fibromyalgia.fibro",
]


def _typed(checked: api.Checked) -> Graph:
    """The typed decision graph of a checked guideline (what the analysis reads)."""
    return read_graph(api.compile_checked(checked))


@cache
def _synthetic(rules: int) -> Path:
    path = Path(tempfile.mkdtemp()) / f"synthetic_{rules}.fibro"
    path.write_text(synthetic_guideline(rules), encoding="utf-8")
    return path


def _checked(path: Path) -> api.Checked:
    checked = api.check_file(path)
    assert checked.ok, [d.message for d in checked.diagnostics]
    return checked


def _analysed(path: Path, **options: object) -> str:
    checked = _checked(path)
    found = analyse(_typed(checked), checked.guideline, **options)  # type: ignore[arg-type]
    return render_json(found)


# -- the fast path gives the general path's answers -------------------------------------


@pytest.mark.parametrize("path", [*GUIDELINES, "synthetic"], ids=lambda p: getattr(p, "stem", str(p)))
def test_cones_cut_at_always_reached_nodes_give_the_general_answers(
    path: Path | str, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = _synthetic(30) if path == "synthetic" else Path(path)
    shipped = _analysed(target)
    monkeypatch.setattr(solve, "SLICE_FROM", 0)  # every reachability question from a cone
    fast = _analysed(target)
    monkeypatch.setattr(solve, "CUT_ALWAYS_REACHED", False)
    general = _analysed(target)  # whole cones
    monkeypatch.setattr(solve, "SLICE_FROM", 10**9)
    whole = _analysed(target)  # the one solver over the whole graph
    assert fast == general == whole
    assert shipped == whole


def test_the_synthetic_chain_is_cut_at_every_decision() -> None:
    paths = PathConditions(_typed(_checked(_synthetic(6))))
    assert always_reached(paths) == [*(f"rule_{index}" for index in range(6)), "done"]
    assert exits(paths) == ["done"]


def test_no_cut_after_a_decision_that_may_stop_a_walk() -> None:
    # `kidney` has no otherwise: a patient matching no branch stops there, so nothing after
    # it is reached by every patient. `undecided` reads a map entry a patient may not have.
    incomplete = PathConditions(_typed(_checked(CASES / "incomplete.fibro")))
    assert always_reached(incomplete) == ["kidney"]
    assert "kidney" in exits(incomplete)
    undecided = PathConditions(_typed(_checked(CASES / "undecided.fibro")))
    assert always_reached(undecided) == ["plan"]
    assert "plan" in exits(undecided)


# -- the budget --------------------------------------------------------------------------


def test_a_spent_budget_leaves_every_property_unproved_and_says_which() -> None:
    found = analyse(
        _typed(_checked(CASES / "invariant.fibro")),
        _checked(CASES / "invariant.fibro").guideline,
        budget_seconds=0.0,
    )
    codes = {d.code for d in found}
    assert codes == {"FIB221"}, [d.message for d in found]
    messages = [d.message for d in found]
    for invariant in ("no_milnacipran_over_80", "exercise_always"):
        assert (
            "not proved: the proof budget of 0 s ran out before the analysis could look for "
            f"a plan breaking invariant {invariant}" in messages
        )
    assert any("could decide whether profile can be reached" in m for m in messages)


class _Clock:
    """A clock that moves one second each time it is read."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        self.now += 1.0
        return self.now


def test_no_question_is_asked_after_the_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    path = _synthetic(30)
    checked = _checked(path)
    graph = _typed(checked)
    asked: list[object] = []
    clock = _Clock()
    real_check = solve.check

    def counting(solver: object) -> object:
        asked.append(solver)
        return real_check(solver)

    monkeypatch.setattr(time, "monotonic", clock)  # read by analysis.prepare and the prover
    monkeypatch.setattr(solve, "check", counting)
    found = analyse(graph, checked.guideline, budget_seconds=20)
    left = [d for d in found if d.code == "FIB221"]
    # Each question reads the clock once before it starts (and the deadline is set at 1 s):
    # about 20 are asked, and everything after is reported, one diagnostic per question.
    assert 10 <= len(asked) <= 21
    assert len(left) > 30
    assert all("the proof budget of 20 s ran out" in d.message for d in left)
    assert {d.code for d in found} == {"FIB221"}


def test_without_a_budget_nothing_is_left() -> None:
    found = analyse(_typed(_checked(_synthetic(30))), None)
    assert found == []


def test_check_reports_what_the_budget_left_and_exits_1() -> None:
    path = _synthetic(10)
    result = CliRunner().invoke(main, ["check", str(path), "--proof-budget", "0.000001", "--format", "plain"])
    assert result.exit_code == 1, result.output
    assert "FIB221" in result.output
    assert (
        "not proved: the proof budget of 1e-06 s ran out before the analysis could decide whether "
        "rule_0 can be reached" in result.output
    )
    proved = CliRunner().invoke(main, ["check", str(path), "--proof-budget", "0"])
    assert proved.exit_code == 0, proved.output
