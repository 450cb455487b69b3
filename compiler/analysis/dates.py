"""Dates in the z3 encoding: a date is the integer ``YYYYMMDD`` (2018-03-01 is 20180301).

That number orders as the dates do, so ``start_date <= assessment_date`` is an integer
comparison, and the calendar is exact linear integer arithmetic with division by
constants (no approximation, no restriction):

- a date variable is constrained to a real calendar date between 0001-01-01 and
  9999-12-31 (the runtime's ``datetime.date`` range): month 1-12, day 1 to the
  month's length, 29 February only in leap years (Gregorian rule);
- ``years from a to b`` (b >= a) is ``(b - a) div 10000``: the month and day part of
  the difference is less than 10000 in size, so this is the year difference minus one
  while the anniversary is still to come -- the runtime's rule (fibrolang/dates.py),
  29 February anniversaries falling on 1 March in common years;
- ``months`` is the month count difference minus one while the day of the month is
  still to come; ``days`` subtracts day numbers (days from 1970-01-01, H. Hinnant's
  ``days_from_civil``); ``weeks`` is whole weeks of them;
- from a later date to an earlier one, the negated count the other way round.

Witnesses show a date as ``YYYY-MM-DD`` (``iso``); the neutral date is 2000-01-01.

Cost: ``years`` and ``months`` are cheap for z3 (a tenth of a second for the whole
fixture tests/fixtures/dates.fibro). ``days`` and ``weeks`` need the day-number
formula, whose divisions z3 decides slowly: seconds per question, so a guideline
with several may meet the solver timeout, which is reported as its own verdict
(never guessed). Prefer ``months`` where the source allows.
"""

from __future__ import annotations

from typing import Any

import z3

Term = Any
NEUTRAL = 20000101


_PARTS: dict[str, tuple[Term, Term, Term]] = {}
"""Year, month and day variables of each date variable, by name: linear ties to the
date instead of divisions, which z3 decides much faster."""


def constrain(variable: Term) -> list[Term]:
    """The constraints that make ``variable`` a real calendar date ``YYYYMMDD``."""
    name = variable.decl().name()
    year, month, day = z3.Int(f"{name}.year"), z3.Int(f"{name}.month"), z3.Int(f"{name}.day")
    _PARTS[name] = (year, month, day)
    length = month_length(year, month)
    return [
        variable == year * 10000 + month * 100 + day,
        year >= 1,
        year <= 9999,
        month >= 1,
        month <= 12,
        day >= 1,
        day <= length,
    ]


def month_length(year: Term, month: Term) -> Term:
    """Days in ``month`` of ``year`` (29 February in leap years of the Gregorian calendar)."""
    leap = z3.Or(z3.And(year % 4 == 0, year % 100 != 0), year % 400 == 0)
    return z3.If(
        month == 2,
        z3.If(leap, 29, 28),
        z3.If(z3.Or(month == 4, month == 6, month == 9, month == 11), 30, 31),
    )


def next_day(value: Term) -> Term:
    """The day after a ``YYYYMMDD`` date, as a ``YYYYMMDD`` term."""
    year, month, day = parts(value)
    return z3.If(
        day < month_length(year, month),
        value + 1,
        z3.If(month < 12, year * 10000 + (month + 1) * 100 + 1, (year + 1) * 10000 + 101),
    )


def previous_day(value: Term) -> Term:
    """The day before a ``YYYYMMDD`` date, as a ``YYYYMMDD`` term."""
    year, month, day = parts(value)
    return z3.If(
        day > 1,
        value - 1,
        z3.If(
            month > 1,
            year * 10000 + (month - 1) * 100 + month_length(year, month - 1),
            (year - 1) * 10000 + 1231,
        ),
    )


def parts(value: Term) -> tuple[Term, Term, Term]:
    """Year, month and day of a ``YYYYMMDD`` term."""
    if z3.is_const(value) and value.decl().name() in _PARTS:
        return _PARTS[value.decl().name()]
    return value / 10000, (value / 100) % 100, value % 100


def day_number(value: Term) -> Term:
    """Days from 1970-01-01 (``days_from_civil``; every division is by a constant)."""
    year, month, day = parts(value)
    shifted = year - z3.If(month <= 2, 1, 0)  # the year starts in March (shifted >= 0)
    month_from_march = z3.If(month > 2, month - 3, month + 9)
    day_of_year = (153 * month_from_march + 2) / 5 + day - 1
    return shifted * 365 + shifted / 4 - shifted / 100 + shifted / 400 + day_of_year - 719468


def _forward(unit: str, start: Term, end: Term) -> Term:
    """Whole ``unit``s from ``start`` to ``end`` when ``end >= start``."""
    if unit == "years":
        return (end - start) / 10000
    if unit == "months":
        start_year, start_month, start_day = parts(start)
        end_year, end_month, end_day = parts(end)
        months = (end_year * 12 + end_month) - (start_year * 12 + start_month)
        return months - z3.If(end_day < start_day, 1, 0)
    days = day_number(end) - day_number(start)
    return days / 7 if unit == "weeks" else days


def elapsed(unit: str, start: Term, end: Term) -> Term:
    """Whole ``unit``s from ``start`` to ``end``, negative when ``end`` is earlier."""
    return z3.If(end >= start, _forward(unit, start, end), -_forward(unit, end, start))


def iso(value: int) -> str:
    """``YYYYMMDD`` as the patient record writes it."""
    return f"{value // 10000:04d}-{value // 100 % 100:02d}-{value % 100:02d}"


def from_iso(text: str) -> int:
    """``YYYY-MM-DD`` as ``YYYYMMDD``."""
    return int(text[0:4]) * 10000 + int(text[5:7]) * 100 + int(text[8:10])


CALENDAR_UNITS = ("years", "months")
"""Units whose boundaries sit at an anniversary (the day before, on, the day after)."""


def anniversary_goals(unit: str, start: Term, end: Term, side: str, value: int) -> list[Term]:
    """Boundary patients of ``unit from start to end`` next to an anniversary: ``below``
    (value t-1) the day before the t-th anniversary, ``at`` and ``above`` on the
    anniversary, ``after`` (value t) the day after the t-th anniversary."""
    if unit not in CALENDAR_UNITS or side not in ("below", "at", "above", "after"):
        return []
    if side == "below":
        return [end >= start, _forward(unit, start, next_day(end)) == value + 1]
    previous = previous_day(end)
    if side in ("at", "above"):
        return [end > start, _forward(unit, start, previous) == value - 1]
    return [
        end > start,
        _forward(unit, start, previous) == value,
        _forward(unit, start, previous_day(previous)) == value - 1,
    ]
