"""The harness of the generated suites (tests/generated/test_guideline_*.py).

``fibrolang testgen -o DIR`` writes ``DIR/conftest.py`` (``CONFTEST``), which
imports this module's fixture and hooks, so that ``pytest DIR`` runs the
suites wherever DIR is; a suite whose snapshot file does not exist yet gets its
first snapshots recorded (``record_first_snapshots``: ``pytest --snapshot-update``
on that module, the current graph's answers, to be reviewed like any snapshot).

Each generated module declares ``GUIDELINE`` and ``GRAPH`` (the committed graph
JSON, relative to the module) and calls the ``evaluate`` fixture defined
here: it loads the graph with ``fibrolang.load`` (which checks its integrity
hash), evaluates the patient with ``Guideline.evaluate``, records the trace for
decision coverage and returns
``compiler.testgen.view.snapshot_view(result.to_dict())`` for the snapshot.

Options:

``--graph GUIDELINE=PATH``
    test another graph JSON under the same snapshots (a scratch copy of an
    edited guideline): the failing tests are the patients whose answer changed.
``--decision-coverage-fail-under PERCENT``
    fail the session when the edges taken by the generated tests cover less
    than PERCENT of some guideline's edges (the summary is always printed
    when generated tests ran). ``fibrolang coverage`` reports the same with
    witnesses for whatever is missing.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import pytest

import fibrolang
from compiler.testgen.view import snapshot_view
from fibrolang import graph_order
from fibrolang.graph import ActionNode, Graph


class DecisionCoverage:
    """Edges, paths and item-guard outcomes the generated tests took, per guideline."""

    def __init__(self) -> None:
        self.graphs: dict[str, Graph] = {}
        self.edges: dict[str, set[str]] = {}
        self.paths: dict[str, set[tuple[str, ...]]] = {}
        self.items: dict[str, set[tuple[str, bool]]] = {}

    def record(self, guideline: str, graph: Graph, result: fibrolang.Result) -> None:
        self.graphs.setdefault(guideline, graph)
        self.edges.setdefault(guideline, set()).update(result.trace.edges)
        self.paths.setdefault(guideline, set()).add(tuple(result.trace.edges))
        outcomes = self.items.setdefault(guideline, set())
        for guard in result.trace.guards:
            if guard.item is not None and guard.value is not None:
                outcomes.add((guard.item, bool(guard.value)))

    def summary(self) -> list[tuple[str, float, str]]:
        lines = []
        for guideline in sorted(self.graphs):
            graph = self.graphs[guideline]
            edges = [edge.id for node in graph.nodes for edge in graph_order.successors(node)]
            covered = [edge for edge in edges if edge in self.edges[guideline]]
            percent = 100.0 * len(covered) / len(edges) if edges else 100.0
            guarded = sum(
                2 for node in graph.nodes if isinstance(node, ActionNode) for item in node.items if item.guard
            )
            text = (
                f"{guideline}: edges {len(covered)}/{len(edges)} ({percent:.1f}%), "
                f"item guard outcomes seen {len(self.items[guideline])}/{guarded}, "
                f"distinct complete paths taken {len(self.paths[guideline])}"
            )
            missing = sorted(set(edges) - set(covered))
            if missing:
                text += f"; edges not taken: {', '.join(missing)}"
            lines.append((guideline, percent, text))
        return lines


COVERAGE = DecisionCoverage()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("fibrolang generated suites")
    group.addoption(
        "--graph",
        action="append",
        default=[],
        metavar="GUIDELINE=PATH",
        help="evaluate the generated suite of GUIDELINE against the graph JSON at PATH",
    )
    group.addoption(
        "--decision-coverage-fail-under",
        type=float,
        default=None,
        metavar="PERCENT",
        help="fail when the generated tests take less than PERCENT of a guideline's edges",
    )


def _overrides(config: pytest.Config) -> dict[str, Path]:
    found = {}
    for entry in config.getoption("--graph", default=[]) or []:
        guideline, _, path = entry.partition("=")
        if not path:
            raise pytest.UsageError(f"--graph wants GUIDELINE=PATH, not {entry!r}")
        found[guideline] = Path(path)
    return found


_LOADED: dict[Path, tuple[Graph, fibrolang.Guideline]] = {}


def _load(path: Path) -> tuple[Graph, fibrolang.Guideline]:
    resolved = path.resolve()
    if resolved not in _LOADED:
        guideline = fibrolang.load(resolved)
        _LOADED[resolved] = (guideline.graph, guideline)
    return _LOADED[resolved]


Patient = Mapping[str, Any]
"""A patient as a generated test writes it (the annotation of its ``patient`` literal)."""
Evaluate = Callable[[Patient], dict[str, Any]]
"""The ``evaluate`` fixture: a patient to the snapshot view of the runtime's result."""


@pytest.fixture
def evaluate(request: pytest.FixtureRequest) -> Evaluate:
    module = request.module
    guideline_id: str = module.GUIDELINE
    path = _overrides(request.config).get(guideline_id)
    if path is None:
        path = Path(module.__file__).parent / module.GRAPH
    graph, guideline = _load(path)

    def run(patient: Patient) -> dict[str, Any]:
        result = guideline.evaluate(patient)
        COVERAGE.record(guideline_id, graph, result)
        return snapshot_view(result.to_dict())

    return run


def pytest_terminal_summary(terminalreporter: Any, exitstatus: int, config: pytest.Config) -> None:
    lines = COVERAGE.summary()
    if not lines:
        return
    terminalreporter.section("decision coverage of the generated suites")
    for _, _, text in lines:
        terminalreporter.write_line(text)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    threshold = session.config.getoption("--decision-coverage-fail-under", default=None)
    if threshold is None:
        return
    below = [text for _, percent, text in COVERAGE.summary() if percent < threshold]
    if below and session.exitstatus == 0:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


CONFTEST = '''# Generated by fibrolang testgen. Do not edit.
"""The harness of the generated suites in this directory (compiler/testgen/harness.py): the
``evaluate`` fixture and the options --graph and --decision-coverage-fail-under."""

from compiler.testgen.harness import (  # noqa: F401
    evaluate,
    pytest_addoption,
    pytest_sessionfinish,
    pytest_terminal_summary,
)
'''


def conftest_file(output_dir: Path) -> Path:
    return output_dir / "conftest.py"


def harness_stale(output_dir: Path) -> list[str]:
    """Why the directory's ``conftest.py`` is not the harness (empty when it is)."""
    path = conftest_file(output_dir)
    if not path.is_file():
        return [f"{path}: missing"]
    if path.read_bytes() != CONFTEST.encode("utf-8"):
        return [f"{path}: differs from the harness fibrolang testgen writes"]
    return []


def write_harness(output_dir: Path) -> Path | None:
    """Write ``DIR/conftest.py`` when it is missing or stale; the path written, or None."""
    if not harness_stale(output_dir):
        return None
    path = conftest_file(output_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(CONFTEST.encode("utf-8"))
    return path


def record_first_snapshots(module: Path, snapshot_file: Path) -> str | None:
    """For a suite that has no snapshot file yet, record its first snapshots by running
    ``pytest --snapshot-update`` on the module (the current graph's answers); what went
    wrong, or None. A suite that has snapshots is left alone: changing them is a review."""
    if snapshot_file.exists():
        return None
    command = [sys.executable, "-m", "pytest", module.name, "--snapshot-update", "-q"]  # run in module.parent
    command += ["-p", "no:cacheprovider"]
    run = subprocess.run(command, cwd=module.parent, capture_output=True, text=True, check=False)
    if run.returncode != 0 or not snapshot_file.exists():
        return f"pytest --snapshot-update {module} failed (exit {run.returncode}): {run.stdout[-2000:]}"
    return None
