"""One z3 solver over a graph's path conditions, asked questions with push/pop,
and the translation of its models into patient JSON the runtime accepts.

Witness patients are *complete*: every input is present (the analysis assumes
a complete patient record, and so does ``fibrolang eval`` when it is fed one);
a map holds exactly the entries the model chose, each with every field of its
record. A patient is therefore always valid against the declared ranges and
enumerations, and never ``insufficient_data`` for want of an input.

Readable witnesses: facts the question does not constrain take neutral values
(false, the empty set, no map entry, the first enum member, and for numbers a
per-unit neutral such as 40 years); numbers the question does constrain are
moved, one at a time, to the candidate nearest the neutral value among the
thresholds the guideline mentions and their neighbours (17 for ``age < 18``),
so witnesses read like cases a clinician would write. The patient depends on
the question only, not on the model z3 happens to find first (docs/testing.md,
"Speed"), and each witness is asked of a solver holding only the question's
cone of influence (``cone.Cones``).
"""

from __future__ import annotations

import bisect
import copy
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any, Literal

import z3

from compiler.analysis import dates
from compiler.analysis.cone import Cones, assert_all
from compiler.analysis.digest import Digests, NotDigestible
from compiler.analysis.encode import Term, conj, number_term, true_in
from compiler.analysis.paths import PathConditions
from compiler.analysis.recall import Recall
from fibrolang import expressions as ex
from fibrolang.expression_parts import subexpressions
from fibrolang.graph import (
    ActionNode,
    BooleanType,
    DateType,
    DecisionNode,
    EnumType,
    Graph,
    MapType,
    NumberType,
    SetType,
    ValueType,
)

DEFAULT_TIMEOUT_MS = 10_000
# From this many path-condition constraints on, ``satisfiable`` asks a fresh solver per
# question over the question's cone; below, the one incremental solver is faster. The
# verdicts are the same either way; the crossover was measured on the synthetic guidelines
# (docs/benchmarks.md: between 1,540 and 2,040 constraints, chains of 450 and 600 edges;
# fibromyalgia has 343).
SLICE_FROM = 1_800
# Verdict-only questions from cones stop at the nodes every patient reaches (``cone.Cones``,
# ``always_reached``): same verdicts, cones that do not grow along a chain. False asks the
# whole cone (the general path), which tests compare against.
CUT_ALWAYS_REACHED = True
# ... and with that cut, cones are asked from this many such nodes on, whatever the size of
# the graph: a chain of 33 decisions is proved in half the time of the incremental solver;
# fibromyalgia, with none, keeps the incremental solver (docs/benchmarks.md).
CUT_FROM = 10
# How many models of satisfiable questions ``Prover.satisfiable`` keeps to answer later
# questions they already witness (the latest first).
KEEP_MODELS = 16

Verdict = Literal["sat", "unsat", "unknown"]

# Neutral values for numbers by unit: what a "nothing special" patient has.
NEUTRAL_BY_UNIT: dict[str, int | float] = {
    "years": 40,
    "mL/min/1.73m2": 90,
    "mL/min": 90,
    "mmHg": 120,
    "bpm": 70,
    "kg": 70,
    "cm": 170,
    "kg/m2": 25,
    "%": 0,
}


class SolverUnknown(Exception):
    """z3 answered unknown (a timeout or an undecidable query): its own verdict."""

    def __init__(self, reason: str, timeout_ms: int) -> None:
        self.reason = reason
        self.timeout_ms = timeout_ms
        super().__init__(f"the solver could not decide within {timeout_ms / 1000:g} s ({reason})")


class OutOfBudget(Exception):
    """The proof budget ran out before a question was decided (``Prover.deadline``)."""


@dataclass(frozen=True)
class Answer:
    verdict: Verdict
    model: Any = None
    reason: str = ""


def neutral_value(type_: NumberType) -> int | float:
    """The neutral value of a number input of this type, clamped into its range."""
    value: int | float = NEUTRAL_BY_UNIT.get(type_.unit or "", 0)
    low, high = type_.minimum, type_.maximum
    if low is not None and value < low:
        value = low
    if high is not None and value > high:
        value = high
    if type_.integral and value != int(value):
        value = int(value) + 1
    return value


def step_of(integral: bool, threshold: int | float) -> Fraction:
    """The step of a boundary around ``threshold``: 1 for integers, else the literal's precision."""
    if integral:
        return Fraction(1)
    exponent = Decimal(repr(threshold)).normalize().as_tuple().exponent
    places = -exponent if isinstance(exponent, int) and exponent < 0 else 1
    return Fraction(1, 10**places)


class Prover:
    """A solver holding the path conditions; every query runs inside push/pop.

    With a ``deadline`` (a ``time.monotonic()`` value: the end of the proof budget), no
    question starts after it and none runs past it: ``OutOfBudget`` instead of an answer.

    With ``recall`` (``recall.Recall``), ``satisfiable`` and ``counterexample`` answer a question
    whose key (its exact content) has a known answer without asking, and note every answer they
    give. Which questions the incremental solver is asked then differs from a run without it,
    and an unsatisfiable core (``core``), unlike a verdict, can depend on what that solver was
    asked before: so every question of ``satisfiable`` is noted in order (``_journal``), and the
    first ``core`` after a recalled one rebuilds the solver and asks it every noted question as
    a run without recall would have (``_catch_up``), then recalls no more for it."""

    def __init__(
        self,
        paths: PathConditions,
        timeout_ms: int = DEFAULT_TIMEOUT_MS,
        deadline: float | None = None,
        recall: Recall | None = None,
    ) -> None:
        self.paths = paths
        self.timeout_ms = timeout_ms
        self.deadline = deadline
        self.solver = z3.Solver()
        self.solver.set("timeout", timeout_ms)
        # The models of this solver (``ask``) are only evaluated, never printed: compacting
        # their function graphs (z3's default) costs more than z3's search for them
        # (docs/benchmarks.md, "Editing a guideline and checking it again"), and the values
        # a model gives are the same either way.
        self.solver.set("model.compact", False)
        assert_all(self.solver, paths.constraints)  # as ``add`` asserts them, without its checks
        self._thresholds = _thresholds(paths.graph)
        self._cones = Cones(paths)
        self._candidates: dict[NumberType, tuple[list[Fraction], list[Fraction]]] = {}
        self._verdicts: z3.Solver | None = None  # the input ranges only, for ``_cut_question``
        self._whole: z3.Solver | None = None  # the whole path conditions, for ``counterexample``
        self._models: list[Any] = []  # the latest models of ``satisfiable``'s incremental solver
        self._recall = recall
        self._digests: Digests | None = None
        # every question of ``satisfiable``'s incremental solver, in order (with ``recall`` only)
        self._journal: list[tuple[Term, ...]] | None = [] if recall is not None else None
        self._behind = False  # the incremental solver was not asked a question a run without recall asks

    def ask(self, *goals: Term) -> Answer:
        """The verdict, with a model of the whole graph's path conditions when satisfiable (for
        questions that read named terms from it, like ``witnesses.predicted_path``)."""
        self._limit(self.solver)
        self.solver.push()
        try:
            self.solver.add(*goals)
            result = check(self.solver)
            if result == z3.sat:
                return Answer("sat", self.solver.model())
            if result == z3.unsat:
                return Answer("unsat")
            self._within_budget()
            return Answer("unknown", reason=self.solver.reason_unknown())
        finally:
            self.solver.pop()

    def _limit(self, solver: z3.Solver) -> None:
        """Give ``solver`` the time limit of its next check: the solver's own, or what is left of
        the budget when that is less; ``OutOfBudget`` when nothing is left."""
        if self.deadline is None:
            return
        left = int((self.deadline - time.monotonic()) * 1000)
        if left <= 0:
            raise OutOfBudget()
        solver.set("timeout", min(self.timeout_ms, left))

    def _within_budget(self) -> None:
        """After an unknown answer: ``OutOfBudget`` when it came from the budget's end."""
        if self.deadline is not None and time.monotonic() >= self.deadline:
            raise OutOfBudget()

    def satisfiable(self, *goals: Term) -> bool:
        """Whether some patient satisfies ``goals``; ``SolverUnknown`` when z3 cannot tell.

        Asked of a fresh solver holding only the goals' cone of influence
        (``cone.Cones``), like ``witness``: on a large graph one incremental
        solver over everything slows down with every question it has answered
        (docs/benchmarks.md). With ``CUT_ALWAYS_REACHED`` the cone stops at the
        nodes every patient reaches (``_cut_question``), from ``SLICE_FROM``
        constraints or ``CUT_FROM`` such nodes on."""
        if not CUT_ALWAYS_REACHED:
            if len(self.paths.constraints) < SLICE_FROM:
                return self.decide(*goals).verdict == "sat"
            return self._cone_question(list(goals)) is not None
        key = self._verdict_key(goals)
        recalled = None if key is None else self._recalled(key)
        if len(self.paths.constraints) < SLICE_FROM and len(self._cones.cut) < CUT_FROM:
            if self._journal is not None:
                self._journal.append(goals)
                if recalled is not None:
                    self._behind = True
                    return recalled
            found = self._incremental(goals)
        else:
            found = recalled if recalled is not None else self._cut_question(list(goals))
        if key is not None and recalled is None and self._recall is not None:
            self._recall.found_verdict(key, found)
        return found

    def _incremental(self, goals: Sequence[Term]) -> bool:
        """``satisfiable`` on the incremental solver (or from a model it gave before)."""
        if self._witnessed(goals):
            return True
        answer = self.decide(*goals)
        if answer.verdict == "sat":
            self._models = [answer.model, *self._models[: KEEP_MODELS - 1]]
        return answer.verdict == "sat"

    def _catch_up(self) -> None:
        """Make the incremental solver what it is in a run without recall: a new one, asked every
        question ``satisfiable`` was given so far, in order (see the class's docstring); from
        then on, the questions of ``satisfiable`` are asked of it as without recall."""
        journal, self._journal = self._journal, None
        if not self._behind or journal is None:
            return
        self._behind = False
        self.solver = z3.Solver()
        self.solver.set("timeout", self.timeout_ms)
        self.solver.set("model.compact", False)
        assert_all(self.solver, self.paths.constraints)
        self._models = []
        for goals in journal:
            try:
                self._incremental(goals)
            except SolverUnknown:
                continue  # as in the run without recall, which reported it (FIB220)

    # -- recall --

    def _verdict_key(self, goals: Sequence[Term]) -> str | None:
        """The key of the verdict of ``goals`` (``recall``), or None without recall."""
        if self._recall is None:
            return None
        if self._digests is None:
            try:
                self._digests = Digests(self.paths)
            except NotDigestible:
                self._recall = None
                return None
        try:
            digests = self._digests.of(goals)
        except NotDigestible:  # this question is asked, and its answer not kept
            return None
        return self._recall.key("verdict", [self._digests.shared, *digests])

    def _recalled(self, key: str) -> bool | None:
        """The known verdict of ``key`` (None: not known); ``OutOfBudget`` after the budget's
        end, as asking would raise."""
        assert self._recall is not None
        found = self._recall.verdict(key)
        if found is not None and self.deadline is not None and time.monotonic() >= self.deadline:
            raise OutOfBudget()
        return found

    def _witness_key(self, verdict: str, terms: Sequence[Term]) -> str:
        """The key of the readable patient of satisfiable ``terms``: their verdict's key, the
        equations of their cone in the order the cone's solver is given them, and what
        ``_readable`` and ``patient`` read besides the solver (``recall``)."""
        assert self._recall is not None and self._digests is not None
        defined_at = self.paths.defined_at
        positions = sorted(p for name in self._cones.names(terms) for p in defined_at[name])
        equations = b"".join(self._digests.constraints[p] for p in positions)
        return self._recall.key("witness", [verdict.encode(), equations, self._readable_context()])

    def _readable_context(self) -> bytes:
        graph = self.paths.graph
        scalars = [(str(variable), repr(type_)) for variable, type_ in self.paths.encoder.patient.scalars]
        parts = (
            scalars,
            [(declared.name, repr(declared.type)) for declared in graph.inputs],
            [(enum.name, enum.members) for enum in graph.enums],
            [(record.name, [(f.name, repr(f.type)) for f in record.fields]) for record in graph.records],
            [repr(threshold) for threshold in self._thresholds],
        )
        return repr(parts).encode("utf-8", "surrogateescape")

    def _witnessed(self, goals: Sequence[Term]) -> bool:
        """Whether a model of an earlier satisfiable question already satisfies ``goals``: a
        model of the whole path conditions in which the goals are true is a patient for them,
        so the verdict is sat without asking (reachability asks one question per node, edge
        and item; the walk that reaches a node usually takes one of its branches too). Within
        a proof budget, a question after its end is still not proved (FIB221), as when asked."""
        if not self._models:
            return False
        self._limit(self.solver)  # OutOfBudget after the budget's end, as ``ask`` would raise
        goal = conj(*goals)
        return any(true_in(model, goal) for model in self._models)

    def _cut_question(self, goals: list[Term]) -> bool:
        """Whether ``goals`` are satisfiable, asked of one solver that holds only the input
        ranges, with the goals' cut cone (``cone.Cones.equations``) pushed for the question and
        popped after it. The cone stops at the nodes every patient reaches, so it is small;
        the solver is z3's SMT core (``SimpleSolver``, what the incremental solver of a small
        graph uses after its first ``push``): pushing a small cone onto it costs a fraction of
        building a fresh solver per question. Each cone is popped after its question, and a
        verdict (sat or unsat) does not depend on what the solver kept from earlier ones; no
        model is read, so none can differ."""
        solver = self._verdicts
        if solver is None:
            solver = self._verdicts = z3.SimpleSolver()
            solver.set("timeout", self.timeout_ms)
            assert_all(solver, self._cones.shared)
        self._limit(solver)
        solver.push()
        try:
            assert_all(solver, self._cones.equations(goals, cut=True))
            solver.add(*goals)
            result = check(solver)
            if result == z3.sat:
                return True
            if result == z3.unsat:
                return False
            self._within_budget()
            raise SolverUnknown(solver.reason_unknown(), self.timeout_ms)
        finally:
            solver.pop()

    def _cone_question(self, terms: list[Term]) -> z3.Solver | None:
        """A fresh solver over the cone of ``terms`` that has found them satisfiable, or None when
        they are not; ``SolverUnknown`` when z3 cannot tell."""
        solver = self._cones.solver(terms, self.timeout_ms)
        self._limit(solver)
        result = check(solver)
        if result == z3.unsat:
            return None
        if result != z3.sat:
            self._within_budget()
            raise SolverUnknown(solver.reason_unknown(), self.timeout_ms)
        return solver

    def decide(self, *goals: Term) -> Answer:
        """Like ``ask`` but an unknown answer raises ``SolverUnknown``."""
        answer = self.ask(*goals)
        if answer.verdict == "unknown":
            raise SolverUnknown(answer.reason, self.timeout_ms)
        return answer

    def core(self, goals: list[Term], assumptions: dict[str, Term]) -> list[str] | None:
        """The names of a small subset of ``assumptions`` that with ``goals`` is unsatisfiable
        (None when there is none, or when the proof budget has run out)."""
        try:
            self._catch_up()
            self._limit(self.solver)
        except OutOfBudget:
            return None
        self.solver.push()
        try:
            self.solver.add(*goals)
            literals = {}
            for name, formula in assumptions.items():
                literal = z3.Bool(f"~assume {name}")
                self.solver.add(z3.Implies(literal, formula))
                literals[name] = literal
            if self.solver.check(*literals.values()) != z3.unsat:
                return None
            found = {str(literal) for literal in self.solver.unsat_core()}
            return [name for name, literal in literals.items() if str(literal) in found]
        finally:
            self.solver.pop()

    # -- witnesses --

    def witness(self, *goals: Term, background: Sequence[Term] = ()) -> dict[str, Any] | None:
        """A readable complete patient satisfying ``goals``, or None when there is none.

        The question goes to a fresh solver holding only its cone of influence
        (``cone.Cones``): the input ranges and the equations the goals depend
        on. ``background`` constraints (the renamed encoding of a mutant, say)
        are added to it as they are.
        """
        solver = self._cone_question([*background, *goals])
        if solver is None:
            return None
        model = self._readable(solver, solver.model())
        return self.patient(model)

    def counterexample(self, *goals: Term) -> dict[str, Any] | None:
        """Like ``witness``, for questions that usually have no answer (a counterexample to a
        safety property): on a graph small enough for ``satisfiable`` to ask its incremental
        solver, a second incremental solver over the whole path conditions decides first, and
        only a satisfiable question goes on to ``witness``'s cone (so a patient found is the
        very patient ``witness`` finds). The cone and the whole graph have the same verdict
        (``cone.Cones``); asking the whole-graph solver costs a fraction of building the cone's
        fresh solver (docs/benchmarks.md). It is a solver of its own so that ``ask`` and
        ``core`` see the same history of questions as without it (an unsatisfiable core, unlike
        a verdict, can depend on what a solver has learnt). Unknown there: the cone decides.

        With ``recall``, a known verdict and, when satisfiable, a known patient of the question
        answer it without asking."""
        key = self._verdict_key(goals)
        if key is not None:
            recalled = self._recalled(key)
            if recalled is False:
                return None
            if recalled is True:
                assert self._recall is not None
                patient = self._recall.patient(self._witness_key(key, goals))
                return patient if patient is not None else self._noted_witness(key, goals, recalled=True)
        if len(self.paths.constraints) < SLICE_FROM and len(self._cones.cut) < CUT_FROM:
            solver = self._whole
            if solver is None:
                solver = self._whole = z3.Solver()
                solver.set("timeout", self.timeout_ms)
                assert_all(solver, self.paths.constraints)
            self._limit(solver)
            solver.push()
            try:
                solver.add(*goals)
                result = check(solver)
            finally:
                solver.pop()
            if result == z3.unsat:
                if key is not None and self._recall is not None:
                    self._recall.found_verdict(key, False)
                return None
            if result != z3.sat:
                self._within_budget()
        return self._noted_witness(key, goals, recalled=False)

    def _noted_witness(self, key: str | None, goals: Sequence[Term], recalled: bool) -> dict[str, Any] | None:
        """``witness``, its verdict and its patient noted for ``recall`` (under ``key``, the
        verdict's key; None: no recall), the patient only when finding it met no unknown answer."""
        unknown_before = unknowns()
        patient = self.witness(*goals)
        if key is None or self._recall is None:
            return patient
        if not recalled:
            self._recall.found_verdict(key, patient is not None)
        if patient is not None and unknowns() == unknown_before:
            self._recall.found_patient(self._witness_key(key, goals), copy.deepcopy(patient))
        return patient

    def _readable(self, solver: z3.Solver, model: Any) -> Any:
        """Fix every fact of ``solver``'s question, one at a time, to its most readable value."""
        # 1. Every fact that can be neutral is neutral.
        model = self._neutral_facts(solver, model)
        # 2. Numbers that cannot be neutral move to the first candidate that keeps the goals.
        for variable, type_ in self.paths.encoder.patient.scalars:
            if isinstance(type_, NumberType):
                model = self._move(solver, variable, type_, model)
            elif isinstance(type_, DateType):
                model = _nearest_date(solver, variable, model)
        # 3. An enumeration value that cannot be neutral (the first member) becomes the first
        #    member the goals allow, not whichever the solver happened to find: the witness
        #    then depends on the question only (`response is not adequate` is inadequate).
        for variable, type_ in self.paths.encoder.patient.scalars:
            if isinstance(type_, EnumType) and model.eval(variable, model_completion=True).as_long() != 0:
                members = len(self.paths.encoder.patient.members(type_.enum))
                for index in range(1, members):
                    answer = _try(solver, variable == index)
                    if answer is not None:
                        model = answer
                        break
        return model

    def _neutral_facts(self, solver: z3.Solver, model: Any) -> Any:
        """Add every neutral fact that, with those before it, keeps the goals satisfiable.

        That is what a greedy pass in declaration order adds, asking once per
        fact; here every neutral fact is an assumption of one check instead.
        A fact alone in an unsatisfiable core contradicts the goals by itself
        (the greedy pass would not add it either) and is dropped, and the
        check is repeated. When the rest holds together it is the greedy
        pass's set: each of its facts is satisfiable with those before it, and
        each dropped fact with none. Any other answer (a core of several
        facts, unknown) falls back to the greedy pass.
        """
        terms = [_neutral_term(variable, type_) for variable, type_ in self.paths.encoder.patient.scalars]
        literals = [z3.Bool(f"~neutral {index}") for index in range(len(terms))]
        dropped: set[int] = set()
        found = None
        solver.push()
        try:
            for literal, term in zip(literals, terms, strict=True):
                solver.add(z3.Implies(literal, term))
            by_id = {literal.get_id(): index for index, literal in enumerate(literals)}
            while True:
                kept = [literal for index, literal in enumerate(literals) if index not in dropped]
                result = _asked(solver, *kept)
                if result == z3.sat:
                    found = solver.model()
                    break
                if result != z3.unsat:
                    break
                core = solver.unsat_core()
                if len(core) != 1 or core[0].get_id() not in by_id:
                    break
                dropped.add(by_id[core[0].get_id()])
        finally:
            solver.pop()
        if found is None:  # the greedy pass
            for term in terms:
                answer = _try(solver, term)
                if answer is not None:
                    model = answer
            return model
        solver.add(*(term for index, term in enumerate(terms) if index not in dropped))
        return found

    def _move(self, solver: z3.Solver, variable: Term, type_: NumberType, model: Any) -> Any:
        """Fix a number to the first candidate (``candidates``) the goals allow; the new model.

        The choice depends on the question only, not on the model the solver
        happened to find: candidates are tried in their fixed order, and when
        there are many, a bisection over their distance to the neutral value
        first skips those that are provably too close (no value that near is
        allowed). A candidate with a fractional part (29.9, a step below a
        threshold of 30 for a decimal input) gives way to one of its two whole
        neighbours when the goals allow it (29; nearer the neutral value
        first), so a witness reads as a clinician would write it; a boundary
        patient, whose value is fixed, keeps its 29.9. Only when no candidate is
        allowed does the number fall back to the model's own value, rounded when
        rounding keeps the goals.
        """
        current = _fraction(model.eval(variable, model_completion=True))
        ordered, distances = self.candidates(type_)
        neutral = Fraction(str(neutral_value(type_)))
        if ordered and current == ordered[0]:  # the neutral value (or the nearest that fits)
            solver.add(variable == _value_term(current))
            return model
        first = _first_possible(solver, variable, neutral, ordered, distances)
        for candidate in ordered[first:]:
            found = model if candidate == current else _allowed(solver, variable == _value_term(candidate))
            if found is None:
                continue
            if candidate.denominator != 1:
                for whole in _whole_neighbours(candidate, neutral, type_):
                    answer = _try(solver, variable == _value_term(whole))
                    if answer is not None:
                        return answer
            solver.add(variable == _value_term(candidate))
            return found
        for rounded in sorted({Fraction(round(current, 0)), Fraction(round(current, 1))} - {current}):
            if _fits(rounded, type_):
                answer = _try(solver, variable == _value_term(rounded))
                if answer is not None:
                    return answer
        solver.add(variable == _value_term(current))
        return model

    def candidates(self, type_: NumberType) -> tuple[list[Fraction], list[Fraction]]:
        """The values a number of this type may take in a witness, most readable first.

        The neutral value, the declared bounds, and every threshold of the
        guideline with its neighbours one step (the literal's precision) either
        side, so a witness of ``age < 18`` is 17; those that fit the type,
        nearest the neutral value first (ties: the rounder, then the lower).
        Also each candidate's distance from the neutral value, in the same order.
        """
        cached = self._candidates.get(type_)
        if cached is None:
            neutral = Fraction(str(neutral_value(type_)))
            values: set[Fraction] = {neutral}
            for bound in (type_.minimum, type_.maximum):
                if bound is not None:
                    values.add(Fraction(str(bound)))
            for threshold in self._thresholds:
                step = step_of(type_.integral, threshold)
                base = Fraction(str(threshold))
                values.update((base - step, base, base + step))
            ordered = sorted(
                (v for v in values if _fits(v, type_)), key=lambda v: (abs(v - neutral), v.denominator, v)
            )
            cached = self._candidates[type_] = (ordered, [abs(v - neutral) for v in ordered])
        return cached

    # -- patients --

    def patient(self, model: Any) -> dict[str, Any]:
        """The complete patient JSON a model describes."""
        patient_model = self.paths.encoder.patient
        out: dict[str, Any] = {}
        for declared in self.paths.graph.inputs:
            name, type_ = declared.name, declared.type
            variable = patient_model.variables[name]
            if isinstance(type_, SetType):
                out[name] = [m for m, v in variable.items() if _truth(model, v)]
            elif isinstance(type_, MapType):
                record = patient_model.records[type_.record]
                out[name] = {
                    key: {
                        field.name: _scalar(
                            model, variable.fields[key][field.name], field.type, patient_model.members
                        )
                        for field in record.fields
                    }
                    for key, present in variable.present.items()
                    if _truth(model, present)
                }
            else:
                out[name] = _scalar(model, variable, type_, patient_model.members)
        return out


def check(solver: z3.Solver) -> Any:
    """z3's first answer to a question (the one place a test can make every answer unknown)."""
    return solver.check()


_UNKNOWNS = [0]  # how many answers of the readable search (``_asked``) were unknown so far


def unknowns() -> int:
    """How many answers of the searches for readable patients were unknown in this process:
    a patient whose search met none is what the same question always gives (``recall``)."""
    return _UNKNOWNS[0]


def _asked(solver: z3.Solver, *assumptions: Term) -> Any:
    """``solver.check``, counting an unknown answer (``unknowns``)."""
    result = solver.check(*assumptions)
    if result == z3.unknown:
        _UNKNOWNS[0] += 1
    return result


def _allowed(solver: z3.Solver, constraint: Term) -> Any:
    """A model of the goals with ``constraint``, or None; the solver is left as it was."""
    solver.push()
    try:
        solver.add(constraint)
        return solver.model() if _asked(solver) == z3.sat else None
    finally:
        solver.pop()


def _whole_neighbours(value: Fraction, neutral: Fraction, type_: NumberType) -> list[Fraction]:
    """The whole numbers either side of a fractional value that fit the type, nearer the
    neutral value first (ties: the lower)."""
    low = Fraction(value.numerator // value.denominator)
    return sorted((w for w in (low, low + 1) if _fits(w, type_)), key=lambda w: (abs(w - neutral), w))


def _nearest_date(solver: z3.Solver, variable: Term, model: Any) -> Any:
    """Fix a date to the one nearest the neutral date (2000-01-01) the goals allow, the
    earlier on a tie, whatever model the solver found first: a bisection over the distance
    between the numbers ``YYYYMMDD`` (linear, so quick to ask; it orders dates as the
    calendar does), then that date (compiler/analysis/dates.py)."""
    current = model.eval(variable, model_completion=True).as_long()
    low, high = 0, abs(current - dates.NEUTRAL)
    while low < high:
        middle = (low + high) // 2
        near = z3.And(variable >= dates.NEUTRAL - middle, variable <= dates.NEUTRAL + middle)
        if _allowed(solver, near) is not None:
            high = middle
        else:
            low = middle + 1
    for target in (dates.NEUTRAL - low, dates.NEUTRAL + low):
        answer = _try(solver, variable == target)
        if answer is not None:
            return answer
    solver.add(variable == current)
    return model


def _try(solver: z3.Solver, constraint: Term) -> Any:
    """Add ``constraint`` for good when it keeps the goals satisfiable; the new model, else None."""
    model = _allowed(solver, constraint)
    if model is not None:
        solver.add(constraint)
    return model


# Up to this many candidates are tried one by one; beyond, a bisection skips the nearest ones first.
_SCAN = 16


def _first_possible(
    solver: z3.Solver, variable: Term, neutral: Fraction, ordered: list[Fraction], distances: list[Fraction]
) -> int:
    """The index of the first candidate not provably excluded: every candidate before it is
    nearer ``neutral`` than any value the goals allow (``distances``: each candidate's
    distance from ``neutral``, ascending)."""
    if len(ordered) <= _SCAN:
        return 0

    def allowed_within(distance: Fraction) -> bool:
        solver.push()
        try:
            nearest, farthest = _value_term(neutral - distance), _value_term(neutral + distance)
            solver.add(variable >= nearest, variable <= farthest)
            return bool(_asked(solver) == z3.sat)
        finally:
            solver.pop()

    # Bisect over the candidates: those before ``low`` are excluded; from ``high`` on, some value
    # as near as the candidate at ``high`` is allowed (not necessarily a candidate).
    low, high = 0, len(ordered)
    while low < high:
        middle = (low + high) // 2
        if allowed_within(distances[middle]):
            high = middle
        else:
            low = middle + 1
    if low == 0:
        return 0
    excluded = distances[low - 1]
    return bisect.bisect_right(distances, excluded)


def _fits(value: Fraction, type_: NumberType) -> bool:
    if type_.integral and value.denominator != 1:
        return False
    low, high = type_.minimum, type_.maximum
    if low is not None and value < Fraction(str(low)):
        return False
    return not (high is not None and value > Fraction(str(high)))


def _truth(model: Any, term: Term) -> bool:
    return bool(z3.is_true(model.eval(term, model_completion=True)))


def _fraction(value: Term) -> Fraction:
    if z3.is_int_value(value):
        return Fraction(value.as_long())
    if z3.is_rational_value(value):
        return Fraction(value.numerator_as_long(), value.denominator_as_long())
    raise ValueError(f"not a number: {value}")


def _json_number(value: Fraction) -> int | float:
    if value.denominator == 1:
        return int(value)
    return float(Decimal(value.numerator) / Decimal(value.denominator))


def _value_term(value: Fraction) -> Term:
    if value.denominator == 1:
        return z3.IntVal(int(value))
    return z3.Q(value.numerator, value.denominator)


def _scalar(model: Any, variable: Term, type_: ValueType, members: Callable[[str], Sequence[str]]) -> Any:
    value = model.eval(variable, model_completion=True)
    if isinstance(type_, BooleanType):
        return bool(z3.is_true(value))
    if isinstance(type_, EnumType):
        return members(type_.enum)[value.as_long()]
    if isinstance(type_, DateType):
        return dates.iso(value.as_long())
    return _json_number(_fraction(value))


def _neutral_term(variable: Term, type_: ValueType) -> Term:
    if isinstance(type_, BooleanType):
        return z3.Not(variable)
    if isinstance(type_, EnumType):
        return variable == 0
    if isinstance(type_, DateType):
        return variable == dates.NEUTRAL
    if not isinstance(type_, NumberType):
        raise TypeError(f"no neutral value for a {type(type_).__name__}")
    return variable == number_term(neutral_value(type_))


def _thresholds(graph: Graph) -> list[int | float]:
    """Every number the guideline's expressions mention, in a stable order."""
    found: dict[int | float, None] = {}
    roots: list[ex.Expression] = [definition.expr for definition in graph.definitions]
    for node in graph.nodes:
        if isinstance(node, DecisionNode):
            roots += [branch.guard for branch in node.branches if branch.guard is not None]
        elif isinstance(node, ActionNode):
            roots += [item.guard for item in node.items if item.guard is not None]
    roots += [invariant.condition for invariant in graph.invariants]
    for root in roots:
        for inner in subexpressions(root):
            if isinstance(inner, ex.Constant) and not isinstance(inner.value, bool):
                found.setdefault(inner.value, None)
    return sorted(found)
