"""The committed artifacts of each guideline, regenerated or checked in one place.

For ``guidelines/NAME.fibro`` the project commits the decision graph
(``NAME.graph.json``), the flowcharts (``NAME.dot``, ``.svg``, ``.pdf``), the
traceability report (``docs/traceability/NAME.md``, when it quotes sources) and,
for the guideline that declares invariants, the safety report (``docs/safety.md``). ``fibrolang build``
rewrites them; ``fibrolang build --check`` (run by CI) fails when any is
missing or differs from what the current source produces.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from compiler import api
from compiler.backends.graph_json import dumps
from compiler.traceability.report import report_markdown, trace
from fibrolang import read_graph
from fibrolang.graph import Graph


@dataclass(frozen=True)
class Artifact:
    path: Path
    content: bytes


@dataclass(frozen=True)
class BuildContext:
    guideline_path: Path
    checked: api.Checked
    document: dict[str, Any]  # the graph JSON, as written out
    graph: Graph  # the same graph, typed
    root: Path

    @property
    def name(self) -> str:
        return self.guideline_path.stem


Producer = Callable[[BuildContext], list[Artifact]]


def graph_artifact(context: BuildContext) -> list[Artifact]:
    path = context.guideline_path.with_name(f"{context.name}.graph.json")
    return [Artifact(path, dumps(context.document).encode("utf-8"))]


def traceability_artifact(context: BuildContext) -> list[Artifact]:
    guideline = context.checked.guideline
    if guideline is None or not guideline.header.sources:
        return []
    report = trace(guideline, context.guideline_path.resolve().parent)
    path = context.root / "docs" / "traceability" / f"{context.name}.md"
    return [Artifact(path, report_markdown(report).encode("utf-8"))]


def flowchart_artifacts(context: BuildContext) -> list[Artifact]:
    """The flowchart as DOT (reviewable in a diff), SVG and PDF."""
    from compiler.backends.flowchart.files import flowchart_bytes

    artifacts = []
    for extension in ("dot", "svg", "pdf"):
        path = context.guideline_path.with_name(f"{context.name}.{extension}")
        artifacts.append(Artifact(path, flowchart_bytes(context.graph, extension)))
    return artifacts


def safety_artifact(context: BuildContext) -> list[Artifact]:
    """docs/safety.md: every invariant, the sentence it protects and its proof status.

    Only a guideline that declares invariants has a safety report. There is one
    report path, so two such guidelines in one build are refused (``clashes``)
    rather than overwriting each other's report."""
    if not context.graph.invariants:
        return []
    from compiler.analysis.report import safety_markdown

    relative = context.guideline_path.resolve().relative_to(context.root.resolve())
    text = safety_markdown(context.graph, relative.as_posix())
    return [Artifact(context.root / "docs" / "safety.md", text.encode("utf-8"))]


PRODUCERS: tuple[Producer, ...] = (
    graph_artifact,
    traceability_artifact,
    flowchart_artifacts,
    safety_artifact,
)


def artifacts_for(guideline_path: Path, root: Path) -> tuple[list[Artifact], api.Checked]:
    checked = api.check_file(guideline_path)
    if not checked.ok:
        return [], checked
    document = api.compile_checked(checked)
    context = BuildContext(guideline_path, checked, document, read_graph(document), root)
    artifacts: list[Artifact] = []
    for producer in PRODUCERS:
        artifacts.extend(producer(context))
    return artifacts, checked


def clashes(artifacts_by_guideline: dict[Path, list[Artifact]]) -> dict[Path, list[Path]]:
    """The artifact paths that more than one guideline would write, each with those guidelines."""
    writers: dict[Path, list[Path]] = {}
    for guideline, artifacts in artifacts_by_guideline.items():
        for artifact in artifacts:
            writers.setdefault(artifact.path.resolve(), []).append(guideline)
    return {path: guidelines for path, guidelines in writers.items() if len(guidelines) > 1}


def stale(artifacts: list[Artifact]) -> list[Path]:
    """The artifacts whose committed bytes differ from the fresh ones."""
    return [a.path for a in artifacts if not a.path.is_file() or a.path.read_bytes() != a.content]


def write(artifacts: list[Artifact]) -> list[Path]:
    written = []
    for artifact in artifacts:
        if artifact.path.is_file() and artifact.path.read_bytes() == artifact.content:
            continue
        artifact.path.parent.mkdir(parents=True, exist_ok=True)
        artifact.path.write_bytes(artifact.content)
        written.append(artifact.path)
    return written
