"""The parse of an edited guideline: the whole text against its pieces (compiler/front/incremental.py).

    python benchmarks/bench_incremental_parse.py [--guideline guidelines/fibromyalgia.fibro]
                                                 [--runs 7] [--callgrind]

For each edit of ``bench_startup.EDITS`` (a threshold, a quote, a new safety rule), each
measurement runs in a fresh process that first imports what ``fibrolang check`` imports
before it parses (``compiler.api``, ``compiler.cli``), then parses the edited text, timed:

- ``whole``: ``pipeline.parse_source``, as a check parses when no cache entry matches the
  text (before incremental parsing: every edit): import Lark, read the parser from its cache,
  compile the lexer's regular expressions for the states met, parse, build the tree;
- ``pieces``: ``parse_cache.parse`` with the cache left by a check of the text before the
  edit (a copy of it each time): the text cut into pieces, the unchanged ones read back
  and moved, the edited one parsed alone; then the tree's entry written, as a check does.

Runs are interleaved (one of each in turn); fastest and median wall times. ``--callgrind``
adds the instructions of one run of each under ``valgrind --tool=callgrind``, less those of
a process that only imports (so: the parse's own), which load does not change.

``--pickle`` measures instead, in one process, pickling the guideline's syntax tree and
reading it back (what the cache's entry costs), the syntax classes written through
``dataclasses``' own ``__getstate__``/``__setstate__`` against through ``copyreg`` as
``compiler/front/tree_pickle.py`` registers them; interleaved, fastest of ``--runs``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from bench_startup import EDITS, edited

ROOT = Path(__file__).resolve().parent.parent

CHILD = r"""
import json, sys, time
from pathlib import Path
from compiler import api, cli, parse_cache  # noqa: F401  (what a check imports before parsing)
from compiler.front.pipeline import parse_source
from compiler.front.source import SourceText
mode, file, text_path, cache = sys.argv[1:5]
source = SourceText(file, Path(text_path).read_text(encoding="utf-8"))
began = time.perf_counter()
if mode == "whole":
    guideline, problems = parse_source(source)
elif mode == "pieces":
    guideline, problems = parse_cache.parse(source, Path(cache))
else:
    guideline, problems = None, []
spent = time.perf_counter() - began
assert mode == "imports" or (guideline is not None and not problems), problems
print(json.dumps(spent))
"""


def child(mode: str, file: str, text: Path, cache: Path, callgrind: bool = False) -> float:
    environment = {**os.environ, "PYTHONPATH": str(ROOT), "FIBROLANG_CACHE_DIR": str(cache)}
    command = [sys.executable, "-c", CHILD, mode, file, str(text), str(cache)]
    if callgrind:
        command = ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", *command]
    done = subprocess.run(command, cwd=ROOT, env=environment, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{mode} failed:\n{done.stdout}{done.stderr}")
    if callgrind:
        for line in done.stderr.splitlines():
            if "Collected :" in line:
                return int(line.rsplit(":", 1)[1].strip())
        raise SystemExit(f"no instruction count from valgrind:\n{done.stderr}")
    return float(json.loads(done.stdout.splitlines()[-1]))


def pickling(guideline: Path, runs: int) -> None:
    import copyreg
    import gc
    import io
    import pickle
    import time

    sys.path.insert(0, str(ROOT))
    from compiler.front import tree_pickle
    from compiler.front.pipeline import parse_text

    parsed = parse_text(guideline.read_text(encoding="utf-8"), str(guideline))
    ours = {c: copyreg.dispatch_table[c] for c in tree_pickle.ALLOWED.values() if c in copyreg.dispatch_table}
    ways = {
        "dataclasses' __getstate__/__setstate__": lambda: [copyreg.dispatch_table.pop(c, None) for c in ours],
        "copyreg (tree_pickle)": lambda: copyreg.dispatch_table.update(ours),
    }
    found: dict[str, tuple[list[float], list[float], int]] = {way: ([], [], 0) for way in ways}
    gc.disable()
    for _ in range(runs):
        for way, use in ways.items():
            use()
            began = time.perf_counter()
            data = pickle.dumps(parsed, protocol=5)
            pickled = time.perf_counter()
            tree_pickle.SyntaxUnpickler(io.BytesIO(data)).load()
            read = time.perf_counter()
            dumps, loads, _ = found[way]
            dumps.append(pickled - began)
            loads.append(read - pickled)
            found[way] = (dumps, loads, len(data))
    gc.enable()
    print(f"{guideline}: its syntax tree pickled and read back, fastest of {runs}, interleaved")
    print("| syntax classes written through | pickle (ms) | read back (ms) | bytes |")
    print("| --- | ---: | ---: | ---: |")
    for way, (dumps, loads, size) in found.items():
        print(f"| {way} | {min(dumps) * 1e3:.1f} | {min(loads) * 1e3:.1f} | {size:,} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--guideline", default="guidelines/fibromyalgia.fibro")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--callgrind", action="store_true")
    parser.add_argument("--pickle", action="store_true", help="pickling the syntax tree, two ways")
    args = parser.parse_args()
    guideline = Path(args.guideline)
    if args.pickle:
        pickling(guideline, args.runs)
        return
    original = guideline.read_text(encoding="utf-8")
    file = str(guideline)
    with tempfile.TemporaryDirectory() as scratch:
        place = Path(scratch)
        before, warmed = place / "before.fibro", place / "warmed"
        before.write_text(original, encoding="utf-8")
        child("pieces", file, before, warmed)  # a check of the text before the edit
        times: dict[tuple[str, str], list[float]] = {}
        counts: dict[tuple[str, str], float] = {}
        for round_ in range(args.runs + 1):  # round 0 warms the file cache, not counted
            for edit in EDITS:
                text = place / f"{edit}.fibro"
                text.write_text(edited(original, edit), encoding="utf-8")
                for mode in ("whole", "pieces"):
                    cache = place / f"cache-{mode}"
                    shutil.rmtree(cache, ignore_errors=True)
                    shutil.copytree(warmed, cache)
                    measured = child(mode, file, text, cache)
                    if round_:
                        times.setdefault((edit, mode), []).append(measured)
                    if round_ == 0 and args.callgrind:
                        shutil.rmtree(cache)
                        shutil.copytree(warmed, cache)
                        counts[(edit, mode)] = child(mode, file, text, cache, callgrind=True)
        imports = child("imports", file, before, warmed, callgrind=True) if args.callgrind else 0
    print(f"{guideline}: the parse of the edited text, {args.runs} runs of each, interleaved")
    print("| edit | whole: fastest / median (ms) | pieces: fastest / median (ms) |", end="")
    print(" whole (M instructions) | pieces (M instructions) |" if args.callgrind else "")
    print("| --- | ---: | ---: |" + (" ---: | ---: |" if args.callgrind else ""))
    for edit in EDITS:
        cells = [
            f"{min(times[(edit, m)]) * 1e3:.1f} / {statistics.median(times[(edit, m)]) * 1e3:.1f}"
            for m in ("whole", "pieces")
        ]
        if args.callgrind:
            cells += [f"{(counts[(edit, m)] - imports) / 1e6:.0f}" for m in ("whole", "pieces")]
        print(f"| {edit} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
