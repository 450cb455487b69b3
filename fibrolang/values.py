"""Runtime values: the unknown value, the normalised patient, the evaluation context.

Known values are plain Python values: ``bool``, ``int``/``float``, ``str``
(an enum member), ``frozenset[str]`` (a set of members), ``PatientMap`` (a
map input) and ``PatientRecord`` (one entry of a map). An unknown value is an
``Unknown`` carrying the dotted paths of the absent facts it came from, so
that ``insufficient_data`` can name exactly what is missing.
"""

from __future__ import annotations

from typing import Any


class Unknown:
    """A value the patient record does not determine (Kleene's third truth value).

    ``missing`` holds the absent facts it depends on. ``path`` is set when the
    value *is* one absent fact (an input, a map entry, a record field), so that
    reading an entry or a field of it can name the deeper fact instead.
    """

    __slots__ = ("missing", "path")

    def __init__(self, missing: frozenset[str], path: str | None = None) -> None:
        self.missing = missing
        self.path = path

    def __repr__(self) -> str:
        return f"Unknown({sorted(self.missing)})"


def absent(path: str) -> Unknown:
    """The unknown value of one absent fact."""
    return Unknown(frozenset((path,)), path)


def merge_unknown(*values: Any) -> Unknown:
    """An unknown that depends on the absent facts of every unknown among ``values``."""
    missing: frozenset[str] = frozenset()
    for value in values:
        if value.__class__ is Unknown:
            missing = missing | value.missing
    return Unknown(missing)


class PatientRecord(dict[str, Any]):
    """One entry of a map input (e.g. the trial of duloxetine); ``path`` names it.

    No ``__init__`` of its own, so creating one stays a C-level dict creation.
    """

    __slots__ = ("path",)
    path: str


class PatientMap(dict[str, PatientRecord]):
    """A map input (e.g. ``medications``); ``path`` names it."""

    __slots__ = ("path",)
    path: str


PENDING: Any = object()
"""Marks a definition not yet computed in this evaluation."""


class Context:
    """Everything one evaluation reads and writes, passed to every compiled closure.

    ``definitions`` memoises definitions per evaluation; ``bound`` holds the
    members quantifiers are looking at (one slot per nesting depth); the four
    plan fields record what the path has added so far, for plan queries.
    """

    __slots__ = ("avoided", "bound", "definitions", "doses", "flagged", "inputs", "recommended")

    def __init__(self, inputs: dict[str, Any], definitions: list[Any], depth: int) -> None:
        self.inputs = inputs
        self.definitions = definitions
        self.bound: list[Any] = [None] * depth
        self.recommended: set[str] = set()
        self.avoided: set[str] = set()
        self.flagged: set[str] = set()
        self.doses: dict[str, int | float] = {}


class Question:
    """Something a walk may fail to decide (a decision, an item, a safety rule), with the
    ``insufficient_data`` answers it has given, memoised by the set of missing facts."""

    __slots__ = ("answers", "what")

    def __init__(self, what: str) -> None:
        self.what = what
        self.answers: dict[frozenset[str], tuple[tuple[str, ...], str]] = {}

    def unanswered(self, missing: frozenset[str]) -> tuple[tuple[str, ...], str]:
        """The sorted missing facts and the result's message."""
        answer = self.answers.get(missing)
        if answer is None:
            names = tuple(sorted(missing))
            answer = (names, f"Not enough data to decide {self.what}: missing {', '.join(names)}.")
            if len(self.answers) < 256:
                self.answers[missing] = answer
        return answer
