"""Benchmark the runtime: load time and evaluations per second over synthetic patients.

    python benchmarks/bench_evaluate.py --graph build/refractory_fibromyalgia.graph.json \
        --patients 20000 [--seed 7] [--missing 0.1] [--reference mymodule:evaluate_by_hand]

Patients are generated from the graph's declared inputs with a seeded random
generator: each input is present with probability 1 - missing; numbers lie in
the declared bounds (some as {"value", "unit"} quantities); sets and maps get
random members. With ``--reference MODULE:FUNC`` the same patients go through
a hand-written Python function of the same logic, in the same process, and
the ratio runtime/reference is reported (the target is at most 2.0).
"""

from __future__ import annotations

import argparse
import importlib
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import fibrolang
from fibrolang.graph import BooleanType, EnumType, Graph, MapType, NumberType, SetType, ValueType


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
            number: Any = (rng.randint(int(low), int(high)) if declared.integral
                           else round(rng.uniform(low, high), 1))
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
        return {key: {field.name: value_of(field.type) for field in record.fields
                      if rng.random() >= missing}
                for key in rng.sample(keys, rng.randint(0, len(keys)))}

    return [{declared.name: value_of(declared.type) for declared in graph.inputs
             if rng.random() >= missing} for _ in range(count)]


def _timed(function: Callable[[dict[str, Any]], Any], patients: list[dict[str, Any]],
           expected: tuple[type[Exception], ...]) -> tuple[float, dict[str, int]]:
    """Best of three passes (seconds per pass) and the tally of outcomes of the last."""
    best = float("inf")
    tally: dict[str, int] = {}
    for _ in range(3):
        tally = {}
        start = time.perf_counter()
        for patient in patients:
            try:
                outcome = function(patient)
                key = (outcome.get("status", "returned") if isinstance(outcome, dict)
                       else getattr(outcome, "status", "returned"))
            except expected as error:
                key = type(error).__name__
            tally[key] = tally.get(key, 0) + 1
        best = min(best, time.perf_counter() - start)
    return best, dict(sorted(tally.items()))


def _reference(spec: str) -> Callable[[dict[str, Any]], Any]:
    module_name, _, function_name = spec.partition(":")
    if not function_name:
        raise SystemExit(f"--reference wants MODULE:FUNC, got {spec!r}")
    sys.path.insert(0, str(Path.cwd()))
    function: Callable[[dict[str, Any]], Any] = getattr(importlib.import_module(module_name),
                                                        function_name)
    return function


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--graph", required=True, type=Path, help="graph JSON file")
    parser.add_argument("--patients", type=int, default=10000, help="synthetic patients")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--missing", type=float, default=0.1,
                        help="probability that an input or record field is left out")
    parser.add_argument("--reference", help="MODULE:FUNC, a hand-written function of a "
                        "patient dict implementing the same logic")
    args = parser.parse_args(argv)

    start = time.perf_counter()
    guideline = fibrolang.load(args.graph)
    load_seconds = time.perf_counter() - start
    patients = synthetic_patients(guideline.graph, args.patients, args.seed, args.missing)
    seconds, tally = _timed(guideline.evaluate, patients,
                            (fibrolang.SafetyViolation, fibrolang.GuidelineError))
    print(f"guideline     {guideline.id} {guideline.version}")
    print(f"load          {load_seconds * 1000:.1f} ms")
    print(f"patients      {len(patients)} (seed {args.seed}, missing {args.missing})")
    print(f"runtime       {len(patients) / seconds:,.0f} evaluations/s "
          f"({seconds / len(patients) * 1e6:.2f} µs each)")
    print(f"outcomes      {tally}")
    if args.reference:
        reference_seconds, reference_tally = _timed(_reference(args.reference), patients,
                                             (Exception,))
        print(f"reference     {len(patients) / reference_seconds:,.0f} evaluations/s "
              f"({reference_seconds / len(patients) * 1e6:.2f} µs each)")
        print(f"outcomes      {reference_tally}")
        print(f"ratio         {seconds / reference_seconds:.2f} (runtime / reference; "
              "target <= 2.0)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
