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

from compiler.analysis.encode import JSON
from compiler.analysis.spans import SourceMap
from compiler.diagnostics import catalogue as diag
from compiler.diagnostics.catalogue import Diagnostic, RelatedSpan
from compiler.front.syntax import Intervention


def _amount(value: float, unit: str | None) -> str:
    return f"{value:g} {unit}" if unit else f"{value:g}"


def check_doses(graph: JSON, sources: SourceMap) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    for node in graph["nodes"].values():
        if node["kind"] != "action":
            continue
        for item in node["items"]:
            if item["kind"] != "recommend" or item["action"] == "stop":
                continue
            intervention = graph["interventions"].get(item["intervention"], {})
            declared = intervention.get("dose")
            if declared is None:
                continue
            span = sources.dose_span(item.get("source"))
            related = [
                RelatedSpan(
                    sources.span(intervention.get("source"), Intervention),
                    f"{item['intervention']} is declared at "
                    f"{_amount(declared['min'], None)} to {_amount(declared['max'], declared['unit'])}",
                )
            ]
            low, high, unit = declared["min"], declared["max"], declared["unit"]
            checks: list[tuple[str, float, float, str | None]] = []
            if item.get("dose") is not None and item.get("titration") is None:
                dose = item["dose"]
                checks.append(("dose", dose["min"], dose["max"], dose["unit"]))
            if item.get("titration") is not None:
                titration = item["titration"]
                checks.append(
                    ("titration target", titration["target"], titration["target"], titration["unit"])
                )
                start = item.get("dose")
                if start is not None and start["max"] > titration["target"]:
                    found.append(
                        diag.make(
                            "FIB208",
                            f"the starting dose of {item['intervention']} "
                            f"({_amount(start['max'], start['unit'])}) is above its titration target "
                            f"({_amount(titration['target'], titration['unit'])})",
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
                            f"the {what} of {item['intervention']} is in {dose_unit or 'no unit'}, "
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
                            f"the {what} of {item['intervention']} ({written}) lies outside its declared "
                            f"range ({low:g} to {_amount(high, unit)})",
                            span,
                            hint="correct the dose, or the intervention's declared dose range",
                            related=related,
                        )
                    )
    return found
