"""Parsing a guideline's text with the Lark grammar.

The parser is made once per process from ``grammar.lark`` (and kept ready-made
between processes by ``compiler.front.grammar_cache``). Every failure becomes a diagnostic: syntax
errors worded for a guideline author, and nesting deeper than the compiler
will follow. Reading the file (unreadable files, non-UTF-8 bytes) is
``compiler.front.source``'s, re-exported here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from lark import Lark, Token, Tree
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from compiler.diagnostics import catalogue as diag
from compiler.diagnostics.catalogue import Diagnostic
from compiler.front.chunks import DECLARATION_KEYWORDS, NODE_KEYWORDS
from compiler.front.comments import comments as comments
from compiler.front.source import MAX_FILE_BYTES as MAX_FILE_BYTES
from compiler.front.source import SourceText as SourceText
from compiler.front.source import decode_source as decode_source
from compiler.front.source import read_source as read_source
from compiler.front.syntax import Span
from fibrolang.operators import INFIX_ARITHMETIC

GRAMMAR_PATH = Path(__file__).with_name("grammar.lark")
MAX_TREE_DEPTH = 400


PARSER_OPTIONS = {
    "parser": "lalr",
    "lexer": "contextual",
    "propagate_positions": True,
    "maybe_placeholders": True,
}


@cache
def parser() -> Lark:
    """The Lark parser (LALR, contextual lexer, positions on), made once per process, or
    read ready-made from the cache directory (``compiler.front.grammar_cache``)."""
    from compiler.front import grammar_cache

    return grammar_cache.parser(GRAMMAR_PATH.read_text(encoding="utf-8"), PARSER_OPTIONS)


def parse_tree(source: SourceText) -> tuple[Tree[Token] | None, list[Diagnostic]]:
    """Parse to a Lark tree, or explain the first syntax error in the author's words; with
    the hidden characters of the text (FIB013, FIB014: ``compiler.front.hidden_characters``)."""
    from compiler.front.hidden_characters import find_hidden_characters

    hidden = find_hidden_characters(source.text, source.file)
    try:
        tree = parser().parse(source.text)
    except UnexpectedInput as error:
        problem = syntax_error(source, error)
        at = (problem.span.line, problem.span.column)
        if problem.code == "FIB004" and any((h.span.line, h.span.column) == at for h in hidden):
            return None, hidden  # the parser stopped at a hidden character: FIB013 says why
        return None, [*hidden, problem]
    depth_problem = too_deep(tree, source)
    if depth_problem is not None:
        return None, [*hidden, depth_problem]
    return tree, hidden


def too_deep(tree: Tree[Token], source: SourceText) -> Diagnostic | None:
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
#
# Lark reports the tokens its parse table would accept; after LALR state
# merging that list is long and partly wrong (46 names after `define y = a`).
# We ask the interactive parser which tokens it really accepts, then group
# them the way an author thinks: "an expression", "an operator", "an
# attribute", "the next declaration", instead of listing every keyword.
# ---------------------------------------------------------------------------

_TERMINAL_WORDS = {
    "NAME": "a name",
    "STRING": 'a quoted text ("...")',
    "NUMBER": "a number",
    "COMPARE": "a comparison (<, <=, >, >=, ==, !=)",
    "$END": "the end of the file",
}

_EXPRESSION_START = frozenset(
    [
        "NAME",
        "NUMBER",
        "true",
        "false",
        "(",
        "{",
        "count",
        "any",
        "all",
        "sum",
        "if",
        "not",
        "-",
        "dose",
        "anything",
        "points",
        "table",
        "unset",
        "STRING",  # a text ("Refer to nephrology"), shown by an output
    ]
)
# "(" after a name calls a function: round(bmi, 1)
_OPERATORS = frozenset(
    # "(": a call; "from": `years from a to b`
    ["COMPARE", *INFIX_ARITHMETIC, "(", ".", "[", "and", "or", "is", "in", "not", "between", "from"]
)

# (what the group is called, its members as written, how many must be expected to use the name)
_GROUPS: tuple[tuple[str, tuple[str, ...], int], ...] = (
    ("an attribute (`quote`, `note`, `cite` or `label`)", ("quote", "note", "cite", "label"), 2),
    (
        "an action (`start`, `stop`, `avoid`, `flag`, `monitor`, ...)",
        tuple(
            [
                "start",
                "continue",
                "increase",
                "decrease",
                "switch",
                "add",
                "stop",
                "consider",
                "recommend",
                "avoid",
                "flag",
                "monitor",
            ]
        ),
        3,
    ),
    (
        "a line of the drug (`class`, `dose`, `fda`, `evidence`, `effect size`, `contraindicated when`, "
        "`side effects`)",
        ("class", "dose", "fda", "evidence", "effect", "contraindicated", "side"),
        3,
    ),
    ("the next pathway node (`decide`, `step` or `outcome`)", NODE_KEYWORDS, 2),
    ("the next declaration (`define`, `input`, `drug`, `pathway`, ...)", DECLARATION_KEYWORDS, 3),
)

_BLOCK_CLOSERS = {
    "GUIDELINE": "END",
    "DRUG": "END",
    "THERAPY": "END",
    "PATHWAY": "END",
    "DECIDE": "END",
    "STEP": "END",
    "LBRACE": "RBRACE",
    "LPAR": "RPAR",
    "LSQB": "RSQB",
}
_QUANTIFIERS = frozenset(["COUNT", "ANY", "ALL", "SUM", "IF"])


@cache
def _literals() -> dict[str, str]:
    """Terminal name -> the text it matches, for keywords and symbols."""
    return {t.name: t.pattern.value for t in parser().terminals if t.pattern.type == "str"}


def _word(terminal: str) -> str:
    """How an author reads a terminal: `end`, `->`, a name, a number."""
    literal = _literals().get(terminal)
    if terminal in _TERMINAL_WORDS:
        return _TERMINAL_WORDS[terminal]
    if literal is not None:
        return f"`{literal}`"
    return terminal.lower().replace("_", " ")


def expected_words(expected: set[str]) -> str:
    """The expected terminals as a short phrase in the author's words."""
    literals = _literals()
    remaining = {literals.get(name, name) for name in expected}
    groups: list[str] = []
    if len(remaining & _EXPRESSION_START) >= 4:
        groups.append("an expression")
        remaining -= _EXPRESSION_START
    if len(remaining & _OPERATORS) >= 3:
        groups.append("an operator (`and`, `or`, `==`, `+`, ...)")
        remaining -= _OPERATORS
    for phrase, members, enough in _GROUPS:
        if len(remaining & set(members)) >= enough:
            groups.append(phrase)
            remaining -= set(members)
    singles = sorted(_TERMINAL_WORDS.get(item, f"`{item}`") for item in remaining if item != "$END")
    words = singles + groups + (["the end of the file"] if "$END" in remaining else [])
    if not words:
        return "something else"
    if len(words) > 7:
        words = [*words[:6], "something else"]
    if len(words) == 1:
        return words[0]
    return ", ".join(words[:-1]) + " or " + words[-1]


@dataclass(frozen=True, slots=True)
class _Opener:
    kind: str  # the opening token's type: STEP, DECIDE, LPAR, ...
    description: str  # `step plan`, `(`
    line: int
    column: int


def _value_stack(error: UnexpectedInput) -> list[object]:
    state = getattr(error, "state", None)
    if state is None:
        interactive = getattr(error, "interactive_parser", None)
        state = getattr(interactive, "parser_state", None)
    stack = getattr(state, "value_stack", None)
    return list(stack) if stack else []


def _open_blocks(stack: Sequence[object]) -> list[_Opener]:
    """Blocks, braces and brackets still open at the error, innermost first."""
    closed: dict[str, int] = {}
    found: list[_Opener] = []
    for index in range(len(stack) - 1, -1, -1):
        item = stack[index]
        if not isinstance(item, Token):
            continue
        if item.type in _BLOCK_CLOSERS.values():
            closed[item.type] = closed.get(item.type, 0) + 1
            continue
        closer = _BLOCK_CLOSERS.get(item.type)
        if closer is None:
            continue
        if closed.get(closer, 0):
            closed[closer] -= 1
            continue
        following = stack[index + 1] if index + 1 < len(stack) else None
        name = f" {following}" if isinstance(following, Token) and following.type == "NAME" else ""
        description = f"{item}{name}"
        if item.type == "LBRACE":
            head = [c for c in stack[max(0, index - 3) : index] if isinstance(c, Token)]
            if len(head) >= 2 and head[-2].type in ("ENUM", "RECORD") and head[-1].type == "NAME":
                description = f"{head[-2]} {head[-1]} {{"
        found.append(_Opener(item.type, description, item.line or 0, item.column or 0))
    return found


def _open_note(opener: _Opener | None) -> str:
    if opener is None:
        return ""
    if opener.kind in ("LPAR", "LSQB", "LBRACE"):
        return f"; the `{opener.description}` at line {opener.line}, column {opener.column} is still open"
    return f"; the innermost open block is `{opener.description}` (line {opener.line})"


def _accepted(error: UnexpectedInput) -> set[str]:
    """The terminals the parser really accepts here (after default reductions)."""
    interactive = getattr(error, "interactive_parser", None)
    if interactive is not None:
        try:
            return set(interactive.accepts())
        except Exception:  # pragma: no cover - fall back to Lark's own list
            pass
    return set(getattr(error, "expected", set()) or set())


def _token_text(token: Token) -> str:
    if token.type == "$END":
        return "the end of the file"
    text = str(token)
    if len(text) > 30:
        text = text[:27] + "..."
    return f"`{text}`"


def _character(char: str) -> str:
    if not char:
        return "the end of the file"
    if char.isprintable() and not char.isspace():
        return f"`{char}`"
    return f"U+{ord(char):04X}"


def syntax_error(source: SourceText, error: UnexpectedInput) -> Diagnostic:
    """One diagnostic for a Lark syntax error: what was found, what the author
    could write instead, and which block is still open."""
    line = error.line if isinstance(error.line, int) and error.line > 0 else 1
    column = error.column if isinstance(error.column, int) and error.column > 0 else 1
    stack = _value_stack(error)
    openers = _open_blocks(stack)
    innermost = openers[0] if openers else None
    block = next((o for o in openers if o.kind not in ("LPAR", "LSQB", "LBRACE")), None)
    accepted = _accepted(error)
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
            "FIB004",
            f"unexpected character {_character(char)}: expected {expected_words(accepted)}"
            + _open_note(innermost),
            span,
            hint=_character_hint(char, source.text[position : position + 2]),
        )
    if isinstance(error, UnexpectedToken) and error.token.type == "VBAR" and "VBAR" not in accepted:
        # `|` is a token only for the cells of lookup tables: elsewhere it reads as before
        position = error.token.start_pos if isinstance(error.token.start_pos, int) else 0
        return diag.make(
            "FIB004",
            f"unexpected character `|`: expected {expected_words(accepted)}" + _open_note(innermost),
            Span(source.file, line, column, line, column + 1),
            hint=_character_hint("|", source.text[position : position + 2]),
        )
    if isinstance(error, UnexpectedToken) and error.token.type != "$END":
        token = error.token
        end_column = column + max(1, len(str(token)))
        span = Span(source.file, line, column, line, end_column)
        return diag.make(
            "FIB005",
            f"unexpected {_token_text(token)}: expected {expected_words(accepted)}{_open_note(innermost)}",
            span,
            hint=_token_hint(token, accepted, stack, block),
        )
    # The end of the file inside something.
    lines = source.text.splitlines() or [""]
    last_line = len(lines)
    last_column = len(lines[-1]) + 1
    span = Span(source.file, last_line, last_column, last_line, last_column)
    hint = None
    if innermost is not None and innermost.kind in ("LPAR", "LSQB", "LBRACE"):
        closing = {"LPAR": ")", "LSQB": "]", "LBRACE": "}"}[innermost.kind]
        hint = f"close the `{innermost.description}` of line {innermost.line} with `{closing}`"
    elif block is not None and "END" in accepted:
        hint = f"add `end` to close `{block.description}`"
    elif "ELSE" in accepted:
        hint = "an if-expression reads `if <condition> then <value> else <value>`"
    return diag.make(
        "FIB006",
        f"the file ends too early: expected {expected_words(accepted)}{_open_note(innermost)}",
        span,
        hint=hint,
    )


def _character_hint(char: str, two: str) -> str | None:
    if two in ("&&", "||"):
        return f"write `{'and' if two == '&&' else 'or'}` instead of `{two}`"
    hints = {
        "&": "write `and` to join conditions",
        "|": "write `or` to join alternatives",
        "!": "write `not` for negation, `!=` for 'is not equal'",
        "=": "write `==` or `is` to compare",
        "'": 'texts are written in double quotes: "..."',
        "%": "there is no `%`: write a percentage as a number with a unit name, e.g. `30 percent`",
        ";": "fibrolang needs no semicolons: put each item on its own line",
        ":": "a colon belongs only after a name in `input` and `record` declarations",
        "\u2019": 'use straight double quotes for text: "..."',
        "\u201c": 'use straight double quotes for text: "..."',
        "\u201d": 'use straight double quotes for text: "..."',
    }
    if char in hints:
        return hints[char]
    if char.isdigit() or char == ".":
        return "numbers are written like 4, 4.5 or 0.437"
    if char.isalpha():
        return "names use the letters A-Z and a-z, digits and `_`; write other letters inside quoted text"
    return None


def _token_hint(
    token: Token, accepted: set[str], stack: Sequence[object], block: _Opener | None
) -> str | None:
    literals = _literals()
    expected = {literals.get(name, name) for name in accepted}
    text = str(token)
    if text == "/":
        return "write a unit without spaces around `/` (mg/day); a spaced `/` divides, inside an expression"
    if text == "=" and "COMPARE" in expected:
        return "write `==` or `is` to compare; `=` only gives a definition its expression"
    if token.type == "COMPARE" or (token.type in ("IS", "IN", "BETWEEN") and "COMPARE" not in expected):
        open_tail = any(
            (isinstance(item, Token) and item.type in _QUANTIFIERS)
            or (isinstance(item, Tree) and item.data == "quantifier_kind")
            for item in stack
        )
        if open_tail:
            return (
                "a count, any, all, sum or if-expression extends to the right: put it in parentheses, "
                "e.g. `(count a in x where ...) >= 2`, or name it with `define`"
            )
        return "comparisons do not chain: write `a < b and b < c`"
    if "end" in expected and block is not None and token.type in _BLOCK_STARTERS:
        return f"is `{block.description}` (line {block.line}) missing its `end`?"
    if "end" in expected and token.type in ("WHEN", "OTHERWISE"):
        return "`otherwise` is the last branch of a decision; put the `when` branches before it"
    if "->" in expected and token.type in ("NAME", "END"):
        return "write `-> <name of the next node>`"
    if "else" in expected:
        return "an if-expression reads `if <condition> then <value> else <value>`"
    if token.type == "NAME" and "," in expected:
        return "separate the items of a list with commas"
    if token.type in ("AND", "OR") and "COMPARE" not in expected and "and" not in expected:
        return "`and` and `or` join conditions inside an expression; start a new line with a keyword"
    return None


_BLOCK_STARTERS = frozenset(
    [
        "DECIDE",
        "STEP",
        "OUTCOME",
        "DRUG",
        "THERAPY",
        "PATHWAY",
        "ENUM",
        "ORDINAL",
        "UNIT",
        "RECORD",
        "INPUT",
        "CODES",
        "DEFINE",
        "CONSTANT",
        "OUTPUT",
        "INVARIANT",
        "WAIVE",
    ]
)


def unexpected_eof(error: UnexpectedInput) -> bool:
    return isinstance(error, UnexpectedEOF) or (
        isinstance(error, UnexpectedToken) and error.token.type == "$END"
    )
