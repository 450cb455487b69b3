"""The proofs of an edited guideline, in one process, with and without per-question recall.

    python benchmarks/bench_recall.py [--guideline guidelines/fibromyalgia.fibro] [--runs 7]

For each edit of ``bench_startup.EDITS`` (a threshold, a quote, a new safety rule), the
original guideline is proved once with an empty ``Recall`` (its answers are what a check of
the original leaves in the cache, ``compiler/proof_cache.py``), and the edited guideline is
then proved ``--runs`` times each way, interleaved: afresh (``analyse`` without recall, what
``--no-cache`` does) and recalling the original's answers (what ``fibrolang check`` does after
the edit when the logic changed). It reports the fastest run of each, its phases (building
the path conditions, the structural digests of the questions, z3's checks and models, the
rest) and how many questions z3 was asked, and checks that both give the same diagnostics.
In-process: imports, parsing, checking and lowering are left out (``bench_startup.py`` times
the whole process).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import z3

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_startup import EDITS, edited, guideline_copy

from compiler import api
from compiler.analysis import analyse, digest, paths
from compiler.analysis.recall import Recall
from compiler.diagnostics.catalogue import Diagnostic
from compiler.front import syntax as s
from fibrolang.graph import Graph

PHASES = ("path conditions", "digests", "z3 check", "z3 model")


class Phases:
    """Wall time spent in a few functions, by phase (patched in for the run, then restored)."""

    def __init__(self) -> None:
        self.spent = dict.fromkeys(PHASES, 0.0)
        self.checks = 0
        self._restore: list[Callable[[], None]] = []

    def patch(self, owner: Any, name: str, phase: str) -> None:
        original = getattr(owner, name)
        spent = self.spent

        def timed(*arguments: Any, **named: Any) -> Any:
            began = time.perf_counter()
            try:
                return original(*arguments, **named)
            finally:
                spent[phase] += time.perf_counter() - began
                if phase == "z3 check":
                    self.checks += 1

        setattr(owner, name, timed)
        self._restore.append(lambda: setattr(owner, name, original))

    def __enter__(self) -> Phases:
        self.patch(paths.PathConditions, "__post_init__", "path conditions")
        self.patch(digest.Digests, "__init__", "digests")
        self.patch(z3.Solver, "check", "z3 check")
        self.patch(z3.Solver, "model", "z3 model")
        return self

    def __exit__(self, *_: object) -> None:
        for restore in reversed(self._restore):
            restore()


def typed(guideline: Path, text: str) -> tuple[s.Guideline, Graph]:
    with tempfile.TemporaryDirectory() as scratch:
        copy = guideline_copy(guideline, text, Path(scratch))
        checked = api.check_file(copy, api.SourceCache())
        graph = api.graph_to_prove(checked)
    if checked.guideline is None or isinstance(graph, list):
        raise SystemExit(f"{guideline}: does not check")
    return checked.guideline, graph


def timed_proof(
    guideline: s.Guideline, graph: Graph, recall: Recall | None
) -> tuple[float, Phases, list[Diagnostic]]:
    with Phases() as phases:
        began = time.perf_counter()
        found = analyse(graph, guideline, recall=recall)
        spent = time.perf_counter() - began
    return spent, phases, found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--guideline", type=Path, default=Path("guidelines/fibromyalgia.fibro"))
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    original = args.guideline.read_text(encoding="utf-8")
    guideline, graph = typed(args.guideline, original)
    warm = Recall("bench")
    analyse(graph, guideline, recall=warm)
    print(f"{args.guideline}: the proofs of an edited guideline, fastest of {args.runs} runs (ms)")
    print("| edit | how | total | " + " | ".join(PHASES) + " | the rest | z3 checks | questions asked |")
    print("| --- | --- |" + " ---: |" * (len(PHASES) + 4))
    for edit in EDITS:
        edited_guideline, edited_graph = typed(args.guideline, edited(original, edit))
        best: dict[str, tuple[float, Phases, int]] = {}
        answers: dict[str, list[Diagnostic]] = {}
        for _ in range(args.runs):
            for how in ("afresh", "recalling"):
                recall = Recall("bench", warm.answers) if how == "recalling" else None
                spent, phases, found = timed_proof(edited_guideline, edited_graph, recall)
                answers[how] = found
                asked = recall.asked if recall is not None else -1
                if how not in best or spent < best[how][0]:
                    best[how] = (spent, phases, asked)
        if answers["afresh"] != answers["recalling"]:
            raise SystemExit(f"{edit}: recalling gave other diagnostics than proving afresh")
        for how, (spent, phases, asked) in best.items():
            cells = [f"{phases.spent[phase] * 1000:.1f}" for phase in PHASES]
            rest = (spent - sum(phases.spent.values())) * 1000
            questions = "all" if asked < 0 else str(asked)
            print(
                f"| {edit} | {how} | {spent * 1000:.1f} | "
                + " | ".join(cells)
                + f" | {rest:.1f} | {phases.checks} | {questions} |"
            )


if __name__ == "__main__":
    main()
