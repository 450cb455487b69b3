"""The compiler converts commensurable units where numbers meet, exactly, and the
runtime, z3 and the units algebra agree on the result."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

import fibrolang
from compiler import api
from compiler.check.unit_conversion import commensurable, factor, normal
from compiler.front.parse import SourceText
from fibrolang import unit_algebra


def compile_text(body: str) -> dict[str, Any]:
    text = f'guideline conversion\n  title "Conversion"\n  version "1.0.0"\nend\n\n{body}'
    checked = api.check_source(SourceText("conversion.fibro", text), Path("."))
    assert checked.ok, [(d.code, d.message) for d in checked.diagnostics]
    assert not api.prove(checked), "the analysis finds no problem"
    return api.compile_checked(checked)


def test_the_unit_algebra_multiplies_and_divides_units() -> None:
    assert unit_algebra.quotient("kg", "m2") == "kg/m2"
    assert unit_algebra.product("mg/day", "days") == "mg"
    assert unit_algebra.product("cm", "cm") == "cm2"
    assert unit_algebra.quotient("kg", "kg") is None
    assert unit_algebra.same("mg/kg/day", "mg/days/kg")
    assert unit_algebra.product("points", None) is None  # a counting unit is a plain number


def test_commensurable_units_and_their_exact_factors() -> None:
    assert factor("cm", "m") == Fraction(1, 100)
    assert factor("mL/minutes", "L/hours") == Fraction(3, 50)
    assert factor("days", "weeks") == Fraction(1, 7)
    assert commensurable("mg", "g") and commensurable("mL/min", "L/h")
    assert not commensurable("mg", "mg/day")
    assert not commensurable("months", "days")  # a month has no fixed length
    assert normal("kg/cm2") == "kg/m2" and normal("cm*cm") == "m2"


@pytest.mark.parametrize(
    ("height", "tall"),
    [(175, True), (174.9, False), (180, True)],
)
def test_a_height_in_cm_compares_with_metres(height: float, tall: bool) -> None:
    graph = compile_text(
        'input height "Height": decimal 50 to 250 cm\n'
        'output tall "Tall" = height >= 1.75 m\n'
        "pathway\n  start -> done\n  outcome done ok\nend\n"
    )
    assert fibrolang.load(graph).evaluate({"height": height}).outputs["tall"] is tall


def test_a_clearance_in_ml_per_minute_converts_to_litres_per_hour() -> None:
    graph = compile_text(
        'input clearance "Clearance": decimal 0 to 300 mL/min\n'
        'output low "Low" = clearance < 1.8 L/h\n'
        'output total "Total in mL/min" = clearance + 1.2 L/h\n'
        "pathway\n  start -> done\n  outcome done ok\nend\n"
    )
    guideline = fibrolang.load(graph)
    assert guideline.evaluate({"clearance": 29.9}).outputs["low"] is True
    assert guideline.evaluate({"clearance": 30}).outputs["low"] is False  # 1.8 L/h is 30 mL/min
    assert guideline.evaluate({"clearance": 10}).outputs["total"] == 30  # 1.2 L/h is 20 mL/min


def test_a_daily_dose_times_days_is_a_mass() -> None:
    graph = compile_text(
        'input daily "Daily dose": decimal 0 to 1000 mg/day\n'
        'input days "Days": integer 1 to 365 days\n'
        'output total "Total" = daily * days\n'
        'output over "Over 1 g" = daily * days > 1 g\n'
        "pathway\n  start -> done\n  outcome done ok\nend\n"
    )
    result = fibrolang.load(graph).evaluate({"daily": 60, "days": 20})
    assert result.outputs == {"total": 1200, "over": True}


def test_a_graph_without_mixed_units_is_not_changed() -> None:
    graph = compile_text(
        'input weight "Weight": decimal 1 to 300 kg\n'
        'output heavy "Heavy" = weight > 100 kg\n'
        "pathway\n  start -> done\n  outcome done ok\nend\n"
    )
    assert graph["definitions"][0]["expr"]["right"] == {"op": "const", "value": 100, "unit": "kg"}
