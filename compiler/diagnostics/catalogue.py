"""Diagnostics are data: a code from the catalogue, a severity, a message, a
span, a hint and related spans. Passes return them; the renderers in
``compiler.diagnostics.renderers`` turn them into text or JSON.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import field
from typing import Literal

from compiler.front.syntax import Span
from fibrolang.records import record

Severity = Literal["error", "warning", "note"]

MAX_REPORTED = 50


@record
class RelatedSpan:
    span: Span
    message: str


@record
class Diagnostic:
    code: str
    severity: Severity
    message: str
    span: Span
    hint: str | None = None
    related: tuple[RelatedSpan, ...] = field(default=())
    # Extra data for machines, e.g. a counterexample patient (JSON-ready).
    data: tuple[tuple[str, object], ...] = field(default=())

    def sort_key(self) -> tuple[str, int, int, str, str]:
        return (self.span.file, self.span.line, self.span.column, self.code, self.message)


@record
class CodeInfo:
    severity: Severity
    title: str


# The catalogue: every code the toolchain can emit. docs/diagnostics.md has a
# section per code (tests/check/test_checker.py keeps the two in step).
# FIB0xx: reading the file and syntax. FIB1xx: names, types, units, ranges,
# traceability, structure. FIB2xx: analysis (proofs). FIB9xx: internal.
CATALOGUE: dict[str, CodeInfo] = {
    "FIB001": CodeInfo("error", "the file cannot be read"),
    "FIB002": CodeInfo("error", "the file is not UTF-8 text"),
    "FIB003": CodeInfo("error", "the file is empty"),
    "FIB004": CodeInfo("error", "unexpected character"),
    "FIB005": CodeInfo("error", "unexpected word or symbol"),
    "FIB006": CodeInfo("error", "unexpected end of file"),
    "FIB007": CodeInfo("error", "unterminated string"),
    "FIB008": CodeInfo("error", "invalid escape in a string"),
    "FIB009": CodeInfo("error", "nesting too deep"),
    "FIB010": CodeInfo("error", "invalid number"),
    "FIB011": CodeInfo("error", "a rule form is misplaced"),
    "FIB012": CodeInfo("error", "the file is too large"),
    "FIB013": CodeInfo("error", "hidden character in the code"),
    "FIB014": CodeInfo("warning", "hidden character in a text"),
    "FIB101": CodeInfo("error", "undefined name"),
    "FIB102": CodeInfo("error", "duplicate name"),
    "FIB103": CodeInfo("error", "type mismatch"),
    "FIB104": CodeInfo("error", "unit mismatch"),
    "FIB105": CodeInfo("error", "unknown unit"),
    "FIB106": CodeInfo("error", "value outside the declared range"),
    "FIB107": CodeInfo("error", "unknown citation"),
    "FIB108": CodeInfo("error", "quote not found in the source"),
    "FIB109": CodeInfo("error", "unknown source"),
    "FIB110": CodeInfo("error", "branch leads nowhere"),
    "FIB111": CodeInfo("error", "cycle in the pathway"),
    "FIB112": CodeInfo("error", "non-linear arithmetic"),
    "FIB113": CodeInfo("error", "invalid declaration"),
    "FIB114": CodeInfo("error", "definition depends on itself"),
    "FIB115": CodeInfo("warning", "unreachable pathway node"),
    "FIB116": CodeInfo("error", "source file cannot be read"),
    "FIB117": CodeInfo("error", "invalid status"),
    "FIB118": CodeInfo("error", "invalid dose"),
    "FIB119": CodeInfo("warning", "unused declaration"),
    "FIB120": CodeInfo("error", "otherwise is not last"),
    "FIB121": CodeInfo("error", "ambiguous enum member"),
    "FIB122": CodeInfo("error", "quantifier variable hides another name"),
    "FIB140": CodeInfo("error", "table leaves out values of its key"),
    "FIB141": CodeInfo("error", "table rows overlap"),
    "FIB142": CodeInfo("error", "table cell of another kind"),
    "FIB143": CodeInfo("error", "malformed table"),
    "FIB144": CodeInfo("error", "unset out of place"),
    "FIB130": CodeInfo("error", "unknown code system"),
    "FIB131": CodeInfo("error", "invalid code"),
    "FIB132": CodeInfo("error", "invalid FHIR binding"),
    "FIB133": CodeInfo("error", "binding unit differs from the input's unit"),
    "FIB134": CodeInfo("error", "unknown UCUM unit"),
    "FIB135": CodeInfo("error", "CDS Hooks card summary longer than 140 characters"),
    "FIB160": CodeInfo("error", "points of a value that is not an ordinal band"),
    "FIB161": CodeInfo("error", "default that does not fit the input"),
    "FIB162": CodeInfo("error", "invalid unit declaration"),
    # dates and durations (compiler/check/dates.py)
    "FIB170": CodeInfo("error", "date compared with something that is not a date"),
    "FIB171": CodeInfo("error", "time between values that are not dates"),
    "FIB172": CodeInfo("error", "time between dates in an unknown unit"),
    # parameterised definitions and per-member constants (compiler/front/parameters.py)
    "FIB150": CodeInfo("error", "wrong number of arguments"),
    "FIB151": CodeInfo("error", "argument is not a member of the parameter's type"),
    "FIB152": CodeInfo("error", "parameterised definition calls itself"),
    "FIB153": CodeInfo("warning", "unused parameter"),
    "FIB154": CodeInfo("error", "constant table incomplete or with a wrong entry"),
    "FIB155": CodeInfo("error", "unknown parameter type"),
    "FIB156": CodeInfo("error", "not a parameterised definition"),
    "FIB157": CodeInfo("error", "label placeholder names no parameter"),
    "FIB158": CodeInfo("error", "name kept for expanded definitions"),
    "FIB145": CodeInfo("error", "unknown function"),
    "FIB146": CodeInfo("error", "division by a value that may be zero"),
    "FIB147": CodeInfo("error", "a text read as a value to reason on"),
    "FIB201": CodeInfo("error", "unreachable branch"),
    "FIB202": CodeInfo("error", "incomplete decision"),
    "FIB203": CodeInfo("error", "dead branch shadowed by earlier branches"),
    "FIB204": CodeInfo("error", "overlapping branches in an exclusive decision"),
    "FIB205": CodeInfo("error", "intervention both recommended and avoided"),
    "FIB206": CodeInfo("error", "recommendation while a contraindication holds"),
    "FIB207": CodeInfo("error", "invariant does not hold"),
    "FIB208": CodeInfo("error", "dose outside the declared range"),
    "FIB209": CodeInfo("error", "dose in a unit other than the declared one"),
    "FIB210": CodeInfo("warning", "action item never applies"),
    "FIB211": CodeInfo("warning", "complete patient left undecided"),
    "FIB220": CodeInfo("error", "the analysis could not decide (unknown)"),
    "FIB221": CodeInfo("error", "not proved within the proof budget"),
    "FIB901": CodeInfo("error", "internal error"),
}


def make(
    code: str,
    message: str,
    span: Span,
    hint: str | None = None,
    related: Iterable[RelatedSpan] = (),
    data: Iterable[tuple[str, object]] = (),
) -> Diagnostic:
    """A diagnostic with the catalogue's severity for ``code``."""
    return Diagnostic(
        code=code,
        severity=CATALOGUE[code].severity,
        message=message,
        span=span,
        hint=hint,
        related=tuple(related),
        data=tuple(data),
    )


def arrange(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    """Sort by position then code, and drop exact duplicates."""
    unique: dict[tuple[object, ...], Diagnostic] = {}
    for diagnostic in diagnostics:
        key = (diagnostic.code, diagnostic.span, diagnostic.message)
        unique.setdefault(key, diagnostic)
    return sorted(unique.values(), key=Diagnostic.sort_key)


def has_errors(diagnostics: Iterable[Diagnostic]) -> bool:
    return any(diagnostic.severity == "error" for diagnostic in diagnostics)
