"""The worked examples in docs/fibromyalgia.md and docs/acr2016.md are what the
runtime gives: each example's first JSON block is the patient, its last the
expected result (a projection of ``result.to_dict()``)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

import fibrolang
from compiler import api

ROOT = Path(__file__).resolve().parents[2]
DOCS = {"fibromyalgia": ROOT / "docs" / "fibromyalgia.md", "acr2016": ROOT / "docs" / "acr2016.md"}


def examples(name: str) -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    text = DOCS[name].read_text(encoding="utf-8")
    worked = text[text.index("## Worked examples") :]
    found = []
    for section in re.split(r"\n### ", worked)[1:]:
        title = section.splitlines()[0]
        blocks = re.findall(r"```json\n(.*?)```", section, re.DOTALL)
        assert len(blocks) >= 2, f"{name}: example {title!r} needs a patient and a result"
        found.append((title, json.loads(blocks[0]), json.loads(blocks[-1])))
    return found


CASES = [(name, *example) for name in sorted(DOCS) for example in examples(name)]


@pytest.fixture(scope="module")
def guidelines() -> dict[str, fibrolang.Guideline]:
    return {name: fibrolang.load(api.compile_file(ROOT / "guidelines" / f"{name}.fibro")) for name in DOCS}


def project(result: dict[str, Any], expected: dict[str, Any]) -> dict[str, Any]:
    """The parts of the result that the documented block shows, in its shape."""
    shown: dict[str, Any] = {}
    for key, value in expected.items():
        if key == "recommendations":
            keys = {k for item in value for k in item}
            shown[key] = [{k: r[k] for k in r if k in keys} for r in result[key]]
        elif key in ("avoid", "flags", "monitoring"):
            field = {"avoid": "intervention", "flags": "id", "monitoring": "what"}[key]
            shown[key] = [item[field] for item in result[key]]
        elif key == "outputs":
            shown[key] = {k: result[key].get(k) for k in value}
        else:
            shown[key] = result[key]
    return shown


def drop_absent(recommendations: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: v for k, v in r.items() if v is not None} for r in recommendations]


@pytest.mark.parametrize(
    ("name", "title", "patient", "expected"), CASES, ids=[f"{c[0]}: {c[1]}" for c in CASES]
)
def test_worked_example_matches_the_runtime(
    guidelines: dict[str, fibrolang.Guideline],
    name: str,
    title: str,
    patient: dict[str, Any],
    expected: dict[str, Any],
) -> None:
    result = guidelines[name].evaluate(patient).to_dict()
    shown = project(result, expected)
    if "recommendations" in shown:
        shown["recommendations"] = drop_absent(shown["recommendations"])
        expected = {**expected, "recommendations": drop_absent(expected["recommendations"])}
    assert shown == expected


def test_each_guideline_documents_at_least_three_worked_examples() -> None:
    assert all(len(examples(name)) >= 3 for name in DOCS)
