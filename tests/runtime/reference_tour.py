"""The tour guideline (graphs.tour_graph) written by hand, as the benchmark's yardstick.

Plain Python a developer would write: None for unknown, the same decisions,
items, invariants and outputs, returning a small dict. It does not validate.
"""

from __future__ import annotations

from typing import Any

FIRST_LINE = ("duloxetine", "pregabalin", "amitriptyline")


def _number(value: Any) -> Any:
    return value["value"] if isinstance(value, dict) else value


def evaluate_tour(patient: dict[str, Any]) -> dict[str, Any]:
    age = _number(patient.get("age"))
    egfr = _number(patient.get("egfr"))
    liver = patient.get("chronic_liver_disease")
    pain = _number(patient.get("pain_score"))
    medications = patient.get("medications")
    outputs = {
        "severe": None if pain is None else 7 <= pain <= 10,
        "score": None
        if medications is None or liver is None or age is None
        else sum(1 for agent in FIRST_LINE if agent in medications) + (liver is True) + (age > 40),
        "conditions": patient.get("comorbidities"),
    }
    if age is None:
        return {"status": "insufficient_data", "missing": ["age"], "outputs": outputs}
    if age < 18:
        return {"status": "not_applicable", "outputs": outputs}
    recommendations = [("recommend", "exercise")]
    if liver is True or (egfr is not None and egfr < 30):
        pass
    elif liver is None or egfr is None:
        missing = [
            name for name, value in (("chronic_liver_disease", liver), ("egfr", egfr)) if value is None
        ]
        return {"status": "insufficient_data", "missing": missing, "outputs": outputs}
    else:
        recommendations.append(("start", "duloxetine"))
    if medications is None:
        return {"status": "insufficient_data", "missing": ["medications"], "outputs": outputs}
    if "duloxetine" in medications:
        recommendations.append(("increase", "duloxetine"))
    duloxetine = any(name == "duloxetine" for _, name in recommendations)
    flags = ["ecg_before_tca"] if age > 40 and duloxetine else []
    if duloxetine and (liver is True or (egfr is not None and egfr < 30)):
        raise ValueError("safety rule no_duloxetine_liver violated")
    if duloxetine and liver is None:
        return {"status": "insufficient_data", "missing": ["chronic_liver_disease"], "outputs": outputs}
    return {
        "status": "ok",
        "recommendations": recommendations,
        "avoid": ["pregabalin"],
        "flags": flags,
        "monitoring": ["response"],
        "outputs": outputs,
    }
