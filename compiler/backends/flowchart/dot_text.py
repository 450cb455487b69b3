"""Text for Graphviz HTML-like labels: the one escaping function, and wrapping.

Every string that comes from a guideline (or a graph JSON file) reaches the DOT
output only through ``escape``. Its output is printable ASCII in which ``&``
only begins an entity and ``<``, ``>``, ``"``, ``\\`` and newlines never occur,
so it is inert inside an HTML-like label and inside a double-quoted DOT string.
Non-ASCII characters (``≥``, ``²``, ``é``, ``中文``) become numeric character
references, which Graphviz turns back into the characters in SVG, PDF and PNG.
Characters that XML forbids (control characters, surrogates, U+FFFE/U+FFFF)
become a space or U+FFFD, so the SVG Graphviz writes always parses.
Bidirectional controls and invisible characters (``fibrolang.invisible``)
are shown as their escape (``\\u202e``), so a committee sees them on the chart.

The markup this module and the label builders add around escaped text is
written as literals here; nothing else in the backend writes markup.
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Iterable

from fibrolang.invisible import is_hidden, shown

_NAMED = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;", "\\": "&#92;"}
_REPLACEMENT = 0xFFFD


def escape(text: str) -> str:
    """The only way guideline text enters the DOT output (see the module docstring)."""
    out: list[str] = []
    for char in text:
        code = ord(char)
        if char in _NAMED:
            out.append(_NAMED[char])
        elif 32 <= code < 127:
            out.append(char)
        elif code < 32 or 127 <= code < 160:
            out.append(" ")  # control characters: never valid in the SVG
        elif 0xD800 <= code <= 0xDFFF or code in (0xFFFE, 0xFFFF):
            out.append(f"&#{_REPLACEMENT};")
        elif is_hidden(char):
            out.append(escape(shown(char)))  # \u202e, its backslash as &#92;
        else:
            out.append(f"&#{code};")
    return "".join(out)


_SAFE_ID = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(/[A-Za-z0-9_]+)?")


def identifier(name: str) -> str:
    """A DOT node or SVG element id for a graph id: the id itself when it is a
    guideline name (``adult``, ``adult/1``), otherwise ``x-`` and its UTF-8 bytes in
    hex, which cannot collide with a name. Never contains quotes or backslashes."""
    if _SAFE_ID.fullmatch(name):
        return name
    return "x-" + name.encode("utf-8", "surrogatepass").hex()


def wrap(text: str, width: int) -> list[str]:
    """Lines of at most ``width`` characters; newlines in the text start new lines;
    words longer than a line are broken."""
    lines: list[str] = []
    for paragraph in text.replace("\r\n", "\n").split("\n"):
        wrapped = textwrap.wrap(
            paragraph,
            width=width,
            break_long_words=True,
            break_on_hyphens=False,
            replace_whitespace=True,
        )
        lines.extend(wrapped or ([""] if paragraph.strip() else []))
    return lines or [""]


def lines_markup(lines: Iterable[str], align: str = "LEFT") -> str:
    """Escaped lines joined by line breaks aligned to one side (``LEFT``/``CENTER``)."""
    br = "<BR/>" if align == "CENTER" else f'<BR ALIGN="{align}"/>'
    escaped = [escape(line) for line in lines]
    return br.join(escaped) + (br if align != "CENTER" else "")


def text_markup(
    text: str,
    width: int,
    *,
    bold: bool = False,
    italic: bool = False,
    size: float | None = None,
    colour: str | None = None,
    align: str = "LEFT",
) -> str:
    """Wrapped, escaped text with optional bold, italic, size and colour."""
    body = lines_markup(wrap(text, width), align)
    return styled(body, bold=bold, italic=italic, size=size, colour=colour)


def styled(
    markup: str,
    *,
    bold: bool = False,
    italic: bool = False,
    size: float | None = None,
    colour: str | None = None,
) -> str:
    """Markup (already escaped) wrapped in font tags."""
    if bold:
        markup = f"<B>{markup}</B>"
    if italic:
        markup = f"<I>{markup}</I>"
    attributes = []
    if size is not None:
        attributes.append(f'POINT-SIZE="{size:g}"')
    if colour is not None:
        attributes.append(f'COLOR="{colour}"')
    if attributes:
        markup = f"<FONT {' '.join(attributes)}>{markup}</FONT>"
    return markup
