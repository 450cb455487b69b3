"""``fibrolang fmt``: one canonical layout for every guideline.

The layout itself lives in ``compiler.format.layout``; this module puts the
author's comments and blank lines back, and proves each result before
handing it out: the formatted text is parsed again and its syntax tree must
equal the original one (spans aside) and keep every comment. A mismatch is
a bug in the formatter, reported as FIB901 instead of output (the soundness
check of Cedar's formatter).

Comments: a comment on a line of its own stays before the element that
follows it (a comment at the end of a block stays before its `end`); a
comment after code stays at the end of that element's line. Blank lines
between top-level declarations and between pathway nodes are kept (runs of
them become one); blocks (header, drug, therapy, record, pathway, decide,
step) always have a blank line around them.
"""

from __future__ import annotations

import bisect
import dataclasses
import difflib
import itertools
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import click

from compiler.diagnostics import catalogue as diag
from compiler.diagnostics.catalogue import Diagnostic, has_errors
from compiler.format.layout import Layout, Line
from compiler.front import syntax as s
from compiler.front.parse import SourceText, decode_source, read_source
from compiler.front.pipeline import parse_source
from fibrolang.printable import printable

_COMMENT_INDENT_BEFORE_CLOSER = 2


def _walk_spans(roots: Sequence[object]) -> list[s.Span]:
    """Every span in the trees under ``roots`` (iteratively: trees may be deep)."""
    spans: list[s.Span] = []
    stack: list[object] = list(roots)
    while stack:
        item = stack.pop()
        if isinstance(item, tuple):
            stack.extend(item)
        elif isinstance(item, s.Span):
            spans.append(item)
        elif dataclasses.is_dataclass(item) and not isinstance(item, type):
            stack.extend(getattr(item, f.name) for f in dataclasses.fields(item))
    return spans


def _code_columns(guideline: s.Guideline) -> dict[int, int]:
    """For each source line, the first column where code (not a comment) starts or ends."""
    first: dict[int, int] = {}
    for span in _walk_spans([guideline.header, guideline.declarations, guideline.pathway]):
        if span.line > 0:
            first[span.line] = min(first.get(span.line, span.column), span.column)
            last = max(span.end_column - 1, 1)
            first[span.end_line] = min(first.get(span.end_line, last), last)
    return first


def _blank_lines(siblings: Sequence[s.Span], taken: set[int]) -> list[int]:
    """Empty source lines between consecutive siblings (in source order)."""
    blanks: list[int] = []
    ordered = sorted((span for span in siblings if span.line > 0), key=lambda span: span.line)
    for before, after in itertools.pairwise(ordered):
        blanks += [n for n in range(before.end_line + 1, after.line) if n not in taken]
    if ordered:
        blanks += [n for n in range(1, ordered[0].line) if n not in taken]
        if taken:
            blanks += [n for n in range(ordered[-1].end_line + 1, max(taken)) if n not in taken]
    return blanks


_BLOCKS = (s.Intervention, s.Record, s.Decision, s.Step)


def _is_block(item: object) -> bool:
    return isinstance(item, _BLOCKS)


def format_guideline(guideline: s.Guideline, comments: Sequence[s.Comment] | None = None) -> str:
    """The guideline in canonical layout, with its comments."""
    if comments is None:
        comments = guideline.comments
    comment_lines = {c.span.line for c in comments if c.span.line > 0}
    force_open = frozenset(
        item.span.line
        for item in guideline.declarations
        if isinstance(item, s.Enumeration)
        and any(item.span.line < n <= item.span.end_line for n in comment_lines)
    )
    layout = Layout(force_open)
    layout.header(guideline.header)
    previous_block = True
    for item in guideline.declarations:
        if previous_block or _is_block(item):
            layout.blank()
        layout.declaration(item)
        previous_block = _is_block(item)
    pathway = guideline.pathway
    if pathway is not None:
        layout.blank()
        after_start = [True, *(_is_block(node) for node in pathway.nodes[:-1])][: len(pathway.nodes)]
        blank_before = [a or _is_block(node) for a, node in zip(after_start, pathway.nodes, strict=True)]
        layout.pathway(pathway, blank_before)
    siblings = [guideline.header.span, *(d.span for d in guideline.declarations)]
    if pathway is not None:
        siblings.append(pathway.span)
        inner = [pathway.start.span, *(node.span for node in pathway.nodes)]
        blanks = _blank_lines(inner, comment_lines)
        blanks = [n for n in blanks if pathway.start.span.line < n < pathway.span.end_line]
    else:
        blanks = []
    blanks += _blank_lines(siblings, comment_lines)
    return _place(layout.lines, comments, blanks, _code_columns(guideline))


def _place(lines: list[Line], comments: Sequence[s.Comment], blanks: list[int], code: dict[int, int]) -> str:
    """Put comments and kept blank lines next to the printed lines they belong to."""
    # Search by anchor, not by position: the pathway is printed last even
    # when declarations follow it in the source.
    by_anchor = sorted((line.anchor, index) for index, line in enumerate(lines) if line.anchor is not None)
    before: dict[int, list[tuple[int, int, str | None]]] = {}
    trailing: dict[int, str] = {}

    def first_after(source_line: int) -> int:
        position = bisect.bisect_right(by_anchor, (source_line, len(lines)))
        return by_anchor[position][1] if position < len(by_anchor) else len(lines)

    def last_at_or_before(source_line: int) -> int | None:
        position = bisect.bisect_right(by_anchor, (source_line, len(lines)))
        return by_anchor[position - 1][1] if position > 0 else None

    for comment in sorted(comments, key=lambda c: (c.span.line, c.span.column)):
        line, column = comment.span.line, comment.span.column
        if code.get(line, column) < column:
            target = last_at_or_before(line)
            if target is not None and target not in trailing:
                trailing[target] = comment.text
                continue
        before.setdefault(first_after(line), []).append((line, column, comment.text))
    for line in blanks:
        before.setdefault(first_after(line), []).append((line, 0, None))

    out: list[str] = []

    def add_blank() -> None:
        if out and out[-1] != "":
            out.append("")

    for index in range(len(lines) + 1):
        following = lines[index] if index < len(lines) else None
        indent = 0
        if following is not None:
            indent = following.indent + (_COMMENT_INDENT_BEFORE_CLOSER if following.closer else 0)
        for _, _, text in sorted(before.get(index, []), key=lambda item: (item[0], item[1])):
            if text is None:
                add_blank()
            else:
                out.append(" " * indent + text)
        if following is None:
            break
        if following.blank:
            add_blank()
            continue
        text = " " * following.indent + following.text
        if index in trailing:
            text += "  " + trailing[index]
        out.append(text)
    while out and out[-1] == "":
        out.pop()
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------------------
# Formatting text, with the soundness check
# ---------------------------------------------------------------------------


def _internal_error(file: str, message: str) -> Diagnostic:
    return diag.make(
        "FIB901",
        f"internal error, please report: the formatter {message}",
        s.Span(file, 1, 1, 1, 1),
        hint="the file was left unchanged; please report this with the guideline file",
    )


def format_source(source: SourceText) -> tuple[str | None, list[Diagnostic]]:
    guideline, problems = parse_source(source)
    if guideline is None or has_errors(problems):
        return None, problems
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(max(limit, 20_000))
    try:
        formatted = format_guideline(guideline, guideline.comments)
        again, more = parse_source(SourceText(source.file, formatted))
        if again is None or has_errors(more):
            first = more[0].message if more else "unknown"
            return None, [_internal_error(source.file, f"wrote text that does not parse ({first})")]
        if again != guideline:
            return None, [_internal_error(source.file, "changed the meaning of the guideline")]
        if sorted(c.text for c in again.comments) != sorted(c.text for c in guideline.comments):
            return None, [_internal_error(source.file, "lost or changed a comment")]
    except RecursionError:
        return None, [
            diag.make(
                "FIB009",
                "the guideline nests too deeply to format",
                s.Span(source.file, 1, 1, 1, 1),
                hint="split deep expressions into named definitions with `define`",
            )
        ]
    finally:
        sys.setrecursionlimit(limit)
    return formatted, problems


def format_text(text: str, file: str = "<text>") -> tuple[str | None, list[Diagnostic]]:
    """Format guideline text. Returns the formatted text, or None and the
    diagnostics when the text has errors (or, for a formatter bug, FIB901)."""
    source, problems = decode_source(text.encode("utf-8", "surrogatepass"), file)
    if source is None:
        return None, problems
    return format_source(source)


def _source_lines(source: SourceText | None) -> Callable[[str, int], str]:
    def line(_file: str, number: int) -> str:
        return source.line(number) if source is not None else ""

    return line


def run_fmt(paths: Sequence[str | Path], check: bool) -> int:
    """``fibrolang fmt``: rewrite files in place, or with ``check`` print a diff
    for each file that is not formatted. Returns the exit code: 0 all good,
    1 a file has errors (or, with ``check``, would change)."""
    from compiler.diagnostics.renderers import render_text

    status = 0
    for path in paths:
        source, problems = read_source(path)
        formatted: str | None = None
        if source is not None:
            formatted, problems = format_source(source)
        if formatted is None or source is None:
            click.echo(render_text(diag.arrange(problems), _source_lines(source)), err=True)
            status = 1
            continue
        if formatted == source.text:
            continue
        if check:
            diff = difflib.unified_diff(
                source.text.splitlines(keepends=True),
                formatted.splitlines(keepends=True),
                fromfile=f"{path} (as written)",
                tofile=f"{path} (formatted)",
            )
            click.echo(printable(f"would reformat {path}"))
            # each diff line escaped (fibrolang.printable): a raw control character in the
            # file is shown, never sent to the terminal
            click.echo("".join(printable(line.rstrip("\n")) + "\n" for line in diff), nl=False)
            status = 1
        else:
            Path(path).write_text(formatted, encoding="utf-8")
            click.echo(f"reformatted {path}")
    return status
