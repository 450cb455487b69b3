"""The fixed workload of ../shared/bench-spec/ (SPEC.md), timed against its hand-written
reference in one process, interleaved.

    python benchmarks/bench_spec.py [--bench-spec ../shared/bench-spec] [--rounds 5] [--chunk 500]

``benchmarks/spec.fibro`` encodes SPEC.md. The script compiles it (graph JSON and
``--target python`` module, into a temporary directory), generates the 20,000 seeded
patients with the spec's own ``gen_patients.make_patients``, checks that every contender
gives the reference's ids for every patient, then times, chunk by chunk in turn (so that
load from other programs falls on all alike): ``reference.recommend``,
``Guideline.evaluate``, ``Guideline.evaluate(trace=False)``, ``Guideline.evaluate_many``,
the generated module's ``evaluate`` (the full result JSON) and ``decide`` (the lean
answer), each with validation and, for the module, without (``validate=False``, for
records already validated). Ratios are to the reference on the same chunk of patients,
timed just before: the median over every chunk of every round is the figure to quote (a
burst of load from other programs spoils a few chunks, not the median); the median of
the ratios of whole rounds is printed beside it.
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from types import ModuleType
from typing import Any

import fibrolang
from compiler import api
from compiler.backends.python.module import python_module

HERE = Path(__file__).resolve().parent
NAMES = {"current_treatment": "continue_current", "response": "reassess_4_6_weeks"}


def ids_of_result(result: fibrolang.Result) -> list[str]:
    """The SPEC.md ids of a result (the mapping spec.fibro's header describes)."""
    found = [NAMES.get(item.intervention, item.intervention) for item in result.recommendations]
    found += [flag.id for flag in result.flags] + ["avoid_" + item.intervention for item in result.avoid]
    found += [NAMES.get(item.what, item.what) for item in result.monitoring]
    return sorted(set(found))


def ids_of_json(result: dict[str, Any]) -> list[str]:
    found = [NAMES.get(item["intervention"], item["intervention"]) for item in result["recommendations"]]
    found += [flag["id"] for flag in result["flags"]] + [
        "avoid_" + item["intervention"] for item in result["avoid"]
    ]
    found += [NAMES.get(item["what"], item["what"]) for item in result["monitoring"]]
    return sorted(set(found))


def ids_of_decision(decision: tuple[Any, ...]) -> list[str]:
    _status, _missing, recommendations, avoid, flags, monitoring, _outputs = decision
    found = [NAMES.get(intervention, intervention) for intervention, _action in recommendations]
    found += (
        list(flags) + ["avoid_" + item for item in avoid] + [NAMES.get(item, item) for item in monitoring]
    )
    return sorted(set(found))


def import_file(path: Path, name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bench-spec", type=Path, default=HERE.parent.parent / "shared" / "bench-spec")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--chunk", type=int, default=200)
    args = parser.parse_args()

    sys.path.insert(0, str(args.bench_spec.resolve()))
    import gen_patients  # type: ignore[import-not-found]
    import reference  # type: ignore[import-not-found]

    patients = gen_patients.make_patients()
    document = api.compile_file(HERE / "spec.fibro")
    guideline = fibrolang.load(document)
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "bench_spec_module.py"
        path.write_text(python_module(guideline.graph), encoding="utf-8")
        module = import_file(path, "bench_spec_module")
    validated = [module.validate(patient) for patient in patients]

    def batch(function: Callable[[Any], Any], inputs: list[Any]) -> Callable[[int, int], Any]:
        def run(start: int, stop: int) -> Any:
            for patient in inputs[start:stop]:
                function(patient)

        return run

    def batch_with(
        function: Callable[[Any, bool], Any], inputs: list[Any], flag: bool
    ) -> Callable[[int, int], Any]:
        """``batch`` of ``function(patient, flag)``: called directly, as the reference is,
        not through a lambda (whose extra call only the contender would pay)."""

        def run(start: int, stop: int) -> Any:
            for patient in inputs[start:stop]:
                function(patient, flag)

        return run

    def many(trace: bool) -> Callable[[int, int], Any]:
        def run(start: int, stop: int) -> Any:
            for _result in guideline.evaluate_many(patients[start:stop], trace=trace):
                pass

        return run

    evaluate, decide = module.evaluate, module.decide
    contenders: dict[str, tuple[Callable[[int, int], Any], Iterable[list[str]]]] = {
        "reference.recommend": (batch(reference.recommend, patients), ()),
        "Guideline.evaluate": (
            batch(guideline.evaluate, patients),
            (ids_of_result(guideline.evaluate(p)) for p in patients),
        ),
        "Guideline.evaluate(trace=False)": (
            batch_with(guideline.evaluate, patients, False),
            (ids_of_result(guideline.evaluate(p, trace=False)) for p in patients),
        ),
        "Guideline.evaluate_many": (
            many(True),
            (ids_of_result(result) for result in guideline.evaluate_many(patients)),  # type: ignore[arg-type]
        ),
        "Guideline.evaluate_many(trace=False)": (
            many(False),
            (ids_of_result(result) for result in guideline.evaluate_many(patients, trace=False)),  # type: ignore[arg-type]
        ),
        "module.evaluate": (batch(evaluate, patients), (ids_of_json(evaluate(p)) for p in patients)),
        "module.evaluate(validate=False)": (
            batch_with(evaluate, validated, False),
            (ids_of_json(evaluate(p, False)) for p in validated),
        ),
        "module.decide": (batch(decide, patients), (ids_of_decision(decide(p)) for p in patients)),
        "module.decide(validate=False)": (
            batch_with(decide, validated, False),
            (ids_of_decision(decide(p, False)) for p in validated),
        ),
    }
    expected = [reference.recommend(patient) for patient in patients]
    for name, (_run, answers) in contenders.items():
        if name == "reference.recommend":
            continue
        wrong = sum(1 for got, want in zip(answers, expected, strict=True) if got != want)
        if wrong:
            raise SystemExit(f"{name} disagrees with the reference on {wrong} patients: not timed")
    print(f"all {len(contenders) - 1} contenders agree with reference.recommend on {len(patients)} patients")

    totals: dict[str, list[float]] = {name: [] for name in contenders}
    chunks: dict[str, list[float]] = {name: [] for name in contenders}  # ratio to the reference
    for _round in range(args.rounds):
        spent = dict.fromkeys(contenders, 0.0)
        for start in range(0, len(patients), args.chunk):
            base = 0.0
            for name, (run, _answers) in contenders.items():
                began = time.perf_counter()
                run(start, start + args.chunk)
                seconds = time.perf_counter() - began
                spent[name] += seconds
                base = base or seconds  # the reference runs first
                chunks[name].append(seconds / base)
        for name, seconds in spent.items():
            totals[name].append(seconds)
    print(f"{args.rounds} rounds of {len(patients)} patients, interleaved every {args.chunk}")
    print("| contender | µs/patient (fastest round) | × reference (chunks) | × (rounds) |")
    print("| --- | ---: | ---: | ---: |")
    reference_rounds = totals["reference.recommend"]
    for name, rounds in totals.items():
        ratios = [seconds / reference for seconds, reference in zip(rounds, reference_rounds, strict=True)]
        fastest = min(rounds) / len(patients) * 1e6
        print(
            f"| `{name}` | {fastest:.2f} | {statistics.median(chunks[name]):.2f} | "
            f"{statistics.median(ratios):.2f} |"
        )


if __name__ == "__main__":
    main()
