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

With ``cut`` (for questions that want a verdict only, not a model to read
names from), the closure also stops at the ``~reach N`` of every node that
every patient reaches (``always_reached``): such a name is asserted true in
place of its equation and of everything before it. Every model of the cut
cone extends to a model of the whole graph with the same inputs (each name
left out is a function of the inputs, and each cut name is true for every
patient), so the verdict is the same; on a chain the cone then holds the
walk since the last such node, not the walk from ``start``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import z3

from compiler.analysis.always_reached import always_reached
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
        self._cut: frozenset[str] | None = None
        self._cut_at: frozenset[int] = frozenset()  # the positions of the cut names' equations

    @property
    def cut(self) -> frozenset[str]:
        """The names true for every patient: the ``~reach N`` of the nodes every patient reaches."""
        if self._cut is None:
            reach = self.paths.reach
            terms = (reach[node_id] for node_id in always_reached(self.paths))
            self._cut = frozenset(t.decl().name() for t in terms if z3.is_const(t) and not z3.is_true(t))
            defined_at = self.paths.defined_at
            self._cut_at = frozenset(position for name in self._cut for position in defined_at[name])
        return self._cut

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
        a question's own terms go to a ``store`` of that call.

        The walk reads z3's terms through its C API (``_Walk``), not through z3py objects:
        every subterm it visits lives inside ``root``, which the caller holds."""
        known = self._under
        walk = _Walk(root.ctx_ref())
        defined = self.paths.defined_at
        stack: list[tuple[Any, bool]] = [(root.as_ast(), False)]
        while stack:
            ast, expanded = stack.pop()
            key = walk.id(ast)
            if key in known or key in store:
                continue
            arity = walk.arity(ast)
            if arity == 0:
                name = walk.name(ast)
                store[key] = frozenset((name,)) if name is not None and name in defined else frozenset()
                continue
            children = [walk.child(ast, index) for index in range(arity)]
            if expanded:
                store[key] = frozenset().union(
                    *(known[k] if k in known else store[k] for k in map(walk.id, children))
                )
                continue
            stack.append((ast, True))
            stack.extend((c, False) for c in children if (k := walk.id(c)) not in known and k not in store)
        key = walk.id(root.as_ast())
        return known[key] if key in known else store[key]

    def _reads_of(self, name: str) -> frozenset[str]:
        reads = self._reads.get(name)
        if reads is None:
            constraints = self.paths.constraints
            formulas = [constraints[position].arg(1) for position in self.paths.defined_at[name]]
            reads = frozenset().union(*(self._names_under(formula, self._under) for formula in formulas))
            self._reads[name] = reads
        return reads

    def names(self, terms: Iterable[Term], cut: bool = False) -> set[str]:
        """Every defined name ``terms`` depend on, directly or through other definitions (with
        ``cut``, not looking into the definitions of the names in ``self.cut``)."""
        pending = self.names_in(terms)
        stops = self.cut if cut else frozenset()
        closed: set[str] = set()
        while pending:
            name = pending.pop()
            if name in closed:
                continue
            closed.add(name)
            if name not in stops:
                pending |= self._reads_of(name) - closed
        return closed

    def solver(self, terms: list[Term], timeout_ms: int) -> z3.Solver:
        """A fresh solver holding ``terms`` and the constraints they depend on."""
        solver = z3.Solver()
        solver.set("timeout", timeout_ms)
        assert_all(solver, self.constraints(terms))
        solver.add(*terms)
        return solver

    def constraints(self, terms: Iterable[Term]) -> list[Term]:
        """The input ranges and the equations ``terms`` depend on, in the order they were made."""
        return [*self.shared, *self.equations(terms)]

    def equations(self, terms: Iterable[Term], cut: bool = False) -> list[Term]:
        """The equations ``terms`` depend on, in the order they were made (with ``cut``, a name of
        ``self.cut`` stands alone, asserted true, in place of its equation)."""
        defined_at = self.paths.defined_at
        constraints = self.paths.constraints
        positions = sorted(position for name in self.names(terms, cut) for position in defined_at[name])
        if not cut:
            return [constraints[position] for position in positions]
        stops = self._cut_at  # the equation ``~reach N == formula``: its left side alone
        return [constraints[p].arg(0) if p in stops else constraints[p] for p in positions]


def assert_all(solver: z3.Solver, constraints: Iterable[Term]) -> None:
    """Assert Boolean terms made by ``PathConditions`` directly, without z3py's per-term
    conversion and sort check (which cost more than z3's own work on a large cone)."""
    context, handle = solver.ctx.ref(), solver.solver
    for term in constraints:
        z3.Z3_solver_assert(context, handle, term.as_ast())


class _Walk:
    """What ``Cones`` reads of a z3 term, through z3's C API: its id, its arguments and, for a
    constant, its name. Only for terms the caller keeps alive (their arguments live in them).
    ``arity`` is 0 for a term that is not an application (z3py's ``children()`` is empty then,
    and ``is_const`` false), so such a term holds no name, as before."""

    def __init__(self, context: Any) -> None:
        self.context = context

    def id(self, ast: Any) -> int:
        return int(z3.Z3_get_ast_id(self.context, ast))

    def arity(self, ast: Any) -> int:
        if z3.Z3_get_ast_kind(self.context, ast) not in (z3.Z3_APP_AST, z3.Z3_NUMERAL_AST):
            return 0
        return int(z3.Z3_get_app_num_args(self.context, ast))

    def name(self, ast: Any) -> str | None:
        """The name of a constant as z3py's ``decl().name()`` gives it (None for a term that
        is not an application)."""
        context = self.context
        if z3.Z3_get_ast_kind(context, ast) not in (z3.Z3_APP_AST, z3.Z3_NUMERAL_AST):
            return None
        symbol = z3.Z3_get_decl_name(context, z3.Z3_get_app_decl(context, ast))
        if z3.Z3_get_symbol_kind(context, symbol) == z3.Z3_INT_SYMBOL:
            return f"k!{z3.Z3_get_symbol_int(context, symbol)}"
        return str(z3.Z3_get_symbol_string(context, symbol))

    def child(self, ast: Any, index: int) -> Any:
        return z3.Z3_get_app_arg(self.context, ast, index)
