"""What the compile targets refuse (compiler/backends/refusals.py): a guideline with a
default for an absent fact, a date input and an output that may be unset is refused by
the SQL target in one sentence naming all three constructs and their names, and by the
Python target for the default alone; each refusal names what can evaluate the guideline
instead; the runtime evaluates it; the CLI prints the sentence once, with the file."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

import fibrolang
from compiler import api
from compiler.backends import refusals
from compiler.backends.python.expressions import PythonTargetError
from compiler.backends.python.module import python_module
from compiler.backends.sql.layout import SqlTargetError
from compiler.backends.sql.query import sql_query
from compiler.cli import main
from compiler.front.parse import SourceText
from fibrolang.graph import Graph

EVERY_LIMIT = """guideline limits
  title "Three constructs the SQL target lacks"
  version "1"
end

input on_oxygen "On supplemental oxygen": boolean default false when absent
input birth_date "Date of birth": date
input assessment_date "Date of assessment": date
input spo2 "Oxygen saturation": integer 50 to 100 percent
output age "Age (whole years)" = years from birth_date to assessment_date
output low_on_air "Saturation below 92% on air" = if on_oxygen then unset else spo2 < 92 percent

pathway
  start -> done

  outcome done ok
end
"""


def _load(text: str) -> fibrolang.Guideline:
    checked = api.check_source(SourceText("limits.fibro", text), Path.cwd())
    assert checked.ok, checked.diagnostics
    return fibrolang.load(api.compile_checked(checked))


@pytest.fixture(scope="module")
def guideline() -> fibrolang.Guideline:
    return _load(EVERY_LIMIT)


@pytest.fixture(scope="module")
def graph(guideline: fibrolang.Guideline) -> Graph:
    return guideline.graph


def test_the_sql_target_names_every_construct_it_lacks_in_one_sentence(graph: Graph) -> None:
    with pytest.raises(SqlTargetError) as refused:
        sql_query(graph, "duckdb")
    assert str(refused.value) == (
        "the SQL target does not yet support "
        "defaults for absent facts (`default ... when absent` on on_oxygen), "
        "dates (`date` inputs: assessment_date, birth_date) and "
        "outputs that may be unset (`unset`: low_on_air); "
        "evaluate this guideline with the runtime (fibrolang.load)"
    )


def test_the_python_target_lacks_only_the_default(graph: Graph) -> None:
    assert [item.construct for item in refusals.unsupported(graph, "Python")] == [refusals.DEFAULTS]
    with pytest.raises(PythonTargetError, match=r"^the Python target does not yet support defaults"):
        python_module(graph)


def test_a_refusal_offers_every_target_that_lacks_none_of_the_constructs_found() -> None:
    graph = _load(EVERY_LIMIT.replace(" default false when absent", "")).graph
    assert refusals.refusal(graph, "Python") is None
    refusal = refusals.refusal(graph, "SQL")
    assert refusal is not None
    assert refusal.endswith("evaluate this guideline with the runtime (fibrolang.load) or the Python target")


def test_the_runtime_evaluates_what_the_targets_refuse(guideline: fibrolang.Guideline) -> None:
    result = guideline.evaluate({"birth_date": "2000-02-29", "assessment_date": "2018-03-01", "spo2": 90})
    assert result.outputs == {"age": 18, "low_on_air": True}
    assert result.assumed == ("on_oxygen",)


def test_the_cli_says_it_once_with_the_file(tmp_path: Path) -> None:
    source = tmp_path / "limits.fibro"
    source.write_text(EVERY_LIMIT, encoding="utf-8")
    result = CliRunner().invoke(main, ["compile", "--target", "sql", str(source)])
    assert result.exit_code == 1
    assert result.output.startswith(f"{source}: error: the SQL target does not yet support defaults")
    assert "cannot express" not in result.output
    assert result.output.count("the SQL target") == 1
    assert "Traceback" not in result.output
