"""Reading a guideline file and parsing it with the Lark grammar.

The parser is built once per process (and cached on disk by Lark between
processes) from ``grammar.lark``. Every failure becomes a diagnostic:
unreadable files, non-UTF-8 bytes, syntax errors worded for a guideline
author, and nesting deeper than the compiler will follow.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from lark import Lark, Token, Tree
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from compiler import diagnostics as diag
from compiler.diagnostics import Diagnostic
from compiler.syntax import Span

GRAMMAR_PATH = Path(__file__).with_name("grammar.lark")
MAX_FILE_BYTES = 16 * 1024 * 1024
MAX_TREE_DEPTH = 400


@dataclass(frozen=True, slots=True)
class SourceText:
    """A guideline file as text, with the name used in diagnostics."""

    file: str
    text: str

    def line(self, number: int) -> str:
        lines = self.text.splitlines()
        return lines[number - 1] if 0 < number <= len(lines) else ""


@cache
def parser() -> Lark:
    """The Lark parser, built once (LALR, contextual lexer, positions on)."""
    return Lark(
        GRAMMAR_PATH.read_text(encoding="utf-8"),
        parser="lalr",
        lexer="contextual",
        propagate_positions=True,
        maybe_placeholders=True,
        cache=True,
    )


def read_source(
    path: str | Path, display_name: str | None = None
) -> tuple[SourceText | None, list[Diagnostic]]:
    """Read a guideline file; report unreadable, oversized, empty or non-UTF-8 files."""
    name = display_name if display_name is not None else str(path)
    here = Span(name, 1, 1, 1, 1)
    try:
        data = Path(path).read_bytes()
    except OSError as error:
        reason = error.strerror or type(error).__name__
        return None, [
            diag.make(
                "FIB001",
                f"cannot read {name}: {reason}",
                here,
                hint="check the path and that the file is readable",
            )
        ]
    return decode_source(data, name)


def decode_source(data: bytes, name: str) -> tuple[SourceText | None, list[Diagnostic]]:
    here = Span(name, 1, 1, 1, 1)
    if len(data) > MAX_FILE_BYTES:
        size = len(data) / (1024 * 1024)
        return None, [
            diag.make(
                "FIB012",
                f"the file is {size:.1f} MB; guidelines are limited to {MAX_FILE_BYTES // (1024 * 1024)} MB",
                here,
                hint="split the guideline, or check that this is the file you meant",
            )
        ]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        column = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
        span = Span(name, line, column, line, column + 1)
        return None, [
            diag.make(
                "FIB002",
                f"byte 0x{data[error.start]:02x} at offset {error.start} is not UTF-8 text",
                span,
                hint="save the file as UTF-8; guidelines are text files",
            )
        ]
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\x00" in text:
        offset = text.index("\x00")
        line = text.count("\n", 0, offset) + 1
        column = offset - (text.rfind("\n", 0, offset) + 1) + 1
        return None, [
            diag.make(
                "FIB002",
                "the file contains a NUL byte: it looks like a binary file",
                Span(name, line, column, line, column + 1),
                hint="guidelines are UTF-8 text files",
            )
        ]
    if not text.strip() or all(
        not line.strip() or line.lstrip().startswith("#") for line in text.splitlines()
    ):
        return None, [
            diag.make(
                "FIB003",
                "the file has no guideline in it",
                here,
                hint='a guideline starts with: guideline <id> title "..." version "..." ... end',
            )
        ]
    return SourceText(name, text), []


def parse_tree(source: SourceText) -> tuple[Tree[Token] | None, list[Diagnostic]]:
    """Parse to a Lark tree, or explain the first syntax error in the author's words."""
    try:
        tree = parser().parse(source.text)
    except UnexpectedInput as error:
        return None, [syntax_error(source, error)]
    depth_problem = _too_deep(tree, source)
    if depth_problem is not None:
        return None, [depth_problem]
    return tree, []


def _too_deep(tree: Tree[Token], source: SourceText) -> Diagnostic | None:
    stack: list[tuple[Tree[Token], int]] = [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_TREE_DEPTH:
            line = getattr(node.meta, "line", 1)
            column = getattr(node.meta, "column", 1)
            return diag.make(
                "FIB009",
                f"this expression nests more than {MAX_TREE_DEPTH} levels deep",
                Span(source.file, line, column, line, column + 1),
                hint="split it into named definitions with `define`",
            )
        for child in node.children:
            if isinstance(child, Tree):
                stack.append((child, depth + 1))
    return None


# ---------------------------------------------------------------------------
# Syntax errors in the author's words
# ---------------------------------------------------------------------------

_TERMINAL_WORDS = {
    "NAME": "a name",
    "STRING": "a quoted text",
    "NUMBER": "a number",
    "COMPARE": "a comparison (<, <=, >, >=, ==, !=)",
    "$END": "the end of the file",
    "INTEGER": "`integer`",
    "DECIMAL": "`decimal`",
}

_BLOCK_WORDS = {
    "GUIDELINE": "guideline",
    "DRUG": "drug",
    "THERAPY": "therapy",
    "PATHWAY": "pathway",
    "DECIDE": "decide",
    "STEP": "step",
}


def _terminal_word(name: str) -> str:
    if name in _TERMINAL_WORDS:
        return _TERMINAL_WORDS[name]
    for terminal in parser().terminals:
        if terminal.name == name:
            pattern = terminal.pattern
            if pattern.type == "str":
                return f"`{pattern.value}`"
    return name.lower().replace("_", " ")


def _expected_words(expected: set[str]) -> str:
    words = sorted({_terminal_word(name) for name in expected if not name.startswith("__ANON")})
    anonymous = [name for name in expected if name.startswith("__ANON")]
    words += sorted({_terminal_word(name) for name in anonymous})
    if not words:
        return "something else"
    if len(words) > 8:
        return ", ".join(words[:8]) + f" or one of {len(words) - 8} other words"
    if len(words) == 1:
        return words[0]
    return ", ".join(words[:-1]) + " or " + words[-1]


def _open_block(error: UnexpectedInput) -> str | None:
    """The innermost block (decide, step, drug, ...) still open at the error."""
    state = getattr(error, "state", None)
    stack = getattr(state, "value_stack", None) if state is not None else None
    if not stack:
        return None
    for index in range(len(stack) - 1, -1, -1):
        item = stack[index]
        if isinstance(item, Token) and item.type in _BLOCK_WORDS:
            following = stack[index + 1] if index + 1 < len(stack) else None
            name = f" {following}" if isinstance(following, Token) and following.type == "NAME" else ""
            return f"`{_BLOCK_WORDS[item.type]}{name}` (line {item.line})"
    return None


def _token_text(token: Token) -> str:
    if token.type == "$END":
        return "the end of the file"
    text = str(token)
    if len(text) > 30:
        text = text[:27] + "..."
    return f"`{text}`"


def syntax_error(source: SourceText, error: UnexpectedInput) -> Diagnostic:
    line = error.line if isinstance(error.line, int) and error.line > 0 else 1
    column = error.column if isinstance(error.column, int) and error.column > 0 else 1
    block = _open_block(error)
    open_note = f"; the innermost open block is {block}" if block else ""
    if isinstance(error, UnexpectedCharacters):
        position = error.pos_in_stream if isinstance(error.pos_in_stream, int) else len(source.text)
        char = source.text[position] if position < len(source.text) else ""
        span = Span(source.file, line, column, line, column + 1)
        if char == '"':
            return diag.make(
                "FIB007",
                "this text has no closing quote on its line",
                span,
                hint='close it with " on the same line; write \\" for a quote inside text',
            )
        return diag.make(
            "FIB004", f"unexpected character `{char}`{open_note}", span, hint=_character_hint(char, error)
        )
    if isinstance(error, UnexpectedToken) and error.token.type != "$END":
        token = error.token
        end_column = column + max(1, len(str(token)))
        span = Span(source.file, line, column, line, end_column)
        expected = _expected_words(set(error.expected))
        return diag.make(
            "FIB005",
            f"unexpected {_token_text(token)}: expected {expected}{open_note}",
            span,
            hint=_token_hint(token, set(error.expected)),
        )
    # End of file inside something.
    lines = source.text.splitlines() or [""]
    last_line = len(lines)
    last_column = len(lines[-1]) + 1
    expected_set = set(getattr(error, "expected", set()) or set())
    expected = _expected_words(expected_set)
    span = Span(source.file, last_line, last_column, last_line, last_column)
    hint = "add `end` to close it" if block else None
    return diag.make("FIB006", f"the file ends too early: expected {expected}{open_note}", span, hint=hint)


def _character_hint(char: str, error: UnexpectedCharacters) -> str | None:
    hints = {
        "&": "write `and` instead of `&&`",
        "|": "write `or` instead of `||`",
        "!": "write `not` for negation, `!=` for 'is not equal'",
        "=": "write `==` or `is` to compare",
        "'": 'texts are written in double quotes: "..."',
        "%": "units are written after numbers as words, e.g. `30 mL/min/1.73m2`",
        ";": "fibrolang needs no semicolons: put each item on its own line",
        ":": "a colon belongs only after a name in `input` and `record` declarations",
    }
    if char in hints:
        return hints[char]
    if char.isdigit() or char == ".":
        return "numbers are written like 4, 4.5 or 0.437"
    return None


def _token_hint(token: Token, expected: set[str]) -> str | None:
    text = str(token)
    if text == "/":
        return (
            "fibrolang has no division; write `x * 0.5` for half of x (`/` belongs in units such as mg/day)"
        )
    if text == "=" and "COMPARE" in expected:
        return "write `==` or `is` to compare; `=` only gives a definition its expression"
    if token.type == "COMPARE":
        return (
            "a count, sum or if-expression extends to the right: put it in parentheses, "
            "e.g. `(count a in x where ...) >= 2`, or name it with `define`"
        )
    if "END" in expected and token.type in {"WHEN", "OTHERWISE"}:
        return "a branch reads `when <condition> -> <next node>`"
    if "__ANON_ARROW" in expected or any(_terminal_word(name) == "`->`" for name in expected):
        return "write `-> <name of the next node>`"
    if token.type == "NAME" and any(_terminal_word(name) == "`,`" for name in expected):
        return "separate the items of a list with commas"
    return None


def comments(source: SourceText) -> list[tuple[int, int, str]]:
    """Every ``#`` comment as (line, column, text), skipping ``#`` inside strings."""
    found: list[tuple[int, int, str]] = []
    for match in _COMMENT_OR_STRING.finditer(source.text):
        if match.group(0).startswith("#"):
            offset = match.start()
            line = source.text.count("\n", 0, offset) + 1
            column = offset - (source.text.rfind("\n", 0, offset) + 1) + 1
            found.append((line, column, match.group(0).rstrip()))
    return found


_COMMENT_OR_STRING = re.compile(r'"(?:[^"\\\n]|\\.)*"?|#[^\n]*')


def unexpected_eof(error: UnexpectedInput) -> bool:
    return isinstance(error, UnexpectedEOF) or (
        isinstance(error, UnexpectedToken) and error.token.type == "$END"
    )
