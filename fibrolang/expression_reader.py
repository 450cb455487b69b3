"""Read one expression object (``{"op": ...}``) into an ``expressions`` dataclass.

Problems go to the ``GraphReader``; an unreadable expression becomes a
placeholder so that reading continues and every problem is reported once.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, assert_never, cast

from fibrolang import expressions as ex
from fibrolang.dates import ELAPSED_UNITS
from fibrolang.json_values import MISSING, is_number, join_path
from fibrolang.operators import BINARY

if TYPE_CHECKING:
    from fibrolang.graph_reader import GraphReader

_PLACEHOLDER = ex.Constant(False, None)
_Read = Callable[["GraphReader", Mapping[str, Any], str], ex.Expression]


def read_expression(reader: GraphReader, value: Any, path: str) -> ex.Expression:
    obj = reader.as_object(value, path)
    op = obj.get("op")
    if not isinstance(op, str):
        reader.fail(join_path(path, "op"), "every expression needs an op (a string)", "missing_key")
        return placeholder()
    operator = BINARY.get(op)
    if operator is not None:
        left, right = _sub(reader, obj, "left", path), _sub(reader, obj, "right", path)
        match operator.family:
            case "comparison":
                return ex.Comparison(cast(Any, op), left, right)
            case "arithmetic" | "function":
                return ex.Arithmetic(cast(Any, op), left, right)
            case unreachable:
                assert_never(unreachable)
    read = _READERS.get(op)
    if read is None:
        reader.fail(join_path(path, "op"), f"unknown op {op!r}", "unknown_op")
        return placeholder()
    return read(reader, obj, path)


def placeholder() -> ex.Expression:
    """Stands in for an expression that could not be read (its problem is recorded)."""
    return _PLACEHOLDER


def _sub(reader: GraphReader, obj: Mapping[str, Any], key: str, path: str) -> ex.Expression:
    value = reader.get(obj, key, path, True)
    if value is MISSING:
        return placeholder()
    return read_expression(reader, value, join_path(path, key))


def _operands(
    reader: GraphReader, obj: Mapping[str, Any], path: str, least: int
) -> tuple[ex.Expression, ...]:
    operands = reader.list_of(
        obj, "operands", path, True, lambda value, at: read_expression(reader, value, at)
    )
    if "operands" in obj and len(operands) < least:
        reader.fail(join_path(path, "operands"), f"needs at least {least} operand(s)", "malformed")
    return operands


def _constant(reader: GraphReader, obj: Mapping[str, Any], path: str) -> ex.Expression:
    value = reader.get(obj, "value", path, True)
    if value is not MISSING and not (isinstance(value, bool) or is_number(value)):
        reader.fail(join_path(path, "value"), "a constant is a boolean or a finite number", "wrong_type")
        value = False
    unit = reader.optional_string(obj, "unit", path)
    return ex.Constant(False if value is MISSING else value, unit)


def _subject(reader: GraphReader, obj: Mapping[str, Any], path: str) -> str | None:
    if reader.get(obj, "subject", path, True) is MISSING:
        return None
    return reader.optional_string(obj, "subject", path)


def _quantifier(reader: GraphReader, obj: Mapping[str, Any], path: str) -> ex.Expression:
    where = reader.optional_expression(obj, "where", path)
    return ex.Quantifier(
        cast(Any, obj["op"]), reader.string(obj, "var", path), _sub(reader, obj, "over", path), where
    )


def _dose(reader: GraphReader, obj: Mapping[str, Any], path: str) -> ex.Expression:
    subject = _subject(reader, obj, path)
    if subject is None:
        reader.fail(join_path(path, "subject"), "dose needs an intervention", "malformed")
    return ex.DoseQuery(subject or "")


def _selected(reader: GraphReader, obj: Mapping[str, Any], path: str) -> ex.Expression:
    members = reader.list_of(obj, "members", path, True, reader.text)
    conditions = reader.list_of(obj, "when", path, True, lambda value, at: read_expression(reader, value, at))
    if "members" in obj and "when" in obj and len(members) != len(conditions):
        reader.fail(join_path(path, "when"), "needs one condition per member", "malformed")
    return ex.SelectedSet(members, conditions, reader.string(obj, "enum", path))


_READERS: dict[str, _Read] = {
    "const": _constant,
    "member": lambda r, o, p: ex.MemberLiteral(r.string(o, "value", p), r.string(o, "enum", p)),
    "set": lambda r, o, p: ex.SetLiteral(r.list_of(o, "members", p, True, r.text), r.string(o, "enum", p)),
    "select": _selected,
    "input": lambda r, o, p: ex.InputReference(r.string(o, "name", p)),
    "def": lambda r, o, p: ex.DefinitionReference(r.string(o, "name", p)),
    "var": lambda r, o, p: ex.VariableReference(r.string(o, "name", p)),
    "enum": lambda r, o, p: ex.EnumerationReference(r.string(o, "enum", p)),
    "entry": lambda r, o, p: ex.Entry(_sub(r, o, "map", p), _sub(r, o, "key", p)),
    "field": lambda r, o, p: ex.Field(_sub(r, o, "record", p), r.string(o, "name", p)),
    "in": lambda r, o, p: ex.Membership(_sub(r, o, "element", p), _sub(r, o, "collection", p)),
    "not": lambda r, o, p: ex.Negation(_sub(r, o, "operand", p)),
    "neg": lambda r, o, p: ex.UnaryMinus(_sub(r, o, "operand", p)),
    "and": lambda r, o, p: ex.Conjunction(_operands(r, o, p, 2)),
    "or": lambda r, o, p: ex.Disjunction(_operands(r, o, p, 2)),
    "count_true": lambda r, o, p: ex.CountTrue(_operands(r, o, p, 1)),
    "if": lambda r, o, p: ex.Conditional(
        _sub(r, o, "condition", p), _sub(r, o, "then", p), _sub(r, o, "else", p)
    ),
    "count": _quantifier,
    "any": _quantifier,
    "all": _quantifier,
    "sum": lambda r, o, p: ex.Sum(r.string(o, "var", p), _sub(r, o, "over", p), _sub(r, o, "body", p)),
    "recommended": lambda r, o, p: ex.PlanQuery("recommended", _subject(r, o, p)),
    "avoided": lambda r, o, p: ex.PlanQuery("avoided", _subject(r, o, p)),
    "flagged": lambda r, o, p: ex.PlanQuery("flagged", _subject(r, o, p)),
    "dose": _dose,
    "unset": lambda r, o, p: ex.Unset(),
    "text": lambda r, o, p: ex.TextLiteral(r.string(o, "value", p)),
    "elapsed": lambda r, o, p: ex.Elapsed(
        r.choice(o, "unit", p, ELAPSED_UNITS), _sub(r, o, "from", p), _sub(r, o, "to", p)
    ),
}
