"""A clinical source document split into sentences, for traceability.

Quotes in a guideline are matched against the source after normalising
whitespace (runs of spaces, tabs and line breaks count as one space), so a
quote may be copied from a wrapped or indented line. Typographic quotes,
dashes and the ellipsis are matched as their ASCII forms.
"""

from __future__ import annotations

import bisect
import re
from pathlib import Path

from compiler.front.regular_file import read_regular_text
from fibrolang.records import record

_SPACE = re.compile(r"\s+")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"'(])")
# A list marker (•, -, *, "1.") at the start of a line; MULTILINE so that it
# also finds them at every line start of a whole document.
LIST_MARKER = re.compile(r"^\s*(?:[-•*]|\d+\.)\s+", re.MULTILINE)
_TYPOGRAPHY = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u00a0": " ",
        "\u2026": "...",
    }
)


def normalise(text: str) -> str:
    """Whitespace collapsed, typographic quotes, dashes and … made plain.

    The one normalisation for quotes: the checker (FIB108) and ``fibrolang
    trace`` both match with it."""
    return _SPACE.sub(" ", text.translate(_TYPOGRAPHY)).strip()


@record
class Sentence:
    number: int  # 1-based, in document order
    line: int  # 1-based line of the source file
    text: str  # normalised, list markers removed
    start: int  # offset of the sentence in the normalised document
    end: int


@record
class SourceDocument:
    path: str
    text: str  # normalised whole document (sentences joined by one space), list markers removed
    sentences: tuple[Sentence, ...]
    marked: str = ""  # the same with the list markers kept
    # per line: where it starts in ``marked``, where its text after the marker starts in
    # ``marked``, and where that text starts in ``text``
    line_starts: tuple[tuple[int, int, int], ...] = ()

    def find(self, quote: str) -> tuple[int, int] | None:
        """Offsets of a quote in the normalised document, or None.

        A quote may leave out the list markers at the start of source lines or
        keep them ("... twice daily. 2. Individually ..."), as the checker
        (FIB108) accepts both: a quote found only with its markers is mapped
        back onto the text without them."""
        needle = normalise(quote)
        if not needle:
            return None
        index = self.text.find(needle)
        if index >= 0:
            return (index, index + len(needle))
        index = self.marked.find(needle)
        if index < 0:
            return None
        return (self._unmarked(index), self._unmarked(index + len(needle)))

    def _unmarked(self, offset: int) -> int:
        """The offset in ``text`` of an offset in ``marked`` (inside a marker: where its line starts)."""
        line = bisect.bisect_right([start for start, _, _ in self.line_starts], offset) - 1
        if line < 0:
            return 0
        _, body, plain = self.line_starts[line]
        return plain + max(0, offset - body)

    def sentences_between(self, start: int, end: int) -> list[Sentence]:
        return [s for s in self.sentences if s.start < end and start < s.end]


def split_sentences(raw: str, path: str = "<source>") -> SourceDocument:
    """Each non-empty line is split at sentence ends; list markers are dropped."""
    parts: list[str] = []
    sentences: list[Sentence] = []
    marked_lines: list[str] = []
    line_starts: list[tuple[int, int, int]] = []
    marked_offset = 0
    offset = 0
    for line_number, line in enumerate(raw.splitlines(), 1):
        body = normalise(LIST_MARKER.sub("", line))
        if not body:
            continue
        whole = normalise(line)
        marker = len(whole) - len(body) if whole.endswith(body) else 0
        if marked_lines:
            marked_offset += 1  # the joining space
        line_starts.append((marked_offset, marked_offset + marker, offset + 1 if parts else offset))
        marked_lines.append(whole if marker else body)
        marked_offset += len(marked_lines[-1])
        for piece in _SENTENCE_END.split(body):
            piece = piece.strip()
            if not piece:
                continue
            if parts:
                offset += 1  # the joining space
            sentences.append(Sentence(len(sentences) + 1, line_number, piece, offset, offset + len(piece)))
            parts.append(piece)
            offset += len(piece)
    return SourceDocument(path, " ".join(parts), tuple(sentences), " ".join(marked_lines), tuple(line_starts))


def load_document(path: Path) -> SourceDocument:
    return split_sentences(read_regular_text(path), str(path))
