"""Compact results read back: a row of bit words and the dictionary give the full result row.

The compact form of the query (``sql_query(..., form="compact")``) returns each result list
(missing facts, recommendations, avoid, flags, monitoring, path) as BIGINT columns
``<list>_bits<n>``; bit ``b`` of a column stands for the dictionary entry of that column and
bit (``query.result_dictionary``). ``decoded`` gives the row the full form returns for it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from compiler.backends.sql.query import DictionaryEntry

LISTS = ("missing", "recommendations", "avoid", "flags", "monitoring", "path")


def decoded(row: Mapping[str, Any], dictionary: list[DictionaryEntry]) -> dict[str, Any]:
    """The full result row of a compact row (the list columns decoded, in their order)."""
    lists: dict[str, list[tuple[int, Any]]] = {name: [] for name in LISTS}
    for described in dictionary:
        word = row[described.column]
        if word is not None and (int(word) >> described.bit) & 1:
            lists[described.result_list].append((described.position, _value(described)))
    full: dict[str, Any] = {"patient_id": row["patient_id"], "status": row["status"]}
    for name in LISTS[:-1]:
        full[name] = [value for _position, value in sorted(lists[name], key=lambda p: p[0])]
    full["outputs"] = row["outputs"]
    full["path"] = [value for _position, value in sorted(lists["path"], key=lambda p: p[0])]
    return full


def _value(described: DictionaryEntry) -> Any:
    item = described.entry.item
    if described.result_list != "recommendations" or item is None:
        return described.entry.value
    dose, titration = item.dose, item.titration
    return {
        "item": item.id,
        "intervention": item.intervention,
        "action": item.action,
        "dose_min": _float(dose.minimum) if dose else None,
        "dose_max": _float(dose.maximum) if dose else None,
        "dose_unit": dose.unit if dose else None,
        "dose_frequency": dose.frequency if dose else None,
        "titration_step": _float(titration.step) if titration else None,
        "titration_every": _float(titration.every) if titration else None,
        "titration_every_unit": titration.every_unit if titration else None,
        "titration_target": _float(titration.target) if titration else None,
    }


def _float(value: float | None) -> float | None:
    return None if value is None else float(value)
