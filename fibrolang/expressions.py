"""Expressions of the decision graph, one frozen dataclass per ``op`` of graph-format.md.

These are plain data, read from the graph JSON by ``graph_reader`` and turned
into closures once, at load time, by ``compile``.
"""

from __future__ import annotations

from typing import Literal, TypeAlias

from fibrolang.operators import ArithmeticSymbol as ArithmeticOperator
from fibrolang.operators import ComparisonSymbol as ComparisonOperator
from fibrolang.records import record

Number = int | float
QuantifierKind = Literal["count", "any", "all"]
PlanState = Literal["recommended", "avoided", "flagged"]


@record
class Constant:
    """``const``: a boolean or a number, with the unit the source wrote (or None)."""

    value: bool | Number
    unit: str | None


@record
class MemberLiteral:
    """``member``: one member of an enumeration."""

    value: str
    enum: str


@record
class SetLiteral:
    """``set``: a literal set of members of one enumeration."""

    members: tuple[str, ...]
    enum: str


@record
class SelectedSet:
    """``select``: the members whose condition holds (``{a when c, b}`` in the
    source); unknown when any condition is unknown."""

    members: tuple[str, ...]
    conditions: tuple[Expression, ...]
    enum: str


@record
class InputReference:
    """``input``: a patient input."""

    name: str


@record
class DefinitionReference:
    """``def``: a derived definition."""

    name: str


@record
class VariableReference:
    """``var``: the member a quantifier is currently looking at."""

    name: str


@record
class EnumerationReference:
    """``enum``: all members of an enumeration, in declaration order (only as ``over``)."""

    enum: str


@record
class Entry:
    """``entry``: the record a map holds for a key."""

    map: Expression
    key: Expression


@record
class Field:
    """``field``: one field of a record."""

    record: Expression
    name: str


@record
class Membership:
    """``in``: membership in a set, or being a key of a map."""

    element: Expression
    collection: Expression


@record
class Negation:
    """``not``."""

    operand: Expression


@record
class Conjunction:
    """``and`` (Kleene)."""

    operands: tuple[Expression, ...]


@record
class Disjunction:
    """``or`` (Kleene)."""

    operands: tuple[Expression, ...]


@record
class Comparison:
    """``<`` ``<=`` ``>`` ``>=`` ``==`` ``!=``."""

    operator: ComparisonOperator
    left: Expression
    right: Expression


@record
class Arithmetic:
    """``+`` ``-`` ``*``."""

    operator: ArithmeticOperator
    left: Expression
    right: Expression


@record
class UnaryMinus:
    """``neg``."""

    operand: Expression


@record
class Conditional:
    """``if``: ``then`` when the condition holds, ``else`` (here ``otherwise``) when not."""

    condition: Expression
    then: Expression
    otherwise: Expression


@record
class Quantifier:
    """``count``, ``any``, ``all`` over a set or an enumeration, with an optional filter."""

    kind: QuantifierKind
    variable: str
    over: Expression
    where: Expression | None


@record
class Sum:
    """``sum``: the sum of ``body`` over the members of a set or an enumeration."""

    variable: str
    over: Expression
    body: Expression


@record
class CountTrue:
    """``count_true``: how many of the boolean operands hold."""

    operands: tuple[Expression, ...]


@record
class PlanQuery:
    """``recommended`` / ``avoided`` / ``flagged``: what the path has added so far."""

    state: PlanState
    subject: str | None


@record
class DoseQuery:
    """``dose``: the upper bound of the dose the path recommends for an intervention."""

    subject: str


@record
class Unset:
    """``unset``: an output the guideline leaves without a value here, by design
    (fibrolang/unset.py says where it may stand)."""


@record
class TextLiteral:
    """``text``: a text an output shows (``"Refer to nephrology"``); nothing reads it
    (the graph's reader refuses a text anywhere but a value an ``if`` chooses)."""

    value: str


@record
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
