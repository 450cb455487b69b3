"""The published JSON Schema describes the graphs the runtime reads."""

import copy
import json
from pathlib import Path

import graphs as g
import jsonschema
import pytest

import fibrolang

SCHEMA_PATH = Path(fibrolang.__file__).parent / "schema" / "graph.schema.json"
SCHEMA = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)


def _errors(document: object) -> list[str]:
    return [f"{error.json_path}: {error.message}" for error in VALIDATOR.iter_errors(document)]


def test_the_schema_is_a_valid_draft_2020_12_schema() -> None:
    assert SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(SCHEMA)


def test_the_schema_file_is_canonical_json() -> None:
    text = SCHEMA_PATH.read_text(encoding="utf-8")
    assert text == json.dumps(SCHEMA, sort_keys=True, indent=2, ensure_ascii=False) + "\n"


SAMPLES = {
    "tour": g.tour_graph(),
    "single_guard": g.single_guard(g.inp("flag"), {"flag": g.boolean()}),
    "every_status": g.graph({}, {"a": g.terminal("insufficient_data", "ask")}, "a"),
}


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_sample_graphs_validate_and_load(name: str) -> None:
    assert _errors(SAMPLES[name]) == []
    fibrolang.load(SAMPLES[name])


@pytest.mark.parametrize(
    ("mutate", "fragment"),
    [
        (lambda d: d.update(format="fibrolang-graph/2"), "format"),
        (lambda d: d.pop("start"), "start"),
        (lambda d: d["nodes"]["adult"].update(kind="switch"), "nodes"),
        (lambda d: d["nodes"]["plan"]["items"][0].update(action="prescribe"), "items"),
        (lambda d: d["definitions"][0]["expr"].update(op="union"), "definitions"),
        (lambda d: d["inputs"]["age"]["type"].update(kind="text"), "inputs"),
        (lambda d: d["guideline"].update(content_hash="md5:abc"), "guideline"),
        (lambda d: d["nodes"]["done"].update(colour="red"), "nodes"),
    ],
)
def test_the_schema_rejects_malformed_graphs(mutate, fragment: str) -> None:  # type: ignore[no-untyped-def]
    document = copy.deepcopy(SAMPLES["tour"])
    mutate(document)
    errors = _errors(document)
    assert errors
    assert any(fragment in error for error in errors)
