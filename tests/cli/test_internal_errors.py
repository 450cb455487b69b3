"""A bug in fibrolang is reported in one sentence and exit code 2, never as a traceback
(unless FIBROLANG_DEBUG=1 asks for it), and never looks like a verdict on the guideline."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from compiler import api
from compiler.cli import main

GUIDELINE = Path(__file__).resolve().parents[2] / "guidelines" / "acr2016.fibro"


def _broken(*args: object, **kwargs: object) -> object:
    raise KeyError("a bug")


def test_an_unexpected_exception_is_one_sentence_and_exit_2(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FIBROLANG_DEBUG", raising=False)
    monkeypatch.setattr(api, "check_file", _broken)
    result = CliRunner().invoke(main, ["check", str(GUIDELINE)])
    assert result.exit_code == 2
    assert "fibrolang check: internal error: KeyError: 'a bug'" in result.output
    assert "This is a bug in fibrolang, not a problem in your files: do not use any output" in result.output
    assert "FIBROLANG_DEBUG=1" in result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_fibrolang_debug_lets_the_exception_through(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FIBROLANG_DEBUG", "1")
    monkeypatch.setattr(api, "check_file", _broken)
    result = CliRunner().invoke(main, ["check", str(GUIDELINE)])
    assert isinstance(result.exception, KeyError)


def test_usage_errors_and_findings_keep_their_own_exit_codes() -> None:
    runner = CliRunner()
    assert runner.invoke(main, ["check"]).exit_code == 2  # click's usage error
    assert runner.invoke(main, ["check", str(GUIDELINE)]).exit_code == 0
    assert runner.invoke(main, ["no-such-command"]).exit_code == 2


def test_a_reader_that_goes_away_is_not_reported_as_a_bug(tmp_path: Path) -> None:
    # `fibrolang eval ... | head -1`: the pipe closes while the results are being written
    # (far more of them than a pipe's buffer holds).
    root = Path(__file__).resolve().parents[2]
    patient = (root / "guidelines" / "patients" / "fibromyalgia-example.json").read_text(encoding="utf-8")
    patients = tmp_path / "many.jsonl"
    patients.write_text((" ".join(patient.split()) + "\n") * 500, encoding="utf-8")
    command = [sys.executable, "-m", "compiler.cli", "eval", "guidelines/fibromyalgia.fibro"]
    command += ["--patient", str(patients)]
    process = subprocess.Popen(command, cwd=root, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert process.stdout is not None and process.stderr is not None
    process.stdout.read(10)
    process.stdout.close()
    errors = process.stderr.read().decode()
    assert process.wait(timeout=60) == 1
    assert "internal error" not in errors
    assert "Traceback" not in errors
