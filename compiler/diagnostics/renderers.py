"""Renderers for diagnostics: ``human`` (colour optional), ``plain`` (no
colour, no box drawing, screen-reader friendly) and ``json`` (stable, sorted
keys).

In the text formats every string from a guideline or its file names (message,
hint, location, the source line) goes through ``fibrolang.printable``: a line
break, carriage return or terminal escape in it is shown escaped, never
obeyed, so no guideline can forge a diagnostic line or colour the terminal."""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Callable, Sequence

from compiler.diagnostics.catalogue import MAX_REPORTED, Diagnostic
from compiler.front.syntax import Span
from fibrolang.invisible import has_hidden, is_hidden
from fibrolang.printable import printable

SourceLines = Callable[[str, int], str]


def _display_width(text: str) -> int:
    width = 0
    for char in text:
        if char == "\t":
            width += 4 - width % 4
        elif unicodedata.east_asian_width(char) in ("W", "F"):
            width += 2
        elif unicodedata.combining(char):
            continue
        else:
            width += 1
    return width


def _expand_tabs(line: str) -> str:
    out = []
    width = 0
    for char in line:
        if char == "\t":
            pad = 4 - width % 4
            out.append(" " * pad)
            width += pad
        else:
            out.append(char)
            width += _display_width(char)
    return "".join(out)


def _visible(text: str) -> str:
    """``text`` with every control character but the tab escaped (tabs are expanded later)."""
    return "\t".join(printable(part) for part in text.split("\t"))


def _underline(line: str, span: Span) -> str:
    start = max(span.column, 1) - 1
    if span.end_line == span.line and span.end_column > span.column:
        end = span.end_column - 1
    else:
        end = len(line.rstrip()) if span.end_line > span.line else start + 1
    end = max(end, start + 1)
    before = _display_width(_visible(line[:start]))
    width = max(1, _display_width(_visible(line[start:end])))
    return " " * before + "^" * width


def _location(span: Span) -> str:
    return f"{printable(span.file)}:{span.line}:{span.column}"


def _snippet(span: Span, lines: SourceLines, gutter: str) -> list[str]:
    if span.line <= 0:
        return []
    line = lines(span.file, span.line)
    if not line.strip():
        return []
    return [f"{gutter}{_expand_tabs(_visible(line))}", f"{' ' * len(gutter)}{_underline(line, span)}"]


def render_text(
    diagnostics: Sequence[Diagnostic], lines: SourceLines, colour: bool = False, limit: int = MAX_REPORTED
) -> str:
    """The human format; with colour off it is the plain format."""

    def paint(text: str, code: str) -> str:
        return f"\x1b[{code}m{text}\x1b[0m" if colour else text

    out: list[str] = []
    for diagnostic in diagnostics[:limit]:
        severity_colour = {"error": "1;31", "warning": "1;33", "note": "1;36"}[diagnostic.severity]
        out.append(
            f"{_location(diagnostic.span)}: "
            f"{paint(diagnostic.severity, severity_colour)} {diagnostic.code}: "
            f"{printable(diagnostic.message)}"
        )
        gutter = f"{diagnostic.span.line:>5} | " if diagnostic.span.line > 0 else ""
        out.extend(_snippet(diagnostic.span, lines, gutter))
        if diagnostic.hint:
            out.append(f"  {paint('hint', '1;32')}: {printable(diagnostic.hint)}")
        for related in diagnostic.related:
            out.append(f"  {paint('see', '1;36')} {_location(related.span)}: {printable(related.message)}")
            gutter = f"{related.span.line:>5} | "
            out.extend(_snippet(related.span, lines, gutter))
        for key, value in diagnostic.data:
            rendered = json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False)
            out.append(f"  {key}:")
            out.extend("    " + printable(row) for row in rendered.split("\n"))
        out.append("")
    hidden = len(diagnostics) - limit
    if hidden > 0:
        out.append(f"{hidden} more problem{'s' if hidden != 1 else ''} not shown")
    errors = sum(1 for d in diagnostics if d.severity == "error")
    warnings = sum(1 for d in diagnostics if d.severity == "warning")
    if diagnostics:
        out.append(
            f"{errors} error{'s' if errors != 1 else ''}, {warnings} warning{'s' if warnings != 1 else ''}"
        )
    return "\n".join(out)


def span_to_json(span: Span) -> dict[str, object]:
    return {
        "file": span.file,
        "line": span.line,
        "column": span.column,
        "end_line": span.end_line,
        "end_column": span.end_column,
    }


def diagnostic_to_json(diagnostic: Diagnostic) -> dict[str, object]:
    return {
        "code": diagnostic.code,
        "severity": diagnostic.severity,
        "message": diagnostic.message,
        "span": span_to_json(diagnostic.span),
        "hint": diagnostic.hint,
        "related": [{"message": r.message, "span": span_to_json(r.span)} for r in diagnostic.related],
        "data": dict(diagnostic.data),
    }


def render_json(diagnostics: Sequence[Diagnostic]) -> str:
    payload = {
        "diagnostics": [diagnostic_to_json(d) for d in diagnostics],
        "errors": sum(1 for d in diagnostics if d.severity == "error"),
        "warnings": sum(1 for d in diagnostics if d.severity == "warning"),
    }
    return _escape_hidden(json.dumps(payload, indent=2, sort_keys=True, ensure_ascii=False))


def _escape_hidden(text: str) -> str:
    """JSON text with each bidi control or invisible character (``fibrolang.invisible``) written
    as its ``\\uXXXX`` escape: the same data, but a person reading the JSON sees it (such
    characters occur only inside JSON strings)."""
    if not has_hidden(text):
        return text
    return "".join(json.dumps(char)[1:-1] if is_hidden(char) else char for char in text)
