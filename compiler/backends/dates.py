"""What the compile targets say about dates (``input birth_date: date``).

The runtime reads a date as its ``YYYY-MM-DD`` text and counts whole years,
months, weeks or days between two dates (fibrolang/dates.py); so does the Python
target (compiler/backends/python/dates.py). The SQL target does not carry that
calendar logic yet, so it refuses a guideline with a date input at compile time,
naming the inputs, rather than compare dates some other way.
"""

from __future__ import annotations

from fibrolang.graph import DateType, Graph


def refusal(graph: Graph, target: str) -> str | None:
    """Why ``target`` cannot compile the guideline (its date inputs and fields), or None."""
    dated = [declared.name for declared in graph.inputs if isinstance(declared.type, DateType)]
    dated += [
        f"{record.name}.{field.name}"
        for record in graph.records
        for field in record.fields
        if isinstance(field.type, DateType)
    ]
    if not dated:
        return None
    return (
        f"the {target} target does not yet support dates (`date` inputs: {', '.join(dated)}): "
        "use the runtime (fibrolang.load), which counts whole years, months, weeks and days between dates"
    )
