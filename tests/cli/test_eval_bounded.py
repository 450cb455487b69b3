"""``fibrolang eval`` on a 100 MB hostile patient file finishes with bounded output
(under 1 MB) and bounded memory (under 1 GB peak), answering every line (issue 21)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GRAPH = ROOT / "guidelines" / "fibromyalgia.graph.json"
EXAMPLE = (ROOT / "guidelines" / "patients" / "fibromyalgia-example.json").read_text(encoding="utf-8")

# Runs the command in a fresh process and prints the peak memory of that child alone.
MEASURE = """
import resource, subprocess, sys
run = subprocess.run(sys.argv[2:], stdout=open(sys.argv[1], "wb"), stderr=subprocess.STDOUT)
print(run.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""


@pytest.mark.slow
def test_a_100_mb_hostile_file_gives_bounded_output_and_memory(tmp_path: Path) -> None:
    good = json.dumps(json.loads(EXAMPLE)).encode()
    patients = tmp_path / "hostile.jsonl"
    with patients.open("wb") as file:
        file.write(good + b"\n")
        file.write(b'{"comorbidities": ["' + b"x" * 50_000_000 + b'"]}\n')  # a 50 MB value
        file.write(
            b"{" + b", ".join(b'"u%d": 1' % i for i in range(4_000_000)) + b"}\n"
        )  # 4 M unknown entries
        file.write(b"[" * 1_000_000 + b"]" * 1_000_000 + b"\n")  # nested a million deep
        file.write(b"{" + b", ".join(b'"v%d": 1' % i for i in range(50_000)) + b"}\n")  # within 1 MiB
        file.write(good + b"\n")
    assert patients.stat().st_size > 100_000_000
    output = tmp_path / "output.txt"
    command = [sys.executable, "-m", "compiler.cli", "eval", str(GRAPH), "--patient", str(patients)]
    measured = subprocess.run(
        [sys.executable, "-c", MEASURE, str(output), *command],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    code, peak_kib = (int(part) for part in measured.stdout.split())
    print(f"exit {code}, peak {peak_kib // 1024} MiB, output {output.stat().st_size} bytes")
    assert code == 1
    assert output.stat().st_size < 1_000_000
    assert peak_kib * 1024 < 1_000_000_000
    answers = [json.loads(line) for line in output.read_text(encoding="utf-8").splitlines()]
    assert [answer.get("error", answer.get("status")) for answer in answers] == [
        "ok",
        "unreadable_patient",
        "unreadable_patient",
        "unreadable_patient",
        "invalid_patient",
        "ok",
    ]
    assert [answer["problems"][0]["code"] for answer in answers[1:4]] == [
        "too_large",
        "too_large",
        "too_large",
    ]
    assert len(answers[4]["problems"]) == 20 and answers[4]["more_problems"] == 50_000 - 20
