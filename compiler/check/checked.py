"""What the checker hands to lowering: a guideline it accepted, with its resolution.

A ``CheckedGuideline`` exists only for a guideline whose check found no error
(``accept``), so a function that takes one (``compiler.lower.lower``) cannot be
called on a guideline that failed the checker. It carries the checker's own
namespaces (``symbols.py``) and typed model (``model.py``): which declaration a
name is, what each name in an expression resolved to (variable, input,
definition, enumeration, member of which enumeration), and the type and unit of
each expression, keyed by the identity of the syntax nodes of ``guideline``.
Lowering reads them and works none of them out again.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from compiler.check.context import Context
from compiler.check.model import Model
from compiler.check.symbols import Symbols
from compiler.diagnostics import catalogue as diag
from compiler.diagnostics.catalogue import Diagnostic
from compiler.front import syntax as s

_ACCEPTED = object()


@dataclass(frozen=True)
class CheckedGuideline:
    """A guideline the checker accepted, and the checker's resolution of it."""

    guideline: s.Guideline
    symbols: Symbols
    model: Model
    _accepted: object = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self._accepted is not _ACCEPTED:
            raise TypeError("only the checker makes a CheckedGuideline (compiler.check.checked.accept)")


def accept(context: Context, diagnostics: list[Diagnostic]) -> CheckedGuideline | None:
    """The guideline the checker checked in ``context``, or None when ``diagnostics``
    (every problem found in it, not only the checker's) hold an error."""
    if diag.has_errors(diagnostics):
        return None
    return CheckedGuideline(context.guideline, context.symbols, context.model, _ACCEPTED)
