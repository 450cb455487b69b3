"""Golden files: what a user reads, committed byte for byte.

``fibrolang check --format human|plain|json`` on every checker case
(tests/check/cases) and every analysis case (tests/analysis/cases) is kept in
``goldens/CASE.human.txt``, ``CASE.plain.txt`` and ``CASE.json`` next to the
cases. A change to a message, a hint, the layout of a diagnostic or the JSON
fails the test with a diff; when the change is meant, rewrite the files with

    .venv/bin/pytest tests/check tests/analysis --update-goldens

and review the diff of ``goldens/`` before committing it (CONTRIBUTING.md).

The command runs in the repository root on the case's path relative to it,
so no golden holds an absolute path. ``human`` is rendered as a terminal shows
it (with its colour escapes); ``plain`` is the same text without colour.
"""

from __future__ import annotations

import difflib
import os
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from compiler import cli

ROOT = Path(__file__).resolve().parents[2]
FORMATS = ("human", "plain", "json")
SUFFIX = {"human": ".human.txt", "plain": ".plain.txt", "json": ".json"}
UPDATE_OPTION = "--update-goldens"


@dataclass(frozen=True)
class Checked:
    """What ``fibrolang check`` printed and its exit code."""

    output: str
    exit_code: int


def run_check(case: Path, format_: str, monkeypatch: pytest.MonkeyPatch) -> Checked:
    """``fibrolang check --format FORMAT CASE`` from the repository root, as a user runs it
    (for ``human``, on a terminal: with colour)."""
    monkeypatch.chdir(ROOT)
    if format_ == "human":
        monkeypatch.setattr(cli, "_colour", lambda chosen: chosen == "human")
    relative = case.resolve().relative_to(ROOT).as_posix()
    result = CliRunner().invoke(cli.main, ["check", "--format", format_, relative], color=True)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return Checked(result.output, result.exit_code)


def golden_path(case: Path, format_: str) -> Path:
    return case.parent.parent / "goldens" / f"{case.stem}{SUFFIX[format_]}"


def compare_or_update(path: Path, text: str, update: bool) -> None:
    """Fail with a diff when ``path`` does not hold ``text``; with ``update``, write it instead."""
    old = path.read_text(encoding="utf-8") if path.is_file() else None
    if old == text:
        return
    if update:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return
    where = os.path.relpath(path, ROOT)
    if old is None:
        pytest.fail(f"{where} does not exist; write it with `pytest {UPDATE_OPTION}` and review it")
    diff = difflib.unified_diff(
        old.splitlines(keepends=True), text.splitlines(keepends=True), f"{where} (golden)", "now"
    )
    pytest.fail(
        f"the rendering differs from {where}; if the change is meant, rewrite it with "
        f"`pytest {UPDATE_OPTION}` and review the diff:\n" + "".join(diff),
        pytrace=False,
    )


def stale_goldens(cases: list[Path], update: bool) -> list[str]:
    """Golden files of no case (a case renamed or removed); with ``update``, deleted."""
    if not cases:
        return []
    directory = cases[0].parent.parent / "goldens"
    wanted = {golden_path(case, format_) for case in cases for format_ in FORMATS}
    stale = sorted(p for p in directory.glob("*") if p not in wanted)
    if update:
        for path in stale:
            path.unlink()
        return []
    return [os.path.relpath(p, ROOT) for p in stale]
