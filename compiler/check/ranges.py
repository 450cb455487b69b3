"""Ranges: declared ranges are not empty, constants compared with an input
stay inside the input's declared range, and doses agree with the catalogue.

Catalogue doses: ``dose 100 to 200 mg/day`` is a range; a single value
(``dose 60 mg/day``) is that dose and nothing else, as in the decision graph
(``min`` = ``max``). A recommended dose must lie in the catalogue's range and
use its unit (FIB118); with a titration, the starting dose may lie below the
range (it is where the ramp begins), but the target must lie in the range and
not below the start.
"""

from __future__ import annotations

from decimal import Decimal

from compiler.check import unit_catalogue as catalogue
from compiler.check.context import Context
from compiler.check.expressions import quantity_text, walk
from compiler.check.model import Model, Number
from compiler.diagnostics import catalogue as diag
from compiler.diagnostics.catalogue import Diagnostic, RelatedSpan
from compiler.front import syntax as s


def check_ranges(guideline: s.Guideline, context: Context) -> list[Diagnostic]:
    found = _declared_ranges(guideline)
    for root in context.model.roots:
        for node in walk(root.expression):
            found += _constants(node, context.model)
    found += _doses(guideline, context)
    return found


def _declared_ranges(guideline: s.Guideline) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    typed: list[tuple[str, s.TypeExpr]] = []
    for declaration in guideline.declarations:
        if isinstance(declaration, s.Input):
            typed.append((f"`{declaration.name.text}`", declaration.type))
        elif isinstance(declaration, s.Record):
            typed.extend((f"`{declaration.name.text}.{f.name.text}`", f.type) for f in declaration.fields)
    for what, type_ in typed:
        if (
            isinstance(type_, s.NumberType)
            and type_.low is not None
            and type_.high is not None
            and type_.low > type_.high
        ):
            found.append(
                diag.make(
                    "FIB113",
                    f"the range of {what} is empty: {type_.low} is greater than {type_.high}",
                    type_.span,
                    hint=f"write the smaller bound first: `{type_.high} to {type_.low}`",
                )
            )
    if guideline.pathway is not None:
        for node in guideline.pathway.nodes:
            if isinstance(node, s.Step):
                for item in node.items:
                    if (
                        isinstance(item, s.Monitoring)
                        and item.after_low
                        and item.after_high
                        and item.after_low.value > item.after_high.value
                    ):
                        found.append(
                            diag.make(
                                "FIB113",
                                f"`monitor {item.name.text} after {quantity_text(item.after_low)} to "
                                f"{quantity_text(item.after_high)}`: the range is empty",
                                item.after_low.span,
                                hint="write the earlier time first",
                            )
                        )
    return found


def _literal(expr: s.Expr) -> s.Quantity | None:
    if isinstance(expr, s.NumberLiteral):
        return expr.quantity
    if isinstance(expr, s.Negative) and isinstance(expr.operand, s.NumberLiteral):
        inner = expr.operand.quantity
        return s.Quantity(-inner.value, inner.unit, expr.span)
    return None


def _outside(model: Model, value: s.Expr, constant: s.Expr) -> list[Diagnostic]:
    declared = model.declared_number(value)
    quantity = _literal(constant)
    if declared is None or quantity is None:
        return []
    name, type_ = declared
    value_type, constant_type = model.type_of(value), model.type_of(constant)
    if not (isinstance(value_type, Number) and isinstance(constant_type, Number)):
        return []
    if not (value_type.unit_known and constant_type.unit_known) or not catalogue.compatible(
        value_type.unit, constant_type.unit
    ):
        return []  # the units pass reports it
    low, high = type_.low, type_.high
    if low is None or high is None or low > high or low <= quantity.value <= high:
        return []
    unit = f" {type_.unit.text}" if type_.unit is not None else ""
    return [
        diag.make(
            "FIB106",
            f"`{name}` is declared {low} to {high}{unit}, so {quantity_text(quantity)} is outside its range",
            constant.span,
            hint="check the number; if the declared range is too narrow, widen it",
        )
    ]


def _constants(expr: s.Expr, model: Model) -> list[Diagnostic]:
    if isinstance(expr, s.Comparison):
        return _outside(model, expr.left, expr.right) + _outside(model, expr.right, expr.left)
    if isinstance(expr, s.Between):
        return _outside(model, expr.value, expr.low) + _outside(model, expr.value, expr.high)
    return []


# -- doses -------------------------------------------------------------------------


def _unit(quantity: s.Quantity) -> str | None:
    return catalogue.canonical(quantity.unit.text) if quantity.unit is not None else None


def _dose_problem(message: str, span: s.Span, hint: str, catalogue_span: s.Span | None) -> Diagnostic:
    related = [RelatedSpan(catalogue_span, "the catalogue's dose")] if catalogue_span is not None else []
    return diag.make("FIB118", message, span, hint=hint, related=related)


def _catalogue_dose(item: s.Intervention) -> list[Diagnostic]:
    dose = item.dose
    if dose is None:
        return []
    found: list[Diagnostic] = []
    if dose.high is not None:
        low_unit, high_unit = _unit(dose.low), _unit(dose.high)
        if dose.low.unit is not None and dose.high.unit is not None and low_unit != high_unit:
            found.append(
                _dose_problem(
                    f"the dose range of `{item.name.text}` mixes {dose.low.unit.text} "
                    f"and {dose.high.unit.text}",
                    dose.span,
                    "write both ends of the range in one unit",
                    None,
                )
            )
        elif dose.low.value > dose.high.value:
            found.append(
                _dose_problem(
                    f"the dose range of `{item.name.text}` is empty: {quantity_text(dose.low)} is more than "
                    f"{quantity_text(dose.high)}",
                    dose.span,
                    "write the smaller dose first",
                    None,
                )
            )
    if (dose.high or dose.low).unit is None:
        found.append(
            _dose_problem(
                f"the dose of `{item.name.text}` has no unit",
                dose.span,
                f"write e.g. `{quantity_text(dose.low)} mg/day`",
                None,
            )
        )
    return found


def _bounds(dose: s.DoseRange) -> tuple[Decimal, Decimal, str | None]:
    """The catalogue's lowest and highest dose and its unit."""
    unit = _unit(dose.high or dose.low)
    return dose.low.value, (dose.high or dose.low).value, unit


def _doses(guideline: s.Guideline, context: Context) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    for declaration in guideline.declarations:
        if isinstance(declaration, s.Intervention):
            found += _catalogue_dose(declaration)
    if guideline.pathway is None:
        return found
    for node in guideline.pathway.nodes:
        if not isinstance(node, s.Step):
            continue
        for item in node.items:
            if isinstance(item, s.Recommendation):
                intervention = context.symbols.interventions.get(item.intervention.text)
                if intervention is not None and intervention.dose is not None:
                    found += _recommended(item, intervention, intervention.dose)
    return found


def _recommended(item: s.Recommendation, intervention: s.Intervention, dose: s.DoseRange) -> list[Diagnostic]:
    name = intervention.name.text
    low, high, unit = _bounds(dose)
    if unit is None or (dose.high is not None and _unit(dose.low) not in (None, unit)):
        return []  # the catalogue's own dose is already reported
    written = "the catalogue's range" if dose.high is not None else "the catalogue's dose"
    span = dose.span
    limits = f"{low} to {high} {unit}" if dose.high is not None else f"{high} {unit}"
    found: list[Diagnostic] = []
    quantities: list[tuple[s.Quantity, str]] = []
    if item.dose is not None:
        # in `100 to 200 mg/day` the unit written last applies to both ends
        quantities += [(item.dose.high or item.dose.low, "dose")]
    if item.titration is not None:
        quantities += [(item.titration.step, "step"), (item.titration.target, "target")]
    wrong_unit = False
    for quantity, role in quantities:
        if quantity.unit is not None and catalogue.lookup(quantity.unit.text) is None:
            wrong_unit = True  # unknown unit: reported by the units pass
        elif _unit(quantity) != unit:
            wrong_unit = True
            written_unit = quantity.unit.text if quantity.unit is not None else "no unit"
            found.append(
                _dose_problem(
                    f"the {role} {quantity_text(quantity)} for `{name}` is in {written_unit}, "
                    f"but the catalogue doses it in {unit}",
                    quantity.span,
                    f"write it in {unit}",
                    span,
                )
            )
    if wrong_unit:
        return found
    if item.dose is not None:
        if item.dose.high is not None and item.dose.low.value > item.dose.high.value:
            found.append(
                _dose_problem(
                    f"the dose range for `{name}` is empty: {quantity_text(item.dose.low)} is more than "
                    f"{quantity_text(item.dose.high)}",
                    item.dose.span,
                    "write the smaller dose first",
                    None,
                )
            )
        ends = [item.dose.low] if item.dose.high is None else [item.dose.low, item.dose.high]
        for quantity in ends:
            below = quantity.value < low and item.titration is None
            if below or quantity.value > high:
                found.append(
                    _dose_problem(
                        f"{quantity.value} {unit} of `{name}` is outside {written} ({limits})",
                        quantity.span,
                        "check the dose against the source, or correct the catalogue's dose",
                        span,
                    )
                )
    titration = item.titration
    if titration is not None:
        target = titration.target
        if target.value > high or target.value < low:
            found.append(
                _dose_problem(
                    f"the titration target {quantity_text(target)} of `{name}` is outside {written} "
                    f"({limits})",
                    target.span,
                    "check the target against the source, or correct the catalogue's dose",
                    span,
                )
            )
        start = item.dose.low if item.dose is not None else None
        if start is not None and target.value < start.value:
            found.append(
                _dose_problem(
                    f"the titration of `{name}` increases to {quantity_text(target)}, below its starting "
                    f"dose {quantity_text(start)}",
                    target.span,
                    "the target of `increasing by ... to` must be at least the starting dose",
                    None,
                )
            )
        if titration.step.value <= 0:
            found.append(
                _dose_problem(
                    f"the titration of `{name}` increases by {quantity_text(titration.step)}",
                    titration.step.span,
                    "the step must be more than zero",
                    None,
                )
            )
    return found
