"""Write one typed expression back as its graph JSON object (``{"op": ...}``).

The inverse of ``expression_reader``: every ``expressions`` dataclass becomes the
object the compiler's lowering writes for it, with the same keys (a quantifier's
``where`` and a plan query's ``subject`` are written even when null, as lowering
writes them), so ``write_expression(read_expression(obj)) == obj`` for every
expression of a compiled graph.
"""

from __future__ import annotations

from typing import Any, assert_never

from fibrolang import expressions as ex

JSON = dict[str, Any]


def write_expression(expr: ex.Expression) -> JSON:
    """The graph JSON object of ``expr`` (a fresh dict, shared with nothing)."""
    w = write_expression
    match expr:
        case ex.Constant(value=value, unit=unit):
            return {"op": "const", "value": value, "unit": unit}
        case ex.MemberLiteral(value=value, enum=enum):
            return {"op": "member", "value": value, "enum": enum}
        case ex.SetLiteral(members=members, enum=enum):
            return {"op": "set", "members": list(members), "enum": enum}
        case ex.SelectedSet(members=members, conditions=conditions, enum=enum):
            return {
                "op": "select",
                "members": list(members),
                "when": [w(c) for c in conditions],
                "enum": enum,
            }
        case ex.InputReference(name=name):
            return {"op": "input", "name": name}
        case ex.DefinitionReference(name=name):
            return {"op": "def", "name": name}
        case ex.VariableReference(name=name):
            return {"op": "var", "name": name}
        case ex.EnumerationReference(enum=enum):
            return {"op": "enum", "enum": enum}
        case ex.Entry(map=map_, key=key):
            return {"op": "entry", "map": w(map_), "key": w(key)}
        case ex.Field(record=record, name=name):
            return {"op": "field", "record": w(record), "name": name}
        case ex.Membership(element=element, collection=collection):
            return {"op": "in", "element": w(element), "collection": w(collection)}
        case ex.Negation(operand=operand):
            return {"op": "not", "operand": w(operand)}
        case ex.UnaryMinus(operand=operand):
            return {"op": "neg", "operand": w(operand)}
        case ex.Conjunction(operands=operands):
            return {"op": "and", "operands": [w(o) for o in operands]}
        case ex.Disjunction(operands=operands):
            return {"op": "or", "operands": [w(o) for o in operands]}
        case ex.CountTrue(operands=operands):
            return {"op": "count_true", "operands": [w(o) for o in operands]}
        case ex.Comparison(operator=operator, left=left, right=right):
            return {"op": operator, "left": w(left), "right": w(right)}
        case ex.Arithmetic(operator=operator, left=left, right=right):
            return {"op": operator, "left": w(left), "right": w(right)}
        case ex.Conditional(condition=condition, then=then, otherwise=otherwise):
            return {"op": "if", "condition": w(condition), "then": w(then), "else": w(otherwise)}
        case ex.Quantifier(kind=kind, variable=variable, over=over, where=where):
            return {
                "op": kind,
                "var": variable,
                "over": w(over),
                "where": None if where is None else w(where),
            }
        case ex.Sum(variable=variable, over=over, body=body):
            return {"op": "sum", "var": variable, "over": w(over), "body": w(body)}
        case ex.PlanQuery(state=state, subject=subject):
            return {"op": state, "subject": subject}
        case ex.DoseQuery(subject=subject):
            return {"op": "dose", "subject": subject}
        case ex.Unset():
            return {"op": "unset"}
        case ex.TextLiteral(value=value):
            return {"op": "text", "value": value}
        case ex.Elapsed(unit=unit, start=start, end=end):
            return {"op": "elapsed", "unit": unit, "from": w(start), "to": w(end)}
        case unreachable:
            assert_never(unreachable)
