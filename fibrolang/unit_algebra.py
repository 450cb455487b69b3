"""Units as products of powers of named units: ``kg/m2`` is kg¹·m⁻².

The runtime and the compiler both spell and compare computed units with this
module: ``kg / (m * m)`` has the unit ``kg/m2``, ``mg/day * days`` the unit
``mg``. A spelling is read as a numerator (named units joined by ``*``)
followed by ``/``-separated denominators; a trailing ``2`` or ``3`` raises a
unit to that power (``m2``, ``cm3``). ``1.73m2`` (kidney function per
1.73 m² of body surface) is one named unit of its own.

Converting between commensurable units (cm and m, mg and g) is the
compiler's job (``compiler/lower_units.py``): it multiplies by the factor, a
constant whose unit (``m/cm``) makes the algebra come out right, so the
runtime only ever checks that units agree.

Standard library only: the runtime imports it.
"""

from __future__ import annotations

import re
from collections import Counter

Powers = tuple[tuple[str, int], ...]  # sorted (named unit, exponent), no zero exponent

# Spellings of one named unit (the compiler's catalogue uses the plural for times).
ALIASES: dict[str, str] = {
    "day": "days",
    "d": "days",
    "week": "weeks",
    "month": "months",
    "year": "years",
    "hour": "hours",
    "h": "hours",
    "minute": "minutes",
    "min": "minutes",
    "ug": "mcg",
    "point": "points",
}
# Counting units: a score in points times 2 is in points, and points cancel nowhere.
DIMENSIONLESS = frozenset({"points"})
_POWER = re.compile(r"^(?P<name>[A-Za-z]+?)(?P<power>[23])$")


def _factor(text: str) -> tuple[str, int]:
    if text[:1].isdigit():  # 1.73m2: one named unit
        return text, 1
    match = _POWER.match(text)
    if match is not None:
        return ALIASES.get(match["name"], match["name"]), int(match["power"])
    return ALIASES.get(text, text), 1


def powers(spelling: str | None) -> Powers:
    """The named units of a spelling with their exponents; () for no unit."""
    if not spelling:
        return ()
    counts: Counter[str] = Counter()
    numerator, *denominators = spelling.split("/")
    for part in numerator.split("*"):
        if part and part != "1":
            name, power = _factor(part)
            if name not in DIMENSIONLESS:
                counts[name] += power
    for part in denominators:
        for factor in part.split("*"):
            name, power = _factor(factor)
            if name not in DIMENSIONLESS:
                counts[name] -= power
    return tuple(sorted((name, power) for name, power in counts.items() if power != 0))


def spell(units: Powers) -> str | None:
    """The spelling of named units with exponents: ``kg/m2``; None for none."""
    if not units:
        return None

    def one(name: str, power: int) -> str:
        return name if power == 1 else f"{name}{power}"

    above = [one(name, power) for name, power in units if power > 0]
    below = [one(name, -power) for name, power in units if power < 0]
    return "/".join(["*".join(above) or "1", *below])


def same(left: str | None, right: str | None) -> bool:
    """Whether two spellings name the same unit (``mg/kg/day`` and ``mg/days/kg``)."""
    return left == right or powers(left) == powers(right)


def product(left: str | None, right: str | None) -> str | None:
    counts = Counter(dict(powers(left)))
    counts.update(dict(powers(right)))
    return spell(tuple(sorted((n, p) for n, p in counts.items() if p != 0)))


def quotient(left: str | None, right: str | None) -> str | None:
    counts = Counter(dict(powers(left)))
    counts.subtract(dict(powers(right)))
    return spell(tuple(sorted((n, p) for n, p in counts.items() if p != 0)))
