"""What the compile targets say about defaults for absent facts (``default V when absent``).

The runtime fills an absent defaulted fact and lists it in ``Result.assumed``
(fibrolang/absent_defaults.py). The Python and SQL targets do not carry that
list yet, so they refuse such a guideline at compile time, naming the inputs,
rather than give results that hide an assumption. Ordinal scores need nothing
here: ``points of`` is lowered to ``if`` and every target reads it.
"""

from __future__ import annotations

from fibrolang.graph import Graph


def refusal(graph: Graph, target: str) -> str | None:
    """Why ``target`` cannot compile the guideline (its defaulted inputs), or None."""
    defaulted = [declared.name for declared in graph.inputs if declared.default is not None]
    if not defaulted:
        return None
    return (
        f"the {target} target does not yet support defaults for absent facts "
        f"(`default ... when absent` on {', '.join(defaulted)}): use the runtime (fibrolang.load), "
        "whose results list the assumed facts"
    )
