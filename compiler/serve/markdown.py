"""Guideline strings written into a card's Markdown detail, escaped by construction.

Every string that comes from a guideline (a quote, a note, a label, a citation)
goes through ``text``: Markdown punctuation is backslash-escaped and ``<``, ``>``
and ``&`` become entities, so no guideline text can open a link, an image, raw
HTML or a heading in the EHR's card.
"""

from __future__ import annotations

_PUNCTUATION = set("\\`*_{}[]()#+-.!|~>")
_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}


def text(value: str) -> str:
    out = []
    for char in value.replace("\r", " ").replace("\n", " "):
        if char in _ENTITIES:
            out.append(_ENTITIES[char])
        elif char in _PUNCTUATION:
            out.append("\\" + char)
        else:
            out.append(char)
    return "".join(out)


def quote(value: str) -> str:
    return "> " + text(value)
