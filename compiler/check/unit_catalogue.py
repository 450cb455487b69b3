"""The units catalogue: every unit a guideline may write, with its dimension.

The runtime compares numbers as the graph gives them: where two numbers
with commensurable units meet (``weeks >= 28 days``), the compiler writes
the conversion into the graph (``compiler/check/unit_conversion.py``,
``compiler/lower_units.py``); the dimension here explains a mismatch.

A few spellings are aliases of one unit (``year`` and ``years``, ``mcg`` and
``ug``); a unit is always reported in its canonical spelling.

Dimensionless counting units (``points``) may meet plain numbers: a score of
``7`` and ``7 points`` mean the same thing, so ``pain_score between 7 and 10``
is accepted when ``pain_score`` is in points.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping

from fibrolang.records import record


@record
class Unit:
    name: str  # the canonical spelling
    dimension: str  # in plain words: "time", "mass", "kidney function" ...
    dimensionless: bool = False  # a bare number means the same (scores, counts)


_UNITS: tuple[Unit, ...] = (
    # time
    Unit("years", "time"),
    Unit("months", "time"),
    Unit("weeks", "time"),
    Unit("days", "time"),
    Unit("hours", "time"),
    Unit("minutes", "time"),
    # mass and amount
    Unit("kg", "mass"),
    Unit("g", "mass"),
    Unit("mg", "mass"),
    Unit("mcg", "mass"),
    Unit("mmol", "amount of substance"),
    # doses
    Unit("mg/day", "daily dose"),
    Unit("mcg/day", "daily dose"),
    Unit("g/day", "daily dose"),
    Unit("mg/kg", "dose per body weight"),
    Unit("mg/kg/day", "daily dose per body weight"),
    Unit("mg/week", "weekly dose"),
    Unit("mcg/hour", "hourly dose"),
    # body measures
    Unit("cm", "length"),
    Unit("m", "length"),
    Unit("kg/m2", "body mass index"),
    Unit("m2", "body surface area"),
    # kidney and laboratory values
    Unit("mL/min/1.73m2", "kidney function"),
    Unit("mL/min", "kidney function"),
    Unit("L/hours", "kidney function"),  # converts to and from mL/min (compiler/check/unit_conversion.py)
    Unit("mg/dL", "concentration"),
    Unit("mg/L", "concentration"),
    Unit("mmol/L", "concentration"),
    Unit("umol/L", "concentration"),
    Unit("ng/mL", "concentration"),
    Unit("g/dL", "concentration"),
    Unit("U/L", "enzyme activity"),
    # vital signs
    Unit("mmHg", "blood pressure"),
    Unit("bpm", "heart rate"),
    Unit("ms", "duration of an ECG interval"),
    Unit("celsius", "temperature"),
    # scores and counts
    Unit("points", "score", dimensionless=True),
    Unit("percent", "proportion"),
    # more common clinical units (issue 20), each with its UCUM code in compiler/check/fhir_codes.py
    Unit("breaths/min", "respiratory rate"),
    Unit("drinks/week", "alcohol intake"),
    Unit("drinks/day", "alcohol intake per day"),
    Unit("mL", "volume"),
    Unit("L", "volume"),
    Unit("L/min", "flow rate"),
    Unit("mL/h", "infusion rate"),
    Unit("mL/kg/h", "urine output per body weight"),
    Unit("kPa", "partial pressure"),
    Unit("g/L", "concentration"),
    Unit("ng/L", "concentration"),
    Unit("pg/mL", "concentration"),
    Unit("pmol/L", "concentration"),
    Unit("mEq/L", "concentration"),
    Unit("mmol/mol", "glycated haemoglobin"),
    Unit("mg/mmol", "urine albumin-to-creatinine ratio"),
    Unit("IU/L", "enzyme activity"),
    Unit("mIU/L", "hormone concentration"),
    Unit("fL", "cell volume"),
)

_ALIASES: dict[str, str] = {
    "year": "years",
    "month": "months",
    "week": "weeks",
    "day": "days",
    "hour": "hours",
    "h": "hours",
    "minute": "minutes",
    "min": "minutes",
    "ug": "mcg",
    "point": "points",
    "mg/d": "mg/day",
    "bmi": "kg/m2",
    "beats/min": "bpm",
    "Cel": "celsius",
    "breaths/minute": "breaths/min",
    "drink/week": "drinks/week",
    "L/h": "L/hours",
}

CATALOGUE: dict[str, Unit] = {unit.name: unit for unit in _UNITS}


def lookup(written: str, declared: Mapping[str, Unit] | None = None) -> Unit | None:
    """The unit a spelling stands for, or None when fibrolang does not know it; ``declared``:
    the units the guideline declares (``unit ... dimension ...``), after the catalogue."""
    canonical = _ALIASES.get(written, written)
    known = CATALOGUE.get(canonical)
    if known is None and declared is not None:
        return declared.get(written)
    return known


def canonical(written: str, declared: Mapping[str, Unit] | None = None) -> str | None:
    unit = lookup(written, declared)
    return unit.name if unit is not None else None


def suggest(written: str) -> str | None:
    """The known spelling closest to an unknown unit, for "did you mean"."""
    spellings = sorted({*CATALOGUE, *_ALIASES})
    lowered = {spelling.lower(): spelling for spelling in spellings}
    if written.lower() in lowered:  # wrong case: MG/DAY, ml/min/1.73m2
        return canonical(lowered[written.lower()])
    if written.endswith("s") and written[:-1] in CATALOGUE:  # a plural that is not one: cms
        return written[:-1]
    matches = difflib.get_close_matches(written, spellings, n=1, cutoff=0.6)
    return canonical(matches[0]) if matches else None


def is_dimensionless(unit: str | None) -> bool:
    """True for no unit and for counting units such as points."""
    if unit is None:
        return True
    known = CATALOGUE.get(unit)
    return known is not None and known.dimensionless


def compatible(left: str | None, right: str | None) -> bool:
    """Whether two canonical units may meet in a comparison or a sum."""
    if left == right:
        return True
    return (left is None and is_dimensionless(right)) or (right is None and is_dimensionless(left))


def joined(left: str | None, right: str | None) -> str | None:
    """The unit of a sum of two compatible values (points + plain number → points)."""
    return left if left is not None else right


def dimension(unit: str | None, declared: Mapping[str, Unit] | None = None) -> str:
    if unit is None:
        return "no unit"
    known = lookup(unit, declared)
    return known.dimension if known is not None else "unknown"


def is_time(unit: str | None) -> bool:
    return unit is not None and dimension(unit) == "time"
