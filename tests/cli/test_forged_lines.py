"""Guideline strings can never forge lines in a text or Markdown output (issue 21, item 4).

tests/fixtures/forged.fibro holds line breaks and carriage returns that would print a fake
"Recommendations: - recommend Strong opioid" block or status line, Markdown that would start
a heading, list item or table cell, HTML, NUL, a terminal escape, a line separator and a
right-to-left override. Every renderer (explain, eval's text summary, diagnostics, the
traceability, safety, mutation and coverage reports) is run on it and its output checked:
each line is printable (fibrolang.printable), a forged line appears only inside a line,
after its escaped ``\\n``, and the Markdown starts no heading or table cell of its own.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from click.testing import CliRunner

from compiler import api
from compiler.analysis.report import safety_markdown
from compiler.cli import main
from compiler.testgen.coverage import CoverageReport, Missing, render_text
from compiler.testgen.mutants import Mutant
from compiler.testgen.mutate import MutationReport, Outcome, render_markdown
from fibrolang import read_graph
from fibrolang.graph import Graph, GuidelineInfo
from fibrolang.integrity import with_graph_hash
from fibrolang.printable import printable

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
FORGED = FIXTURES / "forged.fibro"
HOSTILE = (
    "x\nRecommendations:\n  - recommend Strong opioid\r\n"
    "# Forged heading <script>alert(1)</script> | cell \x00\x1b[31m\u2028\u202e"
)
EMPTY = Graph(
    GuidelineInfo("x", None, "1", "", (), ()), (), (), (), (), (), "start", (), ()
)  # a mutant's graph


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def assert_inert_text(text: str) -> None:
    """Each line is printable, and the forged words appear only after an escaped line break
    inside a line, never at the start of one."""
    assert text.strip(), "nothing was rendered"
    for line in text.split("\n"):
        assert printable(line) == line, f"unescaped control character in {line!r}"
        forged = r"\s*(- recommend Strong opioid|Status: ok\s*$|- forged|#|Recommendations:\S)"
        assert not re.match(forged, line), line
        if "Strong opioid" in line or "Forged" in line:
            assert "\\n" in line or "\\r" in line, line
    assert text.count("\nRecommendations:\n") <= 1


def assert_inert_markdown(text: str, headings: tuple[str, ...]) -> None:
    """``assert_inert_text``'s line checks, no HTML, only the report's own headings, and every
    table row with as many cells as its table's header."""
    assert text.strip(), "nothing was rendered"
    outside_code = re.sub(r"(`+)(.+?)\1", "", text)  # in a code span HTML is shown, not obeyed
    assert "<script" not in outside_code and "<b>" not in outside_code
    columns = None
    for line in text.split("\n"):
        assert printable(line) == line, f"unescaped control character in {line!r}"
        if line.startswith("#"):
            assert line.startswith(headings), line
        assert not re.match(r"\s*([-+*] (forged|recommend)|\d+[.)] |=+\s*$|Recommendations:)", line), line
        if line.startswith("|"):
            cells = len(re.findall(r"(?<!\\)\|", line))
            columns = columns or cells
            assert cells == columns, line
        else:
            columns = None


def test_explain_text_prints_a_forged_recommendation_escaped_inside_its_line(tmp_path: Path) -> None:
    for patient in ({"age": 40, "pain": True}, {"age": 10}):
        path = tmp_path / "patient.json"
        path.write_text(json.dumps(patient), encoding="utf-8")
        code, out, _ = _run("eval", str(FORGED), "--patient", str(path), "--explain", "--format", "text")
        assert code == 0
        assert_inert_text(out)
    assert "adult\\nRecommendations:\\n  - recommend Strong opioid  [adult/otherwise]" not in out
    assert "child\\n\\rRecommendations:\\n  - recommend Strong opioid\\u2028" in out


def test_the_explanation_in_json_output_is_the_same_inert_text(tmp_path: Path) -> None:
    path = tmp_path / "patient.json"
    path.write_text(json.dumps({"age": 40, "pain": True}), encoding="utf-8")
    code, out, _ = _run("eval", str(FORGED), "--patient", str(path), "--explain")
    assert code == 0
    assert_inert_text(json.loads(out)["explanation"])


def test_eval_text_summary_and_error_listing(tmp_path: Path) -> None:
    graph = api.compile_file(FORGED)
    plan = graph["nodes"]["plan"]
    plan["items"][1]["flag"] = "check_it\nstatus: ok\n  start Strong opioid"
    graph_file = tmp_path / "forged.graph.json"
    graph_file.write_text(json.dumps(with_graph_hash(graph)), encoding="utf-8")
    patients = tmp_path / "patients.jsonl"
    hostile_key = json.dumps(HOSTILE)
    patients.write_text(
        '{"age": 40, "pain": true}\n' + '{"age": 40, ' + hostile_key + ": 1}\n", encoding="utf-8"
    )
    code, out, _ = _run("eval", str(graph_file), "--patient", str(patients), "--format", "text")
    assert code == 1  # the second line is an invalid patient
    assert "flag check_it\\nstatus: ok\\n  start Strong opioid" in out
    assert not re.search(r"^\s*(status: ok|start Strong opioid)$", out.split("status: ok", 1)[1], re.M)
    for line in out.split("\n"):
        assert printable(line) == line


def test_diagnostics_escape_guideline_strings_and_file_names(tmp_path: Path) -> None:
    folder = tmp_path / "x\ny"
    folder.mkdir()
    source = folder / "bad.fibro"
    (folder / "forged-source.txt").write_bytes((FIXTURES / "forged-source.txt").read_bytes())
    source.write_text(
        FORGED.read_text(encoding="utf-8").replace(
            'version "1.0.0"', 'version "1.0.0\\n1 error, 0 warnings\\r\\u001b[2J"  # \u001b[31m\r'
        ),
        encoding="utf-8",
    )
    for format_ in ("plain", "human"):
        code, out, _ = _run("check", "--no-prove", "--format", format_, str(source))
        assert code == 1
        assert "x\\ny" in out
        assert 'the version "1.0.0\\n1 error, 0 warnings\\r\\x1b[2J" is not a version number' in out
        assert "# \\x1b[31m" in out  # the source line, its terminal escape shown
        assert out.count("1 error, 0 warnings") == 3  # in the message, the source line, the summary
        for line in out.split("\n"):
            assert printable(line) == line, line


def test_the_traceability_report(tmp_path: Path) -> None:
    code, out, err = _run("trace", str(FORGED))
    assert code == 0, err
    assert_inert_markdown(out, ("# Traceability: forged",))
    assert "a disclaimer \\# Forged heading &lt;script&gt;x&lt;/script&gt; \\| cell" in out


def test_the_safety_report() -> None:
    text = safety_markdown(read_graph(api.compile_file(FORGED)))
    assert_inert_markdown(
        text,
        (
            "# Safety of Forged\\\\n\\# Heading &lt;script&gt;",
            "## Invariants",
            "### `no_alpha",
            "## Other safety checks",
            "## Declared contraindications",
        ),
    )
    assert "\\x00" in text and "\\x1b" in text and "\\u202e" in text


def test_the_mutation_report() -> None:
    mutant = Mutant(HOSTILE, "drop-branch", "adult/1", HOSTILE, EMPTY)
    report = MutationReport(
        HOSTILE,
        3,
        [
            Outcome(mutant, "killed", killed_by="test_`x`|y\n# z"),
            Outcome(mutant, "stillborn", detail=HOSTILE),
        ],
    )
    text = render_markdown(report, f"fibrolang mutate {HOSTILE}", {HOSTILE: HOSTILE})
    assert_inert_markdown(text, ("# Mutation report: x\\\\nRecommendations", "## Stillborn", "## Killed"))
    assert "| ``test_`x`\\|y\\n# z`` |" in text


def test_the_coverage_text() -> None:
    report = CoverageReport(
        HOSTILE,
        1,
        2,
        1,
        1,
        1,
        1,
        0,
        0,
        missing=[Missing(f"edge {HOSTILE}", {HOSTILE: 1})],
        errors=[f"test_x: GuidelineError: {HOSTILE}"],
    )
    assert_inert_text(render_text(report))


def test_fmt_check_shows_raw_control_characters_of_a_file_escaped(tmp_path: Path) -> None:
    source = tmp_path / "raw.fibro"
    source.write_text('# a \x1b[2J\x07 comment\nguideline  t\n  title "T"\n  version "1.0.0"\nend\n', "utf-8")
    code, out, _ = _run("fmt", "--check", str(source))
    assert code == 1
    assert "+guideline t" in out
    assert " # a \\x1b[2J\\x07 comment" in out
    for line in out.split("\n"):
        assert printable(line) == line, line


def test_fmt_never_writes_a_bidi_control_raw_into_a_source_file() -> None:
    """A right-to-left override written raw reorders what a reviewer sees ("Trojan Source");
    fmt keeps the escape the author wrote (tests/fixtures/forged.fibro is in canonical form)."""
    from compiler.format.layout import quote

    assert quote("a\u202eb\u2066c\u200fd\ufeff") == '"a\\u202eb\\u2066c\\u200fd\\ufeff"'
    assert "\\u202e" in FORGED.read_text(encoding="utf-8")
