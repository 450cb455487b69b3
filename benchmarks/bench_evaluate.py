"""Benchmark the runtime: graph load time, evaluations per second, and the ratio to hand-written
Python, in one run.

    python benchmarks/bench_evaluate.py --graph build/fibromyalgia.graph.json \
        --reference benchmarks/reference_fibromyalgia.py:evaluate_fibromyalgia \
        [--patients 100000] [--rounds 5] [--seed 7] [--missing 0.1]

Load: ``fibrolang.load(path)`` (read the JSON, build the graph model, compile
every expression into closures, build the patient validator), timed ``--loads``
times; the median is reported with its parts.

Patients are generated from the graph's declared inputs with a seeded random
generator: each input (and each field of a map entry) is present with
probability 1 - missing; numbers lie in the declared bounds (some as
{"value", "unit"} quantities); sets and maps get random members. They are all
generated before timing.

With ``--reference MODULE:FUNC`` (or ``path/to/file.py:FUNC``) the same patients
go through a hand-written Python function of the same logic, in the same
process. Within each round (one pass of both over all patients) they alternate
chunk by chunk (``--chunk`` patients), so that the load other programs put on
the machine falls on both alike; each round gives a ratio runtime/reference,
and the median ratio is the figure to quote (the target is at most 2.0).
Evaluations per second are from the fastest round.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import json
import os
import platform
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import fibrolang
from fibrolang.graph import BooleanType, EnumType, Graph, MapType, NumberType, SetType, ValueType

Evaluate = Callable[[dict[str, Any]], Any]


def synthetic_patients(graph: Graph, count: int, seed: int, missing: float) -> list[dict[str, Any]]:
    """``count`` valid patient records for ``graph``, the same for the same seed."""
    rng = random.Random(seed)
    enums = {enum.name: enum.members for enum in graph.enums}
    records = {record.name: record for record in graph.records}

    def value_of(declared: ValueType) -> Any:
        if isinstance(declared, BooleanType):
            return rng.random() < 0.5
        if isinstance(declared, NumberType):
            low = declared.minimum if declared.minimum is not None else 0
            high = declared.maximum if declared.maximum is not None else max(low, 0) + 100
            number: Any = (
                rng.randint(int(low), int(high)) if declared.integral else round(rng.uniform(low, high), 1)
            )
            if declared.unit and rng.random() < 0.2:
                return {"value": number, "unit": declared.unit}
            return number
        if isinstance(declared, EnumType):
            return rng.choice(enums[declared.enum])
        if isinstance(declared, SetType):
            members = enums[declared.enum]
            return rng.sample(members, rng.randint(0, len(members)))
        assert isinstance(declared, MapType)
        keys = enums[declared.key]
        record = records[declared.record]
        return {
            key: {field.name: value_of(field.type) for field in record.fields if rng.random() >= missing}
            for key in rng.sample(keys, rng.randint(0, len(keys)))
        }

    return [
        {declared.name: value_of(declared.type) for declared in graph.inputs if rng.random() >= missing}
        for _ in range(count)
    ]


def _outcome(value: Any) -> str:
    if isinstance(value, dict):
        return str(value.get("status", "returned"))
    return str(getattr(value, "status", "returned"))


def _timed(function: Evaluate, patients: list[dict[str, Any]], tally: dict[str, int]) -> float:
    """Seconds for one pass over the patients; their outcomes are added to ``tally``."""
    start = time.perf_counter()
    for patient in patients:
        try:
            key = _outcome(function(patient))
        except Exception as error:  # a safety violation or a rejected record: counted
            key = type(error).__name__
        tally[key] = tally.get(key, 0) + 1
    return time.perf_counter() - start


def _round(
    functions: list[Evaluate], patients: list[dict[str, Any]], chunk: int
) -> tuple[list[float], list[dict[str, int]]]:
    """One pass of every function over all patients, interleaved chunk by chunk.

    Each chunk goes through every function before the next chunk starts, in an order
    that alternates from chunk to chunk, so that a burst of load from other programs
    falls on all of them alike and none always runs on warm caches.
    """
    seconds = [0.0] * len(functions)
    tallies: list[dict[str, int]] = [{} for _ in functions]
    order = list(range(len(functions)))
    for start in range(0, len(patients), chunk):
        part = patients[start : start + chunk]
        for index in order:
            seconds[index] += _timed(functions[index], part, tallies[index])
        order.reverse()
    return seconds, [dict(sorted(tally.items())) for tally in tallies]


def _reference(spec: str) -> Evaluate:
    """``MODULE:FUNC`` (importable from the current directory) or ``path/file.py:FUNC``."""
    target, _, function_name = spec.rpartition(":")
    if not target or not function_name:
        raise SystemExit(f"--reference wants MODULE:FUNC or FILE.py:FUNC, got {spec!r}")
    if target.endswith(".py"):
        module_spec = importlib.util.spec_from_file_location(Path(target).stem, target)
        if module_spec is None or module_spec.loader is None:
            raise SystemExit(f"--reference: cannot load {target}")
        module = importlib.util.module_from_spec(module_spec)
        sys.modules[module_spec.name] = module
        module_spec.loader.exec_module(module)
    else:
        sys.path.insert(0, str(Path.cwd()))
        module = importlib.import_module(target)
    function: Evaluate = getattr(module, function_name)
    return function


def _load_times(path: Path, loads: int) -> dict[str, float]:
    """Median milliseconds of ``fibrolang.load(path)`` and of its parts, over ``loads`` loads."""
    parts: dict[str, list[float]] = {"total": [], "read JSON": [], "graph model": [], "compile": []}
    for _ in range(loads):
        start = time.perf_counter()
        fibrolang.load(path)
        parts["total"].append(time.perf_counter() - start)
        start = time.perf_counter()
        document = json.loads(path.read_text(encoding="utf-8"))
        read = time.perf_counter()
        graph = fibrolang.read_graph(document)
        modelled = time.perf_counter()
        fibrolang.Guideline(graph)
        compiled = time.perf_counter()
        parts["read JSON"].append(read - start)
        parts["graph model"].append(modelled - read)
        parts["compile"].append(compiled - modelled)
    return {name: statistics.median(times) * 1000 for name, times in parts.items()}


def _machine() -> str:
    cpus = os.cpu_count()
    try:
        usable = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        usable = cpus or 0
    return (
        f"{platform.system()} {platform.machine()}, {usable} usable CPUs (nproc) of {cpus}, "
        f"{platform.python_implementation()} {platform.python_version()}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--graph", required=True, type=Path, help="graph JSON file")
    parser.add_argument("--patients", type=int, default=100_000, help="synthetic patients")
    parser.add_argument(
        "--rounds",
        type=int,
        default=5,
        help="timed passes over all patients, runtime and reference alternating",
    )
    parser.add_argument(
        "--chunk",
        type=int,
        default=500,
        help="patients per chunk; runtime and reference alternate chunk by chunk",
    )
    parser.add_argument("--loads", type=int, default=20, help="graph loads timed")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--missing", type=float, default=0.1, help="probability that an input or record field is left out"
    )
    parser.add_argument(
        "--reference",
        help="MODULE:FUNC or FILE.py:FUNC, a hand-written function "
        "of a patient dict implementing the same logic",
    )
    args = parser.parse_args(argv)

    load = _load_times(args.graph, max(1, args.loads))
    guideline = fibrolang.load(args.graph)
    reference = _reference(args.reference) if args.reference else None
    patients = synthetic_patients(guideline.graph, args.patients, args.seed, args.missing)
    count = len(patients)

    print(f"machine       {_machine()}")
    print(f"guideline     {guideline.id} {guideline.version} ({args.graph})")
    print(
        f"load          {load['total']:.2f} ms (median of {args.loads}): read JSON "
        f"{load['read JSON']:.2f} ms, graph model {load['graph model']:.2f} ms, compile "
        f"closures and validator {load['compile']:.2f} ms"
    )
    print(f"patients      {count} synthetic (seed {args.seed}, missing {args.missing})")

    functions: list[Evaluate] = [guideline.evaluate] + ([reference] if reference else [])
    runtime_times: list[float] = []
    reference_times: list[float] = []
    ratios: list[float] = []
    tallies: list[dict[str, int]] = []
    print("round         runtime µs/patient   reference µs/patient   ratio")
    for round_number in range(1, max(1, args.rounds) + 1):
        seconds, tallies = _round(functions, patients, args.chunk)
        runtime_times.append(seconds[0])
        line = f"{round_number:<13} {seconds[0] / count * 1e6:>17.2f}"
        if reference is not None:
            reference_times.append(seconds[1])
            ratios.append(seconds[0] / seconds[1])
            line += f"   {seconds[1] / count * 1e6:>20.2f}   {ratios[-1]:5.2f}"
        print(line)

    best = min(runtime_times)
    print(
        f"runtime       {count / best:,.0f} evaluations/s ({best / count * 1e6:.2f} µs/patient, "
        f"fastest round; median {statistics.median(runtime_times) / count * 1e6:.2f})"
    )
    print(f"outcomes      {tallies[0]}")
    if reference is not None:
        best_reference = min(reference_times)
        print(
            f"reference     {count / best_reference:,.0f} evaluations/s "
            f"({best_reference / count * 1e6:.2f} µs/patient, fastest round; median "
            f"{statistics.median(reference_times) / count * 1e6:.2f})"
        )
        print(f"outcomes      {tallies[1]}")
        agree = "same outcomes" if tallies[1] == tallies[0] else "OUTCOMES DIFFER"
        print(
            f"ratio         {statistics.median(ratios):.2f} median of {len(ratios)} rounds "
            f"(min {min(ratios):.2f}, max {max(ratios):.2f}; runtime / reference, target <= 2.0; "
            f"{agree})"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
