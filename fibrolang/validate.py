"""Validate a patient record against the declared inputs, before any evaluation.

``PatientValidator(graph)`` builds one small checker per input and per record
field at load time; calling it on a patient returns the normalised inputs
(plain numbers, frozensets, ``PatientMap``/``PatientRecord``) or raises one
``InvalidPatient`` listing every problem. The rules (docs/result-format.md,
"Patient records"):

- A field the guideline does not declare is an error (with a did-you-mean).
- ``null`` is the same as leaving the field out: unknown, not an error.
- ``true``/``false`` are not numbers. An integer input accepts an integral
  float (``18.0`` becomes ``18``) and rejects ``18.5``. NaN and infinities
  are rejected. Bounds (``min``/``max``) are inclusive.
- A number of an input with a unit may be given plainly (in the declared
  unit) or as ``{"value": 25, "unit": "mL/min/1.73m2"}`` with exactly the
  declared unit. Nothing else: no strings such as ``"25 mL/min"``.
- A set is a list of members; a member listed twice counts once.
- A date is the text ``YYYY-MM-DD`` of a real calendar date (not ``2023-02-30``),
  kept as written; no time, no time zone.
- A map is an object whose keys are members of the key enumeration and whose
  values are records (objects); a ``null`` entry is the same as no entry.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from fibrolang.dates import parse_date
from fibrolang.errors import InvalidPatient, Problem
from fibrolang.graph import (
    BooleanType,
    DateType,
    EnumType,
    Graph,
    MapType,
    NumberType,
    SetType,
    ValueType,
)
from fibrolang.json_values import json_kind
from fibrolang.printable import ECHO_LIMIT, printable, shown
from fibrolang.values import PatientMap, PatientRecord

_INFINITIES = (math.inf, -math.inf)
INVALID: Any = object()
"""Returned by a checker for a value it reported a problem about."""

Checker = Callable[[Any, str, list[Problem]], Any]
Validate = Callable[[object], dict[str, Any]]


def _suggest(name: str, known: Iterable[str]) -> str:
    if len(name) > 4 * ECHO_LIMIT:  # nothing declared is that long
        return ""
    matches = difflib.get_close_matches(name, sorted(known), n=1)
    return f"; did you mean {matches[0]!r}?" if matches else ""


def _key(name: object) -> str:
    """A key as it appears in a problem's path: a string escaped and cut, anything else
    as ``shown`` quotes it."""
    return printable(name, ECHO_LIMIT) if isinstance(name, str) else shown(name)


class PatientValidator:
    """Checks and normalises patient records for one guideline."""

    def __init__(self, graph: Graph) -> None:
        self.enums = {enum.name: enum.members for enum in graph.enums}
        self.records = {record.name: record for record in graph.records}
        self.checkers: dict[str, Checker] = {
            declared.name: self._checker(declared.type) for declared in graph.inputs
        }
        self.fields = {
            declared.name: _field_spec(declared.type, self.checkers[declared.name], self.enums)
            for declared in graph.inputs
        }
        self.check = every_field_given(self.fields, one_pass(self.fields, self.field_by_field))

    def __call__(self, patient: object) -> dict[str, Any]:
        """The patient's normalised inputs; ``InvalidPatient`` lists every problem."""
        return self.check(patient)

    def field_by_field(self, patient: object) -> dict[str, Any]:
        """``__call__``, checking each field in turn: for every record ``one_pass`` does not
        accept at once."""
        if patient.__class__ is not dict and not isinstance(patient, Mapping):
            raise InvalidPatient(
                (Problem("", f"a patient record is an object, not {json_kind(patient)}", "not_an_object"),)
            )
        problems: list[Problem] = []
        inputs: dict[str, Any] = {}
        try:
            _check_fields(patient, self.fields, inputs, "", problems)
        except Exception as error:  # a value built so that it cannot even be looked at
            problems.append(_unreadable(error))
        if problems:
            raise InvalidPatient(tuple(problems))
        return inputs

    @staticmethod
    def _unknown_field(name: object, path: str, known: Mapping[str, Any]) -> Problem:
        if not isinstance(name, str):
            return Problem(
                path, f"field names are strings, not {json_kind(name)} ({shown(name)})", "unknown_field"
            )
        key = _key(name)
        where = f"{path}.{key}" if path else key
        scope = path if path else "the guideline"
        return Problem(where, f"{scope} has no field {shown(name)}{_suggest(name, known)}", "unknown_field")

    # ---- one checker per declared type -----------------------------------------

    def _checker(self, declared: ValueType) -> Checker:
        if isinstance(declared, BooleanType):
            return _check_boolean
        if isinstance(declared, DateType):
            return _check_date
        if isinstance(declared, NumberType):
            return _number_checker(declared)
        if isinstance(declared, EnumType):
            return _member_checker(declared.enum, self.enums.get(declared.enum, ()))
        if isinstance(declared, SetType):
            return _set_checker(declared.enum, self.enums.get(declared.enum, ()))
        return self._map_checker(declared)

    def _map_checker(self, declared: MapType) -> Checker:
        keys = frozenset(self.enums.get(declared.key, ()))
        record = self.records.get(declared.record)
        fields: dict[str, FieldSpec] = {}
        if record is not None:
            fields = {
                field.name: _field_spec(field.type, self._checker(field.type), self.enums)
                for field in record.fields
            }
        key_enum = declared.key
        key_paths: dict[str, dict[str, str]] = {}  # map path -> key -> "path.key"

        def check_record(value: Any, path: str, problems: list[Problem]) -> Any:
            if value.__class__ is not dict and not isinstance(value, Mapping):
                problems.append(
                    Problem(
                        path,
                        f"expected an object (a {declared.record}), got {json_kind(value)}",
                        "wrong_type",
                    )
                )
                return INVALID
            normalised = PatientRecord()
            normalised.path = path
            _check_fields(value, fields, normalised, path, problems)
            return normalised

        def check_map(value: Any, path: str, problems: list[Problem]) -> Any:
            if value.__class__ is not dict and not isinstance(value, Mapping):
                problems.append(
                    Problem(
                        path, f"expected an object keyed by {key_enum}, got {json_kind(value)}", "wrong_type"
                    )
                )
                return INVALID
            paths = key_paths.get(path)
            if paths is None:
                paths = key_paths[path] = {key: f"{path}.{key}" for key in keys}
            normalised = PatientMap()
            normalised.path = path
            for key, entry in value.items():
                key_path = paths.get(key)
                if key_path is None:
                    hint = _suggest(key, keys) if isinstance(key, str) else ""
                    problems.append(
                        Problem(
                            f"{path}.{_key(key)}",
                            f"{shown(key)} is not a member of {key_enum}{hint}",
                            "unknown_key",
                        )
                    )
                elif entry.__class__ is dict:  # the common case: check_record, inline
                    record = normalised[key] = PatientRecord()
                    record.path = key_path
                    _check_fields(entry, fields, record, key_path, problems)
                elif entry is not None:
                    checked = check_record(entry, key_path, problems)
                    if checked is not INVALID:
                        normalised[key] = checked
            return normalised

        return check_map


# ---- the common cases, checked inline ----------------------------------------------

FieldSpec = tuple[int, Any, Any, str | None, Checker]
"""How to check one field: (kind, a, b, unit, checker). Kinds: see ``_field_spec``."""

_BOOLEAN, _MEMBER, _INTEGER, _DECIMAL, _OTHER = range(5)
_LARGEST = 1.7976931348623157e308  # so that inf and nan always take the checker


def _field_spec(declared: ValueType, checker: Checker, enums: Mapping[str, tuple[str, ...]]) -> FieldSpec:
    """The inline check of a field for the common, valid values; ``checker`` for the rest.

    ``_check_fields`` accepts a boolean, a member of the enumeration, an ``int`` (or, for a
    decimal, a ``float``) within the bounds, plain or as a quantity in the declared unit,
    without calling anything; anything else (an integral float, a bad value) goes to
    ``checker``, which also reports the problem.
    """
    if isinstance(declared, BooleanType):
        return (_BOOLEAN, None, None, None, checker)
    if isinstance(declared, EnumType):
        return (_MEMBER, frozenset(enums.get(declared.enum, ())), None, None, checker)
    if isinstance(declared, NumberType):
        low = -_LARGEST if declared.minimum is None else declared.minimum
        high = _LARGEST if declared.maximum is None else declared.maximum
        return (_INTEGER if declared.integral else _DECIMAL, low, high, declared.unit, checker)
    return (_OTHER, None, None, None, checker)


def _check_fields(
    value: Mapping[Any, Any],
    fields: Mapping[str, FieldSpec],
    normalised: dict[str, Any],
    path: str,
    problems: list[Problem],
) -> None:
    """Check the fields of a record (or of the patient, ``path`` ""), into ``normalised``."""
    for name, field_value in value.items():
        spec = fields.get(name)
        if spec is None:
            problems.append(PatientValidator._unknown_field(name, path, fields))
            continue
        if field_value is None:
            continue  # null is the same as leaving the field out
        kind, a, b, unit, checker = spec
        if kind == _BOOLEAN:
            if field_value is True or field_value is False:
                normalised[name] = field_value
                continue
        elif kind == _MEMBER:
            if field_value.__class__ is str and field_value in a:
                normalised[name] = field_value
                continue
        elif kind != _OTHER:  # a number
            number = field_value
            if (
                number.__class__ is dict
                and unit is not None
                and len(number) == 2
                and number.get("unit") == unit
            ):
                number = number.get("value")  # a quantity in the declared unit
            cls = number.__class__
            if (cls is int or (cls is float and kind == _DECIMAL)) and a <= number <= b:
                normalised[name] = number
                continue
        checked = checker(field_value, f"{path}.{name}" if path else name, problems)
        if checked is not INVALID:
            normalised[name] = checked


def one_pass(fields: Mapping[str, FieldSpec], field_by_field: Validate) -> Validate:
    """The validator: the commonest valid records accepted in one pass per kind of input.

    A ``dict`` whose every field is declared and holds ``null``, a boolean, a member, an
    ``int`` (or, for a decimal, a ``float``) within the bounds, or a set or map its
    checker accepts, is normalised here; anything else (an unknown field, a quantity, an
    integral float, any problem) goes to ``field_by_field``, which lists every problem.
    Either way the inputs are the same: the same keys, in the same order, the same values.
    """
    declared = frozenset(fields)
    booleans = tuple(name for name, spec in fields.items() if spec[0] == _BOOLEAN)
    # (name, low, high, a value that passes, read when the field is absent)
    integers = tuple(
        (name, spec[1], spec[2], math.ceil(spec[1])) for name, spec in fields.items() if spec[0] == _INTEGER
    )
    decimals = tuple((name, spec[1], spec[2]) for name, spec in fields.items() if spec[0] == _DECIMAL)
    members = tuple((name, spec[1]) for name, spec in fields.items() if spec[0] == _MEMBER)
    others = tuple((name, spec[4]) for name, spec in fields.items() if spec[0] == _OTHER)

    def validate(patient: object) -> dict[str, Any]:
        if patient.__class__ is not dict or not declared.issuperset(patient):
            return field_by_field(patient)
        get = patient.get
        nulls = False  # a field given as null (left out of the inputs)
        for name in booleans:
            value = get(name, False)
            if value is not True and value is not False:
                if value is not None:
                    return field_by_field(patient)
                nulls = True
        for name, low, high, absent in integers:
            value = get(name, absent)
            if value.__class__ is not int or not low <= value <= high:
                if value is not None:
                    return field_by_field(patient)
                nulls = True
        for name, low, high in decimals:
            value = get(name, low)
            if (value.__class__ is not float and value.__class__ is not int) or not low <= value <= high:
                if value is not None:
                    return field_by_field(patient)
                nulls = True
        for name, known in members:
            value = get(name)
            if value is None:
                nulls = True
            elif value.__class__ is not str or value not in known:
                return field_by_field(patient)
        checked: list[tuple[str, Any]] = []
        if others:
            for name, checker in others:
                value = get(name)
                if value is None:
                    nulls = True
                    continue
                problems: list[Problem] = []
                try:
                    normalised = checker(value, name, problems)
                except Exception:  # reported by the field-by-field check
                    return field_by_field(patient)
                if problems:
                    return field_by_field(patient)
                checked.append((name, normalised))
        if nulls:
            inputs = {name: value for name, value in patient.items() if value is not None}
        else:
            inputs = patient.copy()
        for name, normalised in checked:
            inputs[name] = normalised
        return inputs

    return validate


def every_field_given(fields: Mapping[str, FieldSpec], otherwise: Validate) -> Validate:
    """The validator for the commonest record of all: a ``dict`` giving every declared field,
    none of them ``null``, each boolean a ``bool``, each member a ``str`` of its enumeration,
    each integer an ``int`` and each decimal a ``float`` within the bounds, plain, and each
    other field (a set, a map, a date, a record) a value its checker accepts without a problem.

    A record with as many fields as are declared, and all of them found, has exactly the
    declared fields, so each is read by subscript (no method call, no default, no check for
    undeclared fields). Anything else (a field absent, undeclared or ``null``, an ``int``
    given for a decimal, a quantity, any problem) goes to ``otherwise``: the inputs are the
    same either way (the record's own fields, in its order, copied).
    """
    count = len(fields)
    booleans = tuple(name for name, spec in fields.items() if spec[0] == _BOOLEAN)
    integers = tuple((name, spec[1], spec[2]) for name, spec in fields.items() if spec[0] == _INTEGER)
    decimals = tuple((name, spec[1], spec[2]) for name, spec in fields.items() if spec[0] == _DECIMAL)
    members = tuple((name, spec[1]) for name, spec in fields.items() if spec[0] == _MEMBER)
    others = tuple((name, spec[4]) for name, spec in fields.items() if spec[0] == _OTHER)

    def validate(patient: Any) -> dict[str, Any]:
        if patient.__class__ is not dict or len(patient) != count:
            return otherwise(patient)
        try:
            for name in booleans:
                value = patient[name]
                if value is not True and value is not False:
                    return otherwise(patient)
            for name, low, high in integers:
                value = patient[name]
                if value.__class__ is not int or not low <= value <= high:
                    return otherwise(patient)
            for name, low, high in decimals:
                value = patient[name]
                if value.__class__ is not float or not low <= value <= high:
                    return otherwise(patient)
            for name, known in members:
                value = patient[name]
                if value.__class__ is not str or value not in known:
                    return otherwise(patient)
            inputs: dict[str, Any] = patient.copy()
            for name, checker in others:
                value = inputs[name]
                if value is None:
                    return otherwise(patient)
                problems: list[Problem] = []
                checked = checker(value, name, problems)
                if problems or checked is INVALID:
                    return otherwise(patient)
                inputs[name] = checked
            return inputs
        except Exception:  # an undeclared field, or a value that cannot be looked at: reported there
            return otherwise(patient)

    return validate


def _unreadable(error: Exception) -> Problem:
    reason = "it nests too deeply" if isinstance(error, RecursionError) else shown(str(error))
    return Problem(
        "", f"the record could not be checked ({type(error).__name__}: {reason})", "unreadable_record"
    )


def _check_date(value: Any, path: str, problems: list[Problem]) -> Any:
    """A date: the text ``YYYY-MM-DD`` of a real calendar date, kept as written (fibrolang/dates.py)."""
    if not isinstance(value, str):
        message = f'expected a date ("YYYY-MM-DD"), got {json_kind(value)}'
        problems.append(Problem(path, message, "wrong_type"))
        return INVALID
    if parse_date(value) is None:
        problems.append(
            Problem(
                path,
                f"expected a real calendar date written YYYY-MM-DD, got {shown(value)}",
                "not_a_date",
            )
        )
        return INVALID
    return value


def _check_boolean(value: Any, path: str, problems: list[Problem]) -> Any:
    if value is True or value is False:
        return value
    problems.append(Problem(path, f"expected true or false, got {json_kind(value)}", "wrong_type"))
    return INVALID


def _number_checker(declared: NumberType) -> Checker:
    integral, unit = declared.integral, declared.unit
    minimum, maximum = declared.minimum, declared.maximum
    kind = "an integer" if integral else "a number"
    where = f" in {unit}" if unit else ""

    def check_plain(value: Any, path: str, problems: list[Problem]) -> Any:
        cls = value.__class__
        if (
            cls is not int
            and cls is not float
            and (isinstance(value, bool) or not isinstance(value, int | float))
        ):
            problems.append(Problem(path, f"expected {kind}{where}, got {json_kind(value)}", "wrong_type"))
            return INVALID
        if cls is float or isinstance(value, float):
            if not math.isfinite(value):
                problems.append(Problem(path, f"expected a finite number, got {shown(value)}", "not_finite"))
                return INVALID
            if integral:
                if not value.is_integer():
                    problems.append(
                        Problem(path, f"expected an integer{where}, got {shown(value)}", "not_integral")
                    )
                    return INVALID
                value = int(value)
        if minimum is not None and value < minimum:
            problems.append(
                Problem(path, f"{shown(value)} is below the minimum {minimum}{where}", "below_minimum")
            )
            return INVALID
        if maximum is not None and value > maximum:
            problems.append(
                Problem(path, f"{shown(value)} is above the maximum {maximum}{where}", "above_maximum")
            )
            return INVALID
        return value

    def check_number(value: Any, path: str, problems: list[Problem]) -> Any:
        cls = value.__class__
        common = cls is int or (
            cls is float and integral is False and value == value and value not in _INFINITIES
        )
        if common and (minimum is None or value >= minimum) and (maximum is None or value <= maximum):
            return value  # the common case, checked without further calls
        if cls is dict or isinstance(value, Mapping):
            return check_quantity(value, path, problems)
        return check_plain(value, path, problems)

    def check_quantity(value: Mapping[Any, Any], path: str, problems: list[Problem]) -> Any:
        if unit is None:
            problems.append(Problem(path, "this input has no unit: give a plain number", "wrong_type"))
            return INVALID
        if len(value) != 2 or "value" not in value or "unit" not in value:
            problems.append(
                Problem(path, f'a quantity is {{"value": <number>, "unit": "{unit}"}}', "malformed_quantity")
            )
            return INVALID
        given = value["unit"]
        if given != unit:
            problems.append(
                Problem(f"{path}.unit", f"expected the unit {unit!r}, got {shown(given)}", "wrong_unit")
            )
            return INVALID
        return check_plain(value["value"], path, problems)

    return check_number


def _member_checker(enum: str, members: tuple[str, ...]) -> Checker:
    known = frozenset(members)

    def check_member(value: Any, path: str, problems: list[Problem]) -> Any:
        if value.__class__ is str and value in known:
            return value
        if isinstance(value, str):
            problems.append(
                Problem(
                    path,
                    f"{shown(value)} is not a member of {enum}{_suggest(value, members)}",
                    "unknown_member",
                )
            )
        else:
            problems.append(
                Problem(path, f"expected a member of {enum} (a string), got {json_kind(value)}", "wrong_type")
            )
        return INVALID

    return check_member


def _set_checker(enum: str, members: tuple[str, ...]) -> Checker:
    check_member = _member_checker(enum, members)
    known = frozenset(members)

    def check_set(value: Any, path: str, problems: list[Problem]) -> Any:
        if value.__class__ is list and all(
            element.__class__ is str and element in known for element in value
        ):
            return frozenset(value)  # the common case
        if not isinstance(value, list | tuple | set | frozenset):
            problems.append(
                Problem(path, f"expected a list of members of {enum}, got {json_kind(value)}", "wrong_type")
            )
            return INVALID
        elements = (
            sorted(value)
            if isinstance(value, set | frozenset) and all(isinstance(element, str) for element in value)
            else list(value)
        )
        before = len(problems)
        checked = [
            check_member(element, f"{path}[{index}]", problems) for index, element in enumerate(elements)
        ]
        if len(problems) != before:
            return INVALID
        return frozenset(checked)

    return check_set
