"""The cone of influence of a question: the path-condition equations it depends on.

Every named term of ``paths.PathConditions`` (``~reach N``, ``~edge E``,
``~recommended X at N``, ...) is defined by one equation over the patient's
inputs and earlier names. A question about some terms depends only on the
equations of the names it mentions, of the names those mention, and so on.
The other equations each define a name nothing in the question reads, and
as definitions (one value for every patient) they constrain no input: left
out, they change neither which patients satisfy the question nor any
input's value in a model.

A witness for an edge halfway down a long pathway therefore needs the
equations of the walk up to that edge, not the plans and doses of every
node after it. Asking a fresh solver that holds only the cone keeps each
check small and independent of the checks before it (one incremental solver
over the whole graph slows down as it learns from hundreds of unrelated
questions); docs/benchmarks.md has the figures.
"""

from __future__ import annotations

from collections.abc import Iterable

import z3

from compiler.analysis.encode import Term
from compiler.analysis.paths import PathConditions


class Cones:
    """The cones of influence of questions about one graph's path conditions."""

    def __init__(self, paths: PathConditions) -> None:
        self.paths = paths
        defining = {position for positions in paths.defined_at.values() for position in positions}
        # What every question keeps: the declared ranges and enum bounds of the inputs.
        self.shared = [c for position, c in enumerate(paths.constraints) if position not in defining]
        self._reads: dict[str, frozenset[str]] = {}
        self._under: dict[int, frozenset[str]] = {}  # z3 term id -> the defined names in it

    def names_in(self, terms: Iterable[Term]) -> set[str]:
        """The defined names that occur in ``terms`` (not looking inside their definitions)."""
        found: set[str] = set()
        local: dict[int, frozenset[str]] = {}
        for term in terms:
            found |= self._names_under(term, local)
        return found

    def _names_under(self, root: Term, store: dict[int, frozenset[str]]) -> frozenset[str]:
        """The defined names in one term. Each subterm's answer is kept in ``store``; answers
        for the subterms of the definitions are kept for good (``_under``: the definitions
        share subterms, a guard appears in every edge and item of its node). z3 reuses the id
        of a term that no longer exists, so only terms ``paths`` keeps alive are kept for good:
        a question's own terms go to a ``store`` of that call."""
        known = self._under
        defined = self.paths.defined_at
        stack: list[tuple[Term, bool]] = [(root, False)]
        while stack:
            term, expanded = stack.pop()
            key = term.get_id()
            if key in known or key in store:
                continue
            if z3.is_const(term):
                name = term.decl().name()
                store[key] = frozenset((name,)) if name in defined else frozenset()
                continue
            children = term.children()
            if expanded:
                store[key] = frozenset().union(
                    *(known[c.get_id()] if c.get_id() in known else store[c.get_id()] for c in children)
                )
                continue
            stack.append((term, True))
            stack.extend((c, False) for c in children if c.get_id() not in known and c.get_id() not in store)
        key = root.get_id()
        return known[key] if key in known else store[key]

    def _reads_of(self, name: str) -> frozenset[str]:
        reads = self._reads.get(name)
        if reads is None:
            constraints = self.paths.constraints
            formulas = [constraints[position].arg(1) for position in self.paths.defined_at[name]]
            reads = frozenset().union(*(self._names_under(formula, self._under) for formula in formulas))
            self._reads[name] = reads
        return reads

    def names(self, terms: Iterable[Term]) -> set[str]:
        """Every defined name ``terms`` depend on, directly or through other definitions."""
        pending = self.names_in(terms)
        closed: set[str] = set()
        while pending:
            name = pending.pop()
            if name in closed:
                continue
            closed.add(name)
            pending |= self._reads_of(name) - closed
        return closed

    def solver(self, terms: list[Term], timeout_ms: int) -> z3.Solver:
        """A fresh solver holding ``terms`` and the constraints they depend on.

        The constraints are Boolean terms made by ``PathConditions``, so they
        are asserted directly, without z3py's per-term conversion and sort
        check (which cost more than z3's own work on a large cone)."""
        solver = z3.Solver()
        solver.set("timeout", timeout_ms)
        context, handle = solver.ctx.ref(), solver.solver
        for term in self.constraints(terms):
            z3.Z3_solver_assert(context, handle, term.as_ast())
        solver.add(*terms)
        return solver

    def constraints(self, terms: Iterable[Term]) -> list[Term]:
        """The input ranges and the equations ``terms`` depend on, in the order they were made."""
        defined_at = self.paths.defined_at
        positions = sorted(position for name in self.names(terms) for position in defined_at[name])
        return [*self.shared, *(self.paths.constraints[position] for position in positions)]
