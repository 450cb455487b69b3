"""``fibrolang.graph_writer`` is the inverse of the graph reader.

On every graph the compiler makes (the committed graph files, byte for byte, and
every fixture compiled) ``write_graph(read_graph(document)) == document``; on random
typed graphs, reading what was written gives the graph back and writing it again
gives the same document.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from compiler import api
from fibrolang import expressions as ex
from fibrolang import graph as g
from fibrolang import read_graph
from fibrolang.dates import ELAPSED_UNITS
from fibrolang.graph_writer import write_graph
from fibrolang.integrity import FIELD, canonical_text, graph_hash
from fibrolang.operators import ARITHMETIC, COMPARISONS

ROOT = Path(__file__).resolve().parents[2]
COMMITTED = sorted((ROOT / "guidelines").glob("*.graph.json")) + sorted(
    (ROOT / "tests" / "fixtures").glob("*.graph.json")
)
SOURCES = sorted((ROOT / "guidelines").glob("*.fibro")) + sorted(
    (ROOT / "tests" / "fixtures").glob("*.fibro")
)


def test_there_are_graphs_to_check() -> None:
    assert len(COMMITTED) >= 10
    assert len(SOURCES) >= 15


@pytest.mark.parametrize("path", COMMITTED, ids=lambda p: p.name)
def test_a_committed_graph_is_written_back_byte_for_byte(path: Path) -> None:
    raw = path.read_text(encoding="utf-8")
    document = json.loads(raw)
    written = write_graph(read_graph(document))
    assert written == document
    assert canonical_text(written) == raw  # the bytes `fibrolang build` writes, graph_hash included


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: p.name)
def test_every_compiled_fixture_is_written_back(path: Path) -> None:
    document = api.compile_file(path)  # every fixture compiles (forged and hostile included)
    written = write_graph(read_graph(document))
    assert written == document
    assert canonical_text(written) == canonical_text(document)


def test_every_other_guideline_of_the_tests_that_compiles_is_written_back() -> None:
    """The test cases beyond the fixtures (tests/*/cases, ...): the ones that compile."""
    others = sorted(set((ROOT / "tests").rglob("*.fibro")) - set(SOURCES))
    written_back = 0
    for path in others:
        try:
            document = api.compile_file(path)
        except api.CompileError:
            continue  # a case of an error: no graph
        assert write_graph(read_graph(document)) == document, path
        written_back += 1
    assert written_back >= 8


def test_the_hash_is_left_out_on_request_and_is_the_content_hash_otherwise() -> None:
    document = json.loads((ROOT / "guidelines" / "bmi_who.graph.json").read_text(encoding="utf-8"))
    typed = read_graph(document)
    unhashed = write_graph(typed, hashed=False)
    assert FIELD not in unhashed
    assert write_graph(typed)[FIELD] == graph_hash(unhashed) == document[FIELD]


def test_an_edited_graph_is_written_with_the_edit() -> None:
    """What the writer is for: a typed edit (here a threshold) reaches the JSON, nothing else does."""
    document = json.loads((ROOT / "guidelines" / "bmi_who.graph.json").read_text(encoding="utf-8"))
    typed = read_graph(document)
    definitions = tuple(
        d
        if not isinstance(d.expr, ex.Constant)
        else g.Definition(**{**_fields(d), "expr": ex.Constant(7, None)})
        for d in typed.definitions
    )
    changed = [i for i, d in enumerate(typed.definitions) if isinstance(d.expr, ex.Constant)]
    edited = write_graph(g.Graph(**{**_fields(typed), "definitions": definitions}), hashed=False)
    for index, definition in enumerate(edited["definitions"]):
        original = document["definitions"][index]
        if index in changed:
            assert definition == {**original, "expr": {"op": "const", "value": 7, "unit": None}}
        else:
            assert definition == original
    assert {k: v for k, v in edited.items() if k != "definitions"} == {
        k: v for k, v in document.items() if k not in ("definitions", FIELD)
    }


def _fields(value: Any) -> dict[str, Any]:
    return {name: getattr(value, name) for name in value.__slots__}


# ---- random typed graphs: read(write(graph)) == graph ------------------------------------

texts = st.text(st.characters(codec="utf-8"), max_size=8)
maybe_texts = st.none() | texts
names = st.text("abcdefgh_", min_size=1, max_size=6)
numbers = st.integers(-(10**6), 10**6) | st.floats(allow_nan=False, allow_infinity=False, width=64)
maybe_numbers = st.none() | numbers
text_tuples = st.lists(texts, max_size=2).map(tuple)
positions = st.builds(g.SourcePosition, st.integers(1, 999), st.integers(1, 99))
traces = st.builds(
    g.Traceability,
    text_tuples,
    maybe_texts,
    st.lists(st.integers(0, 99), max_size=3).map(tuple),
    st.none() | positions,
)


def _named(strategy: st.SearchStrategy[Any], name_at: int = 0, max_size: int = 3) -> st.SearchStrategy[Any]:
    """A tuple of ``strategy``'s values with unique names, sorted by name (a JSON mapping as read)."""
    return st.lists(
        strategy, max_size=max_size, unique_by=lambda v: _fields(v)[list(_fields(v))[name_at]]
    ).map(lambda values: tuple(sorted(values, key=lambda v: _fields(v)[list(_fields(v))[name_at]])))


leaves: st.SearchStrategy[ex.Expression] = st.one_of(
    st.builds(ex.Constant, st.booleans() | numbers, maybe_texts),
    st.builds(ex.MemberLiteral, names, names),
    st.builds(ex.SetLiteral, st.lists(names, max_size=3).map(tuple), names),
    st.builds(ex.InputReference, names),
    st.builds(ex.DefinitionReference, names),
    st.builds(ex.VariableReference, names),
    st.builds(ex.EnumerationReference, names),
    st.builds(ex.PlanQuery, st.sampled_from(["recommended", "avoided", "flagged"]), st.none() | names),
    st.builds(ex.DoseQuery, names),
    st.builds(ex.Unset),
    st.builds(ex.TextLiteral, texts),
)


def _selected(inner: st.SearchStrategy[ex.Expression]) -> st.SearchStrategy[ex.Expression]:
    pairs = st.lists(st.tuples(names, inner), max_size=3)
    return st.builds(
        lambda chosen, enum: ex.SelectedSet(tuple(m for m, _ in chosen), tuple(c for _, c in chosen), enum),
        pairs,
        names,
    )


def _extend(inner: st.SearchStrategy[ex.Expression]) -> st.SearchStrategy[ex.Expression]:
    several = st.lists(inner, min_size=2, max_size=3).map(tuple)
    return st.one_of(
        _selected(inner),
        st.builds(ex.Entry, inner, inner),
        st.builds(ex.Field, inner, names),
        st.builds(ex.Membership, inner, inner),
        st.builds(ex.Negation, inner),
        st.builds(ex.UnaryMinus, inner),
        st.builds(ex.Conjunction, several),
        st.builds(ex.Disjunction, several),
        st.builds(ex.CountTrue, st.lists(inner, min_size=1, max_size=3).map(tuple)),
        st.builds(ex.Comparison, st.sampled_from(COMPARISONS), inner, inner),
        st.builds(ex.Arithmetic, st.sampled_from(ARITHMETIC), inner, inner),
        st.builds(ex.Conditional, inner, inner, inner),
        st.builds(ex.Quantifier, st.sampled_from(["count", "any", "all"]), names, inner, st.none() | inner),
        st.builds(ex.Sum, names, inner, inner),
        st.builds(ex.Elapsed, st.sampled_from(ELAPSED_UNITS), inner, inner),
    )


expressions = st.recursive(leaves, _extend, max_leaves=6)
maybe_expressions = st.none() | expressions
value_types = st.one_of(
    st.builds(g.BooleanType),
    st.builds(g.DateType),
    st.builds(g.NumberType, st.booleans(), maybe_texts, maybe_numbers, maybe_numbers),
    st.builds(g.EnumType, names),
    st.builds(g.SetType, names),
    st.builds(g.MapType, names, names),
)
codes = st.lists(st.builds(g.FhirCode, texts, texts), max_size=2).map(tuple)
binding_fields = _named(
    st.one_of(
        st.builds(g.BindingField, names, st.sampled_from(["dose", "duration", "status"]), st.none()),
        st.builds(g.BindingField, names, st.just("extension"), texts),
    )
)
bindings = st.builds(
    g.FhirBinding,
    resource=st.sampled_from(g.BINDING_RESOURCES),
    value_set=maybe_texts,
    codes=codes,
    member_codes=st.none() | _named(st.builds(g.MemberCodes, names, codes)),
    latest_value=st.booleans(),
    unit=maybe_texts,
    ucum=st.none() | text_tuples,
    within_days=st.none() | st.integers(0, 3650),
    fields=binding_fields,
    fhirpath=texts,
    prefetch=texts,
)
inputs = st.builds(
    g.InputDeclaration,
    names,
    maybe_texts,
    value_types,
    st.none() | st.booleans() | numbers | texts,
    st.none() | bindings,
    text_tuples,
)
enumerations = st.builds(
    lambda name, label, members, labelled, points: g.Enumeration(
        name,
        label,
        tuple(members),
        tuple(sorted((m, m.upper()) for m in members if m in labelled)),
        tuple((m, p) for m, p in zip(members, points, strict=False)),
    ),
    names,
    maybe_texts,
    st.lists(names, min_size=1, max_size=3, unique=True),
    st.sets(names, max_size=3),
    st.lists(numbers, max_size=3),
)
records = st.builds(
    g.Record, names, maybe_texts, _named(st.builds(g.RecordField, names, value_types, maybe_texts))
)
tables = st.builds(
    g.TableDisplay,
    texts,
    text_tuples,
    st.lists(st.builds(g.TableRowDisplay, texts, text_tuples), max_size=2).map(tuple),
    maybe_texts,
    maybe_texts,
)
definitions = st.builds(
    g.Definition,
    names,
    maybe_texts,
    st.booleans(),
    expressions,
    text_tuples,
    maybe_texts,
    st.lists(tables, max_size=2).map(tuple),
)
doses = st.builds(g.Dose, numbers, numbers, maybe_texts, maybe_texts)
interventions = st.builds(
    g.Intervention,
    id=names,
    kind=st.sampled_from(["drug", "therapy"]),
    label=maybe_texts,
    drug_class=maybe_texts,
    dose=st.none() | doses,
    fda_approved=st.none() | st.booleans(),
    evidence=st.none() | st.builds(g.Evidence, maybe_texts, maybe_texts),
    effect_sizes=st.lists(st.builds(g.EffectSize, numbers, texts), max_size=2).map(tuple),
    contraindications=st.lists(
        st.builds(g.Contraindication, expressions, maybe_texts, text_tuples), max_size=2
    ).map(tuple),
    side_effects=text_tuples,
    citations=st.lists(st.integers(0, 99), max_size=2).map(tuple),
    quote=maybe_texts,
    notes=text_tuples,
    source=st.none() | positions,
)
items = st.one_of(
    st.builds(
        g.RecommendItem,
        names,
        maybe_expressions,
        st.sampled_from(g.ACTIONS),
        names,
        st.none() | doses,
        st.none() | st.builds(g.Titration, numbers, numbers, maybe_texts, numbers, maybe_texts),
        traces,
    ),
    st.builds(g.AvoidItem, names, maybe_expressions, names, maybe_texts, traces),
    st.builds(g.FlagItem, names, maybe_expressions, names, maybe_texts, traces),
    st.builds(
        g.MonitorItem,
        names,
        maybe_expressions,
        names,
        maybe_texts,
        st.none() | st.builds(g.Period, numbers, numbers, maybe_texts),
        traces,
    ),
)
branches = st.builds(g.Edge, names, maybe_expressions, names, maybe_texts, traces)
nexts = st.builds(g.Edge, names, st.none(), names, maybe_texts, traces)
nodes = st.one_of(
    st.builds(
        g.DecisionNode, names, maybe_texts, st.booleans(), st.lists(branches, max_size=3).map(tuple), traces
    ),
    st.builds(g.ActionNode, names, maybe_texts, st.lists(items, max_size=3).map(tuple), nexts, traces),
    st.builds(g.TerminalNode, names, st.sampled_from(g.STATUSES), maybe_texts, traces),
)
invariants = st.builds(
    g.Invariant, names, maybe_texts, st.sampled_from(["never", "always"]), expressions, traces
)
infos = st.builds(
    g.GuidelineInfo,
    texts,
    maybe_texts,
    texts,
    texts,
    st.lists(st.builds(g.SourceDocument, texts, maybe_texts, maybe_texts), max_size=2).map(tuple),
    st.dictionaries(st.integers(0, 99), texts, max_size=3).map(lambda cited: tuple(sorted(cited.items()))),
)
graphs = st.builds(
    g.Graph,
    infos,
    _named(enumerations),
    _named(records),
    _named(inputs),
    st.lists(definitions, max_size=3).map(tuple),
    _named(interventions),
    names,
    _named(nodes),
    st.lists(invariants, max_size=2).map(tuple),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(graphs)
def test_reading_what_was_written_gives_the_graph_back(graph: g.Graph) -> None:
    written = write_graph(graph)
    assert read_graph(written) == graph
    text = canonical_text(written)  # as a file: sorted keys, so points come back in sorted order
    again = write_graph(read_graph(json.loads(text)))
    assert again == written
    assert canonical_text(again) == text
