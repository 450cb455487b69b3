"""The clinical review of the fibromyalgia pathway (issue 12): one test per defect found.

Each test is a patient a clinician reviewer designed, evaluated by the runtime on the
compiled guideline, and the plan a clinician reading the source would sign. The source
sentence each test rests on is quoted in its docstring; docs/fibromyalgia.md ("Clinical
review") lists each defect with its patient, the old plan and the new one.

The two checks at the end run over every patient of the generated suite
(tests/generated/test_guideline_fibromyalgia.py): no quote names a symptom the patient
does not have, and no agent the patient is taking is added, started or offered again.
"""

from __future__ import annotations

import ast
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
GENERATED = ROOT / "tests" / "generated" / "test_guideline_fibromyalgia.py"


@pytest.fixture(scope="module")
def guideline(guideline_graph: Callable[[str], Any]) -> Any:
    return guideline_graph("fibromyalgia")


@pytest.fixture(scope="module")
def item_quotes() -> dict[str, str]:
    """Every action item's quote in the compiled guideline, by item id."""
    from compiler.api import compile_file

    graph = compile_file(ROOT / "guidelines" / "fibromyalgia.fibro")
    return {
        item["id"]: item.get("quote") or ""
        for node in graph["nodes"].values()
        for item in node.get("items", ())
    }


def patient(**changes: Any) -> dict[str, Any]:
    """A 52-year-old with fibromyalgia and nothing else, changed as the test says."""
    record: dict[str, Any] = {
        "age": 52,
        "egfr": 75,
        "chronic_liver_disease": False,
        "pain_score": 6,
        "depression": False,
        "sleep_disturbance": False,
        "fatigue": False,
        "comorbidities": [],
        "ecg_done": True,
        "medications": {},
    }
    record.update(changes)
    return record


def trial(dose: float, weeks: float, response: str, ongoing: bool = True) -> dict[str, Any]:
    return {"daily_dose_mg": dose, "weeks": weeks, "response": response, "ongoing": ongoing}


def plan(guideline: Any, record: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = guideline.evaluate(record).to_dict()
    assert result["status"] == "ok", result
    return result


def actions(result: dict[str, Any], intervention: str) -> list[tuple[str, Any]]:
    """(action, (min, max) dose or None) of every recommendation of ``intervention``."""
    return [
        (r["action"], None if r["dose"] is None else (r["dose"]["min"], r["dose"]["max"]))
        for r in result["recommendations"]
        if r["intervention"] == intervention
    ]


def recommendation(result: dict[str, Any], intervention: str, action: str) -> dict[str, Any]:
    found: list[dict[str, Any]] = [
        r for r in result["recommendations"] if r["intervention"] == intervention and r["action"] == action
    ]
    assert len(found) == 1, (intervention, action, actions(result, intervention))
    return found[0]


def flags(result: dict[str, Any]) -> list[str]:
    return [f["id"] for f in result["flags"]]


# ---- defect 1: doses above the source's range ---------------------------------------


@pytest.mark.parametrize(
    ("agent", "dose", "age", "expected"),
    [
        ("amitriptyline", 75, 70, (50, 50)),
        ("amitriptyline", 150, 52, (50, 50)),
        ("duloxetine", 120, 52, (60, 60)),
        ("milnacipran", 300, 52, (200, 200)),
        ("pregabalin", 600, 52, (450, 450)),
    ],
)
def test_a_dose_above_the_source_range_is_brought_back_into_it(
    guideline: Any, agent: str, dose: float, age: int, expected: tuple[float, float]
) -> None:
    """Duloxetine "60 mg once daily"; milnacipran "100-200 mg/day"; amitriptyline
    "10-50 mg/day"; pregabalin "300-450 mg/day": a responding patient taking more is
    not continued silently, the dose is decreased to the top of the range."""
    result = plan(guideline, patient(age=age, medications={agent: trial(dose, 10, "adequate")}))
    assert actions(result, agent) == [("decrease", expected)]


@pytest.mark.parametrize(
    ("agent", "dose"), [("amitriptyline", 50), ("duloxetine", 60), ("milnacipran", 200), ("pregabalin", 450)]
)
def test_a_dose_at_the_top_of_the_range_is_continued(guideline: Any, agent: str, dose: float) -> None:
    """At the top of the stated range a responding patient stays on the same dose."""
    result = plan(guideline, patient(medications={agent: trial(dose, 10, "adequate")}))
    assert actions(result, agent) == [("continue", None)]


# ---- defect 2: low-dose naltrexone titration ------------------------------------------

FDA_APPROVED_FAILED = {
    "duloxetine": trial(60, 8, "inadequate", ongoing=False),
    "milnacipran": trial(100, 8, "inadequate", ongoing=False),
    "pregabalin": trial(450, 8, "inadequate", ongoing=False),
}


@pytest.mark.parametrize(
    ("dose", "expected"),
    [
        (1.5, [("increase", (3, 3))]),
        (3, [("increase", (4.5, 4.5))]),
        (4.5, [("continue", None)]),
        (6, [("decrease", (4.5, 4.5))]),
    ],
)
def test_low_dose_naltrexone_titration_continues_from_the_current_dose(
    guideline: Any, dose: float, expected: list[tuple[str, Any]]
) -> None:
    """Source: "start at 1.5 mg at bedtime and increase by 1.5 mg biweekly" toward "4.5 mg daily":
    a patient already titrating gets the next step, never the start again."""
    medications = dict(FDA_APPROVED_FAILED, low_dose_naltrexone=trial(dose, 4, "adequate"))
    result = plan(guideline, patient(medications=medications))
    assert actions(result, "low_dose_naltrexone") == expected


def test_low_dose_naltrexone_is_started_at_1_5_mg_when_not_taken(guideline: Any) -> None:
    result = plan(guideline, patient(medications=FDA_APPROVED_FAILED))
    assert actions(result, "low_dose_naltrexone") == [("consider", (1.5, 1.5))]


# ---- defect 3: an agent already taken is never added again ----------------------------

REFRACTORY = {
    "duloxetine": trial(60, 8, "inadequate", ongoing=False),
    "pregabalin": trial(450, 8, "inadequate", ongoing=False),
}


def test_a_refractory_patient_on_working_tramadol_continues_it(guideline: Any) -> None:
    """Source: "a combination of tramadol for pain management": tramadol that works is continued,
    not prescribed a second time."""
    medications = dict(REFRACTORY, tramadol=trial(200, 12, "adequate"))
    result = plan(guideline, patient(medications=medications))
    assert "refractory_case" in flags(result)
    assert actions(result, "tramadol") == [("continue", None)]


def test_a_failing_tramadol_is_stopped(guideline: Any) -> None:
    """An inadequate response after an adequate trial (4-6 weeks minimum) is a failure."""
    medications = dict(REFRACTORY, tramadol=trial(200, 12, "inadequate"))
    result = plan(guideline, patient(medications=medications))
    assert actions(result, "tramadol") == [("stop", None)]


@pytest.mark.parametrize("agent", ["tramadol", "paracetamol", "tropisetron", "pramipexole"])
def test_an_ongoing_adjunct_gets_a_review_item(guideline: Any, agent: str) -> None:
    """Outside the refractory branch too, an adjunct being taken is continued or stopped."""
    working = plan(guideline, patient(medications={agent: trial(100, 12, "adequate")}))
    assert actions(working, agent) == [("continue", None)]
    failing = plan(guideline, patient(medications={agent: trial(100, 12, "not_tolerated")}))
    assert actions(failing, agent) == [("stop", None)]


def test_an_ongoing_naltrexone_before_the_fda_approved_agents_failed_is_flagged(guideline: Any) -> None:
    """LDN is for "after FDA-approved medications have failed": taken earlier, it is
    neither continued nor restarted but flagged for review."""
    result = plan(guideline, patient(medications={"low_dose_naltrexone": trial(4.5, 12, "adequate")}))
    assert actions(result, "low_dose_naltrexone") == []
    assert "naltrexone_indication_review" in flags(result)


# ---- defect 4: every symptom domain is addressed ------------------------------------


def test_depression_is_addressed_when_duloxetine_is_contraindicated(guideline: Any) -> None:
    """Age 80, eGFR 25, depression and sleep disturbance: duloxetine is contraindicated
    ("Avoid duloxetine ... (GFR <30 mL/min)"), pregabalin covers the sleep disturbance,
    and the depression "may require specific management": the plan says so."""
    result = plan(guideline, patient(age=80, egfr=25, depression=True, sleep_disturbance=True))
    assert actions(result, "pregabalin") == [("start", (300, 450))]
    assert "duloxetine" in [a["intervention"] for a in result["avoid"]]
    assert "duloxetine_contraindicated_first_choice" in flags(result)
    assert "depression_not_covered" in flags(result)


def test_depression_is_addressed_when_duloxetine_has_failed(guideline: Any) -> None:
    medications = {"duloxetine": trial(60, 8, "inadequate", ongoing=False)}
    result = plan(guideline, patient(depression=True, medications=medications))
    assert actions(result, "milnacipran") == [("start", (100, 100))]
    assert "duloxetine_failed_first_choice" in flags(result)
    assert "depression_not_covered" in flags(result)


def test_fatigue_is_addressed_when_neither_fatigue_agent_can_be_used(guideline: Any) -> None:
    """Source: "For pain + fatigue: Start with duloxetine or milnacipran": with duloxetine
    contraindicated and milnacipran failed, pregabalin does not cover the fatigue."""
    medications = {"milnacipran": trial(100, 8, "inadequate", ongoing=False)}
    result = plan(guideline, patient(fatigue=True, chronic_liver_disease=True, medications=medications))
    assert actions(result, "pregabalin") == [("start", (300, 450))]
    assert "fatigue_not_covered" in flags(result)


def test_no_domain_flag_when_the_first_choice_is_taken(guideline: Any) -> None:
    result = plan(guideline, patient(depression=True))
    assert actions(result, "duloxetine") == [("start", (60, 60))]
    assert not {"depression_not_covered", "fatigue_not_covered"} & set(flags(result))


# ---- defect 5: each quote justifies its item for this patient -------------------------


def test_milnacipran_for_depression_does_not_quote_the_fatigue_rule(guideline: Any) -> None:
    result = plan(guideline, patient(depression=True, chronic_liver_disease=True))
    quote = recommendation(result, "milnacipran", "start")["quote"]
    assert "fatigue" not in quote and "Milnacipran: 100-200 mg/day" in quote


def test_continuing_a_short_trial_quotes_the_adequate_duration(guideline: Any) -> None:
    medications = {"pregabalin": trial(300, 2, "inadequate")}
    result = plan(guideline, patient(medications=medications))
    quote = recommendation(result, "pregabalin", "continue")["quote"]
    assert "Most patients remain on the same dose" not in quote
    assert "4-6 weeks minimum" in quote


def test_continuing_a_response_quotes_the_same_dose_sentence(guideline: Any) -> None:
    medications = {"pregabalin": trial(300, 10, "adequate")}
    result = plan(guideline, patient(medications=medications))
    quote = recommendation(result, "pregabalin", "continue")["quote"]
    assert "Most patients remain on the same dose throughout treatment period" in quote


@pytest.mark.parametrize("agent", ["duloxetine", "milnacipran", "amitriptyline", "pregabalin"])
def test_a_stop_for_intolerance_does_not_quote_the_trial_duration(guideline: Any, agent: str) -> None:
    medications = {agent: trial(60 if agent == "duloxetine" else 100, 1, "not_tolerated")}
    result = plan(guideline, patient(medications=medications))
    quote = recommendation(result, agent, "stop")["quote"] or ""
    assert "4-6 weeks" not in quote


def test_duloxetine_without_depression_does_not_quote_the_depression_rule(guideline: Any) -> None:
    medications = {"strong_opioid": trial(30, 20, "inadequate")}
    result = plan(guideline, patient(medications=medications))
    quote = recommendation(result, "duloxetine", "start")["quote"]
    assert "depression" not in quote


# ---- defect 6: a trial too short to judge says so --------------------------------------


@pytest.mark.parametrize("response", ["inadequate", "unknown"])
def test_a_trial_under_four_weeks_is_continued_and_flagged(guideline: Any, response: str) -> None:
    """Source: "Ensure adequate duration (4-6 weeks minimum) before determining treatment failure."."""
    result = plan(guideline, patient(medications={"duloxetine": trial(60, 2, response)}))
    assert actions(result, "duloxetine") == [("continue", None)]
    assert "trial_too_short" in flags(result)


def test_no_short_trial_flag_after_four_weeks(guideline: Any) -> None:
    result = plan(guideline, patient(medications={"duloxetine": trial(60, 4, "adequate")}))
    assert "trial_too_short" not in flags(result)


# ---- defect 7: stopping a strong opioid or a corticosteroid --------------------------


@pytest.mark.parametrize("agent", ["strong_opioid", "corticosteroid"])
def test_stopping_a_strong_opioid_or_corticosteroid_warns_of_a_taper(guideline: Any, agent: str) -> None:
    result = plan(guideline, patient(medications={agent: trial(20, 30, "inadequate")}))
    assert actions(result, agent) == [("stop", None)]
    assert f"taper_{agent}" in flags(result)


def test_no_taper_warning_for_a_past_trial(guideline: Any) -> None:
    result = plan(guideline, patient(medications={"strong_opioid": trial(20, 30, "inadequate", False)}))
    assert not [f for f in flags(result) if f.startswith("taper_")]


# ---- checks over every patient of the generated suite ---------------------------------


def generated_patients() -> list[dict[str, Any]]:
    """The patient of every test in the generated suite, read from its source."""
    tree = ast.parse(GENERATED.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.AnnAssign) and getattr(node.target, "id", None) == "patient":
            assert node.value is not None
            found.append(ast.literal_eval(node.value))
    assert len(found) > 100
    return found


SYMPTOM_WORDS = {"depression": "depression", "fatigue": "fatigue", "sleep": "sleep_disturbance"}
# Source passages that list the features or comorbidities (to assess, or as common)
# without saying the patient has one: left out of a quote before it is checked.
LISTS_SYMPTOMS = (
    "associated features (depression, fatigue, sleep disturbance)",
    "back pain, depression, sleep disorders, and headaches are common",
)


def symptoms_named(quote: str) -> set[str]:
    """The features a quote names, once the passages that merely list them are left out."""
    text = quote.lower()
    for passage in LISTS_SYMPTOMS:
        text = text.replace(passage, "")
    return {feature for word, feature in SYMPTOM_WORDS.items() if word in text}


def test_no_quote_names_a_symptom_the_patient_does_not_have(
    guideline: Any, item_quotes: dict[str, str]
) -> None:
    """Defect 5's check: an item quoting "For pain + depression" (or naming fatigue or
    sleep disturbance) is given only to a patient with that feature."""
    wrong = []
    for record in generated_patients():
        result = guideline.evaluate(record).to_dict()
        for entry in result["recommendations"] + result["flags"] + result["avoid"] + result["monitoring"]:
            name = entry.get("id") or entry.get("intervention") or entry.get("what")
            # what the clinician reads: a recommendation's quote (its item's, else its
            # drug's), the item's quote for flags, avoid and monitoring entries
            quote = entry.get("quote") or item_quotes[entry["item"]]
            for feature in symptoms_named(quote):
                if record.get(feature) is not True:
                    wrong.append((entry["item"], name, feature, json.dumps(record, sort_keys=True)))
    assert not wrong, "\n".join(map(str, sorted(set(wrong))[:20]))


def test_the_symptom_check_reads_the_quotes_as_a_reviewer_would() -> None:
    assert symptoms_named("For pain + depression: Start with duloxetine") == {"depression"}
    assert symptoms_named("reduces pain and improves sleep quality") == {"sleep_disturbance"}
    assert (
        symptoms_named(
            "Failure to address comorbidities: Back pain, depression, sleep disorders, "
            "and headaches are common"
        )
        == set()
    )
    assert (
        symptoms_named(
            "Assess pain intensity, function, associated features (depression, fatigue, sleep disturbance)"
        )
        == set()
    )


PRESCRIBING = {"add", "start", "switch", "consider"}


def test_no_agent_being_taken_is_prescribed_again(guideline: Any) -> None:
    """Defect 3's rule over every generated patient and variants of them taking each
    agent: an agent the patient takes now is continued, changed or stopped, never
    added, started, switched to or offered again."""
    wrong = []
    records = generated_patients()
    for agent in ("tramadol", "paracetamol", "low_dose_naltrexone", "tropisetron", "pramipexole"):
        for record in generated_patients():
            if record.get("medications"):
                record["medications"].setdefault(agent, trial(1.5, 6, "adequate"))
                records.append(record)
    for record in records:
        result = guideline.evaluate(record).to_dict()
        taking = {a for a, t in (record.get("medications") or {}).items() if t and t.get("ongoing")}
        for r in result["recommendations"]:
            if r["intervention"] in taking and r["action"] in PRESCRIBING:
                wrong.append((r["item"], r["intervention"], r["action"], json.dumps(record, sort_keys=True)))
    assert not wrong, "\n".join(map(str, sorted(set(wrong))[:20]))
