"""Expressions of the decision graph, one frozen dataclass per ``op`` of graph-format.md.

These are plain data, read from the graph JSON by ``graph_reader`` and turned
into closures once, at load time, by ``compile``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, TypeAlias

from fibrolang.operators import ArithmeticSymbol as ArithmeticOperator
from fibrolang.operators import ComparisonSymbol as ComparisonOperator

Number = int | float
QuantifierKind = Literal["count", "any", "all"]
PlanState = Literal["recommended", "avoided", "flagged"]


@dataclass(frozen=True, slots=True)
class Constant:
    """``const``: a boolean or a number, with the unit the source wrote (or None)."""

    value: bool | Number
    unit: str | None


@dataclass(frozen=True, slots=True)
class MemberLiteral:
    """``member``: one member of an enumeration."""

    value: str
    enum: str


@dataclass(frozen=True, slots=True)
class SetLiteral:
    """``set``: a literal set of members of one enumeration."""

    members: tuple[str, ...]
    enum: str


@dataclass(frozen=True, slots=True)
class SelectedSet:
    """``select``: the members whose condition holds (``{a when c, b}`` in the
    source); unknown when any condition is unknown."""

    members: tuple[str, ...]
    conditions: tuple[Expression, ...]
    enum: str


@dataclass(frozen=True, slots=True)
class InputReference:
    """``input``: a patient input."""

    name: str


@dataclass(frozen=True, slots=True)
class DefinitionReference:
    """``def``: a derived definition."""

    name: str


@dataclass(frozen=True, slots=True)
class VariableReference:
    """``var``: the member a quantifier is currently looking at."""

    name: str


@dataclass(frozen=True, slots=True)
class EnumerationReference:
    """``enum``: all members of an enumeration, in declaration order (only as ``over``)."""

    enum: str


@dataclass(frozen=True, slots=True)
class Entry:
    """``entry``: the record a map holds for a key."""

    map: Expression
    key: Expression


@dataclass(frozen=True, slots=True)
class Field:
    """``field``: one field of a record."""

    record: Expression
    name: str


@dataclass(frozen=True, slots=True)
class Membership:
    """``in``: membership in a set, or being a key of a map."""

    element: Expression
    collection: Expression


@dataclass(frozen=True, slots=True)
class Negation:
    """``not``."""

    operand: Expression


@dataclass(frozen=True, slots=True)
class Conjunction:
    """``and`` (Kleene)."""

    operands: tuple[Expression, ...]


@dataclass(frozen=True, slots=True)
class Disjunction:
    """``or`` (Kleene)."""

    operands: tuple[Expression, ...]


@dataclass(frozen=True, slots=True)
class Comparison:
    """``<`` ``<=`` ``>`` ``>=`` ``==`` ``!=``."""

    operator: ComparisonOperator
    left: Expression
    right: Expression


@dataclass(frozen=True, slots=True)
class Arithmetic:
    """``+`` ``-`` ``*``."""

    operator: ArithmeticOperator
    left: Expression
    right: Expression


@dataclass(frozen=True, slots=True)
class UnaryMinus:
    """``neg``."""

    operand: Expression


@dataclass(frozen=True, slots=True)
class Conditional:
    """``if``: ``then`` when the condition holds, ``else`` (here ``otherwise``) when not."""

    condition: Expression
    then: Expression
    otherwise: Expression


@dataclass(frozen=True, slots=True)
class Quantifier:
    """``count``, ``any``, ``all`` over a set or an enumeration, with an optional filter."""

    kind: QuantifierKind
    variable: str
    over: Expression
    where: Expression | None


@dataclass(frozen=True, slots=True)
class Sum:
    """``sum``: the sum of ``body`` over the members of a set or an enumeration."""

    variable: str
    over: Expression
    body: Expression


@dataclass(frozen=True, slots=True)
class CountTrue:
    """``count_true``: how many of the boolean operands hold."""

    operands: tuple[Expression, ...]


@dataclass(frozen=True, slots=True)
class PlanQuery:
    """``recommended`` / ``avoided`` / ``flagged``: what the path has added so far."""

    state: PlanState
    subject: str | None


@dataclass(frozen=True, slots=True)
class DoseQuery:
    """``dose``: the upper bound of the dose the path recommends for an intervention."""

    subject: str


@dataclass(frozen=True, slots=True)
class Unset:
    """``unset``: an output the guideline leaves without a value here, by design
    (fibrolang/unset.py says where it may stand)."""


@dataclass(frozen=True, slots=True)
class TextLiteral:
    """``text``: a text an output shows (``"Refer to nephrology"``); nothing reads it
    (the graph's reader refuses a text anywhere but a value an ``if`` chooses)."""

    value: str


@dataclass(frozen=True, slots=True)
class Elapsed:
    """``elapsed``: the whole years, months, weeks or days from one date to another
    (``years from birth_date to assessment_date``; fibrolang/dates.py)."""

    unit: str
    start: Expression
    end: Expression


Expression: TypeAlias = (
    Constant
    | MemberLiteral
    | SetLiteral
    | SelectedSet
    | InputReference
    | DefinitionReference
    | VariableReference
    | EnumerationReference
    | Entry
    | Field
    | Membership
    | Negation
    | Conjunction
    | Disjunction
    | Comparison
    | Arithmetic
    | UnaryMinus
    | Conditional
    | Quantifier
    | Sum
    | CountTrue
    | PlanQuery
    | DoseQuery
    | Unset
    | Elapsed
    | TextLiteral
)
