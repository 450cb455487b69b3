"""Dose checks: every recommended dose lies within its intervention's declared range and unit.

This needs no solver (doses are constants in the graph), so it also runs
under ``fibrolang check --no-prove``. The rules:

- a recommendation with a dose, of an intervention that declares a dose:
  the same unit (FIB209), and ``declared.min <= dose.min`` and
  ``dose.max <= declared.max`` (FIB208);
- a titration: its target is the maintenance dose and must lie within the
  declared range and unit; the starting dose may lie below the declared
  range (that is what a titration is for) but not above the target;
- a recommendation of an intervention that declares no dose is not checked;
- ``stop`` recommendations carry no dose to check.
"""

from __future__ import annotations

from compiler.analysis.spans import SourceMap
from compiler.diagnostics import catalogue as diag
from compiler.diagnostics.catalogue import Diagnostic, RelatedSpan
from compiler.front.syntax import Intervention
from fibrolang.graph import ActionNode, Graph, RecommendItem


def _amount(value: float, unit: str | None) -> str:
    return f"{value:g} {unit}" if unit else f"{value:g}"


def check_doses(graph: Graph, sources: SourceMap) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    interventions = {intervention.id: intervention for intervention in graph.interventions}
    for node in graph.nodes:
        if not isinstance(node, ActionNode):
            continue
        for item in node.items:
            if not isinstance(item, RecommendItem) or item.action == "stop":
                continue
            intervention = interventions.get(item.intervention)
            declared = intervention.dose if intervention is not None else None
            if intervention is None or declared is None:
                continue
            span = sources.dose_span(item.trace.source)
            related = [
                RelatedSpan(
                    sources.span(intervention.source, Intervention),
                    f"{item.intervention} is declared at "
                    f"{_amount(declared.minimum, None)} to {_amount(declared.maximum, declared.unit)}",
                )
            ]
            low, high, unit = declared.minimum, declared.maximum, declared.unit
            checks: list[tuple[str, float, float, str | None]] = []
            if item.dose is not None and item.titration is None:
                dose = item.dose
                checks.append(("dose", dose.minimum, dose.maximum, dose.unit))
            if item.titration is not None:
                titration = item.titration
                checks.append(("titration target", titration.target, titration.target, titration.unit))
                start = item.dose
                if start is not None and start.maximum > titration.target:
                    found.append(
                        diag.make(
                            "FIB208",
                            f"the starting dose of {item.intervention} "
                            f"({_amount(start.maximum, start.unit)}) is above its titration target "
                            f"({_amount(titration.target, titration.unit)})",
                            span,
                            hint="a titration starts at or below its target",
                            related=related,
                        )
                    )
            for what, dose_low, dose_high, dose_unit in checks:
                if dose_unit != unit:
                    found.append(
                        diag.make(
                            "FIB209",
                            f"the {what} of {item.intervention} is in {dose_unit or 'no unit'}, "
                            f"but the intervention's dose is declared in {unit or 'no unit'}",
                            span,
                            hint="write the dose in the declared unit",
                            related=related,
                        )
                    )
                elif dose_low < low or dose_high > high:
                    written = (
                        _amount(dose_high, dose_unit)
                        if dose_low == dose_high
                        else f"{dose_low:g} to {_amount(dose_high, dose_unit)}"
                    )
                    found.append(
                        diag.make(
                            "FIB208",
                            f"the {what} of {item.intervention} ({written}) lies outside its declared "
                            f"range ({low:g} to {_amount(high, unit)})",
                            span,
                            hint="correct the dose, or the intervention's declared dose range",
                            related=related,
                        )
                    )
    return found
