"""A guideline, or the source text it quotes, named by a path that is not a regular file
(a FIFO, a device, a directory) is refused with a precise diagnostic; no command opens it
for reading, so none hangs waiting for a writer that never comes.

Each command runs in its own process with a timeout: a regression fails the test instead
of hanging the suite."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from compiler import api
from compiler.front.regular_file import NotARegularFile, read_regular_bytes

ROOT = Path(__file__).resolve().parents[2]
CASES = ROOT / "tests" / "check" / "cases"
# Generous: a loaded CI machine starts the CLI in well under this; a hang never ends.
TIMEOUT_SECONDS = 60

pytestmark = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes need a POSIX system")


def fibrolang(*arguments: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(
            [sys.executable, "-m", "compiler.cli", *arguments],
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=TIMEOUT_SECONDS,
            stdin=subprocess.DEVNULL,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"fibrolang {' '.join(arguments)} hung for {TIMEOUT_SECONDS} s on a named pipe")


@pytest.fixture
def fifo_guideline(tmp_path: Path) -> Path:
    path = tmp_path / "pipe.fibro"
    os.mkfifo(path)
    return path


@pytest.fixture
def fifo_source(tmp_path: Path) -> Path:
    """A copy of a clean guideline whose declared source text is a named pipe."""
    guideline = tmp_path / "clean.fibro"
    shutil.copy(CASES / "clean.fibro", guideline)
    (tmp_path / "sources").mkdir()
    os.mkfifo(tmp_path / "sources" / "sample.txt")
    return guideline


FIFO_MESSAGE = "cannot read {path}: it is a named pipe (FIFO), not a regular file"


@pytest.mark.parametrize(
    "command",
    [
        ["check"],
        ["check", "--format", "json"],
        ["compile"],
        ["graph", "-o", "out.svg"],
        ["build"],
        ["trace"],
        ["testgen", "-o", "generated"],
        ["fmt"],
        ["fmt", "--check"],
        ["eval", "--patient", "patient.json"],
    ],
    ids=lambda command: " ".join(command),
)
def test_every_command_refuses_a_guideline_that_is_a_named_pipe(
    command: list[str], fifo_guideline: Path, tmp_path: Path
) -> None:
    (tmp_path / "patient.json").write_text("{}", encoding="utf-8")
    run = fibrolang(command[0], fifo_guideline.name, *command[1:], cwd=tmp_path)
    output = run.stdout + run.stderr
    assert run.returncode == 1, output
    assert "FIB001" in output
    assert FIFO_MESSAGE.format(path=fifo_guideline.name) in output
    assert "Traceback" not in output


@pytest.mark.parametrize("command", [["check"], ["check", "--no-prove"], ["trace"], ["compile"]])
def test_a_source_text_that_is_a_named_pipe_is_refused(command: list[str], fifo_source: Path) -> None:
    run = fibrolang(command[0], fifo_source.name, *command[1:], cwd=fifo_source.parent)
    output = run.stdout + run.stderr
    assert run.returncode == 1, output
    assert "FIB116" in output
    assert (
        'the source file "sources/sample.txt" of `notes` cannot be read: '
        "it is a named pipe (FIFO), not a regular file" in output
    ), output


def test_a_directory_and_a_device_are_refused_by_name(tmp_path: Path) -> None:
    checked = api.check_file(tmp_path)
    assert [d.code for d in checked.diagnostics] == ["FIB001"]
    assert checked.diagnostics[0].message == f"cannot read {tmp_path}: it is a directory, not a regular file"
    if Path("/dev/zero").exists():
        device = api.check_file("/dev/zero")
        assert device.diagnostics[0].message == (
            "cannot read /dev/zero: it is a character device, not a regular file"
        )


def test_a_regular_file_reads_as_before(tmp_path: Path) -> None:
    path = tmp_path / "text.txt"
    path.write_bytes(b"one\r\ntwo")
    assert read_regular_bytes(path) == b"one\r\ntwo"
    with pytest.raises(FileNotFoundError):
        read_regular_bytes(tmp_path / "missing")
    os.mkfifo(tmp_path / "pipe")
    with pytest.raises(NotARegularFile):
        read_regular_bytes(tmp_path / "pipe")
