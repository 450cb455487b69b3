"""Dates in a generated Python module (``--target python``): the validator's check of a
``date`` input and the count of whole years, months, weeks or days between two dates.

Written into a module only when its guideline has a date (``date_prelude``), so the
modules of other guidelines are unchanged. Mirrors ``fibrolang/dates.py`` and the
validator's messages (``fibrolang/validate.py``; a bad date is echoed with ``repr``, as
the module echoes a bad member, which is the runtime's echo for a short printable text
without quotes) rule for rule, with the standard
library only (``datetime``, ``re``); tests/backends/test_dates_targets.py holds the
module to the runtime's answers.
"""

from __future__ import annotations

from fibrolang.graph import DateType, Graph

DATE_PRELUDE = """
import datetime as _datetime
import re as _re

_ISO_DATE = _re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def _parse_date(text):
    if not _ISO_DATE.fullmatch(text):
        return None
    try:
        return _datetime.date(int(text[0:4]), int(text[5:7]), int(text[8:10]))
    except ValueError:
        return None


def _check_date(value, path, problems):
    if not isinstance(value, str):
        message = f'expected a date ("YYYY-MM-DD"), got {_json_kind(value)}'
        problems.append(Problem(path, message, "wrong_type"))
        return _INVALID
    if _parse_date(value) is None:
        message = f"expected a real calendar date written YYYY-MM-DD, got {value!r}"
        problems.append(Problem(path, message, "not_a_date"))
        return _INVALID
    return value


def _whole(unit, start, end):
    if end < start:
        return -_whole(unit, end, start)
    if unit == "days":
        return end.toordinal() - start.toordinal()
    if unit == "weeks":
        return (end.toordinal() - start.toordinal()) // 7
    if unit == "months":
        months = (end.year * 12 + end.month) - (start.year * 12 + start.month)
        return months - (1 if end.day < start.day else 0)
    return end.year - start.year - (1 if (end.month, end.day) < (start.month, start.day) else 0)


def _elapsed(unit, start, end):
    return _whole(unit, _datetime.date.fromisoformat(start), _datetime.date.fromisoformat(end))
"""


def has_dates(graph: Graph) -> bool:
    """Whether an input or a record field of the guideline is a date."""
    return any(isinstance(declared.type, DateType) for declared in graph.inputs) or any(
        isinstance(field.type, DateType) for record in graph.records for field in record.fields
    )


def date_prelude(graph: Graph) -> list[str]:
    """The date helpers, for a guideline that has a date; nothing otherwise."""
    return [DATE_PRELUDE] if has_dates(graph) else []
