"""The code systems and UCUM units a FHIR binding may name (docs/fhir.md).

A binding names a code system by a short name (``loinc``, ``snomed`` ...); the
graph carries the system's canonical URI, so the runtime never needs this
table. Codes are checked for their form and, where the code system has one,
their check digit (LOINC: mod 10; SNOMED CT: Verhoeff), which catches most
mistyped codes at compile time.

UCUM: each guideline unit has the UCUM codes that mean it; the first is the one
fibrolang writes. fibrolang never converts between units, so an Observation in
any other unit is reported, not converted.
"""

from __future__ import annotations

import re

from fibrolang.records import record


@record
class CodeSystem:
    short_name: str
    uri: str
    title: str
    form: re.Pattern[str]  # what a well-formed code looks like
    form_words: str  # the form in words, for diagnostics


CODE_SYSTEMS: dict[str, CodeSystem] = {
    system.short_name: system
    for system in (
        CodeSystem(
            "loinc",
            "http://loinc.org",
            "LOINC",
            re.compile(r"[0-9]{1,7}-[0-9]"),
            "digits, a dash and a check digit",
        ),
        CodeSystem(
            "snomed", "http://snomed.info/sct", "SNOMED CT", re.compile(r"[1-9][0-9]{5,17}"), "6 to 18 digits"
        ),
        CodeSystem(
            "rxnorm",
            "http://www.nlm.nih.gov/research/umls/rxnorm",
            "RxNorm",
            re.compile(r"[1-9][0-9]{0,9}"),
            "a number (an RxCUI)",
        ),
        CodeSystem(
            "icd10cm",
            "http://hl7.org/fhir/sid/icd-10-cm",
            "ICD-10-CM",
            re.compile(r"[A-Z][0-9][0-9A-Z](\.[0-9A-Z]{1,4})?"),
            "a letter, two characters and an optional dotted part (M79.7)",
        ),
        CodeSystem(
            "atc",
            "http://www.whocc.no/atc",
            "ATC",
            re.compile(r"[A-Z]([0-9]{2}([A-Z]([A-Z]([0-9]{2})?)?)?)?"),
            "an ATC code (N06AX21)",
        ),
    )
}


def loinc_check_digit_ok(code: str) -> bool:
    """LOINC's mod 10 check digit (the Luhn algorithm over the digits before the dash)."""
    body, _, check = code.partition("-")
    total = 0
    for position, digit in enumerate(reversed(body)):
        value = int(digit) * (2 if position % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return (10 - total % 10) % 10 == int(check)


_VERHOEFF_D = (
    (0, 1, 2, 3, 4, 5, 6, 7, 8, 9),
    (1, 2, 3, 4, 0, 6, 7, 8, 9, 5),
    (2, 3, 4, 0, 1, 7, 8, 9, 5, 6),
    (3, 4, 0, 1, 2, 8, 9, 5, 6, 7),
    (4, 0, 1, 2, 3, 9, 5, 6, 7, 8),
    (5, 9, 8, 7, 6, 0, 4, 3, 2, 1),
    (6, 5, 9, 8, 7, 1, 0, 4, 3, 2),
    (7, 6, 5, 9, 8, 2, 1, 0, 4, 3),
    (8, 7, 6, 5, 9, 3, 2, 1, 0, 4),
    (9, 8, 7, 6, 5, 4, 3, 2, 1, 0),
)
_VERHOEFF_P = (
    (0, 1, 2, 3, 4, 5, 6, 7, 8, 9),
    (1, 5, 7, 6, 2, 8, 3, 0, 9, 4),
    (5, 8, 0, 3, 7, 9, 6, 1, 4, 2),
    (8, 9, 1, 6, 0, 4, 3, 5, 2, 7),
    (9, 4, 5, 3, 1, 2, 6, 8, 7, 0),
    (4, 2, 8, 6, 5, 7, 3, 9, 0, 1),
    (2, 7, 9, 3, 8, 0, 6, 4, 1, 5),
    (7, 0, 4, 6, 9, 1, 3, 2, 5, 8),
)


def snomed_check_digit_ok(code: str) -> bool:
    """SNOMED CT identifiers end in a Verhoeff check digit."""
    check = 0
    for position, digit in enumerate(reversed(code)):
        check = _VERHOEFF_D[check][_VERHOEFF_P[position % 8][int(digit)]]
    return check == 0


def code_problem(system: CodeSystem, code: str) -> str | None:
    """Why a code cannot be a code of its system, or None when it can."""
    if not system.form.fullmatch(code):
        return f"`{code}` is not a {system.title} code ({system.form_words})"
    if system.short_name == "loinc" and not loinc_check_digit_ok(code):
        return f"`{code}` is not a LOINC code: its check digit is wrong"
    if system.short_name == "snomed":
        if not snomed_check_digit_ok(code):
            return f"`{code}` is not a SNOMED CT identifier: its check digit is wrong"
        if code[-3:-1] not in ("00", "10"):
            return f"`{code}` is a SNOMED CT identifier but not a concept (its partition is {code[-3:-1]})"
    return None


# guideline unit -> the UCUM codes that mean it (the first is the one written).
UCUM: dict[str, tuple[str, ...]] = {
    "years": ("a",),
    "months": ("mo",),
    "weeks": ("wk",),
    "days": ("d",),
    "hours": ("h",),
    "minutes": ("min",),
    "kg": ("kg",),
    "g": ("g",),
    "mg": ("mg",),
    "mcg": ("ug",),
    "mmol": ("mmol",),
    "mg/day": ("mg/d",),
    "mcg/day": ("ug/d",),
    "g/day": ("g/d",),
    "mg/kg": ("mg/kg",),
    "mg/kg/day": ("mg/kg/d",),
    "mg/week": ("mg/wk",),
    "mcg/hour": ("ug/h",),
    "cm": ("cm",),
    "m": ("m",),
    "kg/m2": ("kg/m2",),
    "m2": ("m2",),
    "mL/min/1.73m2": ("mL/min/{1.73_m2}", "mL/min/1.73.m2"),
    "mL/min": ("mL/min",),
    "mg/dL": ("mg/dL",),
    "mg/L": ("mg/L",),
    "mmol/L": ("mmol/L",),
    "umol/L": ("umol/L",),
    "ng/mL": ("ng/mL",),
    "g/dL": ("g/dL",),
    "U/L": ("U/L",),
    "mmHg": ("mm[Hg]",),
    "bpm": ("/min",),
    "ms": ("ms",),
    "celsius": ("Cel",),
    "points": ("{score}", "1"),
    "percent": ("%",),
    "breaths/min": ("{breaths}/min", "/min"),
    "drinks/week": ("{drinks}/wk",),
    "drinks/day": ("{drinks}/d",),
    "mL": ("mL",),
    "L": ("L",),
    "L/min": ("L/min",),
    "mL/h": ("mL/h",),
    "L/hours": ("L/h",),
    "mL/kg/h": ("mL/kg/h",),
    "kPa": ("kPa",),
    "g/L": ("g/L",),
    "ng/L": ("ng/L",),
    "pg/mL": ("pg/mL",),
    "pmol/L": ("pmol/L",),
    "mEq/L": ("meq/L",),
    "mmol/mol": ("mmol/mol",),
    "mg/mmol": ("mg/mmol",),
    "IU/L": ("[IU]/L",),
    "mIU/L": ("m[IU]/L",),
    "fL": ("fL",),
}

# A code two units share (`/min`: a pulse and a respiratory rate) reads as the first unit listed.
_UCUM_TO_UNIT: dict[str, str] = {}
for _unit, _codes in UCUM.items():
    for _code in _codes:
        _UCUM_TO_UNIT.setdefault(_code, _unit)


def unit_of_ucum(code: str) -> str | None:
    """The guideline unit a UCUM code stands for, or None when fibrolang does not know it."""
    return _UCUM_TO_UNIT.get(code)


def ucum_codes(unit: str) -> tuple[str, ...]:
    return UCUM.get(unit, ())


# Days in one unit of time, for durations and look-back windows.
DAYS_IN: dict[str, int] = {"days": 1, "weeks": 7, "months": 30, "years": 365}
