"""Every mutant of ``fibrolang mutate`` through ``fibrolang diff``'s comparison (issue 17).

The CI test (tests/review/test_diff.py) tries three mutants of each operator; this
script tries all of them, for the guidelines and score fixtures, and checks the same
things: a mutant the diff finds a changed patient for is not called equivalent by the
mutation classifier, and its witness replays through the runtime to the results the
diff shows; a mutant the diff proves unchanged is either proved equivalent by the
classifier or gives the classifier's distinguishing patient the same result.

    .venv/bin/python scripts/sweep_diff_mutants.py [--jobs 2] FILE.fibro...
"""

from __future__ import annotations

import argparse
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from compiler import api
from compiler.analysis.replay import Runtime
from compiler.review.behaviour import compare, for_graph, old_version, replay_both
from compiler.testgen.equivalence import classify
from compiler.testgen.mutants import mutants
from fibrolang import read_graph


def _check(path: str, index: int) -> tuple[str, str, str]:
    """(mutant id, diff verdict, problem or '') for one mutant."""
    document = api.compile_file(Path(path))
    graph = read_graph(document)
    mutant = mutants(graph)[index]
    changed = mutant.model
    found = compare(old_version(graph), changed, first_only=True)
    equivalence = classify(graph, changed)
    runtime = Runtime()
    problem = ""
    if found.verdict == "changes":
        witness = found.witnesses[0]
        if equivalence.kind == "equivalent":
            problem = "the diff found a changed patient for a mutant called equivalent"
        elif runtime.run(graph, for_graph(graph, witness.patient)).result != witness.old.result:
            problem = "the witness's old result does not replay"
        elif runtime.run(changed, for_graph(changed, witness.patient)).result != witness.new.result:
            problem = "the witness's new result does not replay"
    elif found.verdict == "no_changes":
        if equivalence.kind == "survivor":
            if equivalence.patient is None:
                problem = "a survivor without a patient"
            else:
                same = replay_both(runtime, graph, changed, equivalence.patient)
                if same.effects:
                    problem = "the diff proved no change but the classifier's patient changes"
        elif equivalence.kind != "equivalent":
            problem = f"the diff proved no change; the classifier says {equivalence.kind}"
    else:
        problem = f"the diff could not decide ({found.verdict})"
    return mutant.id, found.verdict, problem


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("guidelines", nargs="+")
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    failures = 0
    with ProcessPoolExecutor(args.jobs) as pool:
        for path in args.guidelines:
            started = time.perf_counter()
            count = len(mutants(read_graph(api.compile_file(Path(path)))))
            results = list(pool.map(_check, [path] * count, range(count)))
            verdicts = [verdict for _, verdict, _ in results]
            problems = [(mutant, problem) for mutant, _, problem in results if problem]
            failures += len(problems)
            print(
                f"{path}: {count} mutants, {verdicts.count('changes')} with a replayed changed patient, "
                f"{verdicts.count('no_changes')} proved unchanged, {len(problems)} problems "
                f"({time.perf_counter() - started:.0f} s)"
            )
            for mutant, problem in problems:
                print(f"  {mutant}: {problem}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
