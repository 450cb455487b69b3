"""The syntax tree of a fibrolang guideline.

Every node is a frozen, slotted dataclass with a mandatory ``span``; children
are tuples. The tree is built from the Lark parse tree by ``build_ast`` and is
never mutated afterwards. Names follow the clinic's words (``Recommendation``,
``AvoidItem``, ``Decision``) so a reader of a pass sees the guideline, not the
parser.

Equality ignores spans (``compare=False``), so ``fmt`` can prove it preserved
meaning by comparing the trees before and after formatting.
"""

from __future__ import annotations

from dataclasses import field
from decimal import Decimal

from fibrolang.records import ordered_record, record


@ordered_record
class Span:
    """A region of a source file; lines and columns are 1-based, end is exclusive."""

    file: str
    line: int
    column: int
    end_line: int
    end_column: int


NO_SPAN = Span("<none>", 0, 0, 0, 0)


@record
class Name:
    """An identifier as written, with its own span (for precise diagnostics)."""

    text: str
    span: Span = field(compare=False, default=NO_SPAN)


@record
class Text:
    """A string literal, already unescaped."""

    value: str
    span: Span = field(compare=False, default=NO_SPAN)


# ---------------------------------------------------------------------------
# Attributes that any element may carry: traceability and the author's notes.
# ---------------------------------------------------------------------------


@record
class Quote:
    """A verbatim sentence (or part of one) of a source document."""

    text: Text
    source: Name | None  # None: the guideline's first source
    span: Span = field(compare=False, default=NO_SPAN)


@record
class Note:
    """The author's comment for reviewers, e.g. how an ambiguity was resolved."""

    text: Text
    span: Span = field(compare=False, default=NO_SPAN)


@record
class Cite:
    """Citation numbers, matching the reference numbers of the source."""

    numbers: tuple[int, ...]
    span: Span = field(compare=False, default=NO_SPAN)


@record
class Label:
    """A plain-words label for the flowchart (overrides the generated one)."""

    text: Text
    span: Span = field(compare=False, default=NO_SPAN)


Attribute = Quote | Note | Cite | Label


# ---------------------------------------------------------------------------
# Quantities and types
# ---------------------------------------------------------------------------


@record
class Quantity:
    """A number as written, with its unit if any (``30 mL/min/1.73m2``)."""

    value: Decimal
    unit: Name | None
    span: Span = field(compare=False, default=NO_SPAN)


@record
class BooleanType:
    span: Span = field(compare=False, default=NO_SPAN)


@record
class NumberType:
    """``integer 0 to 130 years`` or ``decimal 0 to 200 mL/min/1.73m2``."""

    integer: bool
    low: Decimal | None
    high: Decimal | None
    unit: Name | None
    span: Span = field(compare=False, default=NO_SPAN)


@record
class NamedType:
    """A reference to an enumeration or a record by name."""

    name: Name
    span: Span = field(compare=False, default=NO_SPAN)


@record
class SetType:
    """``set of comorbidity``."""

    element: Name
    span: Span = field(compare=False, default=NO_SPAN)


@record
class MapType:
    """``map of agent to medication_trial``."""

    key: Name
    value: Name
    span: Span = field(compare=False, default=NO_SPAN)


@record
class DateType:
    """``date``: a calendar date, written ``YYYY-MM-DD`` in patient records (docs/language.md, Dates)."""

    span: Span = field(compare=False, default=NO_SPAN)


TypeExpr = BooleanType | NumberType | NamedType | SetType | MapType | DateType


# ---------------------------------------------------------------------------
# Expressions
# ---------------------------------------------------------------------------


@record
class BooleanLiteral:
    value: bool
    span: Span = field(compare=False, default=NO_SPAN)


@record
class NumberLiteral:
    quantity: Quantity
    span: Span = field(compare=False, default=NO_SPAN)


@record
class Reference:
    """A bare name: an input, a definition, an enum member or a bound variable."""

    name: Name
    span: Span = field(compare=False, default=NO_SPAN)


@record
class SetLiteral:
    """``{duloxetine, milnacipran}``: enum members.

    ``{widespread_pain when not widespread_met, duration when ...}``: a
    conditional set, the members whose condition holds; ``conditions`` has
    one entry per member (None: always in) or is empty for a plain set.
    """

    members: tuple[Name, ...]
    conditions: tuple[Expr | None, ...] = ()
    span: Span = field(compare=False, default=NO_SPAN)


@record
class Entry:
    """``medications[pregabalin]``: the record a map holds for a key."""

    map: Expr
    key: Expr
    span: Span = field(compare=False, default=NO_SPAN)


@record
class Field:
    """``medications[pregabalin].weeks``."""

    record: Expr
    name: Name
    span: Span = field(compare=False, default=NO_SPAN)


@record
class Membership:
    """``x in S`` (set or map key), ``x not in S`` when ``negated``."""

    element: Expr
    collection: Expr
    negated: bool
    span: Span = field(compare=False, default=NO_SPAN)


@record
class Comparison:
    """``a < b``; operator is one of ``< <= > >= == != is`` or ``is not``
    (``is`` reads as ``==`` and is kept for the formatter)."""

    operator: str
    left: Expr
    right: Expr
    span: Span = field(compare=False, default=NO_SPAN)


@record
class Between:
    """``wpi between 4 and 6``: both bounds inclusive."""

    value: Expr
    low: Expr
    high: Expr
    span: Span = field(compare=False, default=NO_SPAN)


@record
class Arithmetic:
    """``a + b``; operator is one of ``+ - *`` (no division: ``/`` belongs to units)."""

    operator: str
    left: Expr
    right: Expr
    span: Span = field(compare=False, default=NO_SPAN)


@record
class Negative:
    operand: Expr
    span: Span = field(compare=False, default=NO_SPAN)


@record
class Not:
    operand: Expr
    span: Span = field(compare=False, default=NO_SPAN)


@record
class And:
    operands: tuple[Expr, ...]
    span: Span = field(compare=False, default=NO_SPAN)


@record
class Or:
    operands: tuple[Expr, ...]
    span: Span = field(compare=False, default=NO_SPAN)


@record
class Conditional:
    """``if c then a else b``."""

    condition: Expr
    then: Expr
    otherwise: Expr
    span: Span = field(compare=False, default=NO_SPAN)
    table_arm: bool = field(compare=False, default=False)  # built from a lookup table's cell


@record
class Quantifier:
    """``count a in X where P``, ``any a in X where P``, ``all a in X where P``,
    ``sum a in X of E``.

    kind is ``count``, ``any``, ``all`` or ``sum``; ``body`` is the condition
    (``where``, optional for count) or, for sum, the summed expression.
    """

    kind: str
    variable: Name
    collection: Expr
    body: Expr | None
    span: Span = field(compare=False, default=NO_SPAN)


@record
class CountTrue:
    """``count of (a, b, c)``: how many of the conditions hold."""

    conditions: tuple[Expr, ...]
    span: Span = field(compare=False, default=NO_SPAN)


@record
class PointsOf:
    """``points of respiration``: the points of an ordinal's band."""

    operand: Expr
    span: Span = field(compare=False, default=NO_SPAN)


@record
class Elapsed:
    """``years from birth_date to assessment_date``: the whole years (months, weeks,
    days) completed between two dates (fibrolang/dates.py)."""

    unit: Name
    start: Expr
    end: Expr
    span: Span = field(compare=False, default=NO_SPAN)


@record
class PlanQuery:
    """What the path has added so far: ``duloxetine is recommended``,
    ``strong_opioid is avoided``, ``ecg_before_tca is flagged``,
    ``dose of pregabalin``, ``anything is recommended``.

    kind is ``recommended``, ``avoided``, ``flagged`` or ``dose``; subject is
    None for ``anything is recommended``.
    """

    kind: str
    subject: Name | None
    span: Span = field(compare=False, default=NO_SPAN)


@record
class Unset:
    """``unset``: an output without a value here, by design (``if c then v else
    unset``, or a table cell); only in an output's ``if`` arms (check/unset.py)."""

    span: Span = field(compare=False, default=NO_SPAN)


@record
class TextLiteral:
    """``"Refer to nephrology"``: a text an output shows (a table cell, an arm of an
    ``if``); never reasoned on (compiler/check/text.py). ``value`` is unescaped."""

    value: str
    span: Span = field(compare=False, default=NO_SPAN)


@record
class TableKey:
    """A row or column heading of a lookup table: an enum member (``g1``), a
    value (``2``), or a range (``>= 90 mL/min/1.73m2``, ``< 15``, ``60 to 89``,
    ``60 to < 90``). A value ``v`` is the range from ``v`` to ``v``, both included."""

    member: Name | None
    low: Quantity | None
    low_included: bool
    high: Quantity | None
    high_included: bool
    span: Span = field(compare=False, default=NO_SPAN)


@record
class TableRow:
    """``| key | cell | cell |``: one cell per column (one for a one-key table)."""

    key: TableKey
    cells: tuple[Expr, ...]
    span: Span = field(compare=False, default=NO_SPAN)


@record
class Table:
    """``table by k1, k2 | | c1 | c2 | | r1 | v11 | v12 | ... otherwise v end``:
    a lookup table. ``columns`` is empty for a one-key table; ``otherwise`` is
    the value of every combination no row covers (None: the rows must cover the
    keys' whole domain). Lowered as an ``if`` chain (compiler/front/tables.py)."""

    keys: tuple[Expr, ...]
    columns: tuple[TableKey, ...]
    rows: tuple[TableRow, ...]
    otherwise: Expr | None
    span: Span = field(compare=False, default=NO_SPAN)
    # The same lookup as an `if` chain (compiler/front/tables.py `as_chain`), built once
    # with the table so every pass reads the same nodes; derived, so not compared.
    chain: Expr | None = field(compare=False, default=None)
    # The conditions of the headings the chain leaves implied (its last arm has none),
    # so that the checker still checks them (units, ranges).
    implied: tuple[Expr, ...] = field(compare=False, default=())


@record
class Call:
    """``failed(duloxetine)``: a parameterised definition or a per-member constant
    applied to member names (expanded by ``compiler.front.parameters`` before checking)."""

    name: Name
    arguments: tuple[Expr, ...]
    span: Span = field(compare=False, default=NO_SPAN)


Expr = (
    BooleanLiteral
    | NumberLiteral
    | Reference
    | SetLiteral
    | Entry
    | Field
    | Membership
    | Comparison
    | Between
    | Arithmetic
    | Negative
    | Not
    | And
    | Or
    | Conditional
    | Quantifier
    | CountTrue
    | PlanQuery
    | PointsOf
    | Table
    | Unset
    | TextLiteral
    | Call
    | Elapsed
)


# ---------------------------------------------------------------------------
# Declarations
# ---------------------------------------------------------------------------


@record
class Source:
    """``source pathway "sources/refractory-fibromyalgia.txt" dated 2025-08-12``."""

    name: Name
    path: Text
    date: Text | None
    span: Span = field(compare=False, default=NO_SPAN)


@record
class Citation:
    """``citation 1 "..."``."""

    number: int
    text: Text
    span: Span = field(compare=False, default=NO_SPAN)


@record
class Header:
    id: Name
    title: Text
    version: Text
    sources: tuple[Source, ...]
    citations: tuple[Citation, ...]
    span: Span = field(compare=False, default=NO_SPAN)


@record
class EnumMember:
    name: Name
    label: Text | None
    span: Span = field(compare=False, default=NO_SPAN)
    points: Decimal | None = None  # a band of an ``ordinal``: its points


@record
class Enumeration:
    """``enum``, or ``ordinal`` when ``ordinal`` (every member then has its points)."""

    name: Name
    label: Text | None
    members: tuple[EnumMember, ...]
    attributes: tuple[Attribute, ...]
    span: Span = field(compare=False, default=NO_SPAN)
    ordinal: bool = False


@record
class RecordField:
    name: Name
    label: Text | None
    type: TypeExpr
    span: Span = field(compare=False, default=NO_SPAN)


@record
class Record:
    name: Name
    label: Text | None
    fields: tuple[RecordField, ...]
    attributes: tuple[Attribute, ...]
    span: Span = field(compare=False, default=NO_SPAN)


@record
class Code:
    """``loinc "33914-3"``: a code of a code system (named by its short name)."""

    system: Name
    code: Text
    span: Span = field(compare=False, default=NO_SPAN)


@record
class CodeSetEntry:
    """``duloxetine: rxnorm "72625"``: the codes of one enumeration member."""

    member: Name
    codes: tuple[Code, ...]
    span: Span = field(compare=False, default=NO_SPAN)


@record
class CodeSet:
    """``codes NAME = ...`` (a value set: ``codes`` set, ``enumeration`` None) or
    ``codes NAME for ENUM { member: ..., }`` (the codes of each member)."""

    name: Name
    label: Text | None
    codes: tuple[Code, ...]
    enumeration: Name | None
    entries: tuple[CodeSetEntry, ...]
    attributes: tuple[Attribute, ...]
    span: Span = field(compare=False, default=NO_SPAN)


@record
class FieldBinding:
    """``daily_dose_mg = dose``: where a record field comes from (``extension "url"``)."""

    record_field: Name
    role: Name
    url: Text | None
    span: Span = field(compare=False, default=NO_SPAN)


@record
class Binding:
    """``from Observation code in egfr_codes latest value in mL/min/1.73m2 within 12 months``.

    ``codes`` are written inline, ``code_set`` names a ``codes`` declaration;
    ``unit`` is a guideline unit and ``ucum`` a UCUM code as written (at most one);
    ``within`` bounds how old the newest value may be.
    """

    resource: Name
    codes: tuple[Code, ...]
    code_set: Name | None
    latest: bool
    unit: Name | None
    ucum: Text | None
    within: Quantity | None
    fields: tuple[FieldBinding, ...]
    span: Span = field(compare=False, default=NO_SPAN)


@record
class Input:
    name: Name
    label: Text | None
    type: TypeExpr
    attributes: tuple[Attribute, ...]
    span: Span = field(compare=False, default=NO_SPAN)
    binding: Binding | None = None
    default: AbsentDefault | None = None


@record
class AbsentDefault:
    """``default false when absent``: the value assumed for a missing fact
    (a literal: true/false, a number with its unit, or an enumeration member)."""

    value: BooleanLiteral | NumberLiteral | Reference
    span: Span = field(compare=False, default=NO_SPAN)


@record
class Definition:
    """``define`` (internal) or ``output`` (appears in every result)."""

    name: Name
    label: Text | None
    expression: Expr
    output: bool
    attributes: tuple[Attribute, ...]
    span: Span = field(compare=False, default=NO_SPAN)
    # `define failed(a: agent) = ...`: a parameterised definition (empty: a plain one).
    parameters: tuple[Parameter, ...] = ()


@record
class Parameter:
    """``a: agent``: a parameter ranging over an enumeration's members, or over
    the members of a named constant set (``a: first_line``)."""

    name: Name
    type: Name
    span: Span = field(compare=False, default=NO_SPAN)


@record
class ConstantEntry:
    """``duloxetine: 60 mg/day``, with the entry's own quotes and notes."""

    member: Name
    value: Expr
    attributes: tuple[Attribute, ...]
    span: Span = field(compare=False, default=NO_SPAN)


@record
class ConstantTable:
    """``constant ceiling(a: titrated) "Dose ceiling of {a}" = { member: value, ... }``."""

    name: Name
    parameters: tuple[Parameter, ...]
    label: Text | None
    entries: tuple[ConstantEntry, ...]
    attributes: tuple[Attribute, ...]
    span: Span = field(compare=False, default=NO_SPAN)


@record
class DoseRange:
    """``60 mg/day``, ``100 to 200 mg/day``; frequency as free words."""

    low: Quantity
    high: Quantity | None
    frequency: Text | None
    span: Span = field(compare=False, default=NO_SPAN)


@record
class Evidence:
    """``evidence level Ib strength A``."""

    level: Name
    strength: Name | None
    span: Span = field(compare=False, default=NO_SPAN)


@record
class EffectSize:
    """``effect size 0.437 for pain``."""

    value: Decimal
    outcome: Name
    span: Span = field(compare=False, default=NO_SPAN)


@record
class Contraindication:
    condition: Expr
    attributes: tuple[Attribute, ...]
    span: Span = field(compare=False, default=NO_SPAN)


@record
class Intervention:
    """A catalogue entry: ``drug duloxetine "Duloxetine" ... end`` or ``therapy``."""

    kind: str  # "drug" or "therapy"
    name: Name
    label: Text | None
    drug_class: Name | None
    dose: DoseRange | None
    fda_approved: bool | None
    evidence: Evidence | None
    effect_sizes: tuple[EffectSize, ...]
    contraindications: tuple[Contraindication, ...]
    side_effects: tuple[Name, ...]
    attributes: tuple[Attribute, ...]
    span: Span = field(compare=False, default=NO_SPAN)


# ---------------------------------------------------------------------------
# The pathway
# ---------------------------------------------------------------------------


@record
class Titration:
    """``increase by 1.5 mg/day every 2 weeks to 4.5 mg/day``."""

    step: Quantity
    interval: Quantity
    target: Quantity
    span: Span = field(compare=False, default=NO_SPAN)


@record
class Recommendation:
    """``start duloxetine at 60 mg/day``; verb is one of start, continue,
    increase, decrease, switch, add, stop, consider, recommend."""

    verb: str
    intervention: Name
    dose: DoseRange | None
    titration: Titration | None
    guard: Expr | None
    attributes: tuple[Attribute, ...]
    span: Span = field(compare=False, default=NO_SPAN)


@record
class AvoidItem:
    """``avoid strong_opioid because "..."``."""

    intervention: Name
    reason: Text | None
    guard: Expr | None
    attributes: tuple[Attribute, ...]
    span: Span = field(compare=False, default=NO_SPAN)


@record
class Flag:
    """``flag ecg_before_tca "ECG before starting a tricyclic"``."""

    name: Name
    text: Text | None
    guard: Expr | None
    attributes: tuple[Attribute, ...]
    span: Span = field(compare=False, default=NO_SPAN)


@record
class Monitoring:
    """``monitor response after 4 to 6 weeks "Evaluate response"``."""

    name: Name
    after_low: Quantity | None
    after_high: Quantity | None
    text: Text | None
    guard: Expr | None
    attributes: tuple[Attribute, ...]
    span: Span = field(compare=False, default=NO_SPAN)


ActionItem = Recommendation | AvoidItem | Flag | Monitoring


@record
class Branch:
    """``when <guard> -> target``; guard None for ``otherwise``."""

    guard: Expr | None
    target: Name
    attributes: tuple[Attribute, ...]
    span: Span = field(compare=False, default=NO_SPAN)


@record
class Decision:
    """``decide name "question" [exclusive] ... end``: branches tried in order."""

    name: Name
    question: Text | None
    exclusive: bool
    branches: tuple[Branch, ...]  # the otherwise branch, if any, is last
    attributes: tuple[Attribute, ...]
    span: Span = field(compare=False, default=NO_SPAN)


@record
class Step:
    """``step name "title" ... -> next end``: an action node."""

    name: Name
    title: Text | None
    items: tuple[ActionItem, ...]
    next: Name
    attributes: tuple[Attribute, ...]
    span: Span = field(compare=False, default=NO_SPAN)


@record
class Outcome:
    """``outcome name not_applicable "message"``: a terminal."""

    name: Name
    status: Name
    message: Text | None
    attributes: tuple[Attribute, ...]
    span: Span = field(compare=False, default=NO_SPAN)


PathwayNode = Decision | Step | Outcome


@record
class Pathway:
    start: Name
    nodes: tuple[PathwayNode, ...]
    span: Span = field(compare=False, default=NO_SPAN)


@record
class Invariant:
    """A safety rule: ``never <condition>`` or ``always <condition>``.

    form ``plain``: ``never <condition>`` / ``always <condition>``, the whole
    condition in ``condition``, ``subject`` None.
    form ``recommend``: ``never recommend X [when G]`` / ``always recommend X
    [when G]``: ``subject`` is X and ``condition`` is G (None: every patient).
    """

    name: Name
    title: Text | None
    kind: str  # "never" or "always"
    form: str  # "plain" or "recommend"
    subject: Name | None  # the intervention for the "recommend" form
    condition: Expr | None  # the guard for the "recommend" form (may be None)
    attributes: tuple[Attribute, ...]
    span: Span = field(compare=False, default=NO_SPAN)


@record
class Waiver:
    """``waive "sentence" because "reason"``: a source sentence with no clinical logic."""

    sentence: Text
    reason: Text
    source: Name | None
    span: Span = field(compare=False, default=NO_SPAN)


@record
class Comment:
    """A ``#`` comment, kept so the formatter can put it back."""

    text: str
    span: Span = field(compare=False, default=NO_SPAN)


@record
class UnitDeclaration:
    """``unit drinks/week "Alcoholic drinks per week" dimension "alcohol intake"``: a unit the
    catalogue lacks, for this guideline; ``conversion``: one of it in a catalogue unit."""

    unit: Name
    label: Text | None
    dimension: Text
    conversion: Quantity | None
    attributes: tuple[Attribute, ...]
    span: Span = field(compare=False, default=NO_SPAN)


Declaration = (
    Enumeration
    | Record
    | Input
    | CodeSet
    | Definition
    | Intervention
    | Invariant
    | Waiver
    | UnitDeclaration
    | ConstantTable
)


@record
class Guideline:
    header: Header
    declarations: tuple[Declaration, ...]
    pathway: Pathway | None
    comments: tuple[Comment, ...] = field(compare=False, default=())
    span: Span = field(compare=False, default=NO_SPAN)
