"""Bidirectional controls and invisible characters in a guideline (fibrolang.invisible):
a warning (FIB014) for each one in a text, an error (FIB013) for each one in the code,
nothing in comments; and every output a reviewer reads shows each as its escape (\\u202e):
the diagnostics (the source line under the caret, text and JSON), the flowchart (DOT and
SVG), ``explain``, the traceability report and the formatted source."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import fibrolang
from compiler import api
from compiler.backends.flowchart.dot import render_dot
from compiler.diagnostics import catalogue as diag
from compiler.diagnostics.renderers import render_json, render_text
from compiler.traceability.report import SentenceTrace, TraceReport, report_markdown
from compiler.traceability.source_document import split_sentences
from fibrolang.invisible import is_hidden
from fibrolang.printable import printable

GUIDELINE = """\
guideline hidden
  title "Hidden characters"
  version "1.0.0"
  citation 1 "Reference"
end

drug duloxetine "Duloxetine{drug}"
  dose 30 to 60 mg/day
end

input age{name}: integer 0 to 130 years  # a comment may hold{comment} anything

pathway
  start -> adult

  decide adult "Is the patient an adult{question}?"
    when age{name} >= 18 years -> treat
      label "adult{label}"
    otherwise -> done
  end

  step treat "Treat"
    start duloxetine at 30 mg/day
      note "titrate slowly{note}"
    -> done
  end

  outcome done ok
end
"""

SLOTS = ("drug", "name", "comment", "question", "label", "note")
RLO = "\u202e"


def _write(tmp_path: Path, **chars: str) -> Path:
    path = tmp_path / "hidden.fibro"
    path.write_text(GUIDELINE.format(**{slot: chars.get(slot, "") for slot in SLOTS}), encoding="utf-8")
    return path


def _diagnostics(path: Path) -> list[tuple[str, int, int, str]]:
    checked = api.check_file(path)
    return [(d.code, d.span.line, d.span.column, d.message) for d in checked.diagnostics]


def test_the_clean_guideline_has_no_problem(tmp_path: Path) -> None:
    assert _diagnostics(_write(tmp_path)) == []


@pytest.mark.parametrize(
    ("char", "words"),
    [
        (
            "\u202e",
            "U+202E RIGHT-TO-LEFT OVERRIDE, a bidirectional control: it can make the line display "
            "in another order than the one fibrolang reads",
        ),
        (
            "\u2066",
            "U+2066 LEFT-TO-RIGHT ISOLATE, a bidirectional control: it can make the line display "
            "in another order than the one fibrolang reads",
        ),
        (
            "\u061c",
            "U+061C ARABIC LETTER MARK, a bidirectional control: it can make the line display "
            "in another order than the one fibrolang reads",
        ),
        ("\u200b", "U+200B ZERO WIDTH SPACE, an invisible character: a reader cannot see it"),
        ("\u00ad", "U+00AD SOFT HYPHEN, an invisible character: a reader cannot see it"),
        ("\ufeff", "U+FEFF ZERO WIDTH NO-BREAK SPACE, an invisible character: a reader cannot see it"),
        ("\U000e0041", "U+E0041 TAG LATIN CAPITAL LETTER A, an invisible character: a reader cannot see it"),
        ("\ufe0f", "U+FE0F VARIATION SELECTOR-16, an invisible character: a reader cannot see it"),
    ],
)
def test_a_hidden_character_in_a_text_is_a_warning_of_its_own(tmp_path: Path, char: str, words: str) -> None:
    found = _diagnostics(_write(tmp_path, label=char))
    code = f"\\u{ord(char):04x}" if ord(char) <= 0xFFFF else f"\\U{ord(char):08x}"
    assert found == [("FIB014", 18, 19, f"a text holds {words} (every output shows it as {code})")]
    checked = api.check_file(tmp_path / "hidden.fibro")
    assert checked.ok  # a warning: the guideline still compiles
    assert checked.diagnostics[0].severity == "warning"


def test_every_hidden_character_outside_comments_is_reported_where_it_stands(tmp_path: Path) -> None:
    path = _write(tmp_path, drug=RLO, question="\u200b", label=RLO, note="\u2069", comment=RLO)
    assert [(code, line, column) for code, line, column, _ in _diagnostics(path)] == [
        ("FIB014", 7, 28),
        ("FIB014", 16, 40),
        ("FIB014", 18, 19),
        ("FIB014", 24, 27),
    ]


def test_a_hidden_character_in_a_name_is_an_error_not_a_vague_syntax_error(tmp_path: Path) -> None:
    found = _diagnostics(_write(tmp_path, name="\u200b"))
    message = (
        "an invisible character, U+200B ZERO WIDTH SPACE, stands in the code outside a text "
        "(shown as \\u200b): names and keywords are plain ASCII"
    )
    assert found == [("FIB013", 11, 10, message), ("FIB013", 17, 13, message)]


def test_an_escape_in_a_text_is_visible_and_not_reported(tmp_path: Path) -> None:
    path = _write(tmp_path, label="\\u202e")
    assert _diagnostics(path) == []


def test_diagnostics_show_the_character_escaped_with_the_caret_under_it(tmp_path: Path) -> None:
    path = _write(tmp_path, label=RLO)
    sources = api.SourceCache()
    checked = api.check_file(path, sources)
    text = render_text(checked.diagnostics, sources.line)
    assert RLO not in text
    assert '   18 |       label "adult\\u202e"\n' in text
    assert "\n                          ^^^^^^\n" in text
    quoting = diag.make("FIB108", f"quote not found: adult{RLO}", checked.diagnostics[0].span)
    rendered = render_json([quoting])
    assert RLO not in rendered
    assert "adult\\u202e" in rendered
    assert json.loads(rendered)["diagnostics"][0]["message"] == f"quote not found: adult{RLO}"  # same data


def _graph(tmp_path: Path, char: str) -> dict[str, object]:
    return api.compile_file(_write(tmp_path, drug=char, question=char, label=char, note=char))


def test_the_flowchart_shows_each_hidden_character(tmp_path: Path) -> None:
    dot = render_dot(_graph(tmp_path, RLO))
    assert RLO not in dot and "&#8238;" not in dot
    assert "an adult&#92;u202e?" in dot
    assert "adult&#92;u202e" in dot
    assert "slowly&#92;u202e" in dot


def test_explain_shows_each_hidden_character(tmp_path: Path) -> None:
    guideline = fibrolang.load(_graph(tmp_path, "\u200b"))
    text = guideline.explain(guideline.evaluate({"age": 40}))
    assert "\u200b" not in text
    assert "Is the patient an adult\\u200b?" in text
    assert "note: titrate slowly\\u200b" in text


def test_the_traceability_report_shows_each_hidden_character() -> None:
    document = split_sentences(f"Start duloxetine{RLO} at 30 mg.", "source.txt")
    report = TraceReport("hidden", "notes", "source.txt", [SentenceTrace(document.sentences[0])], [])
    text = report_markdown(report)
    assert RLO not in text
    assert "Start duloxetine\\\\u202e at 30 mg." in text  # Markdown for the text \\u202e


def test_the_set_of_hidden_characters() -> None:
    hidden = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
    hidden += "\u200b\u200c\u200d\u2060\u2061\u2064\ufeff\u00ad\u180e\U000e0001\U000e007f"
    hidden += "\ufe00\ufe0f\U000e0100\u115f\u1160\u3164\uffa0"
    assert all(is_hidden(char) for char in hidden)
    visible = 'aZ09 \t_#"≥²é中文⚑–—“”…\u00a0\u2009'
    assert not any(is_hidden(char) for char in visible)


@given(st.text())
def test_printable_leaves_no_hidden_character(text: str) -> None:
    assert not any(is_hidden(char) for char in printable(text))


def test_fmt_writes_a_hidden_character_as_its_escape(tmp_path: Path) -> None:
    from compiler.format.formatter import format_source
    from compiler.front.parse import read_source

    source, _ = read_source(_write(tmp_path, label=RLO))
    assert source is not None
    formatted, problems = format_source(source)
    assert formatted is not None, problems
    assert 'label "adult\\u202e"' in formatted
    assert RLO not in formatted
