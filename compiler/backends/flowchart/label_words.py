"""Identifiers and labels placed in sentences: the words shared by the flowchart, the
CDS cards and the checker's expansion of parameterised definitions.

A module without imports, so the checker (compiler/front/parameters.py) does not load the
flowchart's wording (compiler/backends/flowchart/plain_words.py) or the runtime.
"""

from __future__ import annotations


def name_words(identifier: str) -> str:
    """An identifier in words: ``pain_score`` → ``pain score``."""
    return identifier.replace("_", " ").strip() or identifier


def inline(label: str) -> str:
    """A label placed inside a sentence: a leading capitalised ordinary word is
    lower-cased (``Chronic liver disease`` → ``chronic liver disease``), while
    abbreviations and names with inner capitals (``eGFR``, ``ACR``, ``WPI``) stay."""
    first = label.split(" ", 1)[0]
    if first in ("A", "An", "The") or (
        len(first) >= 2 and first[0].isupper() and first[1:].isalpha() and first[1:].islower()
    ):
        return label[0].lower() + label[1:]
    return label
