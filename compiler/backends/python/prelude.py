"""The fixed part of a generated Python module (``--target python``): unknowns, errors, and the
table-driven patient validator used when a record is not in the common, valid shape.

This text does not depend on the guideline: the guideline enters a generated module only
as the constant tables the generator writes after it (``_INPUTS``, ``_RECORDS``,
``_ENUMS``), through ``repr`` of checked values. The validator mirrors
``fibrolang/validate.py`` rule for rule and message for message (the differential test in
tests/backends/test_python_module.py holds them to the same problem lists).
"""

from __future__ import annotations

PRELUDE = '''
# Measurement arithmetic, as fibrolang.operators computes it: on the decimal each number
# prints as, then the nearest float (two integers: directly, an integer); round() rounds
# half away from zero. Where the generator knows both operands are integers it writes the
# plain operator instead.
def _exact(value):
    return Fraction(repr(value)) if value.__class__ is float else value


def _plus(a, b):
    if a.__class__ is float or b.__class__ is float:
        return float(_exact(a) + _exact(b))
    return a + b


def _minus(a, b):
    if a.__class__ is float or b.__class__ is float:
        return float(_exact(a) - _exact(b))
    return a - b


def _times(a, b):
    if a.__class__ is float or b.__class__ is float:
        return float(_exact(a) * _exact(b))
    return a * b


def _divide(a, b):
    return float(Fraction(_exact(a)) / Fraction(_exact(b)))


def _round(x, digits):
    scale = 10 ** int(digits)
    exact = Fraction(_exact(x)) * scale
    whole = math.floor(abs(exact) + Fraction(1, 2))
    rounded = Fraction(whole if exact >= 0 else -whole, scale)
    return int(rounded) if x.__class__ is int else float(rounded)


def _min(a, b):
    return a if a <= b else b


def _max(a, b):
    return a if a >= b else b

class Problem(tuple):
    """One thing wrong with a patient record: (path, message, code), as fibrolang.Problem."""

    __slots__ = ()

    def __new__(cls, path, message, code):
        return tuple.__new__(cls, (path, message, code))

    path = property(lambda self: self[0])
    message = property(lambda self: self[1])
    code = property(lambda self: self[2])

    def __str__(self):
        path = self[0] if self[0].isprintable() else repr(self[0])
        message = self[1] if self[1].isprintable() else repr(self[1])
        return f"{path or '<root>'}: {message} [{self[2]}]"


def _plural(count, noun):
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


class InvalidPatient(ValueError):
    """The patient record breaks the declared inputs; ``problems`` lists every fault."""

    def __init__(self, problems):
        self.problems = tuple(problems)
        lines = [f"invalid patient record ({_plural(len(self.problems), 'problem')}):"]
        lines += [f"  {problem}" for problem in self.problems]
        super().__init__("\\n".join(lines))


class GuidelineError(Exception):
    """The guideline is incomplete for this patient (a decision where no branch holds)."""

    def __init__(self, headline, problems=()):
        self.headline = headline
        self.problems = tuple(problems)
        lines = [headline, *(f"  {problem}" for problem in self.problems)]
        super().__init__("\\n".join(lines) if self.problems else headline)


class SafetyViolation(Exception):
    """A finished plan breaks an invariant of the guideline; the plan is withheld."""

    def __init__(self, invariant, title, nodes, edges):
        self.invariant = invariant
        self.title = title
        self.nodes = tuple(nodes)
        self.edges = tuple(edges)
        name = f"{invariant} ({title})" if title else invariant
        super().__init__(
            f"safety invariant {name} is violated by the plan reached via "
            f"{' -> '.join(edges)}; the plan was withheld"
        )


class _Unknown:
    """A value the record does not determine; ``missing``: the absent facts it depends on."""

    __slots__ = ("missing", "path")

    def __init__(self, missing, path=None):
        self.missing = missing
        self.path = path


def _absent(path):
    return _Unknown(frozenset((path,)), path)


def _merge(*values):
    missing = frozenset()
    for value in values:
        if value.__class__ is _Unknown:
            missing = missing | value.missing
    return _Unknown(missing)


class _Pending:
    __slots__ = ()


_PENDING = _Pending()


def _undecided(what, unknown):
    names = sorted(unknown.missing)
    return names, f"Not enough data to decide {what}: missing {', '.join(names)}."


# ---- validation of records not in the common shape (mirrors fibrolang/validate.py) ----

_INVALID = object()
_LARGEST = 1.7976931348623157e308
_INFINITIES = (math.inf, -math.inf)


def _json_kind(value):
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list | tuple | set | frozenset):
        return "a list"
    if isinstance(value, Mapping):
        return "an object"
    return f"a {type(value).__name__}"


def _suggest(name, known):
    matches = difflib.get_close_matches(name, sorted(known), n=1)
    return f"; did you mean {matches[0]!r}?" if matches else ""


def _unknown_field(name, path, known):
    if not isinstance(name, str):
        return Problem(path, f"field names are strings, not {_json_kind(name)} ({name!r})", "unknown_field")
    where = f"{path}.{name}" if path else name
    scope = path if path else "the guideline"
    return Problem(where, f"{scope} has no field {name!r}{_suggest(name, known)}", "unknown_field")


def _check_fields(value, fields, normalised, path, problems):
    for name, field_value in value.items():
        declared = fields.get(name)
        if declared is None:
            problems.append(_unknown_field(name, path, fields))
            continue
        if field_value is None:
            continue
        checked = _check_value(declared, field_value, f"{path}.{name}" if path else name, problems)
        if checked is not _INVALID:
            normalised[name] = checked


def _check_value(declared, value, path, problems):
    kind = declared[0]
    if kind == "boolean":
        if value is True or value is False:
            return value
        problems.append(Problem(path, f"expected true or false, got {_json_kind(value)}", "wrong_type"))
        return _INVALID
    if kind == "number":
        return _check_number(declared, value, path, problems)
    if kind == "member":
        return _check_member(declared[1], value, path, problems)
    if kind == "set":
        return _check_set(declared[1], value, path, problems)
    if kind == "date":
        return _check_date(value, path, problems)
    return _check_map(declared, value, path, problems)


def _check_number(declared, value, path, problems):
    _kind, integral, unit, minimum, maximum = declared
    if value.__class__ is dict or isinstance(value, Mapping):
        if unit is None:
            problems.append(Problem(path, "this input has no unit: give a plain number", "wrong_type"))
            return _INVALID
        if len(value) != 2 or "value" not in value or "unit" not in value:
            problems.append(
                Problem(path, f'a quantity is {{"value": <number>, "unit": "{unit}"}}', "malformed_quantity")
            )
            return _INVALID
        given = value["unit"]
        if given != unit:
            message = f"expected the unit {unit!r}, got {given!r}"
            problems.append(Problem(f"{path}.unit", message, "wrong_unit"))
            return _INVALID
        value = value["value"]
    kind = "an integer" if integral else "a number"
    where = f" in {unit}" if unit else ""
    cls = value.__class__
    plain = isinstance(value, int | float) and not isinstance(value, bool)
    if cls is not int and cls is not float and not plain:
        problems.append(Problem(path, f"expected {kind}{where}, got {_json_kind(value)}", "wrong_type"))
        return _INVALID
    if cls is float or isinstance(value, float):
        if not math.isfinite(value):
            problems.append(Problem(path, f"expected a finite number, got {value}", "not_finite"))
            return _INVALID
        if integral:
            if not value.is_integer():
                problems.append(Problem(path, f"expected an integer{where}, got {value}", "not_integral"))
                return _INVALID
            value = int(value)
    if minimum is not None and value < minimum:
        problems.append(Problem(path, f"{value} is below the minimum {minimum}{where}", "below_minimum"))
        return _INVALID
    if maximum is not None and value > maximum:
        problems.append(Problem(path, f"{value} is above the maximum {maximum}{where}", "above_maximum"))
        return _INVALID
    return value


def _check_member(enum, value, path, problems):
    members = _ENUMS.get(enum, ())
    if value.__class__ is str and value in members:
        return value
    if isinstance(value, str):
        problems.append(
            Problem(path, f"{value!r} is not a member of {enum}{_suggest(value, members)}", "unknown_member")
        )
    else:
        problems.append(
            Problem(path, f"expected a member of {enum} (a string), got {_json_kind(value)}", "wrong_type")
        )
    return _INVALID


def _check_set(enum, value, path, problems):
    if not isinstance(value, list | tuple | set | frozenset):
        problems.append(
            Problem(path, f"expected a list of members of {enum}, got {_json_kind(value)}", "wrong_type")
        )
        return _INVALID
    elements = (
        sorted(value)
        if isinstance(value, set | frozenset) and all(isinstance(element, str) for element in value)
        else list(value)
    )
    before = len(problems)
    checked = [
        _check_member(enum, element, f"{path}[{index}]", problems) for index, element in enumerate(elements)
    ]
    if len(problems) != before:
        return _INVALID
    return frozenset(checked)


def _check_map(declared, value, path, problems):
    _kind, key_enum, record_name = declared
    if value.__class__ is not dict and not isinstance(value, Mapping):
        problems.append(
            Problem(path, f"expected an object keyed by {key_enum}, got {_json_kind(value)}", "wrong_type")
        )
        return _INVALID
    keys = _ENUMS.get(key_enum, ())
    fields = _RECORDS.get(record_name, {})
    normalised = {}
    for key, entry in value.items():
        if key.__class__ is not str or key not in keys:
            hint = _suggest(key, keys) if isinstance(key, str) else ""
            message = f"{key!r} is not a member of {key_enum}{hint}"
            problems.append(Problem(f"{path}.{key}", message, "unknown_key"))
            continue
        key_path = f"{path}.{key}"
        if entry is None:
            continue
        if entry.__class__ is not dict and not isinstance(entry, Mapping):
            problems.append(
                Problem(
                    key_path, f"expected an object (a {record_name}), got {_json_kind(entry)}", "wrong_type"
                )
            )
            continue
        record = normalised[key] = {}
        _check_fields(entry, fields, record, key_path, problems)
    return normalised


def validate(patient):
    """The normalised inputs of a patient record, or ``InvalidPatient`` listing every problem.

    Normalised: numbers plain in the declared unit (an integral float of an integer
    input becomes an int), sets as frozensets, maps as dicts of dicts, nulls left out.
    """
    if patient.__class__ is not dict and not isinstance(patient, Mapping):
        raise InvalidPatient(
            (Problem("", f"a patient record is an object, not {_json_kind(patient)}", "not_an_object"),)
        )
    problems = []
    inputs = {}
    _check_fields(patient, _INPUTS, inputs, "", problems)
    if problems:
        raise InvalidPatient(problems)
    return inputs


_validate = validate  # evaluate and decide take a parameter of that name
'''
