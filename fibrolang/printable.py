"""Untrusted text made safe to print: the one escaping function of every text and
Markdown output (explanations, ``eval --format text``, error listings, the
generated safety and traceability reports).

``printable(text)`` keeps a string on one line and visible: every control
character (C0, DEL, C1), the line and paragraph separators, the bidirectional
controls and invisible characters that a reader cannot see
(``fibrolang.invisible``: zero widths, the soft hyphen, tags, ...), and lone
surrogates (which no UTF-8 writer can encode) become backslash escapes
(``\\n``, ``\\x00``, ``\\u2028``, ``\\u202e``, ``\\U000e0041``, ``\\ud800``); a
backslash itself is left alone. With ``limit`` it also cuts
the text to that many characters and ends it with "…" (the echo of a 100 MB
value is 80 characters, not 100 MB). ``shown(value)`` is how an error message
quotes any value a caller gave, however it was built: a string quoted and
escaped, a huge integer by its number of digits, a deep or cyclic container
shortened, never an exception.

Renderers use them by construction: a plain-text report is a list of lines
joined by ``printable_lines`` (whatever a guideline string holds, each line
stays one line, so no string can forge a line such as "Recommendations:");
a Markdown report puts every string through ``markdown_text`` (inline text;
``line_start=True`` for text that begins a line) or ``markdown_code`` (a code
span), never raw.
"""

from __future__ import annotations

import math
import re
import reprlib
from collections.abc import Iterable

from fibrolang import invisible

ECHO_LIMIT = 80
"""How many characters of a value an error message echoes."""

_UNPRINTABLE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff\ud800-\udfff]"
)
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(match: re.Match[str]) -> str:
    character = match.group()
    named = _NAMED.get(character)
    if named is not None:
        return named
    code = ord(character)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(text: str, limit: int | None = None) -> str:
    """``text`` on one line with nothing invisible or unencodable in it (see the module
    docstring); cut to ``limit`` characters (plus "…") when it is longer."""
    if limit is not None and len(text) > limit:
        return _seen(_UNPRINTABLE.sub(_escape, text[:limit])) + "…"
    return _seen(_UNPRINTABLE.sub(_escape, text))


def _seen(text: str) -> str:
    """The hidden characters ``_UNPRINTABLE`` does not list (``fibrolang.invisible``: Unicode
    category Cf and a few more, which a regular expression cannot name) escaped too."""
    if not invisible.has_hidden(text):
        return text
    return "".join(invisible.shown(char) if invisible.is_hidden(char) else char for char in text)


def printable_lines(lines: Iterable[str]) -> str:
    """The lines of a plain-text report joined by newlines, each made ``printable``: a line
    break or control character inside a line is shown escaped, never obeyed."""
    return "\n".join(printable(line) for line in lines)


def _integer(value: int) -> str:
    if value.bit_length() <= 200:  # at most 61 digits: shown whole
        return str(value)
    digits = int(math.log10(abs(value))) + 1
    return f"{'-' if value < 0 else ''}an integer of {digits} digits"


class _Shortened(reprlib.Repr):
    """``repr`` cut at every level: strings, containers and depth."""

    def __init__(self) -> None:
        super().__init__()
        self.maxlevel = 3
        self.maxstring = ECHO_LIMIT
        self.maxother = ECHO_LIMIT
        self.maxlong = ECHO_LIMIT

    def repr_int(self, x: int, level: int) -> str:
        return _integer(x)


_SHORTENED = _Shortened()


def shown(value: object, limit: int = ECHO_LIMIT) -> str:
    """How a message quotes a value: ``'text'`` (escaped and cut), ``42``, ``an integer of
    5001 digits``, ``[1, 2, ...]``; whatever the value, never more than about ``limit``
    characters and never an exception."""
    if isinstance(value, str):
        return "'" + printable(value, limit) + "'"
    if isinstance(value, bool) or value is None:
        return repr(value)
    if isinstance(value, int):
        return _integer(value)
    try:
        text = _SHORTENED.repr(value)
    except Exception:  # a value whose repr fails: name its type only
        text = f"<{type(value).__name__}>"
    return printable(text, limit)


# ``_`` inside a word (``first_line``) cannot start or end emphasis in CommonMark: left as is.
_MARKDOWN_SPECIAL = re.compile(r"([\\`*{}\[\]<>#|!~]|(?<![^\W_])_|_(?![^\W_])|&(?=[#\w]))")
_HTML = {"<": "&lt;", ">": "&gt;", "&": "&amp;"}


def _markdown_escape(match: re.Match[str]) -> str:
    character = match.group()
    html = _HTML.get(character)
    return html if html is not None else "\\" + character


_LINE_START = re.compile(r"^([-+=])|^(\d+)([.)])")


def _line_start_escape(match: re.Match[str]) -> str:
    if match.group(1):
        return "\\" + match.group(1)
    return match.group(2) + "\\" + match.group(3)


def markdown_text(text: str, limit: int | None = None, line_start: bool = False) -> str:
    """``printable(text)`` made inert in Markdown: no line break (so no new heading, list or
    table row), no HTML (``<script>`` becomes ``&lt;script&gt;``), and the characters that
    start emphasis, code, links, tables or headings backslash-escaped. With ``line_start``
    (text that begins a line) also no list item, setext underline or indented code block:
    leading spaces are dropped and a leading ``-``, ``+``, ``=`` or ``1.`` escaped."""
    escaped = _MARKDOWN_SPECIAL.sub(_markdown_escape, printable(text, limit))
    if line_start:
        escaped = _LINE_START.sub(_line_start_escape, escaped.lstrip())
    return escaped


def markdown_code(text: str) -> str:
    """``printable(text)`` as a Markdown code span that no backtick in it can close early, with
    ``|`` escaped (a code span may sit in a table cell)."""
    inner = printable(text).replace("|", "\\|")
    fence = "`" * (max((len(run) for run in re.findall("`+", inner)), default=0) + 1)
    padding = " " if inner.startswith("`") or inner.endswith("`") else ""
    return f"{fence}{padding}{inner}{padding}{fence}"
