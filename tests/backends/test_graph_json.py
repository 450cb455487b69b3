"""Every graph the compiler emits validates against the published schema, is
canonical JSON, and behaves the same loaded from its file as from memory."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

import fibrolang
from compiler import api
from compiler.analysis.boundaries import boundary_patients
from compiler.analysis.witnesses import edge_witnesses
from compiler.backends.graph_json import dumps
from fibrolang import read_graph

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = json.loads((ROOT / "fibrolang" / "schema" / "graph.schema.json").read_text(encoding="utf-8"))
VALIDATOR = jsonschema.Draft202012Validator(SCHEMA)

# Every guideline and fixture that checks clean, so compiles to a graph.
CLEAN = [
    ROOT / "guidelines" / "fibromyalgia.fibro",
    ROOT / "guidelines" / "acr2016.fibro",
    ROOT / "tests" / "fixtures" / "tour.fibro",
    ROOT / "tests" / "fixtures" / "hostile.fibro",
    ROOT / "tests" / "fixtures" / "dates.fibro",
    # lookup tables, outputs that may be unset, ordinal scores, defaults for absent facts (#20)
    ROOT / "tests" / "fixtures" / "annual-risk.fibro",
    ROOT / "tests" / "fixtures" / "ckd-staging.fibro",  # and texts
    ROOT / "tests" / "fixtures" / "news2.fibro",
    ROOT / "tests" / "fixtures" / "news2-oxygen.fibro",
    ROOT / "guidelines" / "bmi_who.fibro",
    ROOT / "tests" / "check" / "cases" / "clean.fibro",
    ROOT / "tests" / "analysis" / "cases" / "clean.fibro",
]


def ids(path: Path) -> str:
    return f"{path.parent.name}/{path.stem}"


@pytest.fixture(scope="module", params=CLEAN, ids=ids)
def compiled(request: pytest.FixtureRequest) -> tuple[Path, dict[str, Any]]:
    path: Path = request.param
    return path, api.compile_file(path)


def test_every_emitted_graph_validates_against_the_schema(compiled: tuple[Path, dict[str, Any]]) -> None:
    _, graph = compiled
    errors = [f"{e.json_path}: {e.message}" for e in VALIDATOR.iter_errors(graph)]
    assert errors == []


def test_the_graph_file_is_canonical_and_reads_back_to_the_same_bytes(
    compiled: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    _, graph = compiled
    text = dumps(graph)
    assert text.endswith("}\n")
    assert dumps(json.loads(text)) == text
    path = tmp_path / "graph.json"
    path.write_text(text, encoding="utf-8")
    loaded = fibrolang.load(path)
    assert (loaded.id, loaded.version, loaded.content_hash) == (
        graph["guideline"]["id"],
        graph["guideline"]["version"],
        graph["guideline"]["content_hash"],
    )


def _patients(graph: dict[str, Any]) -> list[dict[str, Any]]:
    """A patient reaching every edge, every threshold boundary, and an empty record."""
    typed = read_graph(graph)
    found = list(edge_witnesses(typed).values())
    found += [b.patient for b in boundary_patients(typed) if b.patient is not None]
    found.append({})
    return found


def _outcome(guideline: fibrolang.Guideline, patient: dict[str, Any]) -> object:
    try:
        return guideline.evaluate(patient).to_dict()
    except (fibrolang.SafetyViolation, fibrolang.GuidelineError) as refused:
        return type(refused).__name__


def test_compile_load_evaluate_equals_evaluating_the_source(
    compiled: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    path, graph = compiled
    graph_file = tmp_path / "graph.json"
    graph_file.write_text(dumps(graph), encoding="utf-8")
    from_file = fibrolang.load(graph_file)
    from_source = fibrolang.load(api.compile_file(path))
    patients = _patients(graph)
    assert len(patients) > 1
    for patient in patients:
        assert _outcome(from_file, patient) == _outcome(from_source, patient), patient
