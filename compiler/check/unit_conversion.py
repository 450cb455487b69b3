"""Which units measure the same thing, and the exact factor between them.

A unit (``mL/min``, ``kg/m2``) is read by ``fibrolang.unit_algebra`` into
named units with exponents; each named unit here has a dimension (powers of
mass, length, time, amount of substance) and its size in the base unit of
that dimension, as an exact fraction. Two units are commensurable when their
dimensions are equal (``cm`` and ``m``, ``mL/min`` and ``L/hours``); the
compiler then converts one into the other by an exact factor
(``compiler/lower_units.py``). Months and years are calendar units: 12 months
make a year, but a month is not a fixed number of days, so months never
convert to weeks or days. A named unit this table does not know (``mmHg``,
``points``, ``1.73m2``) is a dimension of its own.
"""

from __future__ import annotations

from collections import Counter
from fractions import Fraction

from compiler.check import unit_catalogue as catalogue
from fibrolang import unit_algebra

Dimension = tuple[tuple[str, int], ...]

_NAMED: dict[str, tuple[str, int, Fraction]] = {
    # name: (base dimension, its power, size in the base unit)
    "kg": ("mass", 1, Fraction(1)),
    "g": ("mass", 1, Fraction(1, 1000)),
    "mg": ("mass", 1, Fraction(1, 10**6)),
    "mcg": ("mass", 1, Fraction(1, 10**9)),
    "ng": ("mass", 1, Fraction(1, 10**12)),
    "m": ("length", 1, Fraction(1)),
    "cm": ("length", 1, Fraction(1, 100)),
    "mm": ("length", 1, Fraction(1, 1000)),
    "L": ("length", 3, Fraction(1, 1000)),
    "dL": ("length", 3, Fraction(1, 10**4)),
    "mL": ("length", 3, Fraction(1, 10**6)),
    "minutes": ("time", 1, Fraction(60)),
    "hours": ("time", 1, Fraction(3600)),
    "days": ("time", 1, Fraction(86400)),
    "weeks": ("time", 1, Fraction(604800)),
    "months": ("calendar time", 1, Fraction(1)),
    "years": ("calendar time", 1, Fraction(12)),
    "mol": ("amount", 1, Fraction(1)),
    "mmol": ("amount", 1, Fraction(1, 1000)),
    "umol": ("amount", 1, Fraction(1, 10**6)),
}


def measure(unit: str | None) -> tuple[Dimension, Fraction]:
    """The dimension of a unit and its size in the base units of that dimension."""
    dimension: Counter[str] = Counter()
    size = Fraction(1)
    for name, power in unit_algebra.powers(unit):
        base, base_power, named_size = _NAMED.get(name, (name, 1, Fraction(1)))
        dimension[base] += base_power * power
        size *= named_size**power
    return tuple(sorted((b, p) for b, p in dimension.items() if p != 0)), size


def commensurable(left: str | None, right: str | None) -> bool:
    """Whether ``left`` converts into ``right`` by a constant factor (cm and m)."""
    if left is None or right is None:
        return catalogue.compatible(left, right)
    return measure(left)[0] == measure(right)[0]


def factor(source: str | None, target: str | None) -> Fraction:
    """The number a value in ``source`` is multiplied by to be in ``target``: cm → m is 1/100."""
    return measure(source)[1] / measure(target)[1]


def meets(left: str | None, right: str | None) -> bool:
    """Whether two values may meet in a comparison, a sum or a choice (converted if need be)."""
    return catalogue.compatible(left, right) or (
        left is not None and right is not None and commensurable(left, right)
    )


def normal(unit: str | None) -> str | None:
    """The unit a product or quotient is given: the catalogue's spelling of the same unit
    (``kg/m2``), else the catalogue's unit of the same dimension when there is exactly one
    (``kg/cm2`` → ``kg/m2``), else the unit as the algebra spells it."""
    if unit is None:
        return None
    powers = unit_algebra.powers(unit)
    for name in catalogue.CATALOGUE:
        if unit_algebra.powers(name) == powers:
            return name
    dimension = measure(unit)[0]
    same = [name for name in catalogue.CATALOGUE if measure(name)[0] == dimension]
    return same[0] if len(same) == 1 else unit


def missing_factor(have: str | None, want: str | None) -> str | None:
    """The unit a value in ``have`` must be multiplied by to be in ``want`` (mg/day → mg: days)."""
    return unit_algebra.quotient(want, have)
