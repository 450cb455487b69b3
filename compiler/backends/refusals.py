"""What each compile target does not yet express, in one place.

The runtime (``fibrolang.load``) evaluates every construct of the language. A compile
target that lacks one refuses the guideline at compile time, naming every construct it
lacks and where the guideline uses it, rather than give results that differ from the
runtime's. ``LIMITS`` is the whole list: a target that gains a construct drops it here,
and the differential tests of that target then cover it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from fibrolang.graph import DateType, Graph
from fibrolang.unset import outputs_that_may_be_unset


@dataclass(frozen=True, slots=True)
class Construct:
    """A construct of the language, how a reader recognises it, and where a graph uses it."""

    name: str  # "dates"
    spelling: str  # "`date` inputs"
    uses: Callable[[Graph], list[str]]


def _defaulted_inputs(graph: Graph) -> list[str]:
    return [declared.name for declared in graph.inputs if declared.default is not None]


def _date_inputs(graph: Graph) -> list[str]:
    dated = [declared.name for declared in graph.inputs if isinstance(declared.type, DateType)]
    dated += [
        f"{record.name}.{field.name}"
        for record in graph.records
        for field in record.fields
        if isinstance(field.type, DateType)
    ]
    return dated


def _unset_outputs(graph: Graph) -> list[str]:
    return sorted(outputs_that_may_be_unset(graph))


DEFAULTS = Construct("defaults for absent facts", "`default ... when absent` on", _defaulted_inputs)
DATES = Construct("dates", "`date` inputs:", _date_inputs)
UNSET_OUTPUTS = Construct("outputs that may be unset", "`unset`:", _unset_outputs)

LIMITS: dict[str, tuple[Construct, ...]] = {
    # The Python target does not carry the runtime's list of assumed facts (Result.assumed).
    "Python": (DEFAULTS,),
    # SQL has no calendar arithmetic of the runtime's kind, no list of assumed facts, and
    # one column per output in which "unset by design" and "unknown" (NULL) would be one.
    "SQL": (DEFAULTS, DATES, UNSET_OUTPUTS),
}
"""The constructs each compile target refuses; the runtime refuses none."""


@dataclass(frozen=True, slots=True)
class Unsupported:
    """A construct a target lacks and the names of the guideline that use it."""

    construct: Construct
    names: tuple[str, ...]

    def words(self) -> str:
        return f"{self.construct.name} ({self.construct.spelling} {', '.join(self.names)})"


def unsupported(graph: Graph, target: str) -> list[Unsupported]:
    """Every construct ``target`` lacks that the guideline uses, in ``LIMITS`` order."""
    found = []
    for construct in LIMITS[target]:
        names = construct.uses(graph)
        if names:
            found.append(Unsupported(construct, tuple(names)))
    return found


def _listed(parts: Sequence[str], conjunction: str = "and") -> str:
    if len(parts) == 1:
        return parts[0]
    return f"{', '.join(parts[:-1])} {conjunction} {parts[-1]}"


def refusal(graph: Graph, target: str) -> str | None:
    """One sentence naming everything ``target`` cannot compile in the guideline, or None.

    It ends with what can evaluate the guideline instead: the runtime, and every other
    target that lacks none of the constructs found."""
    found = unsupported(graph, target)
    if not found:
        return None
    lacking = {item.construct for item in found}
    others = [
        f"the {other} target"
        for other, limits in LIMITS.items()
        if other != target and not lacking.intersection(limits)
    ]
    instead = _listed(["the runtime (fibrolang.load)", *others], "or")
    return (
        f"the {target} target does not yet support {_listed([item.words() for item in found])}; "
        f"evaluate this guideline with {instead}"
    )
