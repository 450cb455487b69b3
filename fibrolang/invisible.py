"""Characters a reader cannot see: bidirectional controls and invisible characters.

A guideline's text can carry characters that change how a line *looks*
without changing what it *says* to the compiler: bidirectional controls
(U+202E RIGHT-TO-LEFT OVERRIDE makes the rest of a line display backwards,
the "Trojan Source" trick) and invisible characters (U+200B ZERO WIDTH
SPACE, U+00AD SOFT HYPHEN, tag characters U+E0000–U+E007F that smuggle
hidden ASCII). A committee reviewing a flowchart or a diagnostic must see
them, so every output a reviewer reads shows each as its escape, the way a
guideline text may write it: ``\\u202e`` (``\\U000e0041`` beyond U+FFFF).
``fibrolang.printable`` does so for every text and Markdown output, the
flowchart (``compiler.backends.flowchart.dot_text``) and the diagnostics.

The set (``is_hidden``):

- every character of Unicode category Cf (format), which holds the bidi
  controls U+061C, U+200E, U+200F, U+202A–U+202E, U+2066–U+2069, the zero
  widths U+200B–U+200D, U+2060–U+2064, U+FEFF, U+00AD, U+180E and the tags;
- variation selectors U+FE00–U+FE0F and U+E0100–U+E01EF (category Mn, but
  invisible on their own);
- the Hangul fillers U+115F, U+1160, U+3164, U+FFA0 (letters that draw as
  blank space).

This module is the one definition of the set: the checker (FIB013, FIB014)
and ``fibrolang.printable`` use it. Standard library only (the runtime uses it).
"""

from __future__ import annotations

import unicodedata

BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
_FILLERS = frozenset("\u115f\u1160\u3164\uffa0")


def is_hidden(char: str) -> bool:
    """Whether a reader cannot see ``char`` (or it reorders what they see): see the module."""
    code = ord(char)
    if code < 0xAD:  # ASCII and Latin-1 before the soft hyphen: the common case, at once
        return False
    if 0xFE00 <= code <= 0xFE0F or 0xE0100 <= code <= 0xE01EF or char in _FILLERS:
        return True
    return unicodedata.category(char) == "Cf"


def has_hidden(text: str) -> bool:
    return not text.isascii() and any(is_hidden(char) for char in text)


def shown(char: str) -> str:
    """How every output shows a hidden character: its escape, ``\\u202e`` (``\\U000e0041``)."""
    code = ord(char)
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def describe(char: str) -> str:
    """``U+202E RIGHT-TO-LEFT OVERRIDE``: the code point and its Unicode name, for a message."""
    name = unicodedata.name(char, "")
    return f"U+{ord(char):04X} {name}" if name else f"U+{ord(char):04X}"
