"""Dates and durations in the runtime (fibrolang/dates.py, docs/language.md "Dates and
durations"): whole years, months, weeks and days between two dates against a reference
that counts anniversaries one by one; the validator's problems for bad dates; the fused and
unfused evaluators, full and lean, agree on the fixture; the runtime never reads the clock."""

from __future__ import annotations

import datetime
import random
import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import fibrolang
from compiler import api
from fibrolang.dates import elapsed, parse_date
from fibrolang.program import Program

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "fixtures" / "dates.fibro"


def _anniversary(start: datetime.date, months: int) -> datetime.date:
    """``start`` plus ``months`` months; a day the month lacks is the 1st of the next month."""
    total = start.year * 12 + start.month - 1 + months
    year, month = divmod(total, 12)
    try:
        return datetime.date(year, month + 1, start.day)
    except ValueError:  # 29-31 in a shorter month: the first day of the next month
        following = datetime.date(year + (month + 1) // 12, (month + 1) % 12 + 1, 1)
        return following


def _reference(unit: str, start: datetime.date, end: datetime.date) -> int:
    if end < start:
        return -_reference(unit, end, start)
    if unit in ("days", "weeks"):
        days = (end - start).days
        return days if unit == "days" else days // 7
    step = 12 if unit == "years" else 1
    count = 0
    while _anniversary(start, (count + 1) * step) <= end:
        count += 1
    return count


dates = st.dates(min_value=datetime.date(1800, 1, 1), max_value=datetime.date(2200, 12, 31))


@given(dates, dates, st.sampled_from(["years", "months", "weeks", "days"]))
def test_elapsed_counts_whole_units_as_the_reference_does(
    start: datetime.date, end: datetime.date, unit: str
) -> None:
    assert elapsed(unit, start, end) == _reference(unit, start, end)


@pytest.mark.parametrize(
    ("birth", "on", "years"),
    [
        ("2000-02-29", "2018-02-28", 17),  # a leapling's birthday is 1 March in a common year
        ("2000-02-29", "2018-03-01", 18),
        ("2000-02-29", "2020-02-28", 19),
        ("2000-02-29", "2020-02-29", 20),  # and 29 February in a leap year
        ("2000-03-15", "2018-03-14", 17),
        ("2000-03-15", "2018-03-15", 18),
        ("2018-03-15", "2000-03-15", -18),  # from a later date to an earlier one
    ],
)
def test_whole_years_at_the_birthday(birth: str, on: str, years: int) -> None:
    assert elapsed("years", datetime.date.fromisoformat(birth), datetime.date.fromisoformat(on)) == years


def test_whole_months_at_a_month_end() -> None:
    start = datetime.date(2023, 1, 31)
    assert elapsed("months", start, datetime.date(2023, 2, 28)) == 0
    assert elapsed("months", start, datetime.date(2023, 3, 1)) == 1
    assert elapsed("months", start, datetime.date(2023, 4, 30)) == 2
    assert elapsed("months", start, datetime.date(2023, 5, 1)) == 3


@pytest.mark.parametrize(
    "text",
    ["2023-02-30", "2023-13-01", "0000-01-01", "2023-2-3", "20230203", "2023-02-03T00:00", " 2023-02-03"],
)
def test_only_real_calendar_dates_in_the_iso_form_are_dates(text: str) -> None:
    assert parse_date(text) is None


@pytest.fixture(scope="module")
def guideline() -> fibrolang.Guideline:
    return fibrolang.load(api.compile_file(FIXTURE))


def test_bad_dates_are_one_error_listing_every_problem(guideline: fibrolang.Guideline) -> None:
    with pytest.raises(fibrolang.InvalidPatient) as raised:
        guideline.evaluate(
            {"birth_date": "2023-02-30", "assessment_date": 20180301, "treatment_start": "1/3/2018"}
        )
    problems = {(p.path, p.code) for p in raised.value.problems}
    assert problems == {
        ("birth_date", "not_a_date"),
        ("assessment_date", "wrong_type"),
        ("treatment_start", "not_a_date"),
    }
    messages = " ".join(p.message for p in raised.value.problems)
    assert "'2023-02-30'" in messages and "YYYY-MM-DD" in messages


def test_an_absent_date_is_insufficient_data_naming_it(guideline: fibrolang.Guideline) -> None:
    result = guideline.evaluate({"assessment_date": "2018-03-01", "treatment_start": "2018-01-01"})
    assert result.status == "insufficient_data"
    assert "birth_date" in result.to_dict()["missing"]


def _random_date(rng: random.Random) -> str | None:
    if rng.random() < 0.05:
        return None
    day = datetime.date(1990, 1, 1) + datetime.timedelta(days=rng.randrange(0, 365 * 40))
    return day.isoformat()


def test_fused_and_unfused_evaluators_agree_full_and_lean(guideline: fibrolang.Guideline) -> None:
    unfused = fibrolang.load(api.compile_file(FIXTURE))
    unfused._program = Program(unfused.graph, fuse=False)
    rng = random.Random(17)
    for _ in range(2000):
        patient = {
            name: value
            for name in ("birth_date", "assessment_date", "treatment_start")
            if (value := _random_date(rng)) is not None
        }
        for trace in (True, False):
            assert guideline.evaluate(patient, trace).to_json() == unfused.evaluate(patient, trace).to_json()


def test_the_runtime_never_reads_the_clock() -> None:
    clock = re.compile(r"date\.today|datetime\.now|datetime\.utcnow|time\.time\(|localtime|gmtime")
    readers = [
        path.relative_to(ROOT).as_posix()
        for path in sorted((ROOT / "fibrolang").rglob("*.py"))
        if clock.search(path.read_text(encoding="utf-8"))
    ]
    assert readers == []
