"""Traceability: every ``cite`` names a declared citation, and every quoted
or waived sentence appears in its source file.

Matching is verbatim after normalising both texts the same way:
- runs of whitespace (spaces, tabs, line breaks) count as one space, and
  leading/trailing whitespace is ignored, so a quote may span a wrapped line;
- typographic quotes, apostrophes and dashes match their ASCII forms
  (‘ ’ → ', “ ” → ", – — → -), a non-breaking space is a space and … is ...;
- list markers at the start of a source line (•, -, *, "1.") may be left out,
  so a quote may run from one list item into the next.
Case, punctuation and wording must match exactly.

A quote that is not found gets a hint with the closest passage of the
source (difflib's SequenceMatcher over windows of the quote's length).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from pathlib import Path

from compiler.check.context import Context, did_you_mean
from compiler.diagnostics import catalogue as diag
from compiler.diagnostics.catalogue import Diagnostic, RelatedSpan
from compiler.front import syntax as s
from compiler.front.regular_file import NotARegularFile, read_regular_text
from compiler.traceability.source_document import LIST_MARKER, normalise
from fibrolang.records import record

_CANDIDATES = 25  # windows scored in full when looking for the closest passage


@record
class SourceText:
    """A source file, normalised for matching, with the line of every word."""

    text: str  # normalised
    without_markers: str  # normalised, list markers removed
    words: tuple[str, ...]
    word_lines: tuple[int, ...]

    def contains(self, passage: str) -> bool:
        wanted = normalise(passage)
        return bool(wanted) and (wanted in self.text or wanted in self.without_markers)

    def closest(self, passage: str) -> tuple[int, str, float] | None:
        """The line, text and similarity of the passage most like ``passage``.

        Windows of the quote's length in words are ranked first by how many of
        the quote's words they share (a cheap sliding count); SequenceMatcher
        then scores only the best few, which keeps this well under 50 ms on a
        6 KB source."""
        wanted = normalise(passage)
        size = max(1, len(wanted.split(" ")))
        vocabulary = set(wanted.lower().split(" "))
        hits = [word.lower() in vocabulary for word in self.words]
        starts = range(max(1, len(self.words) - size + 1))
        shared = sum(hits[:size])
        counts: list[tuple[int, int]] = []
        for start in starts:
            counts.append((-shared, start))
            if start + size < len(hits):
                shared += hits[start + size] - hits[start]
        matcher = difflib.SequenceMatcher(autojunk=False)
        matcher.set_seq2(wanted)
        best: tuple[int, str, float] | None = None
        for _negative, start in sorted(counts)[:_CANDIDATES]:
            window = " ".join(self.words[start : start + size])
            matcher.set_seq1(window)
            ratio = matcher.ratio()
            if best is None or ratio > best[2]:
                best = (self.word_lines[start] if self.word_lines else 1, window, ratio)
        return best


def read_source_text(path: Path) -> SourceText:
    raw = read_regular_text(path)
    words: list[str] = []
    lines: list[int] = []
    for number, line in enumerate(raw.splitlines(), 1):
        for word in normalise(LIST_MARKER.sub("", line)).split(" "):
            if word:
                words.append(word)
                lines.append(number)
    return SourceText(
        text=normalise(raw),
        without_markers=normalise(LIST_MARKER.sub("", raw)),
        words=tuple(words),
        word_lines=tuple(lines),
    )


def _attributes(guideline: s.Guideline) -> Iterator[s.Attribute]:
    for declaration in guideline.declarations:
        if isinstance(declaration, s.Waiver):
            continue
        yield from declaration.attributes
        if isinstance(declaration, s.Intervention):
            for item in declaration.contraindications:
                yield from item.attributes
    if guideline.pathway is None:
        return
    for node in guideline.pathway.nodes:
        yield from node.attributes
        if isinstance(node, s.Decision):
            for branch in node.branches:
                yield from branch.attributes
        elif isinstance(node, s.Step):
            for action in node.items:
                yield from action.attributes


def check_traceability(guideline: s.Guideline, context: Context) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    header = guideline.header
    declared = {citation.number for citation in header.citations}
    sources: dict[str, s.Source] = {}
    for source in header.sources:
        sources.setdefault(source.name.text, source)
    texts: dict[str, SourceText | None] = {}
    for name, source in sources.items():
        try:
            texts[name] = read_source_text(context.base_dir / source.path.value)
        except (OSError, UnicodeDecodeError) as error:
            texts[name] = None
            reason = error.strerror if isinstance(error, OSError) and error.strerror else "not UTF-8 text"
            why = f": {reason}" if isinstance(error, NotARegularFile) else f" ({reason})"
            found.append(
                diag.make(
                    "FIB116",
                    f'the source file "{source.path.value}" of `{name}` cannot be read{why}',
                    source.path.span,
                    hint="the path is relative to the folder of the guideline file",
                )
            )
    first_source = header.sources[0].name.text if header.sources else None
    missing: dict[str, list[s.Name]] = {}
    unsourced: list[s.Span] = []
    passages: list[tuple[str, s.Name | None, s.Span, str]] = []
    for attribute in _attributes(guideline):
        if isinstance(attribute, s.Cite):
            for number in attribute.numbers:
                if number not in declared:
                    found.append(_unknown_citation(number, attribute.span, sorted(declared)))
        elif isinstance(attribute, s.Quote):
            passages.append((attribute.text.value, attribute.source, attribute.text.span, "quote"))
    for declaration in guideline.declarations:
        if isinstance(declaration, s.Waiver):
            passages.append(
                (declaration.sentence.value, declaration.source, declaration.sentence.span, "waived sentence")
            )
    for passage, named, span, what in passages:
        if named is None and first_source is None:
            unsourced.append(span)
            continue
        name = named.text if named is not None else first_source or ""
        if name not in sources:
            assert named is not None
            missing.setdefault(name, []).append(named)
            continue
        text = texts[name]
        if text is not None and not text.contains(passage):
            found.append(_not_found(passage, what, name, text, span))
    for name, uses in missing.items():
        found.append(
            diag.make(
                "FIB109",
                f"`{name}` is not a source declared in the header",
                uses[0].span,
                hint=did_you_mean(name, sources) or f'declare it: `source {name} "path/to/file.txt"`',
                related=[RelatedSpan(use.span, "also used here") for use in uses[1:]],
            )
        )
    if unsourced:
        found.append(
            diag.make(
                "FIB109",
                "this quote needs a source, but the header declares none",
                unsourced[0],
                hint='declare the source in the header: `source name "path/to/file.txt"`',
                related=[RelatedSpan(span, "also quoted here") for span in unsourced[1:]],
            )
        )
    return found


def _unknown_citation(number: int, span: s.Span, declared: list[int]) -> Diagnostic:
    known = ", ".join(str(n) for n in declared)
    return diag.make(
        "FIB107",
        f"citation {number} is not declared in the header",
        span,
        hint=f'add `citation {number} "..."` to the header' + (f" (declared: {known})" if known else ""),
    )


def _not_found(passage: str, what: str, name: str, text: SourceText, span: s.Span) -> Diagnostic:
    if not normalise(passage):
        return diag.make("FIB108", f"the {what} is empty", span, hint="quote the sentence of the source")
    closest = text.closest(passage)
    if closest is not None and closest[2] >= 0.5:
        line, window, _ratio = closest
        hint = f'the closest passage of `{name}` (line {line}) reads: "{window}"'
    else:
        hint = f"no passage of `{name}` is close: check that the quote is from this source"
    return diag.make("FIB108", f"the {what} is not in the source `{name}`", span, hint=hint)
