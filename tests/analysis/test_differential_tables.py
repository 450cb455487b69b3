"""The z3 encoding of lookup tables and outputs unset by design agrees with the runtime
(issue 20): for every complete patient of the news2-oxygen fixture, and for patients at and
around every threshold of ckd-staging (its follow-up table of texts too), each output's
encoded value (and whether it is set) is the value the runtime gives."""

from __future__ import annotations

import itertools
import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import z3

import fibrolang
from compiler import api
from compiler.analysis.encode import Plan, Sym
from compiler.analysis.paths import PathConditions
from compiler.analysis.solve import Prover
from compiler.analysis.witnesses import patient_constraints
from fibrolang import read_graph

FIXTURES = Path(__file__).resolve().parents[2] / "tests" / "fixtures"


@cache
def _setup(name: str) -> tuple[dict[str, Any], PathConditions, Prover, list[tuple[str, Sym]]]:
    graph: dict[str, Any] = json.loads(json.dumps(api.compile_file(FIXTURES / f"{name}.fibro")))
    paths = PathConditions(read_graph(graph))
    empty = Plan.empty(paths.interventions, paths.flags)
    outputs = [(d.name, paths.encoder.expr(d.expr, empty, {})) for d in paths.graph.definitions if d.output]
    return graph, paths, Prover(paths), outputs


def _encoded(name: str, patient: dict[str, Any]) -> dict[str, Any]:
    graph, paths, prover, outputs = _setup(name)
    model = prover.decide(*patient_constraints(paths, patient)).model
    shown: dict[str, Any] = {}
    for output, sym in outputs:
        if not z3.is_true(model.eval(sym.known, True)):
            shown[output] = None
        elif z3.is_true(model.eval(sym.unset, True)):
            continue  # left out of the result, as the runtime does
        elif sym.kind == "member":
            index = model.eval(sym.value, True).as_long()
            shown[output] = graph["enums"][sym.enum]["members"][index]
        elif sym.kind == "text":  # a z3 string: characters past Latin-1 come back as \u{...}
            written = model.eval(sym.value, True).as_string()
            shown[output] = re.sub(r"\\u\{([0-9a-f]+)\}", lambda m: chr(int(m.group(1), 16)), written)
        else:
            value = model.eval(sym.value, True)
            shown[output] = value.as_long() if z3.is_int_value(value) else float(value.as_fraction())
    return shown


def _check(name: str, patient: dict[str, Any]) -> None:
    graph, *_ = _setup(name)
    runtime = fibrolang.load(graph).evaluate(patient).to_dict()["outputs"]
    assert _encoded(name, patient) == runtime, patient


def test_news2_every_complete_patient() -> None:
    for spo2, breathing, hypercapnic in itertools.product(range(50, 101), ("air", "oxygen"), (False, True)):
        _check("news2-oxygen", {"spo2": spo2, "breathing": breathing, "hypercapnic": hypercapnic})


@pytest.mark.parametrize("egfr", [0, 14.9, 15, 29.9, 30, 44.9, 45, 59.9, 60, 89.9, 90, 200])
def test_ckd_staging_around_every_threshold(egfr: float) -> None:
    for acr in (0, 2.9, 3, 30, 30.1, 2000):
        _check("ckd-staging", {"egfr": egfr, "acr": acr})
