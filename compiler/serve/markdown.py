"""Guideline strings written into a card's Markdown detail, escaped by construction.

Every string that comes from a guideline (a quote, a note, a label, a citation)
goes through ``text``: Markdown punctuation is backslash-escaped and ``<``, ``>``
and ``&`` become entities, so no guideline text can open a link, an image, raw
HTML or a heading in the EHR's card.
"""

from __future__ import annotations

from functools import lru_cache

_PUNCTUATION = "\\`*_{}[]()#+-.!|~>"
_ESCAPES = str.maketrans(
    {
        **{char: "\\" + char for char in _PUNCTUATION},
        "&": "&amp;",
        "<": "&lt;",
        ">": "&gt;",
        "\r": " ",
        "\n": " ",
    }
)


@lru_cache(maxsize=8192)
def text(value: str) -> str:
    """The string as Markdown text that means itself (cached: a guideline's strings repeat)."""
    return value.translate(_ESCAPES)


def quote(value: str) -> str:
    return "> " + text(value)
