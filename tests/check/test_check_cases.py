"""Run every checker fixture in tests/check/cases and compare the diagnostics
with its inline expectations, written mypy style.

A fixture line may carry one or more expectations after the code::

    define x = agee > 3 years  # E:12: FIB101 `agee` is not defined: ...

``E``/``W``/``N`` is the severity (error, warning, note), then the column,
the code and the message. The diagnostic is expected on the line of the
comment; ``# E:+1:5: ...`` puts it on the next line (``-1`` the previous).
The message must match exactly, unless it ends with ``...``: then the
diagnostic's message must start with the text before the dots.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from compiler import api
from compiler.diagnostics import Diagnostic

_EXPECTATION = re.compile(
    r"# (?P<severity>[EWN]):(?:(?P<offset>[+-]\d+):)?(?P<column>\d+): (?P<code>FIB\d{3}) "
    r"(?P<message>.*?)(?=\s+# [EWN]:|$)"
)
_SEVERITY = {"E": "error", "W": "warning", "N": "note"}


@dataclass(frozen=True)
class Expectation:
    line: int
    column: int
    code: str
    severity: str
    message: str

    def matches(self, diagnostic: Diagnostic) -> bool:
        if (diagnostic.span.line, diagnostic.span.column, diagnostic.code, diagnostic.severity) != (
            self.line,
            self.column,
            self.code,
            self.severity,
        ):
            return False
        if self.message.endswith("..."):
            return diagnostic.message.startswith(self.message[:-3])
        return diagnostic.message == self.message

    def __str__(self) -> str:
        return f"{self.line}:{self.column}: {self.severity} {self.code} {self.message}"


def read_expectations(path: Path) -> list[Expectation]:
    found: list[Expectation] = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        for match in _EXPECTATION.finditer(line):
            offset = int(match["offset"]) if match["offset"] else 0
            found.append(
                Expectation(
                    number + offset,
                    int(match["column"]),
                    match["code"],
                    _SEVERITY[match["severity"]],
                    match["message"].rstrip(),
                )
            )
    return found


def describe(diagnostic: Diagnostic) -> str:
    span = diagnostic.span
    return f"{span.line}:{span.column}: {diagnostic.severity} {diagnostic.code} {diagnostic.message}"


def compare(expected: list[Expectation], actual: list[Diagnostic]) -> list[str]:
    """Problems, in words: expectations nothing matched and diagnostics nobody expected."""
    unmatched = list(actual)
    problems: list[str] = []
    for expectation in expected:
        hit = next((d for d in unmatched if expectation.matches(d)), None)
        if hit is None:
            problems.append(f"expected but not reported: {expectation}")
        else:
            unmatched.remove(hit)
    problems += [f"reported but not expected: {describe(d)}" for d in unmatched]
    return problems


CASES = Path(__file__).parent / "cases"
FIXTURES = Path(__file__).parents[1] / "fixtures"


@pytest.mark.parametrize("path", sorted(CASES.glob("*.fibro")), ids=lambda p: p.stem)
def test_case(path: Path) -> None:
    checked = api.check_file(path)
    assert checked.guideline is not None, "the fixture must parse"
    problems = compare(read_expectations(path), checked.diagnostics)
    assert not problems, "\n".join(problems)


# Fixtures with known guideline bugs the checker rightly reports; strict, so
# the test fails (and this list must shrink) once the fixture is fixed.
KNOWN_BUGS: dict[str, str] = {}


@pytest.mark.parametrize(
    "path",
    [
        pytest.param(p, marks=pytest.mark.xfail(reason=KNOWN_BUGS[p.stem], strict=True))
        if p.stem in KNOWN_BUGS
        else p
        for p in sorted(FIXTURES.glob("*.fibro"))
    ],
    ids=lambda p: p.stem,
)
def test_fixtures_check_clean(path: Path) -> None:
    checked = api.check_file(path)
    assert [d for d in checked.diagnostics if d.severity == "error"] == []


@pytest.mark.parametrize(
    "path", sorted((FIXTURES.parent.parent / "guidelines").glob("*.fibro")), ids=lambda p: p.stem
)
def test_guidelines_check_clean(path: Path) -> None:
    checked = api.check_file(path)
    assert checked.diagnostics == []
