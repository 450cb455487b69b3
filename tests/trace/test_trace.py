"""Traceability: each source sentence is mapped to the elements quoting it, or waived."""

from __future__ import annotations

import re
from pathlib import Path

from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from compiler.check.traceability import read_source_text
from compiler.cli import main
from compiler.front.pipeline import parse_text
from compiler.traceability.report import report_markdown, trace
from compiler.traceability.source_document import normalise, split_sentences

SOURCE = """Treatment of things

  1. Start with walking: 30 minutes daily. Swim when walking hurts.
  • Avoid   running in
    patients over 80.
Disclaimer: not advice.
"""

ROOT = Path(__file__).resolve().parents[2]

GUIDELINE = """guideline walk
  title "Walking"
  version "1"
  source text "source.txt"
end
therapy walking "Walking"
  quote "Start with walking: 30 minutes daily."
end
therapy swimming "Swimming"
  quote "Swim when walking hurts."
end
waive "Treatment of things" because "heading"
waive "Disclaimer: not advice." because "site text"
pathway
  start -> done
  outcome done ok
end
"""


def test_sentences_are_split_per_line_and_sentence_end() -> None:
    document = split_sentences(SOURCE)
    assert [(s.line, s.text) for s in document.sentences] == [
        (1, "Treatment of things"),
        (3, "Start with walking: 30 minutes daily."),
        (3, "Swim when walking hurts."),
        (4, "Avoid running in"),
        (5, "patients over 80."),
        (6, "Disclaimer: not advice."),
    ]


def test_quotes_match_across_wrapped_lines_and_typography() -> None:
    document = split_sentences(SOURCE)
    span = document.find("Avoid running in patients over 80.")
    assert span is not None
    assert [s.line for s in document.sentences_between(*span)] == [4, 5]
    assert normalise("a \u2013 \u201cb\u201d\n c") == 'a - "b" c'
    assert document.find("Avoid jogging") is None
    # the checker (FIB108) matches quotes with the same normalisation
    assert split_sentences("Wait \u2026 then walk.").find("Wait ... then walk.") is not None


def write(tmp_path: Path, guideline: str) -> Path:
    (tmp_path / "source.txt").write_text(SOURCE, encoding="utf-8")
    path = tmp_path / "walk.fibro"
    path.write_text(guideline, encoding="utf-8")
    return path


def test_report_maps_encoded_and_waived_sentences_and_lists_the_rest(tmp_path: Path) -> None:
    path = write(tmp_path, GUIDELINE)
    guideline, problems = parse_text(path.read_text(encoding="utf-8"), str(path))
    assert guideline is not None and not problems
    report = trace(guideline, tmp_path)
    mapped = {t.sentence.text: (t.elements, t.waiver) for t in report.sentences}
    assert mapped["Start with walking: 30 minutes daily."] == (["therapy walking"], None)
    assert mapped["Swim when walking hurts."] == (["therapy swimming"], None)
    assert mapped["Treatment of things"] == ([], "heading")
    assert [t.sentence.text for t in report.unmapped] == ["Avoid running in", "patients over 80."]
    markdown = report_markdown(report)
    assert "6 sentences; 2 encoded, 2 waived (no clinical logic), 2 unmapped." in markdown
    assert "| 4 | 4 | Avoid running in | **UNMAPPED** |  |" in markdown


def test_trace_command_exits_1_while_a_sentence_is_unmapped(tmp_path: Path) -> None:
    path = write(tmp_path, GUIDELINE)
    result = CliRunner().invoke(main, ["trace", str(path)])
    assert result.exit_code == 1
    assert "source.txt:4: unmapped: Avoid running in" in result.output
    complete = GUIDELINE.replace(
        "pathway",
        'therapy rest "Rest"\n  quote "Avoid running in patients over 80."\nend\npathway',
    )
    path = write(tmp_path, complete)
    result = CliRunner().invoke(main, ["trace", str(path), "-o", str(tmp_path / "r.md")])
    assert result.exit_code == 0, result.output
    assert "0 unmapped" in (tmp_path / "r.md").read_text(encoding="utf-8")


def test_a_quote_that_keeps_a_list_marker_is_found_as_the_checker_finds_it() -> None:
    document = split_sentences(SOURCE)
    quote = "30 minutes daily. Swim when walking hurts. • Avoid running in patients over 80."
    span = document.find(quote)
    assert span is not None
    expected = "30 minutes daily. Swim when walking hurts. Avoid running in patients over 80."
    assert document.text[span[0] : span[1]] == expected
    assert [s.number for s in document.sentences_between(*span)] == [2, 3, 4, 5]  # a wrapped line
    ends_in_a_marker = document.find("daily. Swim when walking hurts. •")
    assert ends_in_a_marker is not None
    assert document.text[ends_in_a_marker[0] : ends_in_a_marker[1]] == "daily. Swim when walking hurts. "


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_trace_finds_every_passage_of_the_source_that_the_checker_accepts(data: st.DataObject) -> None:
    raw = (ROOT / "guidelines" / "sources" / "refractory-fibromyalgia.txt").read_text(encoding="utf-8")
    checker = read_source_text(ROOT / "guidelines" / "sources" / "refractory-fibromyalgia.txt")
    document = split_sentences(raw)
    words = data.draw(st.sampled_from([checker.text, checker.without_markers])).split(" ")
    start = data.draw(st.integers(0, len(words) - 1))
    passage = " ".join(words[start : start + data.draw(st.integers(1, 40))])
    assert checker.contains(passage)
    span = document.find(passage)
    assert span is not None, passage
    # what trace maps is the passage less some list markers, nothing else
    found = document.text[span[0] : span[1]].split()
    left_out = list(passage.split(" "))
    for word in found:
        while left_out and left_out[0] != word:
            assert _MARKER_WORD.fullmatch(left_out.pop(0)), (passage, found)
        assert left_out, (passage, found)
        left_out.pop(0)
    assert all(_MARKER_WORD.fullmatch(word) for word in left_out), (passage, found)


_MARKER_WORD = re.compile(r"[-•*]|\d+\.")
