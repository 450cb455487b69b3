"""Render a graph expression back into readable fibrolang-like text, for explanations.

``render(expr)`` adds parentheses only where precedence needs them:
``age < 18 years and not chronic_liver_disease``.
"""

from __future__ import annotations

import json

from fibrolang import expressions as ex
from fibrolang.operators import AND as _AND
from fibrolang.operators import COMPARE as _COMPARE
from fibrolang.operators import NOT as _NOT
from fibrolang.operators import OPEN as _OPEN
from fibrolang.operators import OR as _OR
from fibrolang.operators import POSTFIX as _POSTFIX
from fibrolang.operators import SUM as _SUM
from fibrolang.operators import UNARY as _UNARY
from fibrolang.operators import binary


def render(expr: ex.Expression) -> str:
    return _render(expr)[0]


def _wrap(expr: ex.Expression, least: int) -> str:
    text, strength = _render(expr)
    return f"({text})" if strength < least else text


def _number(value: bool | int | float) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value)


def _render(expr: ex.Expression) -> tuple[str, int]:
    match expr:
        case ex.Constant(value, unit):
            text = _number(value)
            return (f"{text} {unit}" if unit else text), _POSTFIX
        case ex.MemberLiteral(value, _):
            return value, _POSTFIX
        case ex.SetLiteral(members, _):
            return "{" + ", ".join(members) + "}", _POSTFIX
        case ex.SelectedSet(members, conditions, _):
            entries = (
                member
                if isinstance(condition, ex.Constant) and condition.value is True
                else f"{member} when {render(condition)}"
                for member, condition in zip(members, conditions, strict=False)
            )
            return "{" + ", ".join(entries) + "}", _POSTFIX
        case ex.DefinitionReference(name) if "__" in name.strip("_"):
            # An instance of a parameterised definition, named `failed__duloxetine`:
            # shown as the author wrote the call, `failed(duloxetine)`.
            template, *arguments = name.split("__")
            return f"{template}({', '.join(arguments)})", _POSTFIX
        case ex.InputReference(name) | ex.DefinitionReference(name) | ex.VariableReference(name):
            return name, _POSTFIX
        case ex.EnumerationReference(enum):
            return enum, _POSTFIX
        case ex.Entry(map_, key):
            return f"{_wrap(map_, _POSTFIX)}[{render(key)}]", _POSTFIX
        case ex.Field(record, name):
            return f"{_wrap(record, _POSTFIX)}.{name}", _POSTFIX
        case ex.Membership(element, collection):
            return f"{_wrap(element, _SUM)} in {_wrap(collection, _SUM)}", _COMPARE
        case ex.Negation(ex.Membership(element, collection)):
            return f"{_wrap(element, _SUM)} not in {_wrap(collection, _SUM)}", _COMPARE
        case ex.Negation(ex.PlanQuery(state, subject)):
            return f"{subject or 'anything'} is not {state}", _COMPARE
        case ex.Negation(operand):
            return f"not {_wrap(operand, _NOT)}", _NOT
        case ex.Conjunction(operands):
            return " and ".join(_wrap(operand, _NOT) for operand in operands), _AND
        case ex.Disjunction(operands):
            return " or ".join(_wrap(operand, _AND) for operand in operands), _OR
        case ex.Comparison(operator, left, ex.MemberLiteral(value, _)) if operator in ("==", "!="):
            verb = "is" if operator == "==" else "is not"
            return f"{_wrap(left, _SUM)} {verb} {value}", _COMPARE
        case ex.Arithmetic("max", left, ex.UnaryMinus(inner)) if inner == left:
            return f"abs({render(left)})", _POSTFIX
        case ex.Arithmetic(symbol, left, right) if binary(symbol).family == "function":
            return f"{symbol}({render(left)}, {render(right)})", _POSTFIX
        case ex.Comparison(symbol, left, right) | ex.Arithmetic(symbol, left, right):
            op = binary(symbol)
            return f"{_wrap(left, op.left_needs)} {symbol} {_wrap(right, op.right_needs)}", op.strength
        case ex.UnaryMinus(operand):
            return f"-{_wrap(operand, _UNARY)}", _UNARY
        case ex.Conditional(condition, then, otherwise):
            return (f"if {_wrap(condition, _OR)} then {_wrap(then, _OR)} else {_wrap(otherwise, _OR)}"), _OPEN
        case ex.Quantifier(kind, variable, over, where):
            text = f"{kind} {variable} in {_wrap(over, _POSTFIX)}"
            return (f"{text} where {_wrap(where, _OR)}" if where else text), _OPEN
        case ex.Sum(variable, over, body):
            return f"sum {variable} in {_wrap(over, _POSTFIX)} of {_wrap(body, _OR)}", _OPEN
        case ex.CountTrue(operands):
            return "count of (" + ", ".join(render(operand) for operand in operands) + ")", _POSTFIX
        case ex.PlanQuery(state, subject):
            return f"{subject or 'anything'} is {state}", _COMPARE
        case ex.DoseQuery(subject):
            return f"dose of {subject}", _POSTFIX
        case ex.Unset():
            return "unset", _POSTFIX
        case ex.TextLiteral(value):  # quoted and escaped as JSON writes it; printable.py shows the rest
            return json.dumps(value, ensure_ascii=False), _POSTFIX
        case ex.Elapsed(unit, start, end):  # fibrolang/dates.py
            return f"{unit} from {_wrap(start, _POSTFIX)} to {_wrap(end, _POSTFIX)}", _UNARY
    raise AssertionError(f"unrenderable expression {expr!r}")
