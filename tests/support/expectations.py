"""Expected diagnostics written inline in a case file, mypy style.

A case line may carry one or more expectations after the code::

    define x = agee > 3 years  # E:12: FIB101 `agee` is not defined: ...

``E``/``W``/``N`` is the severity (error, warning, note), then the column,
the code and the message. The diagnostic is expected on the line of the
comment; ``# E:+1:5: ...`` puts it on the next line (``-1`` the previous), so an
expectation can stand on a comment line of its own above the code it is about.
The message must match exactly, unless it ends with ``...``: then the
diagnostic's message must start with the text before the dots.

The checker cases (tests/check/cases) and the analysis cases
(tests/analysis/cases) state what they expect this way; no test repeats a
line number in Python.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from compiler.diagnostics.catalogue import Diagnostic

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


def compare(expected: Sequence[Expectation], actual: Sequence[Diagnostic]) -> list[str]:
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


def line_of(path: Path, text: str) -> int:
    """The number of the one line of ``path`` that contains ``text`` (outside its comment):
    a test names a place in a case file by what is written there, never by a number."""
    lines = path.read_text(encoding="utf-8").splitlines()
    found = [number for number, line in enumerate(lines, 1) if text in line.split("#", 1)[0]]
    assert len(found) == 1, f"{text!r} is on lines {found} of {path.name}, not on exactly one"
    return found[0]
