"""``fibrolang review``: the self-contained review page, tested in real headless Chromium.

Screenshots of each state are saved under out/test-artifacts/review/ (git-ignored) and
checked to be non-blank. The accessibility pass is axe-core's (installed from npm by
scripts/dev setup), run in the page: no critical or serious violation.
"""

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from PIL import Image

from compiler.cli import main

sys.path.insert(0, str(Path(__file__).resolve().parent))
from review_browser import Browser, chromium_binary

ROOT = Path(__file__).resolve().parents[2]
GUIDELINE = ROOT / "guidelines" / "fibromyalgia.fibro"
ARTIFACTS = ROOT / "out" / "test-artifacts" / "review"
LDN_OLD = "consider low_dose_naltrexone at 1.5 mg/day"

AXE = ROOT / ".venv" / "npm" / "node_modules" / "axe-core" / "axe.min.js"  # scripts/dev setup


def _accessibility(browser: Any) -> list[str]:
    """axe-core's violations of the page as it is now (critical and serious ones), each with
    the rule, its impact and the first elements concerned."""
    if not AXE.exists():
        pytest.fail(f"axe-core is not installed at {AXE}: run `bash scripts/dev setup`")
    browser.evaluate(AXE.read_text(encoding="utf-8"))
    violations = browser.evaluate(
        "axe.run(document, {resultTypes: ['violations']}).then(r => r.violations.map(v =>"
        " v.impact + ' ' + v.id + ': ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', ')))"
    )
    assert isinstance(violations, list)
    return [v for v in violations if v.startswith(("critical", "serious"))]


def _write_with_sources(folder: Path, name: str, text: str) -> Path:
    (folder / "sources").mkdir(exist_ok=True)
    for source in (ROOT / "guidelines" / "sources").iterdir():
        shutil.copy(source, folder / "sources" / source.name)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The review page of the committed guideline, alone and against a previous version
    whose naltrexone start dose differs."""
    folder = tmp_path_factory.mktemp("review")
    text = GUIDELINE.read_text(encoding="utf-8")
    assert LDN_OLD in text
    previous = _write_with_sources(folder, "previous.fibro", text.replace(LDN_OLD, LDN_NEW))
    runner = CliRunner()
    made = {}
    for name, extra in (("plain", []), ("diff", ["--previous", str(previous)])):
        out = folder / f"{name}.html"
        result = runner.invoke(
            main,
            ["review", str(GUIDELINE), "-o", str(out), "--suite", str(ROOT / "tests" / "generated"), *extra],
        )
        assert result.exit_code == 0, result.output
        made[name] = out
    return made


LDN_NEW = "consider low_dose_naltrexone at 1 mg/day"


def test_the_page_is_self_contained_and_small(pages: dict[str, Path]) -> None:
    for path in pages.values():
        html = path.read_text(encoding="utf-8")
        assert path.stat().st_size <= 3_000_000
        assert not re.search(r"""(src|href)=["']?(https?:)?//""", html)
        assert "@import" not in html and "url(" not in html
        assert "<svg" in html and 'id="review-data"' in html
        assert "sha256:" in html


def test_guideline_text_is_escaped(pages: dict[str, Path]) -> None:
    from compiler.review.pack import _environment

    template = _environment().from_string("<p>{{ text }}</p><script>{{ data | tojson }}</script>")
    rendered = template.render(text="<script>alert(1)</script>", data={"x": "</script><b>"})
    assert "<script>alert" not in rendered and "</script><b>" not in rendered


def _non_blank(path: Path) -> None:
    with Image.open(path) as image:
        colours = image.convert("RGB").getcolors(maxcolors=1_000_000)
    assert colours is not None and len(colours) > 20, f"{path} looks blank"


@pytest.fixture(scope="module")
def browser() -> Any:
    binary = chromium_binary()
    if binary is None:
        pytest.fail("chromium is not installed: run `bash scripts/dev setup`")
    opened = Browser(binary)
    yield opened
    opened.close()


@pytest.mark.slow
def test_in_chromium_loads_clean_and_shows_a_nodes_quotes(browser: Any, pages: dict[str, Path]) -> None:
    url = pages["plain"].as_uri()
    browser.open(url)
    load_ms = browser.evaluate(
        "(function(){var t = performance.getEntriesByType('navigation')[0];"
        " return t.loadEventEnd || t.duration;})()"
    )
    assert load_ms <= 2000, load_ms
    assert browser.console_errors() == []
    assert [u for u in browser.requests() if u != url] == []
    # The chart's box opens on its first node, not on blank canvas.
    start_in_view = browser.evaluate(
        "(function(){var c = document.getElementById('chart-scroll').getBoundingClientRect();"
        " var s = document.querySelector(\"g[id='edge:start']\").getBoundingClientRect();"
        " return s.left >= c.left && s.right <= c.right && s.top >= c.top && s.bottom <= c.bottom;})()"
    )
    assert start_in_view
    _non_blank(browser.screenshot(ARTIFACTS / "1-loaded.png"))
    browser.click("g[id='node:naltrexone']")
    panel = browser.evaluate("document.getElementById('details').textContent")
    assert "Low-dose naltrexone (LDN): Consider at 4.5 mg daily" in panel
    assert "CHOICE" in panel and "Test patients passing here" in panel
    assert "no_naltrexone_before_fda_failure" in panel  # the safety proofs about what it adds
    _non_blank(browser.screenshot(ARTIFACTS / "2-node-clicked.png"))
    browser.evaluate("document.querySelector(\"g[id='edge:adult/1']\").focus()")
    for kind in ("keyDown", "keyUp"):  # keyboard access: Enter on the focused arrow
        browser.send("Input.dispatchKeyEvent", type=kind, key="Enter", code="Enter", windowsVirtualKeyCode=13)
    assert "under 18" in browser.evaluate("document.getElementById('details').textContent")
    browser.evaluate(
        "document.getElementById('trace-state').value = 'waived';"
        "document.getElementById('trace-state').dispatchEvent(new Event('change'))"
    )
    shown = browser.evaluate("document.querySelectorAll('#trace-table tbody tr:not([hidden])').length")
    every = browser.evaluate("document.querySelectorAll('#trace-table tbody tr').length")
    assert 0 < shown < every
    browser.evaluate("document.getElementById('traceability').scrollIntoView()")
    _non_blank(browser.screenshot(ARTIFACTS / "3-traceability-filtered.png"))
    assert _accessibility(browser) == []
    assert browser.console_errors() == [] and [u for u in browser.requests() if u != url] == []


@pytest.mark.slow
def test_in_chromium_the_diff_highlights_the_changed_node(browser: Any, pages: dict[str, Path]) -> None:
    url = pages["diff"].as_uri()
    browser.open(url)
    assert browser.console_errors() == []
    assert [u for u in browser.requests() if u != url] == []
    changed = browser.evaluate("Array.from(document.querySelectorAll('g.node.changed')).map(g => g.id)")
    assert changed == ["node:naltrexone"]
    stroke = browser.evaluate(
        "getComputedStyle(document.querySelector(\"g[id='node:naltrexone'] polygon, "
        "g[id='node:naltrexone'] path\")).stroke"
    )
    assert stroke == "rgb(192, 57, 43)"
    browser.evaluate("document.querySelector(\"g[id='node:naltrexone']\").scrollIntoView({block: 'center'})")
    _non_blank(browser.screenshot(ARTIFACTS / "4-diff-highlight.png"))
    text = browser.evaluate("document.getElementById('changes').textContent")
    assert "dose changed" in text and "Caused by node naltrexone" in text
    browser.evaluate("document.getElementById('changes').scrollIntoView()")
    _non_blank(browser.screenshot(ARTIFACTS / "5-diff-section.png"))
    assert _accessibility(browser) == []
