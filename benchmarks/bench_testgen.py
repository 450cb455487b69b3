"""Benchmark the test generator and the mutation run on synthetic guidelines of growing size.

    python benchmarks/bench_testgen.py [--edges 10 30 100 300 1000] [--no-mutate] [--markdown]

Each synthetic guideline (benchmarks/synthetic.py: a chain of decisions, each
comparing a number input with a threshold and treating in its own step) is
compiled, then:

* ``testgen``: ``compiler.testgen.cases.gather`` (witnesses, paths or decision
  pairs, item outcomes, boundaries; every patient replayed) plus ``render``
  (the module text, read back);
* ``mutate``: every mutant of the graph, each evaluated on the generated
  patients (``compiler.testgen.mutate.run``), survivors classified by z3.

A chain of k decisions has 2^k complete paths, so above ``PATH_LIMIT`` the
generator covers pairs of consecutive decisions instead: the cost must grow
with the number of edges, not of paths. Results go to docs/benchmarks.md.
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
from compiler.analysis.covering import count_paths
from compiler.testgen.cases import gather
from compiler.testgen.module import SuiteSource, render
from compiler.testgen.mutate import run
from compiler.testgen.suite import SuitePatient
from fibrolang import graph_order, read_graph


def rules_for(edges: int) -> int:
    """Each rule adds a decision with two branches and a step with one edge: three edges."""
    return max(1, round(edges / 3))


def measure(edges_wanted: int, mutate: bool) -> dict[str, object]:
    rules = rules_for(edges_wanted)
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "synthetic.fibro"
        path.write_text(synthetic_guideline(rules), encoding="utf-8")
        graph = api.compile_file(path)
    typed = read_graph(graph)
    edges = sum(len(graph_order.successors(node)) for node in typed.nodes)
    started = time.perf_counter()
    suite = gather(graph)
    text = render(
        suite, SuiteSource("synthetic.fibro", "synthetic.graph.json", "synthetic.graph.json", "out")
    )
    testgen_seconds = time.perf_counter() - started
    row: dict[str, object] = {
        "edges": edges,
        "paths": count_paths(typed),
        "mode": suite.mode,
        "tests": len(suite.cases),
        "lines": text.count("\n"),
        "testgen_s": testgen_seconds,
    }
    if mutate:
        patients = [SuitePatient(case.name, case.patient, case.protects) for case in suite.cases]
        started = time.perf_counter()
        report = run(graph, patients)
        row.update(
            mutants=len(report.outcomes),
            score=report.score,
            equivalent=report.count("equivalent"),
            survivors=report.count("survivor") + report.count("unclassified"),
            mutate_s=time.perf_counter() - started,
        )
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edges", type=int, nargs="+", default=[10, 30, 100, 300, 1000])
    parser.add_argument("--no-mutate", action="store_true")
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table")
    arguments = parser.parse_args()
    rows = []
    for edges in arguments.edges:
        row = measure(edges, not arguments.no_mutate)
        rows.append(row)
        print(
            " ".join(f"{k}={v:.2f}" if isinstance(v, float) else f"{k}={v}" for k, v in row.items()),
            flush=True,
        )
    if arguments.markdown:
        print()
        print(
            "| edges | complete paths | mode | tests | testgen (s) | mutants | score | equivalent "
            "| mutate (s) |"
        )
        print("| ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |")
        for row in rows:
            paths = row["paths"]
            shown = f"{paths:.2e}" if isinstance(paths, int) and paths > 10**6 else str(paths)
            print(
                f"| {row['edges']} | {shown} | {row['mode']} | {row['tests']} | {row['testgen_s']:.1f} | "
                f"{row.get('mutants', '-')} | "
                + (f"{row['score']:.1f}%" if "score" in row else "-")
                + f" | {row.get('equivalent', '-')} | "
                + (f"{row['mutate_s']:.1f}" if "mutate_s" in row else "-")
                + " |"
            )


if __name__ == "__main__":
    main()
