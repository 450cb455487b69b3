"""Units: numbers that meet must have the same unit, and every unit must be
one fibrolang knows (``compiler.check.unit_catalogue``).

- ``<``, ``==``, ``between``, ``+``, ``-``, ``min``, ``max`` and the branches
  of ``if`` need units that measure the same thing: equal units, or
  commensurable ones the compiler converts (``28 days`` is ``4 weeks``, cm
  and m; ``compiler/check/unit_conversion.py``, ``compiler/lower_units.py``); mg
  and mg/day never meet, and the hint says what to multiply by. A plain
  number meets a value with a unit only when that unit is a counting unit
  such as points: ``weeks >= 4`` is an error, ``pain_score >= 4`` is not.
- ``*`` and ``/`` combine any units (kg / m2 is kg/m2, mg/day * days is mg);
  ``round(x, n)`` keeps x's unit and needs n to be a plain whole number from
  0 to 6.
- ``monitor ... after`` and titration intervals are times.

A number whose unit could not be worked out (an unknown unit, an earlier
mismatch) is never reported again.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import assert_never

from compiler.check import unit_catalogue as catalogue
from compiler.check import unit_conversion
from compiler.check.context import Context
from compiler.check.expressions import show, walk
from compiler.check.model import Model, Number
from compiler.diagnostics import catalogue as diag
from compiler.diagnostics.catalogue import Diagnostic
from compiler.front import syntax as s
from fibrolang.operators import binary


def check_units(guideline: s.Guideline, context: Context) -> list[Diagnostic]:
    model = context.model
    declared = model.symbols.units
    found = [
        _unknown_unit(unit)
        for unit in _written_units(guideline)
        if catalogue.lookup(unit.text, declared) is None
    ]
    for root in model.roots:
        for node in walk(root.expression):
            found += _node(node, model)
    found += _times(guideline)
    return found


def _unknown_unit(unit: s.Name) -> Diagnostic:
    return diag.make(
        "FIB105",
        f"`{unit.text}` is not a unit fibrolang knows",
        unit.span,
        hint=(f"did you mean `{catalogue.suggest(unit.text)}`?" if catalogue.suggest(unit.text) else None)
        or "docs/diagnostics.md (FIB105) lists the known units",
    )


def _quantities(guideline: s.Guideline) -> Iterator[s.Quantity]:
    for declaration in guideline.declarations:
        if isinstance(declaration, s.Intervention) and declaration.dose is not None:
            yield from _dose(declaration.dose)
    if guideline.pathway is None:
        return
    for node in guideline.pathway.nodes:
        if not isinstance(node, s.Step):
            continue
        for item in node.items:
            if isinstance(item, s.Recommendation):
                if item.dose is not None:
                    yield from _dose(item.dose)
                if item.titration is not None:
                    yield from (item.titration.step, item.titration.interval, item.titration.target)
            elif isinstance(item, s.Monitoring):
                yield from (q for q in (item.after_low, item.after_high) if q is not None)


def _dose(dose: s.DoseRange) -> Iterator[s.Quantity]:
    yield dose.low
    if dose.high is not None:
        yield dose.high


def _written_units(guideline: s.Guideline) -> Iterator[s.Name]:
    for declaration in guideline.declarations:
        if isinstance(declaration, s.Input) and isinstance(declaration.type, s.NumberType):
            if declaration.type.unit is not None:
                yield declaration.type.unit
        elif isinstance(declaration, s.Record):
            for record_field in declaration.fields:
                if isinstance(record_field.type, s.NumberType) and record_field.type.unit is not None:
                    yield record_field.type.unit
        elif isinstance(declaration, s.Definition):
            yield from _literal_units(declaration.expression)
        elif isinstance(declaration, s.Intervention):
            for item in declaration.contraindications:
                yield from _literal_units(item.condition)
        elif isinstance(declaration, s.Invariant) and declaration.condition is not None:
            yield from _literal_units(declaration.condition)
    yield from (q.unit for q in _quantities(guideline) if q.unit is not None)
    if guideline.pathway is not None:
        for node in guideline.pathway.nodes:
            guards: list[s.Expr | None] = []
            if isinstance(node, s.Decision):
                guards = [b.guard for b in node.branches]
            elif isinstance(node, s.Step):
                guards = [item.guard for item in node.items]
            for guard in guards:
                if guard is not None:
                    yield from _literal_units(guard)


def _literal_units(expr: s.Expr) -> Iterator[s.Name]:
    for node in walk(expr):
        if isinstance(node, s.NumberLiteral) and node.quantity.unit is not None:
            yield node.quantity.unit


def _plain_literal(expr: s.Expr) -> str | None:
    """The text of a number written without a unit (``4``, ``-1``), else None."""
    if isinstance(expr, s.NumberLiteral) and expr.quantity.unit is None:
        return str(expr.quantity.value)
    if isinstance(expr, s.Negative):
        inner = _plain_literal(expr.operand)
        return f"-{inner}" if inner is not None else None
    return None


def _numbers(model: Model, *parts: s.Expr) -> list[Number] | None:
    types = [model.type_of(part) for part in parts]
    numbers = [t for t in types if isinstance(t, Number) and t.unit_known]
    return numbers if len(numbers) == len(types) else None


def mismatch(
    left: s.Expr,
    left_unit: str | None,
    right: s.Expr,
    right_unit: str | None,
    declared: Mapping[str, catalogue.Unit] | None = None,
) -> Diagnostic:
    """FIB104 for two values with different units, worded for the case at hand."""
    for bare, bare_unit, other, unit in (
        (right, right_unit, left, left_unit),
        (left, left_unit, right, right_unit),
    ):
        if bare_unit is None and unit is not None:
            literal = _plain_literal(bare)
            if literal is not None:
                return diag.make(
                    "FIB104",
                    f"`{show(other)}` is in {unit} but {literal} has no unit",
                    bare.span,
                    hint=f"write `{literal} {unit}`",
                )
            return diag.make(
                "FIB104",
                f"`{show(other)}` is in {unit} but `{show(bare)}` has no unit",
                bare.span,
                hint=f"declare `{show(bare)}` in {unit}, or compare it with a number without unit",
            )
    assert left_unit is not None and right_unit is not None
    message = (
        f"`{show(left)}` is in {_with_dimension(left_unit, declared)} but `{show(right)}` "
        f"is in {_with_dimension(right_unit, declared)}, and one does not convert into the other"
    )
    factor = unit_conversion.missing_factor(right_unit, left_unit)
    if factor is not None and unit_conversion.normal(factor) is not None and catalogue.lookup(factor):
        hint = (
            f"multiply `{show(right)}` by a quantity in {factor} to get {left_unit} "
            f"(e.g. `{show(right)} * 7 {factor}`), or compare like with like"
        )
    else:
        hint = "compare like with like: the two sides measure different things"
    return diag.make("FIB104", message, right.span, hint=hint)


def _decimals(expr: s.Arithmetic, model: Model) -> list[Diagnostic]:
    """``round(x, n)``: n is a plain whole number from 0 to 6."""
    digits = expr.right
    if isinstance(digits, s.NumberLiteral) and digits.quantity.unit is None:
        value = digits.quantity.value
        if value == int(value) and 0 <= value <= 6:
            return []
    return [
        diag.make(
            "FIB104",
            f"`{show(expr)}` rounds to `{show(digits)}` decimals, which is not a whole number from 0 to 6",
            digits.span,
            hint="write the number of decimals as a plain number: `round(bmi, 1)`",
        )
    ]


def _with_dimension(unit: str, declared: Mapping[str, catalogue.Unit] | None = None) -> str:
    """``mg (mass)``; a unit the catalogue does not name (a product: ``kg*years``) as it is."""
    dimension = catalogue.dimension(unit, declared)
    return unit if dimension == "unknown" else f"{unit} ({dimension})"


def _meet(model: Model, left: s.Expr, right: s.Expr) -> list[Diagnostic]:
    numbers = _numbers(model, left, right)
    if numbers is None or unit_conversion.meets(numbers[0].unit, numbers[1].unit):
        return []
    return [mismatch(left, numbers[0].unit, right, numbers[1].unit, model.symbols.units)]


def _node(expr: s.Expr, model: Model) -> list[Diagnostic]:
    if isinstance(expr, s.Comparison):
        return _meet(model, expr.left, expr.right)
    if isinstance(expr, s.Between):
        return _meet(model, expr.value, expr.low) + _meet(model, expr.value, expr.high)
    if isinstance(expr, s.Conditional):
        return _meet(model, expr.then, expr.otherwise)
    if isinstance(expr, s.Arithmetic):
        match binary(expr.operator).unit_rule:
            case "same" | "compare":
                return _meet(model, expr.left, expr.right)
            case "product" | "quotient":  # any two units combine: kg / m2, mg/day * days
                return []
            case "left":
                return _decimals(expr, model)
            case unreachable:
                assert_never(unreachable)
    return []


def _times(guideline: s.Guideline) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    if guideline.pathway is None:
        return found
    for node in guideline.pathway.nodes:
        if not isinstance(node, s.Step):
            continue
        for item in node.items:
            if isinstance(item, s.Monitoring) and item.after_low is not None:
                # in `after 4 to 6 weeks` the unit written last applies to both ends
                last = item.after_high or item.after_low
                found += _time(last, f"`monitor {item.name.text} after`")
            elif isinstance(item, s.Recommendation) and item.titration is not None:
                found += _time(item.titration.interval, "the titration's `every`")
    return found


def _time(quantity: s.Quantity, where: str) -> list[Diagnostic]:
    if quantity.unit is None:
        return [
            diag.make(
                "FIB104",
                f"{where} needs a time, but {quantity.value} has no unit",
                quantity.span,
                hint=f"write e.g. `{quantity.value} weeks`",
            )
        ]
    unit = catalogue.canonical(quantity.unit.text)
    if unit is not None and not catalogue.is_time(unit):
        return [
            diag.make(
                "FIB104",
                f"{where} needs a time, but {quantity.value} {quantity.unit.text} is a "
                f"{catalogue.dimension(unit)}",
                quantity.span,
                hint="write it in days, weeks, months or years",
            )
        ]
    return []
