"""``select``: a set of the members whose condition holds, reported as a list
in enumeration order; unknown (null, with its missing facts) when a condition
cannot be decided."""

from typing import Any

import graphs as g
import pytest
from test_schema import VALIDATOR

import fibrolang

ENUMS: dict[str, dict[str, Any]] = {
    "criterion": {"label": None, "members": ["pain", "regions", "duration"], "member_labels": {}}
}
INPUTS = {"wide": g.boolean(), "months": g.number("integer", "months", 0, 600), "regions": g.boolean()}
FAILED = {
    "op": "select",
    "enum": "criterion",
    # written out of enumeration order on purpose: the result follows the enumeration
    "members": ["duration", "pain", "regions"],
    "when": [
        g.cmp("<", g.inp("months"), g.const(3, "months")),
        g.not_(g.inp("wide")),
        g.const(False),
    ],
}


def guideline() -> fibrolang.Guideline:
    document = g.graph(
        INPUTS,
        {"done": g.terminal()},
        "done",
        enums=ENUMS,
        definitions=[
            g.definition("failed", FAILED, output=True),
            g.definition("any_failed", g.quant("any", "c", g.ref("failed"), None), output=True),
        ],
    )
    assert list(VALIDATOR.iter_errors(document)) == []
    return fibrolang.load(document)


@pytest.mark.parametrize(
    ("patient", "failed"),
    [
        ({"wide": True, "months": 6}, []),
        ({"wide": False, "months": 6}, ["pain"]),
        ({"wide": False, "months": 2}, ["pain", "duration"]),
        ({"wide": True, "months": 3}, []),
    ],
)
def test_members_whose_condition_holds_in_enumeration_order(
    patient: dict[str, object], failed: list[str]
) -> None:
    outputs = guideline().evaluate(patient).to_dict()["outputs"]
    assert outputs["failed"] == failed
    assert outputs["any_failed"] is bool(failed)


def test_an_undecidable_condition_makes_the_set_unknown() -> None:
    result = guideline().evaluate({"wide": False})
    assert result.to_dict()["outputs"] == {"failed": None, "any_failed": None}


def test_a_malformed_select_is_a_guideline_error() -> None:
    broken = dict(FAILED, when=[g.const(True)])
    document = g.graph(
        INPUTS,
        {"done": g.terminal()},
        "done",
        enums=ENUMS,
        definitions=[g.definition("failed", broken, output=True)],
    )
    with pytest.raises(fibrolang.GuidelineError, match="one condition per member"):
        fibrolang.load(document)
    unknown_member = dict(FAILED, members=["duration", "pain", "sleep"])
    document["definitions"] = [g.definition("failed", unknown_member, output=True)]
    with pytest.raises(fibrolang.GuidelineError, match="'sleep' is not a member of criterion"):
        fibrolang.load(g.hashed(document))
