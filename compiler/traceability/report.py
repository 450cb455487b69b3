"""Traceability: which elements of a guideline encode each sentence of its source.

Every quote in the guideline is located in the source document; each source
sentence it overlaps is mapped to the element that carries it. Waivers mark
sentences with no clinical logic. The report lists every sentence with its
elements or its waiver, so a committee can check, sentence by sentence, that
nothing was lost or invented. Every string reaches the Markdown through
``markdown_text`` / ``markdown_code`` (fibrolang.printable), never raw.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from compiler.front import syntax as s
from compiler.front.parameters import call_text
from compiler.traceability.source_document import Sentence, SourceDocument, load_document, normalise
from fibrolang.printable import markdown_code, markdown_text


@dataclass(frozen=True, slots=True)
class QuotedElement:
    description: str  # "drug duloxetine", "decide adult, branch 1", ...
    quote: str
    source: str | None  # the source name, None for the first source
    line: int


@dataclass
class SentenceTrace:
    sentence: Sentence
    elements: list[str] = field(default_factory=list)
    waiver: str | None = None

    @property
    def mapped(self) -> bool:
        return bool(self.elements) or self.waiver is not None


@dataclass(frozen=True)
class TraceReport:
    guideline_id: str
    source_name: str
    source_file: str
    sentences: list[SentenceTrace]
    unlocated_quotes: list[QuotedElement]

    @property
    def unmapped(self) -> list[SentenceTrace]:
        return [t for t in self.sentences if not t.mapped]


def _quotes(attributes: tuple[s.Attribute, ...]) -> Iterator[s.Quote]:
    return (a for a in attributes if isinstance(a, s.Quote))


def _item_words(item: s.ActionItem) -> str:
    if isinstance(item, s.Recommendation):
        return f"{item.verb} {item.intervention.text}"
    if isinstance(item, s.AvoidItem):
        return f"avoid {item.intervention.text}"
    if isinstance(item, s.Flag):
        return f"flag {item.name.text}"
    return f"monitor {item.name.text}"


def quoted_elements(guideline: s.Guideline) -> list[QuotedElement]:
    """Every quote in the guideline with a description of its element, in source order."""
    found: list[QuotedElement] = []

    def add(description: str, attributes: tuple[s.Attribute, ...]) -> None:
        for quote in _quotes(attributes):
            source = quote.source.text if quote.source else None
            found.append(QuotedElement(description, quote.text.value, source, quote.span.line))

    for declaration in guideline.declarations:
        if isinstance(declaration, s.Intervention):
            add(f"{declaration.kind} {declaration.name.text}", declaration.attributes)
            for number, contraindication in enumerate(declaration.contraindications, 1):
                add(
                    f"{declaration.kind} {declaration.name.text}, contraindication {number}",
                    contraindication.attributes,
                )
        elif isinstance(declaration, s.Definition):
            keyword = "output" if declaration.output else "define"
            add(f"{keyword} {call_text(declaration.name.text)}", declaration.attributes)
        elif isinstance(declaration, s.Invariant):
            add(f"invariant {declaration.name.text}", declaration.attributes)
        elif isinstance(declaration, s.Input):
            add(f"input {declaration.name.text}", declaration.attributes)
        elif isinstance(declaration, s.Enumeration | s.Record):
            add(f"{type(declaration).__name__.lower()} {declaration.name.text}", declaration.attributes)
    if guideline.pathway is not None:
        for node in guideline.pathway.nodes:
            name = node.name.text
            if isinstance(node, s.Decision):
                add(f"decide {name}", node.attributes)
                ordinal = 0
                for branch in node.branches:
                    if branch.guard is None:
                        add(f"decide {name}, otherwise", branch.attributes)
                    else:
                        ordinal += 1
                        add(f"decide {name}, branch {ordinal}", branch.attributes)
            elif isinstance(node, s.Step):
                add(f"step {name}", node.attributes)
                for number, item in enumerate(node.items, 1):
                    add(f"step {name}, item {number} ({_item_words(item)})", item.attributes)
            else:
                add(f"outcome {name}", node.attributes)
    return sorted(found, key=lambda q: q.line)


def trace(guideline: s.Guideline, base_dir: Path, source_name: str | None = None) -> TraceReport:
    """Map every sentence of one source (the first by default) to the elements quoting it."""
    sources = guideline.header.sources
    if not sources:
        raise ValueError("the guideline declares no source")
    chosen = (
        sources[0] if source_name is None else next((x for x in sources if x.name.text == source_name), None)
    )
    if chosen is None:
        names = ", ".join(x.name.text for x in sources)
        raise ValueError(f"the guideline has no source named {source_name!r} (it has: {names})")
    first = sources[0].name.text
    document: SourceDocument = load_document(base_dir / chosen.path.value)
    traces = [SentenceTrace(sentence) for sentence in document.sentences]
    unlocated: list[QuotedElement] = []
    for element in quoted_elements(guideline):
        if (element.source or first) != chosen.name.text:
            continue
        span = document.find(element.quote)
        if span is None:
            unlocated.append(element)
            continue
        for sentence in document.sentences_between(*span):
            entry = traces[sentence.number - 1]
            if element.description not in entry.elements:
                entry.elements.append(element.description)
    for declaration in guideline.declarations:
        if not isinstance(declaration, s.Waiver):
            continue
        if (declaration.source.text if declaration.source else first) != chosen.name.text:
            continue
        span = document.find(declaration.sentence.value)
        if span is None:
            continue
        for sentence in document.sentences_between(*span):
            traces[sentence.number - 1].waiver = declaration.reason.value
    return TraceReport(
        guideline.header.id.text, chosen.name.text, Path(chosen.path.value).name, traces, unlocated
    )


def _cell(text: str) -> str:
    """A string of the guideline or its source as inert Markdown (fibrolang.printable)."""
    return markdown_text(normalise(text))


def report_markdown(report: TraceReport) -> str:
    """The committed traceability report (docs/traceability/NAME.md)."""
    total = len(report.sentences)
    encoded = sum(1 for t in report.sentences if t.elements)
    waived = sum(1 for t in report.sentences if not t.elements and t.waiver is not None)
    unmapped = report.unmapped
    lines = [
        f"# Traceability: {_cell(report.guideline_id)} ← {_cell(report.source_file)}",
        "",
        "<!-- Generated by `fibrolang trace`; do not edit. CI checks that it is current. -->",
        "",
        f"Source {markdown_code(report.source_name)} ({_cell(report.source_file)}): {total} sentences; "
        f"{encoded} encoded, {waived} waived (no clinical logic), {len(unmapped)} unmapped.",
        "",
        "| # | line | source sentence | encoded by | waived because |",
        "| ---: | ---: | --- | --- | --- |",
    ]
    for entry in report.sentences:
        elements = "<br>".join(_cell(e) for e in entry.elements) or ("—" if entry.waiver else "**UNMAPPED**")
        lines.append(
            f"| {entry.sentence.number} | {entry.sentence.line} | {_cell(entry.sentence.text)} | "
            f"{elements} | {_cell(entry.waiver) if entry.waiver and not entry.elements else ''} |"
        )
    if report.unlocated_quotes:
        lines += ["", "## Quotes not found in the source", ""]
        lines += [
            f'- line {q.line}, {_cell(q.description)}: "{_cell(q.quote)}"' for q in report.unlocated_quotes
        ]
    return "\n".join(lines) + "\n"
