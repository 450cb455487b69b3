"""Generate, check and read the committed suites (the API behind ``fibrolang testgen``).

For ``guidelines/NAME.fibro`` and an output directory ``tests/generated`` the
suite is ``tests/generated/test_guideline_NAME.py``, testing the committed
graph ``guidelines/NAME.graph.json``; its snapshots live in
``tests/generated/__snapshots__/test_guideline_NAME.ambr``.

``stale`` is what ``fibrolang testgen --check`` (CI) runs: a suite is stale
when regenerating it from the current guideline gives different bytes, or
when its snapshot file is missing or does not hold exactly one snapshot per
test (run ``pytest --snapshot-update`` after reviewing the results).
"""

from __future__ import annotations

import ast
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from compiler import api
from compiler.analysis.solve import DEFAULT_TIMEOUT_MS
from compiler.testgen.cases import PATH_LIMIT, Suite, gather
from compiler.testgen.module import SuiteSource, module_name, patient_of, render

JSON = dict[str, Any]


@dataclass(frozen=True)
class Generated:
    guideline: Path
    path: Path
    text: str
    suite: Suite

    @property
    def snapshot_file(self) -> Path:
        return self.path.parent / "__snapshots__" / f"{self.path.stem}.ambr"


def _relative(path: Path, start: Path) -> str:
    return Path(os.path.relpath(path.resolve(), start.resolve())).as_posix()


def graph_file(guideline: Path) -> Path:
    """The committed graph JSON of a guideline (what ``fibrolang build`` writes)."""
    return guideline.with_name(f"{guideline.stem}.graph.json")


def suite_file(guideline: Path, output_dir: Path) -> Path:
    return output_dir / f"{module_name(guideline.name)}.py"


def generate(
    guideline: Path,
    output_dir: Path,
    root: Path = Path("."),
    path_limit: int = PATH_LIMIT,
    timeout_ms: int = DEFAULT_TIMEOUT_MS,
    graph: JSON | None = None,
) -> Generated:
    """The suite module of one guideline (``CompileError``, ``GenerationError`` on problems)."""
    if graph is None:
        graph = api.compile_file(guideline)
    suite = gather(graph, path_limit, timeout_ms)
    source = SuiteSource(
        guideline_file=_relative(guideline, root),
        graph_file=_relative(graph_file(guideline), root),
        graph_from_module=_relative(graph_file(guideline), output_dir),
        output_dir=_relative(output_dir, root),
    )
    return Generated(guideline, suite_file(guideline, output_dir), render(suite, source), suite)


def write(generated: Generated) -> Path:
    generated.path.parent.mkdir(parents=True, exist_ok=True)
    generated.path.write_bytes(generated.text.encode("utf-8"))
    return generated.path


def suite_test_names(text: str) -> list[str]:
    tree = ast.parse(text)
    return [n.name for n in tree.body if isinstance(n, ast.FunctionDef) and n.name.startswith("test_")]


def snapshot_names(snapshot_file: Path) -> list[str]:
    """The test names a syrupy ``.ambr`` file holds snapshots for."""
    text = snapshot_file.read_text(encoding="utf-8")
    return sorted(set(re.findall(r"^# name: (test_\w+)", text, flags=re.MULTILINE)))


def stale(generated: Generated) -> list[str]:
    """Why the committed suite of this guideline is stale (empty when it is current)."""
    reasons = []
    if not generated.path.exists():
        return [f"{generated.path}: missing"]
    if generated.path.read_bytes() != generated.text.encode("utf-8"):
        reasons.append(f"{generated.path}: differs from what the current guideline generates")
    if not generated.snapshot_file.exists():
        reasons.append(f"{generated.snapshot_file}: missing (run pytest --snapshot-update after review)")
    else:
        wanted = sorted(suite_test_names(generated.text))
        held = snapshot_names(generated.snapshot_file)
        missing = sorted(set(wanted) - set(held))
        extra = sorted(set(held) - set(wanted))
        if missing or extra:
            reasons.append(
                f"{generated.snapshot_file}: {len(missing)} test(s) without a snapshot, "
                f"{len(extra)} snapshot(s) without a test (review, then pytest --snapshot-update)"
            )
    return reasons


@dataclass(frozen=True)
class SuitePatient:
    test: str
    patient: JSON
    protects: str = ""  # what the test's docstring says it protects ("Protects:" lines)


def read_patients(path: Path) -> list[SuitePatient]:
    """The patients of a committed suite, read with ``ast.literal_eval`` (never executed)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and node.name.startswith("test_"):
            doc = ast.get_docstring(node) or ""
            protects = doc.split("\nPath:", 1)[0].removeprefix("Protects:").strip()
            found.append(SuitePatient(node.name, patient_of(node), protects))
    return found
