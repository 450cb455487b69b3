"""The graph JSON backend: canonical bytes for a decision graph.

Canonical means sorted keys, two-space indentation, UTF-8 without escaping,
one final newline: the same graph always gives the same bytes. It is the text
the integrity hash is taken over (``fibrolang.integrity.canonical_text``, the one
definition); a typed graph is written as its document by
``fibrolang.graph_writer.write_graph`` first.
"""

from __future__ import annotations

from typing import Any

from fibrolang.integrity import canonical_text


def dumps(graph: dict[str, Any]) -> str:
    return canonical_text(graph)
