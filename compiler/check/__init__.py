"""The semantic checker: names, types, units, ranges, traceability and the
shape of the pathway, each in its own module, run in the order of ``PASSES``.

Every pass is a function ``(guideline, context) -> list[Diagnostic]``; all
passes run, whatever the earlier ones found, and the diagnostics come back
sorted and without duplicates (``diagnostics.arrange``). Passes read the
shared typed model (``model.py``), which gives anything already wrong the
type ``Unknown`` so that one mistake is reported once.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from compiler.check.bindings import check_bindings
from compiler.check.cards import check_cards
from compiler.check.context import Context, make_context
from compiler.check.dates import check_dates
from compiler.check.declared_units import check_unit_declarations
from compiler.check.defaults import check_defaults
from compiler.check.division import check_division
from compiler.check.expressions import walks_remembered
from compiler.check.header import check_header
from compiler.check.names import check_names
from compiler.check.ordinals import check_ordinals
from compiler.check.ranges import check_ranges
from compiler.check.structure import check_structure
from compiler.check.tables import check_tables
from compiler.check.text import check_text
from compiler.check.traceability import check_traceability
from compiler.check.types import check_types
from compiler.check.units import check_units
from compiler.check.unset import check_unset
from compiler.diagnostics import catalogue as diag
from compiler.diagnostics.catalogue import Diagnostic
from compiler.front import syntax as s

Pass = Callable[[s.Guideline, Context], list[Diagnostic]]

PASSES: tuple[Pass, ...] = (
    check_header,
    check_names,
    check_types,
    check_units,
    check_ranges,
    check_traceability,
    check_structure,
    check_bindings,
    check_cards,
    check_ordinals,
    check_defaults,
    check_unit_declarations,
    check_tables,
    check_unset,
    check_division,
    check_dates,
    check_text,
)


def check_guideline(guideline: s.Guideline, base_dir: Path) -> list[Diagnostic]:
    """Every problem the checker finds in a parsed guideline, in a stable order."""
    return check_in_context(guideline, base_dir)[0]


def check_in_context(guideline: s.Guideline, base_dir: Path) -> tuple[list[Diagnostic], Context]:
    """Every problem the checker finds, and the context it found them in: the namespaces
    and typed model that ``checked.accept`` hands on to lowering when there is no error."""
    with walks_remembered():
        context = make_context(guideline, base_dir)
        found: list[Diagnostic] = []
        for check in PASSES:
            found.extend(check(guideline, context))
    return diag.arrange(found), context


__all__ = ["PASSES", "Context", "check_guideline", "check_in_context"]
