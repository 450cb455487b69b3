"""The graph JSON backend: canonical bytes for a decision graph.

Canonical means sorted keys, two-space indentation, UTF-8 without escaping,
one final newline: the same graph always gives the same bytes.
"""

from __future__ import annotations

import json
from typing import Any


def dumps(graph: dict[str, Any]) -> str:
    return json.dumps(graph, sort_keys=True, indent=2, ensure_ascii=False) + "\n"
