"""The errors the runtime raises, each carrying data rather than only a sentence.

- ``InvalidPatient``: the patient record does not match the declared inputs.
  Every problem is collected before raising, so one error lists them all.
- ``GuidelineError``: the graph file is malformed, or the guideline is
  incomplete for this patient (a decision where no branch holds).
- ``SafetyViolation``: a finished plan breaks one of the guideline's
  invariants. The plan is never returned.
"""

from __future__ import annotations

from fibrolang.printable import printable
from fibrolang.records import ordered_record

LISTED = 20
"""How many problems an error's message lists (``.problems`` keeps them all)."""


@ordered_record
class Problem:
    """One thing wrong with a patient record or a graph, located by a dotted path."""

    path: str
    message: str
    code: str

    def __str__(self) -> str:
        return f"{printable(self.path, 200) or '<root>'}: {printable(self.message, 400)} [{self.code}]"


def plural(count: int, noun: str) -> str:
    """``1 problem``, ``2 problems``."""
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _listing(headline: str, problems: tuple[Problem, ...]) -> str:
    """The headline and the first ``LISTED`` problems, one a line, then how many more."""
    lines = [headline, *(f"  {problem}" for problem in problems[:LISTED])]
    if len(problems) > LISTED:
        lines.append(f"  ... and {plural(len(problems) - LISTED, 'more problem')}")
    return "\n".join(lines)


class InvalidPatient(ValueError):
    """The patient record breaks the declared inputs; ``problems`` lists every fault."""

    def __init__(self, problems: tuple[Problem, ...]) -> None:
        self.problems = problems
        super().__init__(_listing(f"invalid patient record ({plural(len(problems), 'problem')}):", problems))


class GuidelineError(Exception):
    """The graph cannot be used: malformed, inconsistent, or incomplete for a patient."""

    def __init__(self, headline: str, problems: tuple[Problem, ...] = ()) -> None:
        self.headline = headline
        self.problems = problems
        super().__init__(_listing(headline, problems) if problems else headline)


class SafetyViolation(Exception):
    """A finished plan breaks an invariant of the guideline; the plan is withheld."""

    def __init__(
        self,
        invariant: str,
        title: str | None,
        nodes: tuple[str, ...],
        edges: tuple[str, ...],
    ) -> None:
        self.invariant = invariant
        self.title = title
        self.nodes = nodes
        self.edges = edges
        name = f"{invariant} ({title})" if title else invariant
        super().__init__(
            printable(
                f"safety invariant {name} is violated by the plan reached via "
                f"{' -> '.join(edges)}; the plan was withheld"
            )
        )
