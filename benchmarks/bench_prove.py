"""Benchmark the safety analysis (``fibrolang check``'s z3 proofs) on synthetic guidelines.

    python benchmarks/bench_prove.py [--edges 100 300 600 1000] [--slice-from N]

Each synthetic guideline (benchmarks/synthetic.py, the chain of decisions the
test-generator benchmark uses) is checked, then proved (``compiler.api.prove``:
reachability, completeness, invariants, doses); the time of the proofs alone
is printed with the number of path-condition constraints. ``--slice-from``
overrides ``solve.SLICE_FROM`` (0: every question from its cone; a huge
number: every question on the one incremental solver). Results go to
docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic import synthetic_guideline

from compiler import api
from compiler.analysis import solve
from compiler.analysis.paths import PathConditions


def measure(edges: int) -> tuple[int, int, float, int]:
    rules = max(1, round(edges / 3))
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "synthetic.fibro"
        path.write_text(synthetic_guideline(rules), encoding="utf-8")
        checked = api.check_file(path)
        constraints = len(PathConditions(api.compile_checked(checked)).constraints)
        started = time.perf_counter()
        found = api.prove(checked)
        return rules * 3, constraints, time.perf_counter() - started, len(found)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edges", type=int, nargs="+", default=[100, 300, 600, 1000])
    parser.add_argument("--slice-from", type=int, default=None, help="override solve.SLICE_FROM")
    arguments = parser.parse_args()
    if arguments.slice_from is not None:
        solve.SLICE_FROM = arguments.slice_from
    print("| edges | constraints | prove (s) | diagnostics |")
    print("| ---: | ---: | ---: | ---: |")
    for edges in arguments.edges:
        count, constraints, seconds, found = measure(edges)
        print(f"| {count} | {constraints:,} | {seconds:.2f} | {found} |", flush=True)


if __name__ == "__main__":
    main()
