"""Dates and the time between them (docs/language.md, Dates and durations).

A ``date`` input is written ``YYYY-MM-DD`` in a patient record; the validator
(``fibrolang.validate``) accepts only a real calendar date and keeps the text, so
that two dates compare as their texts do (``"2023-02-15" < "2023-10-01"``) and
a result shows the date as the record wrote it. Nothing here reads the clock:
the date a rule is evaluated at is always an input (``assessment_date``).

``years from a to b`` (``months``, ``weeks``, ``days``) counts the *whole* units
completed between two dates:

- ``days``: the calendar days from ``a`` to ``b``; ``weeks``: whole weeks of them.
- ``months``: a month is completed on the same day of the month; when that day
  does not exist (31 January + 1 month), on the first day of the next month.
- ``years``: a year is completed on the anniversary; a person born on
  29 February completes a year on 1 March in a common year (the convention
  applied in England and Wales; some jurisdictions use 28 February).

From a later date to an earlier one the count is negative: ``-(units from b to a)``.
"""

from __future__ import annotations

import datetime
import re
from typing import Literal

ElapsedUnit = Literal["years", "months", "weeks", "days"]
ELAPSED_UNITS: tuple[ElapsedUnit, ...] = ("years", "months", "weeks", "days")

_ISO = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def parse_date(text: str) -> datetime.date | None:
    """The date ``YYYY-MM-DD`` names, or None if it is not that form or not a real date."""
    if not _ISO.fullmatch(text):
        return None
    try:
        return datetime.date(int(text[0:4]), int(text[5:7]), int(text[8:10]))
    except ValueError:  # 2023-02-30, month 13, year 0
        return None


def elapsed(unit: str, start: datetime.date, end: datetime.date) -> int:
    """The whole ``unit``s completed from ``start`` to ``end`` (negative if ``end`` is earlier)."""
    if end < start:
        return -elapsed(unit, end, start)
    if unit == "days":
        return end.toordinal() - start.toordinal()
    if unit == "weeks":
        return (end.toordinal() - start.toordinal()) // 7
    if unit == "months":
        months = (end.year * 12 + end.month) - (start.year * 12 + start.month)
        return months - (1 if end.day < start.day else 0)
    if unit == "years":
        return end.year - start.year - (1 if (end.month, end.day) < (start.month, start.day) else 0)
    raise ValueError(f"unknown unit of time {unit!r}")


def elapsed_between(unit: str, start: str, end: str) -> int:
    """``elapsed`` on two dates as the validator keeps them (``YYYY-MM-DD`` texts)."""
    return elapsed(unit, datetime.date.fromisoformat(start), datetime.date.fromisoformat(end))
