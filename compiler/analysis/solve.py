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
so witnesses read like cases a clinician would write.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any, Literal

import z3

from compiler.analysis.encode import JSON, Term, number_term
from compiler.analysis.paths import PathConditions

DEFAULT_TIMEOUT_MS = 10_000

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


@dataclass(frozen=True)
class Answer:
    verdict: Verdict
    model: Any = None
    reason: str = ""


def neutral_value(type_: JSON) -> int | float:
    """The neutral value of a number input of this type, clamped into its range."""
    kind = type_["kind"]
    value: int | float = NEUTRAL_BY_UNIT.get(type_.get("unit") or "", 0)
    low, high = type_.get("min"), type_.get("max")
    if low is not None and value < low:
        value = low
    if high is not None and value > high:
        value = high
    if kind == "integer" and value != int(value):
        value = int(value) + 1
    return value


def step_of(type_: JSON, threshold: int | float) -> Fraction:
    """The step of a boundary around ``threshold``: 1 for integers, else the literal's precision."""
    if type_.get("kind") == "integer":
        return Fraction(1)
    exponent = Decimal(repr(threshold)).normalize().as_tuple().exponent
    places = -exponent if isinstance(exponent, int) and exponent < 0 else 1
    return Fraction(1, 10**places)


class Prover:
    """A solver holding the path conditions; every query runs inside push/pop."""

    def __init__(self, paths: PathConditions, timeout_ms: int = DEFAULT_TIMEOUT_MS) -> None:
        self.paths = paths
        self.timeout_ms = timeout_ms
        self.solver = z3.Solver()
        self.solver.set("timeout", timeout_ms)
        self.solver.add(*paths.constraints)
        self._thresholds = _thresholds(paths.graph)

    def ask(self, *goals: Term) -> Answer:
        self.solver.push()
        try:
            self.solver.add(*goals)
            result = self.solver.check()
            if result == z3.sat:
                return Answer("sat", self.solver.model())
            if result == z3.unsat:
                return Answer("unsat")
            return Answer("unknown", reason=self.solver.reason_unknown())
        finally:
            self.solver.pop()

    def decide(self, *goals: Term) -> Answer:
        """Like ``ask`` but an unknown answer raises ``SolverUnknown``."""
        answer = self.ask(*goals)
        if answer.verdict == "unknown":
            raise SolverUnknown(answer.reason, self.timeout_ms)
        return answer

    def core(self, goals: list[Term], assumptions: dict[str, Term]) -> list[str] | None:
        """The names of a small subset of ``assumptions`` that with ``goals`` is unsatisfiable."""
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

    def witness(self, *goals: Term) -> dict[str, Any] | None:
        """A readable complete patient satisfying ``goals``, or None when there is none."""
        answer = self.decide(*goals)
        if answer.verdict == "unsat":
            return None
        model = self._readable(list(goals), answer.model)
        return self.patient(model)

    def _readable(self, goals: list[Term], model: Any) -> Any:
        scalars = self.paths.encoder.patient.scalars
        self.solver.push()
        try:
            self.solver.add(*goals)
            # 1. Every fact that can be neutral is neutral (one at a time, in declaration order).
            model = self._neutral_facts(model)
            # 2. Numbers that cannot be neutral move to the nearest round candidate.
            for variable, type_ in scalars:
                if type_["kind"] not in ("integer", "decimal"):
                    continue
                current = _fraction(model.eval(variable, model_completion=True))
                for candidate in self._candidates(variable, type_, current):
                    if candidate == current:
                        self.solver.add(variable == _value_term(candidate))
                        break
                    answer = self._try(variable == _value_term(candidate))
                    if answer is not None:
                        model = answer
                        break
                else:
                    self.solver.add(variable == _value_term(current))
            return model
        finally:
            self.solver.pop()

    def _neutral_facts(self, model: Any) -> Any:
        """Add, greedily in declaration order, every neutral fact that keeps the goals satisfiable."""
        for variable, type_ in self.paths.encoder.patient.scalars:
            preferred = _neutral_term(variable, type_)
            if z3.is_true(model.eval(preferred, model_completion=True)):
                self.solver.add(preferred)
                continue
            answer = self._try(preferred)
            if answer is not None:
                model = answer
        return model

    def _try(self, constraint: Term) -> Any:
        """Add ``constraint`` for good when it keeps the goals satisfiable; the new model, else None."""
        self.solver.push()
        self.solver.add(constraint)
        if self.solver.check() == z3.sat:
            model = self.solver.model()
            self.solver.pop()
            self.solver.add(constraint)
            return model
        self.solver.pop()
        return None

    def _candidates(self, variable: Term, type_: JSON, current: Fraction) -> list[Fraction]:
        neutral = Fraction(str(neutral_value(type_)))
        values: set[Fraction] = {neutral, current}
        for bound in ("min", "max"):
            if type_.get(bound) is not None:
                values.add(Fraction(str(type_[bound])))
        for threshold in self._thresholds:
            step = step_of(type_, threshold)
            base = Fraction(str(threshold))
            values.update((base - step, base, base + step))
        for places in (0, 1):
            values.add(Fraction(round(current, places)))
        low, high = type_.get("min"), type_.get("max")

        def fits(value: Fraction) -> bool:
            if type_["kind"] == "integer" and value.denominator != 1:
                return False
            if low is not None and value < Fraction(str(low)):
                return False
            return not (high is not None and value > Fraction(str(high)))

        ordered = sorted((v for v in values if fits(v)), key=lambda v: (abs(v - neutral), v.denominator, v))
        return ordered[:16]

    # -- patients --

    def patient(self, model: Any) -> dict[str, Any]:
        """The complete patient JSON a model describes."""
        graph = self.paths.graph
        patient_model = self.paths.encoder.patient
        out: dict[str, Any] = {}
        for name, declared in graph["inputs"].items():
            type_ = declared["type"]
            variable = patient_model.variables[name]
            if type_["kind"] == "set":
                out[name] = [m for m, v in variable.items() if _truth(model, v)]
            elif type_["kind"] == "map":
                record = graph["records"][type_["record"]]
                out[name] = {
                    key: {
                        field: _scalar(model, variable.fields[key][field], field_type, graph)
                        for field, field_type in record["fields"].items()
                    }
                    for key, present in variable.present.items()
                    if _truth(model, present)
                }
            else:
                out[name] = _scalar(model, variable, type_, graph)
        return out


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


def _scalar(model: Any, variable: Term, type_: JSON, graph: JSON) -> Any:
    kind = type_["kind"]
    value = model.eval(variable, model_completion=True)
    if kind == "boolean":
        return bool(z3.is_true(value))
    if kind == "enum":
        members = graph["enums"][type_["enum"]]["members"]
        return members[value.as_long()]
    return _json_number(_fraction(value))


def _neutral_term(variable: Term, type_: JSON) -> Term:
    kind = type_["kind"]
    if kind == "boolean":
        return z3.Not(variable)
    if kind == "enum":
        return variable == 0
    return variable == number_term(neutral_value(type_))


def _thresholds(graph: JSON) -> list[int | float]:
    """Every number the guideline's expressions mention, in a stable order."""
    found: dict[int | float, None] = {}

    def walk(value: object) -> None:
        if isinstance(value, dict):
            if value.get("op") == "const" and not isinstance(value.get("value"), bool):
                found.setdefault(value["value"], None)
            for inner in value.values():
                walk(inner)
        elif isinstance(value, list):
            for inner in value:
                walk(inner)

    walk(graph.get("definitions"))
    walk(graph.get("nodes"))
    walk(graph.get("invariants"))
    return sorted(found)
