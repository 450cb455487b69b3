"""``fibrolang.load``: read a graph JSON file (or dict) into a ready-to-use ``Guideline``."""

from __future__ import annotations

import gc
import json
import os
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from types import MappingProxyType
from typing import Any

from fibrolang import integrity
from fibrolang.absent_defaults import AbsentDefaults, with_assumed
from fibrolang.errors import GuidelineError, InvalidPatient, Problem, SafetyViolation
from fibrolang.graph import Graph, InputDeclaration
from fibrolang.graph_reader import read_graph
from fibrolang.program import Program
from fibrolang.result import Result
from fibrolang.validate import PatientValidator

EvaluationError = InvalidPatient | SafetyViolation | GuidelineError
"""What ``Guideline.evaluate_many`` yields instead of a result for a patient it cannot answer."""


class Guideline:
    """A loaded, compiled guideline. Thread-safe to share: evaluation keeps no state here."""

    __slots__ = ("_defaults", "_program", "_validate", "graph", "inputs")

    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        self._program = Program(graph)
        self._validate = PatientValidator(graph)
        self._defaults = AbsentDefaults(graph)
        self.inputs: Mapping[str, InputDeclaration] = MappingProxyType(
            {declared.name: declared for declared in graph.inputs}
        )

    @property
    def id(self) -> str:
        return self.graph.guideline.id

    @property
    def version(self) -> str:
        return self.graph.guideline.version

    @property
    def content_hash(self) -> str:
        return self.graph.guideline.content_hash

    def validate(self, patient: Mapping[str, Any]) -> dict[str, Any]:
        """Check a patient record; return its normalised inputs or raise ``InvalidPatient``."""
        return self._validate(patient)

    def evaluate(self, patient: Mapping[str, Any], trace: bool = True) -> Result:
        """Validate the patient, walk the pathway, and return the result.

        ``trace=False`` (the lean mode) gives the same result except that its ``trace``
        is empty (no nodes, edges or guard outcomes), for callers that only want the plan;
        patients who end with the same plan may get the same (immutable) ``Result`` object."""
        if trace or self._defaults.defaults:
            return self._evaluate(patient, trace)
        return self._program.run_lean(self._validate.check(patient))

    def _evaluate(self, patient: Mapping[str, Any], trace: bool) -> Result:
        """``evaluate`` but for the lean walk of a guideline without defaults."""
        if self._defaults:
            return self._assuming(patient, trace)
        if trace:
            return self._program.run(self._validate.check(patient))
        return self._program.run_lean(self._validate.check(patient))

    def _assuming(self, patient: Mapping[str, Any], trace: bool) -> Result:
        """``evaluate`` for a guideline that declares defaults for absent facts."""
        inputs, assumed = self._defaults.fill(self._validate.check(patient))
        run = self._program.run if trace else self._program.run_lean
        return with_assumed(run(inputs), assumed)

    def evaluate_many(
        self, patients: Iterable[Mapping[str, Any]], trace: bool = True
    ) -> Iterator[Result | EvaluationError]:
        """``evaluate`` for each patient, in order, lazily, with the per-call work (method
        look-ups, argument passing) done once for the batch.

        One patient's error does not end the batch: where ``evaluate`` would raise
        ``InvalidPatient``, ``SafetyViolation`` or ``GuidelineError`` for a patient, that
        exception is yielded in its place (test with ``isinstance(item, Exception)``)."""
        if self._defaults:
            for patient in patients:
                try:
                    yield self._assuming(patient, trace)
                except (InvalidPatient, SafetyViolation, GuidelineError) as error:
                    yield error
            return
        check = self._validate.check
        run = self._program.run if trace else self._program.run_lean
        for patient in patients:
            try:
                yield run(check(patient))
            except (InvalidPatient, SafetyViolation, GuidelineError) as error:
                yield error

    def explain(self, result: Result, patient: Mapping[str, Any] | None = None) -> str:
        """A short human-readable account of a result of this guideline; given the patient
        record, an ``insufficient_data`` result also names the absent inputs the guideline
        may ask for next."""
        from fibrolang.errors import InvalidPatient
        from fibrolang.explain import explain

        inputs = None
        if patient is not None:
            try:
                inputs = self._defaults.fill(self._validate.check(patient))[0]
            except InvalidPatient:
                inputs = None  # no result came from this record: mark no table cell
        return explain(self.graph, result, patient, inputs)

    def __repr__(self) -> str:
        return f"<Guideline {self.id} {self.version}>"


def load(source: str | os.PathLike[str] | Mapping[str, Any], verify: bool = True) -> Guideline:
    """Load a guideline from a graph JSON file path, or from an already-parsed dict.

    The graph's ``graph_hash`` is checked first (``fibrolang.integrity``): a graph changed
    after it was compiled, or carrying no hash, raises ``GraphIntegrityError`` (a
    ``GuidelineError``). ``verify=False`` skips the check, for development only (a graph
    edited on purpose, a mutant).

    The cyclic garbage collector is paused while the guideline is built (tens of thousands
    of objects for a large graph, none of them garbage; the collector's passes over them
    cost about a tenth of the load) and switched on again after, unless it was off. It
    is one switch for the whole process: an application that turns the collector off
    from another thread while a guideline loads may find it on again."""
    collecting = gc.isenabled()
    if collecting:
        gc.disable()
    try:
        return _load(source, verify)
    finally:
        if collecting:
            gc.enable()


def _load(source: str | os.PathLike[str] | Mapping[str, Any], verify: bool) -> Guideline:
    if not isinstance(source, str | os.PathLike):
        if verify:
            integrity.verify(source)
        return _build(source)
    path = Path(source)
    try:
        raw = path.read_bytes()
        text = raw.decode("utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise GuidelineError(
            f"cannot read graph file {path}: {error}", (Problem("", str(error), "unreadable"),)
        ) from None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise GuidelineError(
            f"graph file {path} is not valid JSON (line {error.lineno}, column {error.colno}): {error.msg}",
            (Problem("", error.msg, "invalid_json"),),
        ) from None
    if verify:
        integrity.verify(document, raw, f"graph file {path}")
    return _build(document)


def _build(document: object) -> Guideline:
    """``Guideline(read_graph(document))``; expressions nested too deeply for Python's
    stack, whether found in reading or in compiling, are a ``GuidelineError`` too."""
    try:
        return Guideline(read_graph(document))
    except RecursionError:
        raise GuidelineError("the graph nests expressions too deeply to read") from None
