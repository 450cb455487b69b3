"""Dates on the flowchart and in explain (tests/fixtures/dates.fibro): a guard that counts
whole months between two dates reads in words on the chart, and explain gives the age in
whole years, with its unit, and the decisions as written."""

from __future__ import annotations

import re
from pathlib import Path

import fibrolang
from compiler import api
from compiler.backends.flowchart.dot import render_dot

FIXTURE = Path(__file__).resolve().parents[2] / "tests" / "fixtures" / "dates.fibro"


def test_the_chart_says_how_many_whole_months_in_words() -> None:
    dot = render_dot(api.compile_file(FIXTURE))
    labels = [re.sub(r"<BR[^>]*>", " ", label) for label in re.findall(r"label=<(.*?)> id=", dot)]
    words = "Whole months from date the treatment started to date of assessment &#8805; 3 months "
    assert words in labels  # the edge of `months from treatment_start to assessment_date >= 3 months`


def test_explain_gives_the_age_in_whole_years_and_the_duration_guard() -> None:
    guideline = fibrolang.load(api.compile_file(FIXTURE))
    leapling = {"birth_date": "2000-02-29", "treatment_start": "2017-12-01"}
    on = {**leapling, "assessment_date": "2018-03-01"}
    lines = guideline.explain(guideline.evaluate(on), on).splitlines()
    assert "  age = 18 years" in lines
    assert any("when months from treatment_start to assessment_date >= 3 months" in line for line in lines)
    before = {**leapling, "assessment_date": "2018-02-28"}
    assert "  age = 17 years" in guideline.explain(guideline.evaluate(before), before).splitlines()
