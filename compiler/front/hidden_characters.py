"""Hidden characters in a guideline's text: bidirectional controls and
invisible characters (the set is ``fibrolang.invisible.is_hidden``).

Each one outside a comment is reported where it stands:

- FIB014 (warning) inside a quoted text (a quote, a label, a title, a note):
  the reviewer reading the flowchart or the source may be shown something
  other than what the text holds, or than the order the compiler reads;
- FIB013 (error) anywhere else, which is inside a name or between words of
  the code: names and keywords are plain ASCII, so such a character is never
  meant there (and the parser would stop at it with a vaguer FIB004).

Comments are left alone: everything after ``#`` to the end of the line is a
comment, so nothing a control there reorders is read by the compiler. A
text that writes the character as an escape (``"\\u202e"``) is visible in
the source and gets no warning; every output shows the character as
``[U+202E]`` all the same.
"""

from __future__ import annotations

from compiler.diagnostics import catalogue as diag
from compiler.diagnostics.catalogue import Diagnostic
from compiler.front.syntax import Span
from fibrolang.invisible import BIDI_CONTROLS, describe, is_hidden, shown


def _kind(char: str) -> str:
    return "a bidirectional control" if char in BIDI_CONTROLS else "an invisible character"


def _effect(char: str) -> str:
    if char in BIDI_CONTROLS:
        return "it can make the line display in another order than the one fibrolang reads"
    return "a reader cannot see it"


def find_hidden_characters(text: str, file: str) -> list[Diagnostic]:
    """FIB013 and FIB014 for every hidden character outside comments, in source order."""
    if text.isascii():
        return []
    found: list[Diagnostic] = []
    for number, line in enumerate(text.splitlines(), 1):
        if line.isascii():
            continue
        in_text = False
        escaped = False
        for index, char in enumerate(line):
            if in_text:
                if escaped:
                    escaped = False
                elif char == "\\":
                    escaped = True
                elif char == '"':
                    in_text = False
            elif char == "#":
                break
            elif char == '"':
                in_text = True
            if is_hidden(char):
                found.append(_report(char, in_text, Span(file, number, index + 1, number, index + 2)))
    return found


def _report(char: str, in_text: bool, span: Span) -> Diagnostic:
    if in_text:
        return diag.make(
            "FIB014",
            f"a text holds {describe(char)}, {_kind(char)}: {_effect(char)} "
            f"(every output shows it as {shown(char)})",
            span,
            hint=f"delete it; if it is meant, write it as the escape \\u{ord(char):04x}, which readers of "
            "the source can see",
        )
    return diag.make(
        "FIB013",
        f"{_kind(char)}, {describe(char)}, stands in the code outside a text (shown as {shown(char)}): "
        "names and keywords are plain ASCII",
        span,
        hint="delete it, and retype the name or words around it",
    )
