"""Evaluate one expression or one guard in a throwaway graph."""

from __future__ import annotations

from typing import Any

import graphs as g

import fibrolang

ENUMS: dict[str, dict[str, Any]] = {
    "agent": {"label": None, "members": ["duloxetine", "pregabalin", "amitriptyline"], "member_labels": {}},
    "response": {"label": None, "members": ["adequate", "inadequate"], "member_labels": {}},
}
RECORDS = {
    "trial": {
        "label": None,
        "fields": {
            "weeks": g.number("decimal", "weeks", 0, 520),
            "response": g.enum_type("response"),
            "ongoing": g.boolean(),
        },
    }
}
INPUTS = {
    "p": g.boolean(),
    "q": g.boolean(),
    "r": g.boolean(),
    "x": g.number("decimal"),
    "y": g.number("decimal"),
    "n": g.number("integer", None, 0, 100),
    "agent": g.enum_type("agent"),
    "agents": g.set_type("agent"),
    "medications": g.map_type("agent", "trial"),
    "egfr": g.number("decimal", g.EGFR, 0, 200),
}


def value(expr: g.Json, patient: dict[str, Any]) -> Any:
    """The value of ``expr`` as an output (None when unknown)."""
    document = g.graph(
        INPUTS,
        {"end": g.terminal()},
        "end",
        enums=ENUMS,
        records=RECORDS,
        definitions=[g.definition("value", expr, output=True)],
    )
    return fibrolang.load(document).evaluate(patient).outputs["value"]


def decide(guard: g.Json, patient: dict[str, Any]) -> fibrolang.Result:
    """Evaluate a one-decision graph whose only guard is ``guard``."""
    document = g.single_guard(guard, INPUTS, enums=ENUMS, records=RECORDS)
    return fibrolang.load(document).evaluate(patient)


def truth(guard: g.Json, patient: dict[str, Any]) -> bool | None:
    result = decide(guard, patient)
    return {"ok": True, "not_applicable": False, "insufficient_data": None}[result.status]
