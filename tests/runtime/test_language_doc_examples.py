"""The examples of docs/language.md for ordinal scores and defaults for absent facts are
compiled and run, and give the answers the page states."""

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
