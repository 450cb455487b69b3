"""The printable flowchart: an A4 or Letter PDF, legible at 100%.

``printable_pdf(graph, paper="a4")`` renders each page that ``print_pages``
plans with Graphviz (one PDF per page: cairo writes one page per graph), places
it on the paper with pypdf at the largest scale up to 1 that fits inside the
margins, and adds the page furniture: a header with the page's stage and
"Page n of N", a footer naming the guideline, its version and content hash
prefix, and a box for the reviewer's initials.

A page is legible when its smallest text (``labels.SMALL`` points in the DOT)
prints at ``MIN_TEXT_PT`` or more, so ``print_pages`` cuts any stage whose
drawing would need a smaller scale. (A single step too big for a page even on
its own is printed smaller; no guideline in the project has one.)

The output is deterministic: Graphviz is deterministic for the same DOT, the
document carries no dates, its producer is fixed, and its file identifier is
derived from the pages' DOT (which carries the content hash), not drawn at
random as pypdf would.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pypdf import PageObject, PdfReader, PdfWriter, Transformation
from pypdf.generic import (
    ArrayObject,
    ByteStringObject,
    DecodedStreamObject,
    DictionaryObject,
    NameObject,
)

from compiler.backends.flowchart import dot_labels as labels
from compiler.backends.flowchart import print_pages
from compiler.backends.flowchart.dot import Trace
from compiler.backends.flowchart.files import RenderError, render
from compiler.backends.flowchart.plain_words import as_graph
from fibrolang.graph import Graph

PAPERS: Mapping[str, tuple[float, float]] = {"a4": (595.28, 841.89), "letter": (612.0, 792.0)}
MIN_TEXT_PT = 7.0
MIN_SCALE = MIN_TEXT_PT / labels.SMALL  # the chart's smallest text is labels.SMALL points
MARGIN = 22.68  # 8 mm: inside what office printers can print (about 5 mm)
HEADER = 20.0  # the band above the drawing
FOOTER = 20.0  # the band below it
PRODUCER = "fibrolang graph (Graphviz, pypdf)"

# Advance widths (1/1000 em) of the Helvetica glyphs right-aligned text uses.
_WIDTHS = {
    "/Helvetica-Bold": {" ": 278, "P": 667, "a": 556, "g": 611, "e": 556, "o": 611, "f": 333},
    "/Helvetica": {" ": 278, "I": 278, "n": 556, "i": 222, "t": 278, "a": 556, "l": 222, "s": 500, ":": 278},
}
_DIGIT_AND_RULE = 556  # every digit and "_" is 556 in both


@dataclass(frozen=True)
class Placed:
    """A rendered page: its Graphviz PDF and the scale it prints at."""

    pdf: bytes
    width: float
    height: float
    scale: float


def content_box(paper: str) -> tuple[float, float]:
    width, height = PAPERS[paper]
    return width - 2 * MARGIN, height - 2 * MARGIN - HEADER - FOOTER


def _rendered(dot_text: str, paper: str, cache: dict[str, Placed]) -> Placed:
    if dot_text not in cache:
        data = render(dot_text, "pdf", None)
        box = PdfReader(io.BytesIO(data)).pages[0].mediabox
        width, height = float(box.width), float(box.height)
        room_width, room_height = content_box(paper)
        scale = min(1.0, room_width / width, room_height / height)
        cache[dot_text] = Placed(data, width, height, scale)
    return cache[dot_text]


def _pdf_text(text: str, limit: int) -> bytes:
    """A PDF literal string in WinAnsi (what the standard Helvetica font encodes)."""
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    cleaned = "".join(c if c.isprintable() else " " for c in text)
    data = cleaned.encode("cp1252", "replace")
    data = data.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)")
    return b"(" + data + b")"


def _width(text: str, font: str, size: float) -> float:
    widths = _WIDTHS[font]
    return sum(widths.get(c, _DIGIT_AND_RULE) for c in text) * size / 1000


def _furniture(graph: Graph, page: print_pages.Page, count: int, paper: str) -> bytes:
    """The content stream of the header and footer."""
    width, height = PAPERS[paper]
    guideline = graph.guideline
    facts = (
        f"Guideline {guideline.id} · version {guideline.version[:24]} · "
        f"content hash {guideline.content_hash[:19]}"
    )
    number = f"Page {page.number} of {count}"
    initials = "Initials: " + "_" * 12
    top = height - MARGIN - 9
    right = width - MARGIN
    grey, ink = b"0.333 g", b"0.102 g"
    parts = [
        b"q 0.6 G 0.5 w",
        f"{MARGIN:.2f} {top - 5:.2f} m {right:.2f} {top - 5:.2f} l S".encode(),
        f"{MARGIN:.2f} {MARGIN + 12:.2f} m {right:.2f} {MARGIN + 12:.2f} l S".encode(),
        b"BT",
        ink,
        f"/FibroBold 9 Tf {MARGIN:.2f} {top:.2f} Td ".encode() + _pdf_text(page.heading, 80) + b" Tj",
        b"ET BT",
        f"/FibroBold 9 Tf {right - _width(number, '/Helvetica-Bold', 9):.2f} {top:.2f} Td ".encode()
        + _pdf_text(number, 40)
        + b" Tj",
        b"ET BT",
        grey,
        f"/Fibro 7.5 Tf {MARGIN:.2f} {MARGIN:.2f} Td ".encode() + _pdf_text(facts, 90) + b" Tj",
        b"ET BT",
        f"/Fibro 7.5 Tf {right - _width(initials, '/Helvetica', 7.5):.2f} {MARGIN:.2f} Td ".encode()
        + _pdf_text(initials, 40)
        + b" Tj",
        b"ET Q",
    ]
    return b"\n".join(parts) + b"\n"


def _font(name: str) -> DictionaryObject:
    return DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Font"),
            NameObject("/Subtype"): NameObject("/Type1"),
            NameObject("/BaseFont"): NameObject(name),
            NameObject("/Encoding"): NameObject("/WinAnsiEncoding"),
        }
    )


def _overlay(stream: bytes, paper: str) -> PageObject:
    width, height = PAPERS[paper]
    overlay = PageObject.create_blank_page(width=width, height=height)
    fonts = DictionaryObject(
        {NameObject("/Fibro"): _font("/Helvetica"), NameObject("/FibroBold"): _font("/Helvetica-Bold")}
    )
    overlay[NameObject("/Resources")] = DictionaryObject({NameObject("/Font"): fonts})
    contents = DecodedStreamObject()
    contents.set_data(stream)
    overlay[NameObject("/Contents")] = contents
    return overlay


def layout(
    document: Graph | Mapping[str, Any],
    *,
    paper: str = "a4",
    direction: str = "TB",
    highlight: Trace | None = None,
    cache: dict[str, Placed] | None = None,
) -> tuple[list[print_pages.Page], list[str]]:
    """The pages of the printed chart and the DOT of each."""
    if paper not in PAPERS:
        raise RenderError(f"paper must be one of {', '.join(PAPERS)}, not {paper!r}")
    rendered: dict[str, Placed] = {} if cache is None else cache
    graph = as_graph(document)
    printed = print_pages.PrintedChart(graph, direction, highlight)

    def fits(dot_text: str) -> bool:
        return _rendered(dot_text, paper, rendered).scale >= MIN_SCALE

    pages = print_pages.plan(graph, printed, fits)
    return pages, print_pages.page_dots(graph, pages, printed)


def printable_pdf(
    document: Graph | Mapping[str, Any],
    *,
    paper: str = "a4",
    direction: str = "TB",
    highlight: Trace | None = None,
) -> bytes:
    """The flowchart as a multi-page PDF on ``paper`` (``a4`` or ``letter``)."""
    cache: dict[str, Placed] = {}
    graph = as_graph(document)
    pages, dots = layout(graph, paper=paper, direction=direction, highlight=highlight, cache=cache)
    writer = PdfWriter()
    width, height = PAPERS[paper]
    room_width, _ = content_box(paper)
    for page, dot_text in zip(pages, dots, strict=True):
        placed = _rendered(dot_text, paper, cache)
        drawing = PdfReader(io.BytesIO(placed.pdf)).pages[0]
        sheet = writer.add_blank_page(width=width, height=height)
        left = MARGIN + (room_width - placed.width * placed.scale) / 2
        bottom = height - MARGIN - HEADER - placed.height * placed.scale
        sheet.merge_transformed_page(
            drawing, Transformation().scale(placed.scale, placed.scale).translate(left, bottom)
        )
        sheet.merge_page(_overlay(_furniture(graph, page, len(pages), paper), paper))
        sheet.compress_content_streams()
    guideline = graph.guideline
    writer.add_metadata(
        {
            "/Title": f"{guideline.title or guideline.id} (flowchart)",
            "/Subject": f"Guideline {guideline.id} version {guideline.version}, "
            f"content hash {guideline.content_hash}",
            "/Producer": PRODUCER,
            "/Creator": PRODUCER,
        }
    )
    digest = hashlib.sha256("".join([paper, *dots]).encode("utf-8")).digest()[:16]
    writer._ID = ArrayObject(
        [ByteStringObject(digest), ByteStringObject(digest)]
    )  # pypdf has no public setter
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
