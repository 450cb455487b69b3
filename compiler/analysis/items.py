"""What an action item adds to a plan, without its wording: one stable JSON string.

Two items with the same content add the same entry to a plan (the runtime keeps one of
identical entries), whatever their ids, guards, traceability or words (a flag's text, an
avoid item's reason). The string is the item's graph JSON (docs/graph-format.md) less
those keys, with sorted keys, so it reads as the graph file does.
"""

from __future__ import annotations

import json
from typing import Any

from fibrolang.graph import ActionItem, AvoidItem, FlagItem, RecommendItem


def item_content(item: ActionItem) -> str:
    """The content of an action item (module docstring)."""
    content: dict[str, Any]
    if isinstance(item, RecommendItem):
        dose, titration = item.dose, item.titration
        content = {
            "action": item.action,
            "dose": None
            if dose is None
            else {"frequency": dose.frequency, "max": dose.maximum, "min": dose.minimum, "unit": dose.unit},
            "intervention": item.intervention,
            "kind": "recommend",
            "titration": None
            if titration is None
            else {
                "every": titration.every,
                "every_unit": titration.every_unit,
                "step": titration.step,
                "target": titration.target,
                "unit": titration.unit,
            },
        }
    elif isinstance(item, AvoidItem):
        content = {"intervention": item.intervention, "kind": "avoid"}
    elif isinstance(item, FlagItem):
        content = {"flag": item.flag, "kind": "flag"}
    else:
        after = item.after
        period = None if after is None else {"max": after.maximum, "min": after.minimum, "unit": after.unit}
        content = {"after": period, "kind": "monitor", "what": item.what}
    return json.dumps(content, sort_keys=True)
