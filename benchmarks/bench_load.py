"""How long ``fibrolang.load`` takes, and how that grows with the edges of the graph.

    python benchmarks/bench_load.py [--edges 10 30 100 300 1000] [--repeat 30] [--clock cpu]

Each synthetic guideline (benchmarks/synthetic.py, the chain of decisions the
test-generator and proof benchmarks use: about three edges per decision) is compiled
once to its graph JSON file; then, in turn for every size (so that load from other
programs falls on all alike), ``fibrolang.load(path)`` is timed ``--repeat`` times, split
into its phases: reading and parsing the JSON text, checking its integrity hash
(``graph_hash``), the graph model (``read_graph``: reading and validating every field),
and compiling (``Guideline(graph)``: the closures, the steps and the patient validator).
Each load starts after a full garbage collection (not timed). The fastest and the median
of the whole load, the median of each phase, in milliseconds; µs per edge from the fastest.
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic import synthetic_guideline

import fibrolang
from compiler import api
from fibrolang import integrity
from fibrolang.integrity import canonical_text
from fibrolang.load import Guideline, read_graph


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--edges", type=int, nargs="+", default=[10, 30, 100, 300, 1000])
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument(
        "--clock",
        choices=("wall", "cpu"),
        default="wall",
        help="cpu: this process's CPU time (time.process_time), which leaves out the time other "
        "programs hold the cores: steadier on a shared machine",
    )
    args = parser.parse_args()
    clock = time.process_time if args.clock == "cpu" else time.perf_counter
    with tempfile.TemporaryDirectory() as scratch:
        files: dict[int, tuple[Path, int, int]] = {}
        for edges in args.edges:
            rules = max(1, round(edges / 3))
            source = Path(scratch) / f"synthetic_{edges}.fibro"
            source.write_text(synthetic_guideline(rules), encoding="utf-8")
            graph = api.compile_file(source)
            path = Path(scratch) / f"synthetic_{edges}.graph.json"
            path.write_text(canonical_text(graph), encoding="utf-8")  # as `fibrolang compile` writes
            counted = sum(
                len(node.get("branches", ())) + ("next" in node) for node in graph["nodes"].values()
            )
            files[edges] = (path, counted, path.stat().st_size)
            fibrolang.load(path)  # warm
        phases: dict[int, dict[str, list[float]]] = {
            edges: {"load": [], "json": [], "hash": [], "model": [], "compile": []} for edges in files
        }
        for _ in range(args.repeat):
            for edges, (path, _counted, _size) in files.items():
                gc.collect()  # each load starts from the same heap, not amid another's garbage
                began = clock()
                fibrolang.load(path)
                loaded = clock()
                raw = path.read_bytes()
                document = json.loads(raw.decode("utf-8"))
                parsed = clock()
                integrity.verify(document, raw)
                verified = clock()
                graph = read_graph(document)
                modelled = clock()
                Guideline(graph)
                compiled = clock()
                spent = phases[edges]
                spent["load"].append(loaded - began)
                spent["json"].append(parsed - loaded)
                spent["hash"].append(verified - parsed)
                spent["model"].append(modelled - verified)
                spent["compile"].append(compiled - modelled)
    print(f"{args.repeat} loads of each, interleaved (ms, {args.clock} clock)")
    print(
        "| edges | graph JSON KB | load, fastest | load, median | JSON | hash | graph model | compile "
        "| µs/edge |"
    )
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for edges, (_path, counted, size) in files.items():
        median = {name: statistics.median(values) * 1000 for name, values in phases[edges].items()}
        fastest = min(phases[edges]["load"]) * 1000
        print(
            f"| {counted} | {size / 1024:.0f} | {fastest:.2f} | {median['load']:.2f} | "
            f"{median['json']:.2f} | {median['hash']:.2f} | {median['model']:.2f} | "
            f"{median['compile']:.2f} | "
            f"{fastest / counted * 1000:.1f} |"
        )


if __name__ == "__main__":
    main()
