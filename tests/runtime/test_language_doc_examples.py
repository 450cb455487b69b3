"""The examples of docs/language.md for the constructs of issue 20 (ordinal scores, defaults
for absent facts, dates, lookup tables, outputs that may be unset, declared units) are
compiled and run, and give the answers the page states. (Every example also parses and is
formatted: tests/parse/test_language_doc.py; measurement arithmetic:
tests/guidelines/test_language_examples.py.)"""

from __future__ import annotations

import re
from pathlib import Path

import fibrolang
from compiler import api
from compiler.front.parse import SourceText

DOC = Path(__file__).resolve().parents[2] / "docs" / "language.md"
HEADER = 'guideline example\n  title "An example"\n  version "1"\nend\n\n'


def _example(title: str) -> fibrolang.Guideline:
    blocks = re.findall(r"```fibro\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.DOTALL)
    (block,) = [b for b in blocks if b.startswith(f"# Example: {title}\n")]
    checked = api.check_source(SourceText("language.md", HEADER + block), DOC.parent)
    assert checked.ok, checked.diagnostics  # no error and no warning
    assert not checked.diagnostics
    return fibrolang.load(api.compile_checked(checked))


def test_the_ordinal_example_gives_each_bands_points() -> None:
    guideline = _example("an ordinal score")
    assert guideline.evaluate({"respiration_rate": 22}).outputs == {"respiration_points": 2}
    assert guideline.evaluate({"respiration_rate": 7}).outputs == {"respiration_points": 3}
    assert guideline.evaluate({"respiration_rate": 15}).outputs == {"respiration_points": 0}


def test_the_default_example_assumes_what_the_page_says() -> None:
    guideline = _example("a default for an absent fact")
    empty = guideline.evaluate({})
    assert empty.outputs == {"oxygen_points": 0}
    assert empty.to_dict()["assumed"] == ["age", "level", "supplemental_oxygen"]
    oxygen = guideline.evaluate({"supplemental_oxygen": True})
    assert oxygen.outputs == {"oxygen_points": 2}
    assert oxygen.assumed == ("age", "level")


def test_the_date_example_counts_whole_years_and_weeks() -> None:
    guideline = _example("an age from a date of birth")
    leapling = {"birth_date": "2000-02-29", "treatment_start": "2017-12-01"}
    before = guideline.evaluate({**leapling, "assessment_date": "2018-02-28"}).outputs
    assert (before["age"], before["adult"]) == (17, False)
    on = guideline.evaluate({**leapling, "assessment_date": "2018-03-01"}).outputs
    assert (on["age"], on["adult"]) == (18, True)
    assert guideline.evaluate({**leapling, "assessment_date": "2018-02-23"}).outputs["review_due"] is True
    assert guideline.evaluate({**leapling, "assessment_date": "2018-02-22"}).outputs["review_due"] is False


PATHWAY = "\npathway\n  start -> done\n\n  outcome done ok\nend\n"


def _section_examples(title: str, end: str) -> list[str]:
    text = DOC.read_text(encoding="utf-8")
    section = text[text.index(f"### {title}\n") : text.index(f"### {end}\n")]
    return re.findall(r"```fibro\n(.*?)```", section, flags=re.DOTALL)


def _checked(block: str) -> api.Checked:
    return api.check_source(SourceText("language.md", HEADER + block + PATHWAY), DOC.parent)


def _compiled(block: str) -> fibrolang.Guideline:
    checked = _checked(block)
    assert checked.ok and not checked.diagnostics, checked.diagnostics
    return fibrolang.load(api.compile_checked(checked))


def test_the_lookup_table_examples_give_the_cells_the_page_shows() -> None:
    one_key, two_keys, otherwise = _section_examples("Lookup tables", "Texts")
    risk = _compiled(one_key)
    assert [risk.evaluate({"score": s}).outputs["risk"] for s in range(6)] == [
        "low", "mid", "mid", "high", "high", "high"
    ]  # fmt: skip
    grid = _compiled(two_keys)
    assert grid.evaluate({"gfr": "g3a", "albuminuria": "a3"}).outputs["progression"] == "very_high"
    assert grid.evaluate({"gfr": "g1", "albuminuria": "a2"}).outputs["progression"] == "moderate"
    assert grid.evaluate({"gfr": "g3b", "albuminuria": "a1"}).outputs["progression"] == "high"
    partial = _compiled(otherwise)
    assert [partial.evaluate({"score": s}).outputs["risk"] for s in range(6)] == [
        "none", "low", "mid", "high", "none", "none"
    ]  # fmt: skip


def test_the_unset_example_leaves_the_scale_out() -> None:
    (block,) = _section_examples(
        "Outputs that may be unset", "Parameterised definitions and per-member constants"
    )
    guideline = _compiled(block)
    assert guideline.evaluate({"hypercapnic": True, "spo2": 93}).outputs == {}
    assert guideline.evaluate({"hypercapnic": False, "spo2": 93}).outputs == {"spo2_scale_1": 2}
    assert guideline.evaluate({"hypercapnic": False}).to_dict()["outputs"] == {"spo2_scale_1": None}


def test_the_declared_unit_example_checks_and_meets_only_itself() -> None:
    (block,) = _section_examples("Units a guideline declares", "Definitions and outputs")
    graph = _compiled(block).graph
    assert [d.name for d in graph.definitions] == ["heavy_drinking"]
    other = _checked(block.replace("intake > 28 drinks/fortnight", "intake > 3 drinks/week"))
    assert [d.code for d in other.diagnostics] == ["FIB104"]
