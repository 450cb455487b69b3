"""Map the ``source`` positions of the decision graph back to spans of the guideline file.

The graph records only where an element starts (line, column); diagnostics
underline the whole element, or better its guard, so the analysis looks the
position up in the syntax tree the graph was lowered from.
"""

from __future__ import annotations

from typing import Any

from compiler.front import syntax as s
from fibrolang.graph import SourcePosition


class SourceMap:
    """Finds syntax-tree elements by the start position the graph gives them."""

    def __init__(self, guideline: s.Guideline | None, file: str = "<graph>") -> None:
        self.file = guideline.span.file if guideline is not None else file
        self.by_position: dict[tuple[int, int], list[Any]] = {}
        self.interventions: dict[str, s.Intervention] = {}
        if guideline is not None:
            self._index(guideline)

    def _index(self, root: object) -> None:
        stack: list[object] = [root]
        while stack:
            node = stack.pop()
            if isinstance(node, tuple):
                stack.extend(node)
                continue
            span = getattr(node, "span", None)
            if not isinstance(span, s.Span) or not hasattr(node, "__dataclass_fields__"):
                continue
            self.by_position.setdefault((span.line, span.column), []).append(node)
            if isinstance(node, s.Intervention):
                self.interventions.setdefault(node.name.text, node)
            stack.extend(getattr(node, name) for name in node.__dataclass_fields__ if name != "span")

    def element(self, source: SourcePosition | None, kind: type | tuple[type, ...]) -> Any:
        if source is None:
            return None
        for node in self.by_position.get((source.line, source.column), []):
            if isinstance(node, kind):
                return node
        return None

    def span(self, source: SourcePosition | None, kind: type | tuple[type, ...] = object) -> s.Span:
        """The span of the element of ``kind`` starting at ``source`` (a point span if none)."""
        found = self.element(source, kind)
        if found is not None:
            span: s.Span = found.span
            return span
        line = source.line if source else 0
        column = source.column if source else 0
        return s.Span(self.file, line, column, line, column + 1)

    def guard_span(self, source: SourcePosition | None, kind: type | tuple[type, ...]) -> s.Span:
        """The span of the guard of a branch or item (the whole element if it has none)."""
        found = self.element(source, kind)
        guard = getattr(found, "guard", None) if found is not None else None
        if guard is not None:
            span: s.Span = guard.span
            return span
        return self.span(source, kind)

    def condition_span(self, source: SourcePosition | None, kind: type) -> s.Span:
        found = self.element(source, kind)
        condition = getattr(found, "condition", None) if found is not None else None
        if condition is not None:
            span: s.Span = condition.span
            return span
        return self.span(source, kind)

    def contraindication_span(self, intervention: str, index: int, fallback: SourcePosition | None) -> s.Span:
        found = self.interventions.get(intervention)
        if found is not None and index < len(found.contraindications):
            return found.contraindications[index].span
        return self.span(fallback, s.Intervention)

    def dose_span(self, source: SourcePosition | None) -> s.Span:
        found = self.element(source, s.Recommendation)
        if found is not None and found.dose is not None:
            span: s.Span = found.dose.span
            return span
        if found is not None and found.titration is not None:
            titration_span: s.Span = found.titration.span
            return titration_span
        return self.span(source, s.Recommendation)


ITEM_KINDS = (s.Recommendation, s.AvoidItem, s.Flag, s.Monitoring)
