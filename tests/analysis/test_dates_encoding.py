"""The z3 encoding of dates (compiler/analysis/dates.py) is exact: a YYYYMMDD integer is
allowed exactly when it is a real calendar date, and whole years, months, weeks and days
between two dates are what the runtime counts (fibrolang/dates.py), including 29 February
and month ends, forwards and backwards."""

from __future__ import annotations

import datetime
import random

import pytest
import z3

from compiler.analysis import dates
from fibrolang.dates import elapsed, parse_date


def _date_term(name: str, value: int) -> tuple[z3.ArithRef, list[z3.BoolRef]]:
    variable = z3.Int(name)
    return variable, [*dates.constrain(variable), variable == value]


@pytest.mark.parametrize(
    "value",
    [
        20230228,
        20230229,
        20240229,
        19000229,
        20000229,
        20230431,
        20231231,
        20231301,
        20230100,
        20230001,
        101,
        99991231,
    ],
)
def test_a_date_variable_is_exactly_a_real_calendar_date(value: int) -> None:
    solver = z3.Solver()
    _, constraints = _date_term("d", value)
    solver.add(*constraints)
    text = f"{value // 10000:04d}-{value // 100 % 100:02d}-{value % 100:02d}"
    assert (solver.check() == z3.sat) == (parse_date(text) is not None)


def _pairs() -> list[tuple[datetime.date, datetime.date]]:
    rng = random.Random(13)
    fixed = [
        (datetime.date(2000, 2, 29), datetime.date(2018, 2, 28)),
        (datetime.date(2000, 2, 29), datetime.date(2018, 3, 1)),
        (datetime.date(2023, 1, 31), datetime.date(2023, 2, 28)),
        (datetime.date(2023, 1, 31), datetime.date(2023, 3, 1)),
        (datetime.date(2018, 3, 1), datetime.date(2000, 2, 29)),
        (datetime.date(1999, 12, 31), datetime.date(2000, 1, 1)),
    ]
    start = datetime.date(1900, 1, 1).toordinal()
    randoms = [
        (
            datetime.date.fromordinal(start + rng.randrange(0, 300 * 365)),
            datetime.date.fromordinal(start + rng.randrange(0, 300 * 365)),
        )
        for _ in range(60)
    ]
    return fixed + randoms


def _number(day: datetime.date) -> int:
    return day.year * 10000 + day.month * 100 + day.day


@pytest.mark.parametrize("unit", ["years", "months", "weeks", "days"])
def test_the_encoding_counts_as_the_runtime_does(unit: str) -> None:
    for start, end in _pairs():
        solver = z3.Solver()
        a, first = _date_term("a", _number(start))
        b, second = _date_term("b", _number(end))
        count = z3.Int("count")
        solver.add(*first, *second, count == dates.elapsed(unit, a, b))
        assert solver.check() == z3.sat
        assert solver.model()[count].as_long() == elapsed(unit, start, end), (unit, start, end)


def test_witness_dates_are_written_as_the_record_writes_them() -> None:
    assert dates.iso(20000229) == "2000-02-29"
    assert dates.from_iso("0001-01-01") == 10101
