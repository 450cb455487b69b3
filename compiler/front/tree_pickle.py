"""What a pickled syntax tree may build when it is read back (``compiler.parse_cache``'s
entries and ``compiler.front.incremental``'s pieces): the syntax tree's classes, the
diagnostics' and ``Decimal``; any other global ends the read."""

from __future__ import annotations

import pickle
from decimal import Decimal

from compiler.diagnostics import catalogue
from compiler.front import syntax

ALLOWED: dict[tuple[str, str], type] = {
    **{
        (syntax.__name__, name): value
        for name, value in vars(syntax).items()
        if isinstance(value, type) and value.__module__ == syntax.__name__
    },
    (catalogue.__name__, "Diagnostic"): catalogue.Diagnostic,
    (catalogue.__name__, "RelatedSpan"): catalogue.RelatedSpan,
    ("decimal", "Decimal"): Decimal,
}


class SyntaxUnpickler(pickle.Unpickler):
    """Builds only what ``ALLOWED`` names; any other global ends the read."""

    def find_class(self, module: str, name: str) -> type:
        try:
            return ALLOWED[(module, name)]
        except KeyError:
            raise pickle.UnpicklingError(f"{module}.{name} is not part of a syntax tree") from None
