"""Where the time of ``fibrolang check`` goes, as a whole process and phase by phase.

    python benchmarks/bench_startup.py [--guideline guidelines/fibromyalgia.fibro] [--runs 7]
                                       [--against /work/main]

Part 1 runs, interleaved (one of each in turn, ``--runs`` times, so that load from
other programs falls on all alike): the bare interpreter, ``import z3``, ``import
compiler.cli``, ``fibrolang check --no-prove``, ``fibrolang check --no-cache`` (cold: every
proof made afresh) and ``fibrolang check`` with the proof cache warm (the proofs of the
unchanged guideline read from ``compiler/proof_cache.py``'s entry, made by the warm-up
run; the cache is a temporary directory, never the user's); it reports the fastest and the
median wall time of each, and its CPU time (user + system: what a loaded machine inflates
least). ``--against DIR`` adds ``fibrolang check`` of
another checkout (main, say) and of this one, both run as ``python -c "from compiler.cli
import main; main()" check ...`` from their own directory, to the same interleaving: a
before/after in one run, under the same load.

Part 2 runs ``fibrolang check`` in a fresh process that times its phases: importing the
command line (click, the front end, the runtime), checking (parse with the cached Lark
parser, names, types, units...), importing the prover (z3 and compiler.analysis), and
proving, split into the time z3 spends in its solver (every ``check`` call) and the rest
(building the path conditions, encoding, slicing, replaying counterexamples); with
``--against``, for both checkouts side by side.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PHASES = r"""
import json, sys, time
began = time.perf_counter()
from compiler import api, cli  # noqa: F401  (what `fibrolang check` imports first)
imported = time.perf_counter()
checked = api.check_file(sys.argv[1], api.SourceCache())
checked_at = time.perf_counter()
import z3
import compiler.analysis  # noqa: F401
prover_imported = time.perf_counter()
solver = [0.0, 0]
original = z3.z3.Z3_solver_check_assumptions
def timed(*args):
    start = time.perf_counter()
    try:
        return original(*args)
    finally:
        solver[0] += time.perf_counter() - start
        solver[1] += 1
z3.z3.Z3_solver_check_assumptions = timed
found = api.prove(checked, timeout_ms=10_000)
proved = time.perf_counter()
print(json.dumps({
    "import command line": imported - began,
    "check (parse + checker)": checked_at - imported,
    "import z3 + compiler.analysis": prover_imported - checked_at,
    "prove: z3 solver": solver[0],
    "prove: the rest": proved - prover_imported - solver[0],
    "solver calls": solver[1],
    "diagnostics": len(found),
}))
"""


RUN_CLI = "import sys; sys.argv[0] = 'fibrolang'; from compiler.cli import main; main()"


def wall(command: list[str], cwd: Path = ROOT) -> tuple[float, float]:
    """The wall time and the CPU time (user + system) of one run of ``command``."""
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    began = time.perf_counter()
    subprocess.run(command, cwd=cwd, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    spent = time.perf_counter() - began
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return spent, after.ru_utime - used.ru_utime + after.ru_stime - used.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--guideline", default="guidelines/fibromyalgia.fibro")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--against", type=Path, default=None, help="another checkout to time alongside")
    args = parser.parse_args()
    python = sys.executable
    fibrolang = str(Path(python).parent / "fibrolang")
    commands = {
        "python -c pass (interpreter start-up)": [python, "-c", "pass"],
        "python -c 'import z3'": [python, "-c", "import z3"],
        "python -c 'import compiler.cli'": [python, "-c", "import compiler.cli"],
        "fibrolang check --no-prove": [fibrolang, "check", "--no-prove", args.guideline],
        "fibrolang check --no-cache (cold)": [fibrolang, "check", "--no-cache", args.guideline],
        "fibrolang check (proof cache warm)": [fibrolang, "check", args.guideline],
    }
    where = {name: ROOT for name in commands}
    if args.against is not None:
        for checkout in (args.against.resolve(), ROOT):
            name = f"fibrolang check ({checkout.name}, python -c)"
            cold = ["--no-cache"] if checkout == ROOT else []  # another checkout may have no cache
            commands[name] = [python, "-c", RUN_CLI, "check", *cold, args.guideline]
            where[name] = checkout
    scratch = tempfile.TemporaryDirectory()
    os.environ["FIBROLANG_CACHE_DIR"] = scratch.name  # inherited by every command
    for name, command in commands.items():  # warm the file cache and the parser cache
        wall(command, where[name])
    times: dict[str, list[float]] = {name: [] for name in commands}
    cpu: dict[str, list[float]] = {name: [] for name in commands}
    checkouts = [ROOT] if args.against is None else [ROOT, args.against.resolve()]
    phases: dict[Path, list[dict[str, float]]] = {checkout: [] for checkout in checkouts}
    for _ in range(args.runs):
        for name, command in commands.items():
            spent, used = wall(command, where[name])
            times[name].append(spent)
            cpu[name].append(used)
        for checkout in checkouts:
            out = subprocess.run(
                [python, "-c", PHASES, args.guideline],
                cwd=checkout,
                check=True,
                capture_output=True,
                text=True,
            )
            phases[checkout].append(json.loads(out.stdout))
    print(f"{args.guideline}, {args.runs} runs of each, interleaved")
    print("| command | fastest (s) | median (s) | CPU, fastest (s) | CPU, median (s) |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for name, spent in times.items():
        used = cpu[name]
        print(
            f"| `{name}` | {min(spent):.3f} | {statistics.median(spent):.3f}"
            f" | {min(used):.3f} | {statistics.median(used):.3f} |"
        )
    print()
    print(
        "| phase of `fibrolang check` (in one process), median (s) | "
        + " | ".join(c.name for c in checkouts)
        + " |"
    )
    print("| --- |" + " ---: |" * len(checkouts))
    for name in phases[ROOT][0]:
        medians = [statistics.median(run[name] for run in phases[checkout]) for checkout in checkouts]
        print(
            f"| {name} | "
            + " | ".join(
                f"{m:.0f}" if name in ("solver calls", "diagnostics") else f"{m:.3f}" for m in medians
            )
            + " |"
        )


if __name__ == "__main__":
    main()
