"""Defaults for absent facts: ``input cough: boolean default false when absent`` (FIB161).

A default is a literal of the input's own type: ``true``/``false`` for a
yes/no input, a number in the input's unit and range (a whole number for an
integer input) or a member of the input's enumeration. Sets, maps and records
take no default: what an absent list means is for the guideline to say.
"""

from __future__ import annotations

from compiler.check import unit_catalogue as units
from compiler.check.context import Context
from compiler.check.expressions import quantity_text
from compiler.diagnostics import catalogue as diag
from compiler.diagnostics.catalogue import Diagnostic
from compiler.front import syntax as s


def check_defaults(guideline: s.Guideline, context: Context) -> list[Diagnostic]:
    symbols = context.model.symbols
    found: list[Diagnostic] = []
    for declared in guideline.declarations:
        if not isinstance(declared, s.Input) or declared.default is None:
            continue
        problem = _misfit(declared.type, declared.default.value, symbols.enums, symbols.units)
        if problem is not None:
            message, hint = problem
            found.append(
                diag.make(
                    "FIB161",
                    f"the default of `{declared.name.text}` {message}",
                    declared.default.value.span,
                    hint=hint,
                )
            )
    return found


def _misfit(
    type_: s.TypeExpr,
    value: s.BooleanLiteral | s.NumberLiteral | s.Reference,
    enums: dict[str, s.Enumeration],
    declared_units: dict[str, units.Unit],
) -> tuple[str, str] | None:
    """What is wrong with ``value`` as a default of ``type_`` (message, hint), or None."""
    if isinstance(type_, s.BooleanType):
        if isinstance(value, s.BooleanLiteral):
            return None
        return "must be `true` or `false` (the input is yes/no)", "write `default false when absent`"
    if isinstance(type_, s.NumberType):
        return _number_misfit(type_, value, declared_units)
    if isinstance(type_, s.NamedType) and type_.name.text in enums:
        members = [m.name.text for m in enums[type_.name.text].members]
        if isinstance(value, s.Reference) and value.name.text in members:
            return None
        return (
            f"must be a member of `{type_.name.text}`",
            "one of " + ", ".join(f"`{m}`" for m in members),
        )
    return (
        "is not allowed: only yes/no, number and enumeration inputs take a default",
        "remove the default and say in the pathway what an absent value means",
    )


def _number_misfit(
    type_: s.NumberType, value: s.Expr, declared_units: dict[str, units.Unit]
) -> tuple[str, str] | None:
    if not isinstance(value, s.NumberLiteral):
        return "must be a number (the input is a number)", "write e.g. `default 0 when absent`"
    quantity = value.quantity
    declared = units.canonical(type_.unit.text, declared_units) if type_.unit is not None else None
    written = units.canonical(quantity.unit.text, declared_units) if quantity.unit is not None else None
    if quantity.unit is not None and written is None:
        return f"is in `{quantity.unit.text}`, which is not a known unit", "write the input's own unit"
    if type_.unit is not None and declared is None:
        return None  # an unknown unit: reported by the units pass
    if not units.compatible(declared, written):
        return (
            f"(`{quantity_text(quantity)}`) is not in the input's unit ({_unit_words(type_)})",
            "write the default in the input's own unit",
        )
    if type_.integer and quantity.value != quantity.value.to_integral_value():
        return f"(`{quantity_text(quantity)}`) is not a whole number (the input is an integer)", "round it"
    if (type_.low is not None and quantity.value < type_.low) or (
        type_.high is not None and quantity.value > type_.high
    ):
        return (
            f"(`{quantity_text(quantity)}`) is outside the input's range {type_.low} to {type_.high}",
            "a default must be a value the input may take",
        )
    return None


def _unit_words(type_: s.NumberType) -> str:
    return type_.unit.text if type_.unit is not None else "no unit"
