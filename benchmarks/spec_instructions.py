"""One contender of bench_spec.py on the first patients of the SPEC.md workload, for counting
instructions with valgrind on a machine too busy for the clock.

    valgrind --tool=callgrind python benchmarks/spec_instructions.py CONTENDER N

runs 50 warm-up patients, then N more, with the garbage collector off (its passes, over
every object of the process, would land on whichever contender allocates when one is
due). The instructions per patient are the difference between the runs with N and with
0, divided by N (run both with the same PYTHONHASHSEED).
Contenders: reference, lean (``Guideline.evaluate(p, False)``), full
(``Guideline.evaluate(p)``), check (validation alone), decide and decide-unvalidated (the
generated module's ``decide(p)`` and ``decide(p, False)`` on validated records).
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import fibrolang
from compiler import api
from compiler.backends.python.module import python_module

HERE = Path(__file__).resolve().parent
WARM_UP = 50


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "contender", choices=("reference", "lean", "full", "check", "decide", "decide-unvalidated")
    )
    parser.add_argument("patients", type=int)
    parser.add_argument("--bench-spec", type=Path, default=HERE.parent.parent / "shared" / "bench-spec")
    args = parser.parse_args()

    sys.path.insert(0, str(args.bench_spec.resolve()))
    import gen_patients  # type: ignore[import-not-found]
    import reference  # type: ignore[import-not-found]

    every = gen_patients.make_patients()
    guideline = fibrolang.load(api.compile_file(HERE / "spec.fibro"))
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "spec_instructions_module.py"
        path.write_text(python_module(guideline.graph), encoding="utf-8")
        spec = importlib.util.spec_from_file_location("spec_instructions_module", path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    if args.contender == "decide-unvalidated":  # all of them, whatever N: the same work in both runs
        every = [module.validate(patient) for patient in every]
    records = every[: WARM_UP + args.patients]

    evaluate, check, decide = guideline.evaluate, guideline.validate, module.decide
    recommend = reference.recommend
    runs: dict[str, Callable[[list[Any]], object]] = {
        "reference": lambda batch: [recommend(patient) for patient in batch],
        "lean": lambda batch: [evaluate(patient, False) for patient in batch],
        "full": lambda batch: [evaluate(patient) for patient in batch],
        "check": lambda batch: [check(patient) for patient in batch],
        "decide": lambda batch: [decide(patient) for patient in batch],
        "decide-unvalidated": lambda batch: [decide(patient, False) for patient in batch],
    }
    run = runs[args.contender]
    gc.disable()
    run(records[:WARM_UP])
    run(records[WARM_UP:])


if __name__ == "__main__":
    main()
