"""Types: every operator gets operands it can work with.

Boolean logic on conditions; ``< <= > >=`` and arithmetic on numbers;
``==``/``is`` between values of one type (members of one enumeration);
``in`` with a set, a map (its keys) or an enumeration; ``m[k]`` on maps with
a key of the map's key enumeration; fields the record has; quantifiers over
an enumeration or a set; numeric ``sum`` bodies; guards, rules and
contraindications that are conditions; outputs that are conditions, numbers
or enum members; definitions that do not depend on themselves (FIB114).

Operands of type ``Unknown`` (already reported elsewhere) are never reported.
Units are the units pass's business: here a number is a number.
"""

from __future__ import annotations

from compiler.check.context import Context
from compiler.check.expressions import show, walk
from compiler.check.model import (
    Boolean,
    Date,
    EnumType,
    MapOf,
    Member,
    Model,
    NoValue,
    Number,
    RecordOf,
    SetOf,
    Text,
    Type,
    Unknown,
    describe,
    enum_of,
)
from compiler.diagnostics import catalogue as diag
from compiler.diagnostics.catalogue import Diagnostic, RelatedSpan
from compiler.front import syntax as s
from fibrolang.operators import BINARY


def check_types(guideline: s.Guideline, context: Context) -> list[Diagnostic]:
    model = context.model
    found: list[Diagnostic] = []
    for root in model.roots:
        whole = model.type_of(root.expression)
        if root.role == "condition" and not isinstance(whole, Boolean | Unknown | Text):  # text: FIB147
            found.append(
                _mismatch(
                    f"{root.what} must be true or false, but `{show(root.expression)}` is {describe(whole)}",
                    root.expression,
                    "compare it with something, e.g. `x > 3` or `x is member`",
                )
            )
        elif root.role == "output" and not isinstance(
            whole, Boolean | Number | Member | SetOf | Unknown | NoValue | Text
        ):
            found.append(
                _mismatch(
                    f"the output {root.what} must be a condition, a number, an enum member, a set or a text, "
                    f"but it is {describe(whole)}",
                    root.expression,
                    "make it a `define` instead, or compute a count or a condition from it",
                )
            )
        for node in walk(root.expression):
            found += _node(node, model)
    found += _cycles(context)
    return found


def _mismatch(message: str, expr: s.Expr, hint: str) -> Diagnostic:
    return diag.make("FIB103", message, expr.span, hint=hint)


def _known(*types: Type) -> bool:
    """Neither already reported nor a text (reading a text is compiler/check/text.py's FIB147)."""
    return not any(isinstance(t, Unknown | Text) for t in types)


def _condition(expr: s.Expr, model: Model, where: str) -> list[Diagnostic]:
    type_ = model.type_of(expr)
    if isinstance(type_, Boolean | Unknown | Text):
        return []
    return [
        _mismatch(
            f"{where} needs a condition (true or false), but `{show(expr)}` is {describe(type_)}",
            expr,
            "compare it with something first, e.g. `x > 3` or `x is member`",
        )
    ]


def _number(expr: s.Expr, model: Model, where: str) -> list[Diagnostic]:
    type_ = model.type_of(expr)
    if isinstance(type_, Number | Unknown | Text):
        return []
    return [
        _mismatch(
            f"{where} needs numbers, but `{show(expr)}` is {describe(type_)}",
            expr,
            "use `is`, `in` or `==` for members and sets; `<`, `>`, `+` and `*` work on numbers",
        )
    ]


def _node(expr: s.Expr, model: Model) -> list[Diagnostic]:
    type_of = model.type_of
    if isinstance(expr, s.Not):
        return _condition(expr.operand, model, "`not`")
    if isinstance(expr, s.And | s.Or):
        word = "`and`" if isinstance(expr, s.And) else "`or`"
        return [d for operand in expr.operands for d in _condition(operand, model, word)]
    if isinstance(expr, s.Comparison):
        if isinstance(type_of(expr.left), Date) or isinstance(type_of(expr.right), Date):
            return []  # compiler/check/dates.py (FIB170)
        operator = BINARY.get(expr.operator)  # None: `is`, `is not`
        if operator is not None and operator.numbers_only:
            where = f"`{expr.operator}`"
            return _number(expr.left, model, where) + _number(expr.right, model, where)
        return _equality(expr, type_of(expr.left), type_of(expr.right))
    if isinstance(expr, s.Between):
        return [d for part in (expr.value, expr.low, expr.high) for d in _number(part, model, "`between`")]
    if isinstance(expr, s.Arithmetic):
        where = f"`{expr.operator}`"
        return _number(expr.left, model, where) + _number(expr.right, model, where)
    if isinstance(expr, s.Negative):
        return _number(expr.operand, model, "`-`")
    if isinstance(expr, s.Membership):
        return _membership(expr, type_of(expr.element), type_of(expr.collection))
    if isinstance(expr, s.Entry):
        return _entry(expr, type_of(expr.map), type_of(expr.key))
    if isinstance(expr, s.Field):
        record = type_of(expr.record)
        if _known(record) and not isinstance(record, RecordOf):
            return [
                _mismatch(
                    f"`{show(expr.record)}` is {describe(record)}, not a record, "
                    f"so it has no field `{expr.name.text}`",
                    expr,
                    "fields belong to records, e.g. `medications[duloxetine].weeks`",
                )
            ]
        return []
    if isinstance(expr, s.Quantifier):
        return _quantifier(expr, model)
    if isinstance(expr, s.CountTrue):
        return [d for c in expr.conditions for d in _condition(c, model, "`count of (...)`")]
    if isinstance(expr, s.SetLiteral) and expr.conditions:
        return [
            d
            for member, c in zip(expr.members, expr.conditions, strict=True)
            if c is not None
            for d in _condition(c, model, f"`{member.text} when ...`")
        ]
    if isinstance(expr, s.Conditional):
        found = _condition(expr.condition, model, "`if`")
        then, otherwise = type_of(expr.then), type_of(expr.otherwise)
        unset = isinstance(expr.then, s.Unset) or isinstance(expr.otherwise, s.Unset)
        settled = not isinstance(then, Unknown) and not isinstance(otherwise, Unknown)
        if settled and not _comparable(then, otherwise) and not expr.table_arm and not unset:
            found.append(
                _mismatch(
                    f"the branches of this `if` differ: `then` gives {describe(then)} "
                    f"but `else` gives {describe(otherwise)}",
                    expr,
                    "both branches must give the same kind of value",
                )
            )
        return found
    return []


def _comparable(left: Type, right: Type) -> bool:
    if isinstance(left, Number) and isinstance(right, Number):
        return True
    return isinstance(left, Boolean | Member | Date | Text) and left == right


def _equality(expr: s.Comparison, left: Type, right: Type) -> list[Diagnostic]:
    if not _known(left, right) or _comparable(left, right):
        return []
    if isinstance(left, SetOf | MapOf | RecordOf | EnumType):
        return [
            _mismatch(
                f"`{show(expr.left)}` is {describe(left)}; `{expr.operator}` compares single values",
                expr,
                "use `in` to test membership, or `count` to compare sizes",
            )
        ]
    return [
        _mismatch(
            f"`{show(expr.left)}` is {describe(left)} but `{show(expr.right)}` is {describe(right)}, "
            "so they cannot be compared",
            expr,
            "compare values of the same kind: numbers with numbers, members with members of one enumeration",
        )
    ]


def _membership(expr: s.Membership, element: Type, collection: Type) -> list[Diagnostic]:
    if not _known(collection):
        return []
    if not isinstance(collection, SetOf | MapOf | EnumType):
        return [
            _mismatch(
                f"`in` needs a set or a map, but `{show(expr.collection)}` is {describe(collection)}",
                expr.collection,
                "write a set such as `{a, b}`, or use `==`/`is` for a single value",
            )
        ]
    wanted = enum_of(collection)
    if _known(element) and element != Member(wanted or ""):
        return [
            _mismatch(
                f"`{show(expr.element)}` is {describe(element)}, but `{show(expr.collection)}` "
                f"holds members of `{wanted}`",
                expr.element,
                f"test a member of `{wanted}`",
            )
        ]
    return []


def _entry(expr: s.Entry, map_type: Type, key: Type) -> list[Diagnostic]:
    if not _known(map_type):
        return []
    if not isinstance(map_type, MapOf):
        return [
            _mismatch(
                f"`{show(expr.map)}` is {describe(map_type)}, not a map, so `[...]` cannot look into it",
                expr,
                "only inputs declared as `map of <enumeration> to <record>` have entries",
            )
        ]
    if _known(key) and key != Member(map_type.key):
        return [
            _mismatch(
                f"the keys of `{show(expr.map)}` are members of `{map_type.key}`, but "
                f"`{show(expr.key)}` is {describe(key)}",
                expr.key,
                f"look up a member of `{map_type.key}`",
            )
        ]
    return []


def _quantifier(expr: s.Quantifier, model: Model) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    collection = model.type_of(expr.collection)
    if isinstance(collection, MapOf):
        found.append(
            _mismatch(
                f"`{expr.kind}` ranges over a set or an enumeration, but `{show(expr.collection)}` is a map",
                expr.collection,
                f"range over its keys: `{expr.kind} {expr.variable.text} in {collection.key} where "
                f"{expr.variable.text} in {show(expr.collection)} ...`",
            )
        )
    elif _known(collection) and not isinstance(collection, SetOf | EnumType):
        found.append(
            _mismatch(
                f"`{expr.kind}` ranges over a set or an enumeration, but `{show(expr.collection)}` "
                f"is {describe(collection)}",
                expr.collection,
                "range over an enumeration, a set input or definition, or a set such as `{a, b}`",
            )
        )
    if expr.body is not None:
        if expr.kind == "sum":
            found += _number(expr.body, model, "`sum ... of`")
        else:
            found += _condition(expr.body, model, f"the `where` of `{expr.kind}`")
    return found


def _cycles(context: Context) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    definitions = context.symbols.definitions
    for cycle in context.model.cycles:
        first = definitions[cycle[0]]
        path = " → ".join(cycle)
        related = [
            RelatedSpan(definitions[name].name.span, f"`{name}` is defined here") for name in cycle[1:-1]
        ]
        found.append(
            diag.make(
                "FIB114",
                f"`{cycle[0]}` depends on itself: {path}",
                first.name.span,
                hint="a definition may use only inputs and other definitions that do not use it",
                related=related,
            )
        )
    return found
