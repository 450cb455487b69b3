"""Escaping by construction: guideline text reaches generated Python only as safe literals."""

from __future__ import annotations

import ast
import math
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from compiler.testgen.literals import (
    UnsafeValue,
    docstring,
    has_safe_repr,
    identifier,
    is_plain_text,
    literal,
    same_data,
    slug,
)
from compiler.testgen.suite import generate

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
HOSTILE = [
    '"""',
    "'''",
    "\\",
    "\\n",
    "\n",
    '"; import os; os.system("x") #',
    "\x00",
    "\u2028",
    "é ≥ ² 中文",
    "{}",
]

json_data = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text()
    | st.sampled_from(HOSTILE),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20,
)


@given(json_data)
def test_a_literal_of_json_data_reads_back_as_the_same_data(value: object) -> None:
    source = literal(value, indent=4)
    assert same_data(ast.literal_eval(source), value)


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf, object(), {1: "x"}, {"a": {2}}, b"bytes"])
def test_values_without_a_safe_literal_are_refused(value: object) -> None:
    assert not has_safe_repr(value)
    with pytest.raises(UnsafeValue):
        literal(value)


@given(st.text() | st.sampled_from(HOSTILE))
def test_a_docstring_holds_exactly_its_text_whatever_the_text(text: str) -> None:
    statement, value = docstring(text, 4)
    tree = ast.parse("def f():\n" + statement + "\n    pass\n")
    function = tree.body[0]
    assert isinstance(function, ast.FunctionDef)
    first = function.body[0]
    assert isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant)
    assert first.value.value == value
    if not is_plain_text(text):
        assert value == text


def test_identifiers_are_slugs_only() -> None:
    assert slug('adult/otherwise"; import os') == "adult_otherwise_import_os"
    assert identifier("test_edge_adult_1") == "test_edge_adult_1"
    for bad in ("class", "1test", "a-b", "a b", "tést"):
        with pytest.raises(ValueError):
            identifier(bad)


def test_a_hostile_guideline_gives_a_module_that_compiles_and_reads_back(tmp_path: Path) -> None:
    """Quotes, backslashes, newlines and `]; digraph {` in every label: the module still parses,
    every docstring and patient reads back (``render`` checks that), and no label escapes a string."""
    generated = generate(FIXTURES / "hostile.fibro", tmp_path, root=FIXTURES)
    tree = ast.parse(generated.text)
    compile(tree, "generated.py", "exec")
    top_level = {type(node).__name__ for node in tree.body}
    assert top_level <= {"Expr", "ImportFrom", "Assign", "FunctionDef"}
    # The only imports are the two the generator always writes (the annotations' types).
    imports = [node for node in ast.walk(tree) if isinstance(node, ast.Import | ast.ImportFrom)]
    assert [(i.module, [a.name for a in i.names]) for i in imports if isinstance(i, ast.ImportFrom)] == [
        ("syrupy.assertion", ["SnapshotAssertion"]),
        ("compiler.testgen.harness", ["Evaluate", "Patient"]),
    ]
    assert all(node in tree.body[1:3] for node in imports)
    for node in ast.walk(tree):
        assert not isinstance(node, ast.Call) or (
            isinstance(node.func, ast.Name) and node.func.id == "evaluate"
        )
    assert len([n for n in tree.body if isinstance(n, ast.FunctionDef)]) == len(generated.suite.cases)
