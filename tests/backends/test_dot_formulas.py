"""The flowchart shows how each computed value is computed (dot_formulas.py): the BMI's
formula with its unit conversion, a score's sum, a count of conditions; not a lookup
table (drawn as a grid) nor a condition; guideline text escaped; parentheses around a
whole formula dropped, never those that group a part of it."""

from __future__ import annotations

from pathlib import Path

import fibrolang
from compiler import api
from compiler.backends.flowchart.dot import render_dot
from compiler.backends.flowchart.dot_formulas import _unbracketed, computed
from compiler.front.parse import SourceText

ROOT = Path(__file__).resolve().parents[2]


def _graph(path: str) -> fibrolang.graph.Graph:
    return fibrolang.load(ROOT / path).graph


def test_the_bmi_chart_says_how_the_bmi_is_computed() -> None:
    graph = _graph("guidelines/bmi_who.graph.json")
    assert [d.name for d in computed(graph)] == ["bmi"]  # the category is a decision, not a formula
    dot = render_dot(graph)
    assert "How the values are computed" in dot
    assert "0.0001 m&#178;/cm&#178;) rounded to 1 decimal<BR" in dot


def test_scores_and_counts_are_shown_and_tables_and_conditions_are_not() -> None:
    assert [d.name for d in computed(_graph("tests/fixtures/cha2ds2vasc.graph.json"))] == [
        "risk_points",
        "score",
    ]
    assert [d.name for d in computed(_graph("tests/fixtures/curb65.graph.json"))] == ["score"]
    assert [d.name for d in computed(_graph("tests/fixtures/dates.graph.json"))] == ["age"]
    assert computed(_graph("tests/fixtures/ckd-staging.graph.json")) == []  # its values are tables
    assert "How the values are computed" not in render_dot(_graph("tests/fixtures/ckd-staging.graph.json"))


def test_guideline_text_in_a_formula_is_escaped() -> None:
    text = """guideline hostile
  title "Escaping"
  version "1"
end

input a "A <b>&amp; \\"quoted\\"": integer 0 to 10
input b "B": integer 0 to 10
output total "Total </TD>" = a + b

pathway
  start -> done

  outcome done ok
end
"""
    checked = api.check_source(SourceText("hostile.fibro", text), ROOT)
    assert checked.ok, checked.diagnostics
    dot = render_dot(fibrolang.load(api.compile_checked(checked)).graph)
    assert "Total &lt;/TD&gt;" in dot and "Total </TD>" not in dot
    assert "A &lt;b&gt;&amp;amp; &quot;quoted&quot;" in dot


def test_only_parentheses_around_the_whole_formula_are_dropped() -> None:
    assert _unbracketed("(a ÷ b)") == "a ÷ b"
    assert _unbracketed("(a) + (b)") == "(a) + (b)"
    assert _unbracketed("((a) + b)") == "(a) + b"
    assert _unbracketed("a + b") == "a + b"


def test_the_printed_chart_ends_with_the_formulas_and_lists_them_on_the_cover() -> None:
    from compiler.backends.flowchart.print_pages import FORMULAS
    from compiler.backends.flowchart.print_pdf import layout

    pages, dots = layout(_graph("guidelines/bmi_who.graph.json"), paper="a4")
    last, dot = pages[-1], dots[-1]
    assert (last.stage, last.heading, last.number) == (FORMULAS, "How the values are computed", len(pages))
    assert "body weight &#247; (height &#215; height &#215; 0.0001 m&#178;/cm&#178;) rounded to 1" in dot
    assert 'rounded to 1<BR ALIGN="LEFT"/>decimal<BR' in dot  # wrapped on the page
    assert [page.stage for page in pages].count(FORMULAS) == 1
    assert "How the values are computed" in dots[0] and "Body mass index" in dots[0]  # the cover's overview


def test_a_guideline_without_computed_values_prints_no_formulas_page() -> None:
    from compiler.backends.flowchart.print_pages import FORMULAS
    from compiler.backends.flowchart.print_pdf import layout

    pages, _ = layout(_graph("tests/fixtures/ckd-staging.graph.json"), paper="a4")
    assert FORMULAS not in [page.stage for page in pages]
