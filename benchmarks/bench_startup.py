"""Where the time of ``fibrolang check`` goes, as a whole process and phase by phase.

    python benchmarks/bench_startup.py [--guideline guidelines/fibromyalgia.fibro] [--runs 7]
                                       [--against /work/main]
    python benchmarks/bench_startup.py --edit [--runs 5] [--callgrind] [--against /work/main]

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

``--edit`` measures instead what an author does: check the guideline, edit it, check it
again. Each round, for each edit of ``EDITS`` (a threshold, a quote, a new safety rule), a
copy of the guideline (in a temporary directory, beside links to what its directory holds,
so its quotes' sources are found) is checked once into an empty cache directory, edited,
and checked again: that second check is timed (wall and CPU), as are a cold check
(``--no-cache``) and a warm one (the edited copy, unchanged, checked a third time). Every
check runs with ``--proof-budget 0`` (no budget: what is proved does not depend on the
machine's load). ``--callgrind`` adds, once per edit, the instructions of the second check
under ``valgrind --tool=callgrind`` (load does not change them). ``--against DIR`` runs the
same with another checkout's code (``PYTHONPATH=DIR``), interleaved.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
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

# name -> (text of guidelines/fibromyalgia.fibro, its replacement, every occurrence or the first)
EDITS: dict[str, tuple[str, str, bool]] = {
    # the eGFR threshold of duloxetine's contraindication, in the definition and the invariant
    "threshold": ("egfr < 30 mL/min/1.73m2", "egfr < 29 mL/min/1.73m2", True),
    # one quote shortened to a verbatim part of itself (the whole sentence is quoted elsewhere)
    "quote": (
        '  quote "Avoid corticosteroids and strong opioids"\n  cite 3, 1, 8\n\ninvariant no_corticosteroid',
        '  quote "Avoid corticosteroids"\n  cite 3, 1, 8\n\ninvariant no_corticosteroid',
        False,
    ),
    # a new safety rule (an invariant) before an existing one
    "rule": (
        'invariant no_nsaid "Never an NSAID"\n',
        'invariant no_nsaid_again "Never an NSAID, again"\n  never recommend nsaid\n'
        '  quote "NSAIDs and opioids have not demonstrated benefits for fibromyalgia and carry '
        'significant risks"\n  cite 8\n\ninvariant no_nsaid "Never an NSAID"\n',
        False,
    ),
}


def wall(command: list[str], cwd: Path = ROOT) -> tuple[float, float]:
    """The wall time and the CPU time (user + system) of one run of ``command``."""
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    began = time.perf_counter()
    subprocess.run(command, cwd=cwd, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    spent = time.perf_counter() - began
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return spent, after.ru_utime - used.ru_utime + after.ru_stime - used.ru_stime


def edited(text: str, edit: str) -> str:
    old, new, everywhere = EDITS[edit]
    if old not in text:
        raise SystemExit(f"--edit: the guideline does not contain {old!r} (the edits are fibromyalgia's)")
    return text.replace(old, new) if everywhere else text.replace(old, new, 1)


def guideline_copy(guideline: Path, text: str, into: Path) -> Path:
    """``text`` as a guideline in ``into``, beside links to everything in ``guideline``'s directory."""
    for entry in guideline.resolve().parent.iterdir():
        if entry.name != guideline.name:
            (into / entry.name).symlink_to(entry)
    copy = into / guideline.name
    copy.write_text(text, encoding="utf-8")
    return copy


def check_command(checkout: Path, *options: str) -> tuple[list[str], dict[str, str]]:
    environment = {**os.environ, "PYTHONPATH": str(checkout)}
    environment.pop("PYTHONDONTWRITEBYTECODE", None)  # bytecode caches, as an installed package has
    return [sys.executable, "-c", RUN_CLI, "check", "--proof-budget", "0", *options], environment


def run_check(checkout: Path, cache: Path, guideline: Path, *options: str) -> tuple[float, float]:
    command, environment = check_command(checkout, *options, str(guideline))
    environment["FIBROLANG_CACHE_DIR"] = str(cache)
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    began = time.perf_counter()
    done = subprocess.run(command, cwd=checkout, env=environment, check=False, capture_output=True, text=True)
    spent = time.perf_counter() - began
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"check failed ({done.returncode}):\n{done.stdout}{done.stderr}")
    return spent, after.ru_utime - used.ru_utime + after.ru_stime - used.ru_stime


def instructions(checkout: Path, cache: Path, guideline: Path, *options: str) -> int:
    command, environment = check_command(checkout, *options, str(guideline))
    environment["FIBROLANG_CACHE_DIR"] = str(cache)
    done = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", *command],
        cwd=checkout,
        env=environment,
        check=False,
        capture_output=True,
        text=True,
    )
    for line in done.stderr.splitlines():
        if "Collected :" in line:
            return int(line.rsplit(":", 1)[1].strip())
    raise SystemExit(f"no instruction count from valgrind:\n{done.stderr}")


@contextlib.contextmanager
def scratch_copy(guideline: Path, text: str) -> Iterator[tuple[Path, Path]]:
    """A copy of the guideline with ``text`` and an empty cache directory, both temporary."""
    with tempfile.TemporaryDirectory() as scratch:
        place, cache = Path(scratch, "guideline"), Path(scratch, "cache")
        place.mkdir()
        yield guideline_copy(guideline, text, place), cache


def edit_then_check(args: argparse.Namespace) -> None:
    guideline = Path(args.guideline)
    original = guideline.read_text(encoding="utf-8")
    checkouts = [ROOT] if args.against is None else [ROOT, args.against.resolve()]
    cases = [*(f"edited: {edit}" for edit in EDITS), "cold (--no-cache)", "warm (unchanged)"]
    times: dict[tuple[Path, str], list[tuple[float, float]]] = {
        (c, case): [] for c in checkouts for case in cases
    }
    for round_ in range(args.runs + 1):  # round 0 warms the file cache and is not counted
        for checkout in checkouts:
            for edit in EDITS:
                with scratch_copy(guideline, original) as (copy, cache):
                    run_check(checkout, cache, copy)
                    copy.write_text(edited(original, edit), encoding="utf-8")
                    measured = run_check(checkout, cache, copy)
                    if round_ == 0:
                        continue
                    times[(checkout, f"edited: {edit}")].append(measured)
                    if edit == "threshold":
                        times[(checkout, "warm (unchanged)")].append(run_check(checkout, cache, copy))
                        cold = run_check(checkout, cache, copy, "--no-cache")
                        times[(checkout, "cold (--no-cache)")].append(cold)
    counts: dict[tuple[Path, str], int] = {}
    if args.callgrind:
        for checkout in checkouts:
            for edit in EDITS:
                with scratch_copy(guideline, original) as (copy, cache):
                    run_check(checkout, cache, copy)
                    copy.write_text(edited(original, edit), encoding="utf-8")
                    counts[(checkout, f"edited: {edit}")] = instructions(checkout, cache, copy)
                    if edit == "threshold":
                        counts[(checkout, "warm (unchanged)")] = instructions(checkout, cache, copy)
                        cold = instructions(checkout, cache, copy, "--no-cache")
                        counts[(checkout, "cold (--no-cache)")] = cold
    print(f"{guideline}: check, edit, check again; {args.runs} rounds, interleaved")
    print(
        "| second check | "
        + " | ".join(
            f"{c.name}: wall, fastest / median (s) | {c.name}: CPU, fastest / median (s)" for c in checkouts
        )
        + " |"
    )
    print("| --- |" + " ---: | ---: |" * len(checkouts))
    for case in cases:
        cells = []
        for checkout in checkouts:
            walls = [w for w, _ in times[(checkout, case)]]
            cpus = [c for _, c in times[(checkout, case)]]
            cells.append(f"{min(walls):.3f} / {statistics.median(walls):.3f}")
            cells.append(f"{min(cpus):.3f} / {statistics.median(cpus):.3f}")
        print(f"| {case} | " + " | ".join(cells) + " |")
    if counts:
        print()
        print("| second check, instructions (billions) | " + " | ".join(c.name for c in checkouts) + " |")
        print("| --- |" + " ---: |" * len(checkouts))
        for case in cases:
            print(f"| {case} | " + " | ".join(f"{counts[(c, case)] / 1e9:.3f}" for c in checkouts) + " |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--guideline", default="guidelines/fibromyalgia.fibro")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--against", type=Path, default=None, help="another checkout to time alongside")
    parser.add_argument("--edit", action="store_true", help="check, edit the guideline, check again")
    parser.add_argument("--callgrind", action="store_true", help="with --edit: instruction counts too")
    args = parser.parse_args()
    if args.edit:
        edit_then_check(args)
        return
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
