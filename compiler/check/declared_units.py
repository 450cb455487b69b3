"""Units a guideline declares (``unit drinks/week "..." dimension "alcohol intake"``): FIB162.

A guideline may declare a unit the catalogue (``compiler/check/unit_catalogue.py``) lacks, with its
dimension in plain words and, optionally, what one of it is in a catalogue unit
(``= 0.239 kcal/day``). Once declared, the unit is known to every other check of that
guideline (``Symbols.units``): equal units meet, different ones are FIB104 with the
declared dimension in the message. A declaration is wrong when the catalogue already
has the unit, when it repeats an earlier one, or when its conversion is not to a
catalogue unit of the same dimension, or is zero. fibrolang does not convert with it:
the conversion is recorded and checked, for the conversions of issue 13 to use.
"""

from __future__ import annotations

from compiler.check import unit_catalogue as units
from compiler.check.context import Context
from compiler.diagnostics import catalogue as diag
from compiler.diagnostics.catalogue import Diagnostic
from compiler.front import syntax as s


def check_unit_declarations(guideline: s.Guideline, context: Context) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    seen: set[str] = set()
    for declaration in guideline.declarations:
        if not isinstance(declaration, s.UnitDeclaration):
            continue
        name = declaration.unit.text
        known = units.lookup(name)
        if known is not None:
            found.append(
                _invalid(
                    f"the catalogue already has the unit `{name}` ({known.dimension})",
                    declaration.unit.span,
                    f"remove the declaration and write `{known.name}`",
                )
            )
            continue
        if name in seen:
            found.append(
                _invalid(f"the unit `{name}` is declared twice", declaration.unit.span, "remove one")
            )
            continue
        seen.add(name)
        if declaration.conversion is not None:
            found += _conversion(declaration, declaration.conversion)
    return found


def _conversion(declaration: s.UnitDeclaration, conversion: s.Quantity) -> list[Diagnostic]:
    name = declaration.unit.text
    target = units.lookup(conversion.unit.text) if conversion.unit is not None else None
    if target is None:
        written = f"`{conversion.unit.text}`" if conversion.unit is not None else "a number without a unit"
        return [
            _invalid(
                f"the unit `{name}` converts to {written}, which is not a catalogue unit",
                conversion.span,
                "convert to a unit of the catalogue (docs/diagnostics.md, FIB105, lists them)",
            )
        ]
    if conversion.value == 0:
        return [_invalid(f"one `{name}` cannot be 0 {target.name}", conversion.span, "give the factor")]
    if target.dimension != declaration.dimension.value:
        return [
            _invalid(
                f"the unit `{name}` measures {declaration.dimension.value}, but `{target.name}` "
                f"measures {target.dimension}",
                conversion.span,
                f'declare it with dimension "{target.dimension}", or convert to a unit of that dimension',
            )
        ]
    return []


def _invalid(message: str, span: s.Span, hint: str) -> Diagnostic:
    return diag.make("FIB162", message, span, hint=hint)
