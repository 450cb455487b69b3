"""Patient records are validated against the declared inputs before evaluation."""

import graphs as g
import pytest

import fibrolang

GUIDELINE = fibrolang.load(g.tour_graph())
GOOD = {"age": 50, "egfr": 80, "chronic_liver_disease": False, "medications": {}}


def _problems(patient: object) -> list[tuple[str, str]]:
    with pytest.raises(fibrolang.InvalidPatient) as caught:
        GUIDELINE.evaluate(patient)  # type: ignore[arg-type]
    assert isinstance(caught.value, ValueError)
    return [(p.path, p.code) for p in caught.value.problems]


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"agee": 50}, [("agee", "unknown_field")]),
        ({"age": "50"}, [("age", "wrong_type")]),
        ({"age": True}, [("age", "wrong_type")]),
        ({"age": 18.5}, [("age", "not_integral")]),
        ({"age": 131}, [("age", "above_maximum")]),
        ({"age": -1}, [("age", "below_minimum")]),
        ({"egfr": float("nan")}, [("egfr", "not_finite")]),
        ({"egfr": "25 mL/min/1.73m2"}, [("egfr", "wrong_type")]),
        ({"egfr": {"value": 25, "unit": "mL/min"}}, [("egfr.unit", "wrong_unit")]),
        ({"egfr": {"value": 25}}, [("egfr", "malformed_quantity")]),
        ({"egfr": {"value": 25, "unit": "mL/min/1.73m2", "x": 1}}, [("egfr", "malformed_quantity")]),
        ({"egfr": {"value": 250, "unit": "mL/min/1.73m2"}}, [("egfr", "above_maximum")]),
        ({"chronic_liver_disease": 1}, [("chronic_liver_disease", "wrong_type")]),
        ({"preferred": "dulox"}, [("preferred", "unknown_member")]),
        ({"preferred": 3}, [("preferred", "wrong_type")]),
        ({"comorbidities": "headache"}, [("comorbidities", "wrong_type")]),
        ({"comorbidities": ["headache", "migraine"]}, [("comorbidities[1]", "unknown_member")]),
        ({"medications": []}, [("medications", "wrong_type")]),
        ({"medications": {"dulox": {}}}, [("medications.dulox", "unknown_key")]),
        ({"medications": {"duloxetine": 3}}, [("medications.duloxetine", "wrong_type")]),
        ({"medications": {"duloxetine": {"wekes": 3}}}, [("medications.duloxetine.wekes", "unknown_field")]),
        ({"medications": {"duloxetine": {"weeks": "3"}}}, [("medications.duloxetine.weeks", "wrong_type")]),
        (
            {"medications": {"duloxetine": {"response": "good"}}},
            [("medications.duloxetine.response", "unknown_member")],
        ),
        ({"pain_score": {"value": 5, "unit": "points"}}, []),
    ],
)
def test_each_kind_of_problem(change: dict[str, object], expected: list[tuple[str, str]]) -> None:
    patient = {**GOOD, **change}
    if expected:
        assert _problems(patient) == expected
    else:
        assert GUIDELINE.evaluate(patient).status == "ok"


def test_did_you_mean() -> None:
    with pytest.raises(fibrolang.InvalidPatient) as caught:
        GUIDELINE.evaluate({"agee": 3, "preferred": "dulox", "medications": {"pregabalinn": {}}})
    messages = [p.message for p in caught.value.problems]
    assert "did you mean 'age'?" in messages[0]
    assert "did you mean 'duloxetine'?" in messages[1]
    assert "did you mean 'pregabalin'?" in messages[2]


def test_every_problem_is_reported_in_one_error() -> None:
    patient = {
        "age": 18.5,
        "egfr": {"value": 25, "unit": "mg"},
        "colour": "blue",
        "medications": {"duloxetine": {"weeks": -2, "response": "meh"}},
    }
    with pytest.raises(fibrolang.InvalidPatient) as caught:
        GUIDELINE.evaluate(patient)
    paths = [p.path for p in caught.value.problems]
    assert paths == [
        "age",
        "egfr.unit",
        "colour",
        "medications.duloxetine.weeks",
        "medications.duloxetine.response",
    ]
    lines = str(caught.value).splitlines()
    assert lines[0] == "invalid patient record (5 problems):"
    assert len(lines) == 6
    assert all(path in line for path, line in zip(paths, lines[1:], strict=True))


def test_a_patient_that_is_not_an_object() -> None:
    assert _problems(["age", 3]) == [("", "not_an_object")]


def test_normalisation() -> None:
    inputs = GUIDELINE.validate(
        {
            "age": 18.0,
            "egfr": {"value": 25, "unit": g.EGFR},
            "comorbidities": ["headache", "headache"],
            "pain_score": None,
            "medications": {"duloxetine": None, "pregabalin": {"weeks": None}},
        }
    )
    assert inputs["age"] == 18 and isinstance(inputs["age"], int)
    assert inputs["egfr"] == 25
    assert inputs["comorbidities"] == frozenset({"headache"})
    assert "pain_score" not in inputs  # null is the same as absent
    assert dict(inputs["medications"]) == {"pregabalin": {}}


def test_null_is_unknown_not_an_error() -> None:
    result = GUIDELINE.evaluate({**GOOD, "egfr": None})
    assert (result.status, result.missing) == ("insufficient_data", ("egfr",))
