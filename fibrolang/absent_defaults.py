"""Defaults for absent facts: ``input cough: boolean default false when absent``.

A guideline may say which value an absent fact is assumed to have. The
assumption is never silent: a result lists every input whose value was
assumed (``Result.assumed``, docs/result-format.md), and the flowchart shows
the default next to the input. A fact the record gives, even as the default's
own value, is not assumed; ``null`` is absence, as everywhere else.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from fibrolang.graph import EnumType, Graph, NumberType
from fibrolang.result import Result


class AbsentDefaults:
    """The declared defaults of one guideline, applied to validated inputs."""

    __slots__ = ("defaults",)

    def __init__(self, graph: Graph) -> None:
        self.defaults: tuple[tuple[str, Any], ...] = tuple(
            (declared.name, declared.default) for declared in graph.inputs if declared.default is not None
        )

    def __bool__(self) -> bool:
        return bool(self.defaults)

    def fill(self, inputs: Mapping[str, Any]) -> tuple[dict[str, Any], tuple[str, ...]]:
        """The inputs with each absent defaulted fact filled in, and the names filled (sorted)."""
        filled = dict(inputs)
        assumed: list[str] = []
        for name, value in self.defaults:
            if filled.get(name) is None:
                filled[name] = value
                assumed.append(name)
        return filled, tuple(sorted(assumed))


def assumed_line(graph: Graph, result: Result) -> str | None:
    """``Assumed (not recorded): On supplemental oxygen = no``, for ``explain``; None when
    nothing was assumed."""
    if not result.assumed:
        return None
    declared = {item.name: item for item in graph.inputs}
    enums = {enum.name: enum for enum in graph.enums}
    shown = []
    for name in result.assumed:
        item = declared.get(name)
        if item is None:
            shown.append(name)
            continue
        value = item.default
        if isinstance(value, bool):
            words = "yes" if value else "no"
        elif isinstance(item.type, EnumType) and item.type.enum in enums and isinstance(value, str):
            words = enums[item.type.enum].label_of(value)
        elif isinstance(item.type, NumberType) and item.type.unit:
            words = f"{value} {item.type.unit}"
        else:
            words = str(value)
        shown.append(f"{item.label or name} = {words}")
    return f"Assumed (not recorded): {'; '.join(shown)}"


def with_assumed(result: Result, assumed: tuple[str, ...]) -> Result:
    """The result, saying which facts were assumed (the same object when none was)."""
    return dataclasses.replace(result, assumed=assumed) if assumed else result
