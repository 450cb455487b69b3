"""Benchmark the safety analysis (``fibrolang check``'s z3 proofs) on synthetic guidelines.

    python benchmarks/bench_prove.py [--edges 100 300 600 1000] [--slice-from N] [--general]

Each synthetic guideline (benchmarks/synthetic.py, the chain of decisions the
test-generator benchmark uses) is checked, then proved (``compiler.api.prove``:
reachability, completeness, invariants, doses, with no proof budget); the
time of the proofs alone is printed, wall-clock and CPU (the machine may be
shared: the CPU time is what the proofs cost), with the number of
path-condition constraints and the growth exponent from the row before
(log of the time ratio over log of the edge ratio: 1 is linear, 2 quadratic).
``--slice-from`` overrides ``solve.SLICE_FROM`` (0: every question from its
cone; a huge number: every question on the one incremental solver);
``--general`` turns off the cut at the nodes every patient reaches
(``solve.CUT_ALWAYS_REACHED``: the cones hold the whole walk, as before it
existed). Results go to docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import math
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic import synthetic_guideline

from compiler import api
from compiler.analysis import solve
from compiler.analysis.paths import PathConditions
from fibrolang import read_graph


def measure(edges: int) -> tuple[int, int, float, float, int]:
    rules = max(1, round(edges / 3))
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "synthetic.fibro"
        path.write_text(synthetic_guideline(rules), encoding="utf-8")
        checked = api.check_file(path)
        constraints = len(PathConditions(read_graph(api.compile_checked(checked))).constraints)
        started, cpu = time.perf_counter(), time.process_time()
        found = api.prove(checked)
        wall, cpu = time.perf_counter() - started, time.process_time() - cpu
        return rules * 3, constraints, wall, cpu, len(found)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edges", type=int, nargs="+", default=[100, 300, 600, 1000])
    parser.add_argument("--slice-from", type=int, default=None, help="override solve.SLICE_FROM")
    parser.add_argument(
        "--general", action="store_true", help="no cut at the nodes every patient reaches (the general path)"
    )
    arguments = parser.parse_args()
    if arguments.slice_from is not None:
        solve.SLICE_FROM = arguments.slice_from
    if arguments.general:
        solve.CUT_ALWAYS_REACHED = False
    print("| edges | constraints | prove, wall (s) | prove, CPU (s) | growth (CPU) | diagnostics |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: |")
    previous: tuple[int, float] | None = None
    for edges in arguments.edges:
        count, constraints, wall, cpu, found = measure(edges)
        growth = ""
        if previous is not None:
            growth = f"{math.log(cpu / previous[1]) / math.log(count / previous[0]):.2f}"
        print(f"| {count:,} | {constraints:,} | {wall:.2f} | {cpu:.2f} | {growth} | {found} |", flush=True)
        previous = (count, cpu)


if __name__ == "__main__":
    main()
