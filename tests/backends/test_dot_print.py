"""The printable flowchart (print_pages.py, print_pdf.py): pages, paper size, legibility,
connectors across pages, every node shown, determinism, hostile text."""

from __future__ import annotations

import io
import math
import os
import re
import subprocess
import sys
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from pypdf import PdfReader
from pypdf.generic import ArrayObject

import fibrolang
from compiler import api
from compiler.backends.flowchart import print_pages
from compiler.backends.flowchart.dot import START
from compiler.backends.flowchart.files import flowchart_bytes
from compiler.backends.flowchart.print_pdf import MIN_TEXT_PT, PAPERS, layout, printable_pdf
from compiler.cli import main

ROOT = Path(__file__).resolve().parents[2]
GUIDELINES = {
    "fibromyalgia": ROOT / "guidelines" / "fibromyalgia.fibro",
    "acr2016": ROOT / "guidelines" / "acr2016.fibro",
}
HOSTILE = ROOT / "tests" / "fixtures" / "hostile.fibro"
PAGES = {"fibromyalgia": 19, "acr2016": 3}  # A4, top to bottom; the last page says how values are computed


@cache
def graph_of(path: Path) -> dict[str, Any]:
    return api.compile_file(path)


@cache
def pdf_of(name: str, paper: str = "a4") -> bytes:
    return printable_pdf(graph_of(GUIDELINES[name]), paper=paper)


def squeeze(text: str) -> str:
    """Text without whitespace or ligatures (cairo writes "fi" as one glyph)."""
    return re.sub(r"\s+", "", text.replace("ﬁ", "fi").replace("ﬂ", "fl").replace("ﬀ", "ff"))


def page_texts(data: bytes) -> list[str]:
    return [squeeze(page.extract_text()) for page in PdfReader(io.BytesIO(data)).pages]


def smallest_text(page: Any) -> float:
    """The smallest text on a page, in points on the paper."""
    sizes: list[float] = []

    def visit(text: str, cm: list[float], tm: list[float], font: Any, size: float) -> None:
        if text.strip():
            c, d = tm[2], tm[3]
            a, b, cc, dd = cm[:4]
            sizes.append(size * math.hypot(c * a + d * cc, c * b + d * dd))

    page.extract_text(visitor_text=visit)
    return min(sizes)


@pytest.mark.parametrize("name", sorted(GUIDELINES))
def test_page_count_and_size(name: str) -> None:
    for paper in ("a4", "letter"):
        pages = PdfReader(io.BytesIO(pdf_of(name, paper))).pages
        width, height = PAPERS[paper]
        if paper == "a4":
            assert len(pages) == PAGES[name]
            assert (round(width), round(height)) == (595, 842)
        for page in pages:
            assert abs(float(page.mediabox.width) - width) < 1
            assert abs(float(page.mediabox.height) - height) < 1


@pytest.mark.parametrize("name", sorted(GUIDELINES))
def test_every_page_is_legible_on_a4(name: str) -> None:
    for number, page in enumerate(PdfReader(io.BytesIO(pdf_of(name))).pages, 1):
        assert smallest_text(page) >= MIN_TEXT_PT - 0.01, f"page {number}"


@pytest.mark.parametrize("name", sorted(GUIDELINES))
def test_every_node_is_on_some_page_and_pages_are_numbered(name: str) -> None:
    graph = graph_of(GUIDELINES[name])
    texts = page_texts(pdf_of(name))
    everything = "".join(texts)
    for node_id, node in graph["nodes"].items():
        words = node.get("question") or node.get("title") or node.get("message") or ""
        assert squeeze(words) in everything, f"{node_id}: {words!r} is on no page"
    count = len(texts)
    for number, text in enumerate(texts, 1):
        assert f"Page{number}of{count}" in text
        assert squeeze(f"Guideline {graph['guideline']['id']}") in text
        assert squeeze(graph["guideline"]["content_hash"][:19]) in text
    assert squeeze(graph["guideline"]["title"]) in texts[0]
    assert "Legend" in texts[0]


def test_every_cross_page_edge_has_a_connector_on_both_pages() -> None:
    graph = graph_of(GUIDELINES["fibromyalgia"])
    pages, _ = layout(graph)
    texts = page_texts(pdf_of("fibromyalgia"))
    where = {node_id: page.number for page in pages for node_id in page.nodes}
    printed = print_pages.PrintedChart(fibrolang.read_graph(graph), "TB", None)
    crossed = 0
    for crossing in printed.crossings_of:
        if crossing.source == START:
            continue
        source, target = where[crossing.source], where[crossing.target]
        if source == target:
            continue
        crossed += 1
        assert f"continuesonpage{target}" in texts[source - 1], crossing
        assert re.search(rf"frompages?([0-9]+,)*{source}(?![0-9])", texts[target - 1]), crossing
        assert f"p.{source}:" in texts[target - 1], crossing
    assert crossed >= 10


def test_connectors_in_the_page_dot() -> None:
    """Exactly: each edge whose ends are on different pages goes to a connector naming the
    target's page, and the target's page has a connector naming the source's page."""
    graph = graph_of(GUIDELINES["fibromyalgia"])
    typed = fibrolang.read_graph(graph)
    printed = print_pages.PrintedChart(typed, "TB", None)
    pages = [
        print_pages.Page(2, 1, 2, 1, 1, tuple(n for n in graph["nodes"] if n in ("adult", "not_adult"))),
        print_pages.Page(3, 2, 2, 1, 1, tuple(n for n in graph["nodes"] if n not in ("adult", "not_adult"))),
    ]
    first, second = print_pages.page_dots(typed, [print_pages.Page(1, 0, 2, 1, 1, ()), *pages], printed)[1:]
    assert "continues on page 3" in first and '"adult" -> "to:1"' in first
    assert "from page 2" in second and '"from:1" -> "baseline"' in second


def test_the_pdf_is_the_same_under_any_hash_seed_and_run() -> None:
    script = (
        "import sys\n"
        "from compiler import api\n"
        "from compiler.backends.flowchart.print_pdf import printable_pdf\n"
        "sys.stdout.buffer.write(printable_pdf(api.compile_file(sys.argv[1])))\n"
    )
    outputs = []
    for seed in ("0", "12345"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run(
            [sys.executable, "-c", script, str(GUIDELINES["fibromyalgia"])],
            env=env,
            capture_output=True,
            check=True,
            cwd=ROOT,
        )
        outputs.append(done.stdout)
    assert outputs[0] == outputs[1] == pdf_of("fibromyalgia")
    assert b"/CreationDate" not in outputs[0] and b"/ModDate" not in outputs[0]
    reader = PdfReader(io.BytesIO(outputs[0]))
    ids = reader.trailer["/ID"]
    assert isinstance(ids, ArrayObject)
    assert ids[0] == ids[1]


def test_flowchart_bytes_pdf_is_the_printable_chart() -> None:
    graph = graph_of(GUIDELINES["acr2016"])
    assert flowchart_bytes(graph, "pdf") == pdf_of("acr2016")
    assert len(PdfReader(io.BytesIO(flowchart_bytes(graph, "pdf", paper=None))).pages) == 1


def test_hostile_guideline_prints() -> None:
    data = printable_pdf(graph_of(HOSTILE))
    text = "".join(page_texts(data))
    for words in ['"]; digraph {', "<b>bold</b>", "é ≥ ²"]:  # (中文 is drawn, but its
        assert squeeze(words) in text  # fallback font has no text map for pypdf to read)


def test_highlighted_path_prints(tmp_path: Path) -> None:
    runner = CliRunner()
    patient = ROOT / "guidelines" / "patients" / "fibromyalgia-example.json"
    out = tmp_path / "case.pdf"
    args = ["graph", str(GUIDELINES["fibromyalgia"]), "-o", str(out), "--patient", str(patient)]
    result = runner.invoke(main, [*args, "--paper", "letter"])
    assert result.exit_code == 0, result.output
    assert abs(float(PdfReader(out).pages[0].mediabox.width) - 612) < 1
    assert "✔" in "".join(page.extract_text() for page in PdfReader(out).pages)
    result = runner.invoke(
        main, ["graph", str(GUIDELINES["acr2016"]), "-o", str(tmp_path / "x.svg"), "--paper", "a4"]
    )
    assert result.exit_code == 2
    result = runner.invoke(main, ["graph", str(GUIDELINES["acr2016"]), "-o", str(out), "--paper", "one-page"])
    assert result.exit_code == 0 and len(PdfReader(out).pages) == 1
