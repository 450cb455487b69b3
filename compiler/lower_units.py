"""Unit conversions, written into the decision graph by the compiler.

The checker accepts two commensurable units where numbers meet (``cm`` and
``m``, ``mL/min`` and ``L/hours``: ``compiler/check/unit_conversion.py``) and
gives a product or a quotient the catalogue's unit of its dimension
(``weight / (height * height)`` with the height in cm is in kg/m2). This pass
makes the graph compute exactly that: it walks every expression of the
lowered graph, works out the unit of each number bottom-up, and where a
value must change unit it multiplies it by the exact factor, a constant whose
unit (``m/cm``) keeps the runtime's unit algebra (``fibrolang.unit_algebra``)
in step. A factor that is not a finite decimal (minutes to hours: 1/60) is
written as a product and a quotient of two whole numbers, so the graph
stays exact. A guideline whose units never differ is left as it was.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from compiler.check import unit_conversion
from fibrolang import unit_algebra
from fibrolang.operators import BINARY

JSON = dict[str, Any]


def convert_units(graph: JSON) -> None:
    """Insert the conversions the checked units call for, in place."""
    _Converter(graph).run()


class _Converter:
    def __init__(self, graph: JSON) -> None:
        self.graph = graph
        self.definitions: dict[str, str | None] = {}

    def run(self) -> None:
        for definition in self.graph.get("definitions", []):
            definition["expr"], unit = self.expr(definition["expr"], {})
            self.definitions[definition["name"]] = unit
        for key, value in self.graph.items():
            if key != "definitions":
                self.walk(value)

    def walk(self, value: Any) -> None:
        if isinstance(value, dict):
            for key, inner in value.items():
                if isinstance(inner, dict) and "op" in inner:
                    value[key] = self.expr(inner, {})[0]
                else:
                    self.walk(inner)
        elif isinstance(value, list):
            for index, inner in enumerate(value):
                if isinstance(inner, dict) and "op" in inner:
                    value[index] = self.expr(inner, {})[0]
                else:
                    self.walk(inner)

    # -- expressions ------------------------------------------------------------

    def expr(self, expr: JSON, scope: dict[str, None]) -> tuple[JSON, str | None]:
        """The expression, converted where its parts need it, and the unit of its value."""
        op = expr.get("op")
        if op == "const":
            value = expr.get("value")
            return expr, None if isinstance(value, bool) else expr.get("unit")
        if op == "input":
            declared = self.graph["inputs"].get(expr["name"], {}).get("type", {})
            return expr, declared.get("unit")
        if op == "def":
            return expr, self.definitions.get(expr["name"])
        if op == "field":
            expr = {**expr, "record": self.expr(expr["record"], scope)[0]}
            return expr, self.field_unit(expr)
        if op == "neg":
            operand, unit = self.expr(expr["operand"], scope)
            return {**expr, "operand": operand}, unit
        if op == "if":
            condition, _ = self.expr(expr["condition"], scope)
            then, unit = self.expr(expr["then"], scope)
            otherwise, other = self.expr(expr["else"], scope)
            otherwise = to_unit(otherwise, other, unit)
            return {**expr, "condition": condition, "then": then, "else": otherwise}, unit
        if op == "sum":
            over, _ = self.expr(expr["over"], scope)
            body, unit = self.expr(expr["body"], scope)
            return {**expr, "over": over, "body": body}, unit
        if op in BINARY:
            return self.binary(expr, scope)
        return {key: self.inner(value, scope) for key, value in expr.items()}, None

    def inner(self, value: Any, scope: dict[str, None]) -> Any:
        if isinstance(value, dict) and "op" in value:
            return self.expr(value, scope)[0]
        if isinstance(value, list):
            return [self.inner(item, scope) for item in value]
        return value

    def binary(self, expr: JSON, scope: dict[str, None]) -> tuple[JSON, str | None]:
        operator = BINARY[expr["op"]]
        left, left_unit = self.expr(expr["left"], scope)
        right, right_unit = self.expr(expr["right"], scope)
        match operator.unit_rule:
            case "same" | "compare":
                if left_unit is not None and right_unit is not None:
                    right = to_unit(right, right_unit, left_unit)
                unit = left_unit or right_unit
                converted = {**expr, "left": left, "right": right}
                return converted, None if operator.unit_rule == "compare" else unit
            case "product" | "quotient":
                combine = unit_algebra.product if operator.unit_rule == "product" else unit_algebra.quotient
                computed = combine(left_unit, right_unit)
                wanted = unit_conversion.normal(computed)
                converted = {**expr, "left": left, "right": right}
                return to_unit(converted, computed, wanted), wanted
            case "left":
                return {**expr, "left": left, "right": right}, left_unit
        return {**expr, "left": left, "right": right}, None

    def field_unit(self, expr: JSON) -> str | None:
        record = expr["record"]
        if record.get("op") != "entry" or record["map"].get("op") != "input":
            return None
        map_type = self.graph["inputs"].get(record["map"]["name"], {}).get("type", {})
        fields = self.graph["records"].get(map_type.get("record"), {}).get("fields", {})
        unit = fields.get(expr["name"], {}).get("unit")
        return unit if isinstance(unit, str) else None


def to_unit(expr: JSON, unit: str | None, wanted: str | None) -> JSON:
    """``expr`` (in ``unit``) as a value in ``wanted``: multiplied by the exact factor."""
    if unit is None or wanted is None or unit_algebra.same(unit, wanted):
        return expr
    if not unit_conversion.commensurable(unit, wanted):
        return expr  # the checker reported it
    factor = unit_conversion.factor(unit, wanted)
    per = unit_algebra.quotient(wanted, unit)
    if _finite_decimal(factor):
        return {"op": "*", "left": expr, "right": _const(factor, per)}
    scaled = {"op": "*", "left": expr, "right": _const(Fraction(factor.numerator), per)}
    return {"op": "/", "left": scaled, "right": _const(Fraction(factor.denominator), None)}


def _finite_decimal(value: Fraction) -> bool:
    denominator = value.denominator
    for prime in (2, 5):
        while denominator % prime == 0:
            denominator //= prime
    return denominator == 1


def _const(value: Fraction, unit: str | None) -> JSON:
    number: int | float = int(value) if value.denominator == 1 else float(value)
    return {"op": "const", "value": number, "unit": unit}
