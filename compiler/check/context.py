"""What every check pass receives besides the guideline: where the guideline
lives (to read its sources), its namespaces and its typed model (and the
guideline they describe, for ``checked.accept``)."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from compiler.check.model import Model, build_model
from compiler.check.symbols import Symbols, collect
from compiler.front import syntax as s


@dataclass
class Context:
    base_dir: Path
    symbols: Symbols
    model: Model
    guideline: s.Guideline  # the tree ``model`` is keyed by


def make_context(guideline: s.Guideline, base_dir: Path) -> Context:
    symbols = collect(guideline)
    return Context(base_dir, symbols, build_model(guideline, symbols), guideline)


def did_you_mean(name: str, candidates: Iterable[str]) -> str | None:
    """``did you mean `x`?`` for the closest candidate, or None."""
    unique = sorted(set(candidates) - {name})
    matches = difflib.get_close_matches(name, unique, n=1, cutoff=0.6)
    if not matches:
        lowered = {c.lower(): c for c in unique}
        if name.lower() in lowered:
            matches = [lowered[name.lower()]]
    return f"did you mean `{matches[0]}`?" if matches else None
