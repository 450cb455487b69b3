"""How long ``fibrolang.load`` takes, and how that grows with the edges of the graph.

    python benchmarks/bench_load.py [--edges 10 30 100 300 1000] [--repeat 30] [--clock cpu]
        [--guidelines guidelines/fibromyalgia.fibro] [--no-module]

Each synthetic guideline (benchmarks/synthetic.py, the chain of decisions the
test-generator and proof benchmarks use: about three edges per decision) is compiled
once to its graph JSON file; then, in turn for every size (so that load from other
programs falls on all alike), ``fibrolang.load(path)`` is timed ``--repeat`` times, split
into its phases: reading and parsing the JSON text, checking its integrity hash
(``graph_hash``), the graph model (``read_graph``: reading and validating every field),
and compiling (``Guideline(graph)``: the closures, the steps and the patient validator),
with the garbage collector paused as ``load`` pauses it.
Each load starts after a full garbage collection (not timed). The fastest and the median
of the whole load, the median of each phase, in milliseconds; µs per edge from the fastest.
``--guidelines`` adds real guidelines (their graphs compiled the same way) as rows.

A second table (left out with ``--no-module``) gives, for the same guidelines, the
import time of the module ``fibrolang compile --target python`` writes, from its
byte-code cache (written beforehand with ``py_compile``, as an installed package has
it): in this process (``importlib.import_module`` after removing the module from
``sys.modules``; the fastest and the median of ``--repeat``), and in a fresh interpreter
(``python -X importtime -c "import MODULE"``: the module's own time, and with what it
imports; the fastest of three), beside a fresh interpreter's ``import fibrolang`` and
``fibrolang.load`` of the graph file (its CPU time, from byte code: the fastest of four
runs, the first of which writes it). A guideline the
Python target refuses is listed with its reason.

A third table gives what two alternatives to the graph file would save on the
largest synthetic graph: parsing (and hashing) the same document written compactly
(no indentation), and reading it back with ``marshal`` (as a data-only cache would).

A fourth table gives a floor for the largest synthetic graph: parsing and hashing its
file, then making the typed graph's objects again from their field values already in
hand (``graph_quick.builder``, the cheapest constructor of a frozen, slotted dataclass:
no reading, no checking), and making as many bare three-slot objects as compiling the
graph makes objects: what any load that builds this model and compiles it eagerly
must spend before it checks a single field.
"""

from __future__ import annotations

import argparse
import dataclasses
import gc
import hashlib
import importlib
import json
import marshal
import os
import py_compile
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from synthetic import synthetic_guideline

import fibrolang
from compiler import api
from compiler.backends.python.module import PythonTargetError, python_module
from fibrolang import integrity
from fibrolang.graph_quick import builder
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
    parser.add_argument(
        "--guidelines", type=Path, nargs="*", default=[], help="real guidelines (.fibro) to add as rows"
    )
    parser.add_argument("--no-module", action="store_true", help="leave out the Python module's import")
    args = parser.parse_args()
    clock = time.process_time if args.clock == "cpu" else time.perf_counter
    with tempfile.TemporaryDirectory() as scratch:
        sources: dict[str, Path] = {}
        for edges in args.edges:
            rules = max(1, round(edges / 3))
            source = Path(scratch) / f"synthetic_{edges}.fibro"
            source.write_text(synthetic_guideline(rules), encoding="utf-8")
            sources[f"synthetic_{edges}"] = source
        for guideline in args.guidelines:
            sources[guideline.stem] = guideline.resolve()
        files: dict[str, tuple[Path, int, int]] = {}
        graphs: dict[str, dict[str, Any]] = {}
        for name, source in sources.items():
            graph = api.compile_file(source)
            path = Path(scratch) / f"{name}.graph.json"
            path.write_text(canonical_text(graph), encoding="utf-8")  # as `fibrolang compile` writes
            counted = sum(
                len(node.get("branches", ())) + ("next" in node) for node in graph["nodes"].values()
            )
            files[name] = (path, counted, path.stat().st_size)
            graphs[name] = graph
            fibrolang.load(path)  # warm
        time_loads(files, args.repeat, clock, args.clock)
        if not args.no_module:
            time_module_imports(graphs, files, Path(scratch), args.repeat, clock)
        largest = max(files, key=lambda name: files[name][1])
        time_alternatives(graphs[largest], files[largest], args.repeat, clock)
        time_floor(files[largest], args.repeat, clock)


def _label(name: str, counted: int) -> str:
    return str(counted) if name.startswith("synthetic_") else f"{name} ({counted})"


def time_loads(
    files: dict[str, tuple[Path, int, int]], repeat: int, clock: Callable[[], float], clock_name: str
) -> None:
    phases: dict[str, dict[str, list[float]]] = {
        name: {"load": [], "json": [], "hash": [], "model": [], "compile": []} for name in files
    }
    for _ in range(repeat):
        for name, (path, _counted, _size) in files.items():
            gc.collect()  # each load starts from the same heap, not amid another's garbage
            began = clock()
            fibrolang.load(path)
            loaded = clock()
            gc.disable()  # as ``load`` does
            raw = path.read_bytes()
            document = json.loads(raw.decode("utf-8"))
            parsed = clock()
            integrity.verify(document, raw)
            verified = clock()
            graph = read_graph(document)
            modelled = clock()
            Guideline(graph)
            compiled = clock()
            gc.enable()
            spent = phases[name]
            spent["load"].append(loaded - began)
            spent["json"].append(parsed - loaded)
            spent["hash"].append(verified - parsed)
            spent["model"].append(modelled - verified)
            spent["compile"].append(compiled - modelled)
    print(f"{repeat} loads of each, interleaved (ms, {clock_name} clock)")
    print(
        "| edges | graph JSON KB | load, fastest | load, median | JSON | hash | graph model | compile "
        "| µs/edge |"
    )
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for name, (_path, counted, size) in files.items():
        median = {phase: statistics.median(values) * 1000 for phase, values in phases[name].items()}
        fastest = min(phases[name]["load"]) * 1000
        print(
            f"| {_label(name, counted)} | {size / 1024:.0f} | {fastest:.2f} | {median['load']:.2f} | "
            f"{median['json']:.2f} | {median['hash']:.2f} | {median['model']:.2f} | "
            f"{median['compile']:.2f} | "
            f"{fastest / counted * 1000:.1f} |"
        )


def time_module_imports(
    graphs: dict[str, dict[str, Any]],
    files: dict[str, tuple[Path, int, int]],
    scratch: Path,
    repeat: int,
    clock: Callable[[], float],
) -> None:
    """The import time of each guideline's generated Python module, from its byte code."""
    directory = scratch / "modules"
    directory.mkdir()
    rows: list[str] = []
    sys.path.insert(0, str(directory))
    try:
        for name, graph in graphs.items():
            label = _label(name, files[name][1])
            module = f"bench_load_{name}"
            try:
                text = python_module(fibrolang.load(graph).graph)
            except PythonTargetError as refused:
                rows.append(f"| {label} | refused: {str(refused).splitlines()[0]} | | | | | |")
                continue
            except RecursionError:
                rows.append(f"| {label} | failed: RecursionError in the Python target | | | | | |")
                continue
            source = directory / f"{module}.py"
            source.write_text(text, encoding="utf-8")
            py_compile.compile(str(source), cfile=importlib.util.cache_from_source(str(source)), doraise=True)
            importlib.invalidate_caches()
            spent = []
            for _ in range(repeat):
                sys.modules.pop(module, None)
                gc.collect()
                began = clock()
                importlib.import_module(module)
                spent.append(clock() - began)
            sys.modules.pop(module, None)
            own, total = min(_fresh_import(directory, module) for _ in range(3))
            runtime = min(_fresh_load(files[name][0], scratch / "pycache") for _ in range(4))
            rows.append(
                f"| {label} | {source.stat().st_size / 1024:.0f} | {min(spent) * 1000:.2f} | "
                f"{statistics.median(spent) * 1000:.2f} | {own:.2f} | {total:.2f} | {runtime:.2f} |"
            )
    finally:
        sys.path.remove(str(directory))
    print()
    print(
        "The generated Python module (`fibrolang compile --target python`), imported from its byte code (ms)"
    )
    print(
        "| edges | module KB | import, fastest | import, median | fresh process: module | with its imports "
        "| fresh process: import fibrolang, load the graph |"
    )
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for row in rows:
        print(row)


def _fresh_import(directory: Path, module: str) -> tuple[float, float]:
    """The module's own and cumulative import time in a fresh interpreter (ms)."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", f"import {module}"],
        cwd=directory,
        capture_output=True,
        text=True,
        check=True,
    )
    for line in done.stderr.splitlines():
        found = re.fullmatch(r"import time:\s*(\d+) \|\s*(\d+) \| (.*)", line)
        if found and found.group(3).strip() == module:
            return int(found.group(1)) / 1000, int(found.group(2)) / 1000
    raise RuntimeError(f"no import time for {module}")


_LOAD = """
import sys, time
began = time.process_time()
import fibrolang
fibrolang.load(sys.argv[1])
print((time.process_time() - began) * 1000)
"""


def _fresh_load(path: Path, pycache: Path) -> float:
    """``import fibrolang`` and ``fibrolang.load(path)`` in a fresh interpreter (ms, CPU),
    with the runtime's byte code cached under ``pycache`` (written by the first run)."""
    environment = {**os.environ, "PYTHONPYCACHEPREFIX": str(pycache)}
    environment.pop("PYTHONDONTWRITEBYTECODE", None)
    done = subprocess.run(
        [sys.executable, "-c", _LOAD, str(path)], capture_output=True, text=True, check=True, env=environment
    )
    return float(done.stdout)


def time_alternatives(
    graph: dict[str, Any], file: tuple[Path, int, int], repeat: int, clock: Callable[[], float]
) -> None:
    """What a compact graph file, or a data-only marshal cache, would save on its reading."""
    path, counted, _size = file
    indented = path.read_bytes()
    compact = (
        json.dumps(graph, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8") + b"\n"
    )
    cached = marshal.dumps(json.loads(indented))
    contenders: dict[str, tuple[int, Callable[[], object]]] = {
        "indented canonical JSON (today): parse": (len(indented), lambda: json.loads(indented.decode())),
        "indented canonical JSON (today): SHA-256": (
            len(indented),
            lambda: hashlib.sha256(indented).digest(),
        ),
        "compact JSON: parse": (len(compact), lambda: json.loads(compact.decode())),
        "compact JSON: SHA-256": (len(compact), lambda: hashlib.sha256(compact).digest()),
        "marshal of the parsed document: read": (len(cached), lambda: marshal.loads(cached)),
    }
    spent: dict[str, list[float]] = {name: [] for name in contenders}
    for _ in range(repeat):
        for name, (_length, run) in contenders.items():
            gc.collect()
            began = clock()
            run()
            spent[name].append(clock() - began)
    print()
    print(f"Alternatives to reading the graph file, at {counted} edges (ms)")
    print("| reading | KB | fastest | median |")
    print("| --- | ---: | ---: | ---: |")
    for name, (length, _run) in contenders.items():
        print(
            f"| {name} | {length / 1024:.0f} | {min(spent[name]) * 1000:.2f} | "
            f"{statistics.median(spent[name]) * 1000:.2f} |"
        )


def _model_objects(graph: object) -> list[object]:
    """Every dataclass object of the typed graph, each once, in the order a walk meets them."""
    found: list[object] = []
    seen: set[int] = set()
    pending = [graph]
    while pending:
        value = pending.pop()
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            if id(value) in seen:
                continue
            seen.add(id(value))
            found.append(value)
            pending.extend(getattr(value, field.name) for field in dataclasses.fields(value))
        elif isinstance(value, tuple | list):
            pending.extend(value)
        elif isinstance(value, dict):
            pending.extend(value.values())
    return found


class _Bare:
    __slots__ = ("a", "b", "c")

    a: int
    b: int
    c: int


def time_floor(file: tuple[Path, int, int], repeat: int, clock: Callable[[], float]) -> None:
    """What an eager load of this graph must spend before it checks anything (see the docstring)."""
    path, counted, _size = file
    raw = path.read_bytes()
    text = raw.decode("utf-8")
    graph = read_graph(json.loads(text))
    objects = _model_objects(graph)
    plans = [
        (builder(type(made)), tuple(getattr(made, name) for name in vars(type(made))["__slots__"]))
        for made in objects
    ]
    gc.collect()
    before = len(gc.get_objects())
    kept = Guideline(graph)
    compiled = len(gc.get_objects()) - before
    del kept

    def rebuild() -> None:
        for build, values in plans:
            build(*values)

    def bare() -> None:
        for number in range(compiled):
            made = _Bare()
            made.a = made.b = made.c = number

    contenders: dict[str, Callable[[], object]] = {
        "parse the JSON text": lambda: json.loads(text),
        "SHA-256 of the file": lambda: hashlib.sha256(raw).digest(),
        f"make the typed graph's {len(objects):,} objects from their field values": rebuild,
        f"make {compiled:,} bare objects (as many as compiling makes)": bare,
    }
    spent: dict[str, list[float]] = {name: [] for name in contenders}
    collecting = gc.isenabled()
    gc.disable()
    try:
        for _ in range(repeat):
            for name, run in contenders.items():
                began = clock()
                run()
                spent[name].append(clock() - began)
    finally:
        if collecting:
            gc.enable()
    print()
    print(f"Floor of an eager load at {counted} edges (ms, the collector paused as load pauses it)")
    print("| work | fastest | median |")
    print("| --- | ---: | ---: |")
    for name in contenders:
        print(f"| {name} | {min(spent[name]) * 1000:.2f} | {statistics.median(spent[name]) * 1000:.2f} |")
    total = sum(min(times) for times in spent.values()) * 1000
    print(f"| together (sum of the fastest) | {total:.2f} | |")


if __name__ == "__main__":
    main()
