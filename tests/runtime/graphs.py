"""Hand-built graph dicts (graph-format.md) for the runtime tests.

Small builders keep each test's graph readable; ``tour_graph()`` mirrors
tests/fixtures/tour.fibro and uses every node kind, item kind and op.
"""

from __future__ import annotations

import copy
from typing import Any

from fibrolang.integrity import with_graph_hash

Json = dict[str, Any]

HASH = "sha256:" + "0" * 64


# ---- expressions -------------------------------------------------------------


def const(value: bool | float, unit: str | None = None) -> Json:
    return {"op": "const", "value": value, "unit": unit}


def member(value: str, enum: str) -> Json:
    return {"op": "member", "value": value, "enum": enum}


def set_of(enum: str, *members: str) -> Json:
    return {"op": "set", "members": list(members), "enum": enum}


def inp(name: str) -> Json:
    return {"op": "input", "name": name}


def ref(name: str) -> Json:
    return {"op": "def", "name": name}


def var(name: str) -> Json:
    return {"op": "var", "name": name}


def enum_all(enum: str) -> Json:
    return {"op": "enum", "enum": enum}


def entry(map_: Json, key: Json) -> Json:
    return {"op": "entry", "map": map_, "key": key}


def field(record: Json, name: str) -> Json:
    return {"op": "field", "record": record, "name": name}


def isin(element: Json, collection: Json) -> Json:
    return {"op": "in", "element": element, "collection": collection}


def not_(operand: Json) -> Json:
    return {"op": "not", "operand": operand}


def and_(*operands: Json) -> Json:
    return {"op": "and", "operands": list(operands)}


def or_(*operands: Json) -> Json:
    return {"op": "or", "operands": list(operands)}


def cmp(op: str, left: Json, right: Json) -> Json:
    return {"op": op, "left": left, "right": right}


def arith(op: str, left: Json, right: Json) -> Json:
    return {"op": op, "left": left, "right": right}


def neg(operand: Json) -> Json:
    return {"op": "neg", "operand": operand}


def if_(condition: Json, then: Json, else_: Json) -> Json:
    return {"op": "if", "condition": condition, "then": then, "else": else_}


def quant(kind: str, variable: str, over: Json, where: Json | None) -> Json:
    return {"op": kind, "var": variable, "over": over, "where": where}


def sum_(variable: str, over: Json, body: Json) -> Json:
    return {"op": "sum", "var": variable, "over": over, "body": body}


def count_true(*operands: Json) -> Json:
    return {"op": "count_true", "operands": list(operands)}


def plan(state: str, subject: str | None) -> Json:
    return {"op": state, "subject": subject}


def dose_of(subject: str) -> Json:
    return {"op": "dose", "subject": subject}


# ---- types and declarations ----------------------------------------------------


def boolean() -> Json:
    return {"kind": "boolean"}


def number(
    kind: str = "decimal", unit: str | None = None, low: float | None = None, high: float | None = None
) -> Json:
    return {"kind": kind, "unit": unit, "min": low, "max": high}


def enum_type(enum: str) -> Json:
    return {"kind": "enum", "enum": enum}


def set_type(enum: str) -> Json:
    return {"kind": "set", "enum": enum}


def map_type(key: str, record: str) -> Json:
    return {"kind": "map", "key": key, "record": record}


def _meta() -> Json:
    return {"notes": [], "quote": None, "citations": [], "source": {"line": 1, "column": 1}}


def branch(
    node: str,
    index: int | str,
    guard: Json | None,
    target: str,
    label: str | None = None,
    notes: list[str] | None = None,
) -> Json:
    edge_id = f"{node}/{index}"
    return {"id": edge_id, "guard": guard, "target": target, "label": label, **_meta(), "notes": notes or []}


def decision(node: str, branches: list[Json], question: str | None = None) -> Json:
    return {"kind": "decision", "question": question, "exclusive": False, "branches": branches, **_meta()}


def action(node: str, items: list[Json], target: str, title: str | None = None) -> Json:
    numbered = []
    for index, item in enumerate(items, start=1):
        numbered.append({"id": f"{node}/{index}", "guard": None, **_meta(), **item})
    return {
        "kind": "action",
        "title": title,
        "items": numbered,
        "next": {"id": f"{node}/next", "target": target},
        **_meta(),
    }


def terminal(status: str = "ok", message: str | None = None) -> Json:
    return {"kind": "terminal", "status": status, "message": message, **_meta()}


def recommend(
    intervention: str,
    action_: str = "start",
    dose: Json | None = None,
    titration: Json | None = None,
    guard: Json | None = None,
) -> Json:
    return {
        "kind": "recommend",
        "action": action_,
        "intervention": intervention,
        "dose": dose,
        "titration": titration,
        "guard": guard,
    }


def avoid(intervention: str, reason: str | None = None, guard: Json | None = None) -> Json:
    return {"kind": "avoid", "intervention": intervention, "reason": reason, "guard": guard}


def flag(flag_id: str, text: str | None = None, guard: Json | None = None) -> Json:
    return {"kind": "flag", "flag": flag_id, "text": text, "guard": guard}


def monitor(what: str, text: str | None = None, after: Json | None = None, guard: Json | None = None) -> Json:
    return {"kind": "monitor", "what": what, "text": text, "after": after, "guard": guard}


def drug(label: str, dose: Json | None = None, kind: str = "drug") -> Json:
    return {
        "kind": kind,
        "label": label,
        "class": "antidepressant" if kind == "drug" else None,
        "dose": dose,
        "fda_approved": kind == "drug" or None,
        "evidence": {"level": "Ib", "strength": "A"},
        "effect_sizes": [],
        "contraindications": [],
        "side_effects": [],
        "citations": [1],
        "quote": f"{label} quote",
        "notes": [],
    }


def graph(
    inputs: Json,
    nodes: Json,
    start: str,
    *,
    enums: Json | None = None,
    records: Json | None = None,
    definitions: list[Json] | None = None,
    interventions: Json | None = None,
    invariants: list[Json] | None = None,
) -> Json:
    """A graph document carrying its integrity hash (``graph_hash``), as the compiler
    writes it; a test that changes it afterwards rehashes it (``hashed``)."""
    return hashed(
        {
            "format": "fibrolang-graph/1",
            "guideline": {
                "id": "test",
                "title": "Test",
                "version": "0.1.0",
                "content_hash": HASH,
                "sources": [{"name": "pathway", "file": "x.txt", "date": "2025-01-01"}],
                "citations": {"1": "Reference 1"},
            },
            "enums": enums or {},
            "records": records or {},
            "inputs": {name: {"label": None, "type": kind} for name, kind in inputs.items()},
            "definitions": definitions or [],
            "interventions": interventions or {},
            "start": start,
            "nodes": nodes,
            "invariants": invariants or [],
        }
    )


def hashed(document: Json) -> Json:
    """``document`` with its ``graph_hash`` recomputed (fibrolang.integrity)."""
    return with_graph_hash(document)


def definition(name: str, expr: Json, output: bool = False) -> Json:
    return {"name": name, "label": None, "output": output, "expr": expr, "notes": [], "quote": None}


def invariant(name: str, kind: str, condition: Json) -> Json:
    return {"name": name, "title": name.replace("_", " "), "kind": kind, "condition": condition, **_meta()}


def single_guard(guard: Json, inputs: Json, **extra: Any) -> Json:
    """A one-decision graph: ``yes`` (ok) when ``guard`` holds, else ``no`` (not_applicable)."""
    return graph(
        inputs,
        {
            "check": decision(
                "check", [branch("check", 1, guard, "yes"), branch("check", "otherwise", None, "no")]
            ),
            "yes": terminal("ok"),
            "no": terminal("not_applicable"),
        },
        "check",
        **extra,
    )


# ---- the tour ----------------------------------------------------------------

EGFR = "mL/min/1.73m2"


def tour_graph() -> Json:
    """tests/fixtures/tour.fibro by hand: every node kind, item kind and op."""
    first_line = ref("first_line")
    medications = inp("medications")
    trial = entry(medications, var("a"))
    liver_or_renal = or_(inp("chronic_liver_disease"), cmp("<", inp("egfr"), const(30, EGFR)))
    return copy.deepcopy(
        graph(
            inputs={
                "age": number("integer", "years", 0, 130),
                "egfr": number("decimal", EGFR, 0, 200),
                "chronic_liver_disease": boolean(),
                "pain_score": number("integer", "points", 0, 10),
                "comorbidities": set_type("comorbidity"),
                "medications": map_type("agent", "trial"),
                "preferred": enum_type("agent"),
            },
            enums={
                "agent": {
                    "label": "Medication",
                    "members": ["duloxetine", "pregabalin", "amitriptyline"],
                    "member_labels": {"duloxetine": "Duloxetine"},
                },
                "response": {
                    "label": None,
                    "members": ["adequate", "inadequate", "not_tolerated", "unknown"],
                    "member_labels": {},
                },
                "comorbidity": {
                    "label": None,
                    "members": ["back_pain", "hypertension", "headache"],
                    "member_labels": {"back_pain": "back pain"},
                },
            },
            records={
                "trial": {
                    "label": "Medication trial",
                    "fields": {
                        "daily_dose_mg": number("decimal", "mg/day", 0, 10000),
                        "weeks": number("decimal", "weeks", 0, 520),
                        "response": enum_type("response"),
                        "ongoing": boolean(),
                    },
                }
            },
            definitions=[
                definition("first_line", set_of("agent", "duloxetine", "pregabalin", "amitriptyline")),
                definition(
                    "failed_count",
                    quant(
                        "count",
                        "a",
                        first_line,
                        and_(
                            isin(var("a"), medications),
                            cmp("==", field(trial, "response"), member("inadequate", "response")),
                            cmp(">=", field(trial, "weeks"), const(4, "weeks")),
                        ),
                    ),
                ),
                definition(
                    "severe",
                    and_(cmp(">=", inp("pain_score"), const(7)), cmp("<=", inp("pain_score"), const(10))),
                    output=True,
                ),
                definition(
                    "score",
                    arith(
                        "+",
                        sum_("a", first_line, if_(isin(var("a"), medications), const(1), const(0))),
                        count_true(inp("chronic_liver_disease"), cmp(">", inp("age"), const(40, "years"))),
                    ),
                    output=True,
                ),
                definition("conditions", inp("comorbidities"), output=True),
            ],
            interventions={
                "duloxetine": drug(
                    "Duloxetine", {"min": 60, "max": 60, "unit": "mg/day", "frequency": "once daily"}
                ),
                "pregabalin": drug("Pregabalin"),
                "amitriptyline": drug("Amitriptyline"),
                "exercise": drug("Individually tailored exercise", kind="therapy"),
            },
            invariants=[
                invariant(
                    "no_duloxetine_liver", "never", and_(plan("recommended", "duloxetine"), liver_or_renal)
                ),
                invariant(
                    "exercise_always",
                    "always",
                    and_(plan("recommended", None), not_(plan("avoided", "exercise"))),
                ),
            ],
            start="adult",
            nodes={
                "adult": decision(
                    "adult",
                    [
                        branch(
                            "adult",
                            1,
                            cmp("<", inp("age"), const(18, "years")),
                            "child",
                            notes=["Adults only."],
                        ),
                        branch("adult", "otherwise", None, "plan", label="adult"),
                    ],
                    question="Is the patient an adult?",
                ),
                "child": terminal("not_applicable", "The pathway covers adults only."),
                "plan": action(
                    "plan",
                    [
                        recommend("exercise", "recommend"),
                        recommend(
                            "duloxetine",
                            "start",
                            dose={"min": 60, "max": 60, "unit": "mg/day", "frequency": "once daily"},
                            guard=and_(
                                not_(inp("chronic_liver_disease")), cmp(">=", inp("egfr"), const(30, EGFR))
                            ),
                        ),
                        recommend(
                            "duloxetine",
                            "increase",
                            dose={"min": 60, "max": 60, "unit": "mg/day", "frequency": None},
                            guard=isin(member("duloxetine", "agent"), medications),
                        ),
                        recommend(
                            "duloxetine",
                            "start",
                            dose={"min": 1.5, "max": 1.5, "unit": "mg/day", "frequency": None},
                            titration={
                                "step": 1.5,
                                "every": 2,
                                "every_unit": "weeks",
                                "target": 4.5,
                                "unit": "mg/day",
                            },
                            guard=cmp(">", neg(const(1)), const(2)),
                        ),
                        avoid("pregabalin", "not today"),
                        flag(
                            "ecg_before_tca",
                            "ECG before a tricyclic",
                            guard=and_(
                                cmp(">", inp("age"), const(40, "years")), plan("recommended", "duloxetine")
                            ),
                        ),
                        monitor("response", "Evaluate response", after={"min": 4, "max": 6, "unit": "weeks"}),
                    ],
                    "done",
                    title="Plan",
                ),
                "done": terminal("ok"),
            },
        )
    )
