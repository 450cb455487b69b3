"""Benchmark: parse and check synthetic guidelines of growing size.

    .venv/bin/python benchmarks/bench_front_end.py [--sizes 100 1000 10000] [--repeat 3]

Reports, per size, the source size, the best wall time of parse (read +
parse + build the syntax tree) and of check (names, types, units, ranges,
structure), and the peak memory (tracemalloc) of one parse+check. The last
column is time per rule relative to the smallest size: close to 1 means
growth close to linear.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic import synthetic_guideline

from compiler import api
from compiler.check import check_guideline
from compiler.collector import collector_paused
from compiler.front.parse import read_source
from compiler.front.pipeline import parse_source


def measure(path: Path, repeat: int) -> tuple[float, float, float]:
    parse_times = []
    check_times = []
    for _ in range(repeat):
        started = time.perf_counter()
        source, _ = read_source(path)
        assert source is not None
        guideline, problems = parse_source(source)
        assert guideline is not None and not problems, problems[:3]
        parsed = time.perf_counter()
        with collector_paused():
            found = check_guideline(guideline, path.parent)
        done = time.perf_counter()
        assert not found, found[:3]
        parse_times.append(parsed - started)
        check_times.append(done - parsed)
    tracemalloc.start()
    api.check_file(path)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return min(parse_times), min(check_times), peak / (1024 * 1024)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 10000])
    parser.add_argument("--repeat", type=int, default=3)
    arguments = parser.parse_args()
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        for size in arguments.sizes:
            path = Path(folder) / f"synthetic_{size}.fibro"
            path.write_text(synthetic_guideline(size), encoding="utf-8")
            parse_time, check_time, peak = measure(path, arguments.repeat)
            rows.append((size, path.stat().st_size, parse_time, check_time, peak))
    base = (rows[0][2] + rows[0][3]) / rows[0][0]
    print("| rules | source KB | parse s | check s | peak MB (parse + check) | time/rule vs smallest |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: |")
    for size, nbytes, parse_time, check_time, peak in rows:
        per_rule = (parse_time + check_time) / size / base
        print(
            f"| {size} | {nbytes / 1024:.0f} | {parse_time:.3f} | {check_time:.3f} | {peak:.1f} "
            f"| {per_rule:.2f} |"
        )


if __name__ == "__main__":
    main()
