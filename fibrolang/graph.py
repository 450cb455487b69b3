"""The decision graph (graph-format.md) as frozen, slotted dataclasses.

A ``Graph`` is plain data: ``graph_reader.read_graph`` builds it from the JSON
dict (collecting every structural problem into one ``GuidelineError``), and
``compile`` turns it into closures. Children are tuples; mappings of the JSON
file are tuples in the file's (sorted-key) order.
"""

from __future__ import annotations

from typing import Literal, TypeAlias

from fibrolang.expressions import Expression, Number
from fibrolang.records import record

FORMAT = "fibrolang-graph/1"

Status = Literal["ok", "not_applicable", "insufficient_data"]
STATUSES: tuple[Status, ...] = ("ok", "not_applicable", "insufficient_data")
ACTIONS = (
    "start",
    "continue",
    "increase",
    "decrease",
    "switch",
    "add",
    "stop",
    "consider",
    "recommend",
)


@record
class SourcePosition:
    """Where an element stands in the guideline source (1-based)."""

    line: int
    column: int


# ---- types -------------------------------------------------------------------


@record
class BooleanType:
    pass


@record
class NumberType:
    """``integer`` (``integral=True``) or ``decimal``, with unit and inclusive bounds."""

    integral: bool
    unit: str | None
    minimum: Number | None
    maximum: Number | None


@record
class EnumType:
    enum: str


@record
class SetType:
    enum: str


@record
class MapType:
    key: str
    record: str


@record
class DateType:
    """``date``: a calendar date, ``YYYY-MM-DD`` in a patient record (fibrolang/dates.py)."""


ValueType: TypeAlias = BooleanType | NumberType | EnumType | SetType | MapType | DateType


@record
class Enumeration:
    name: str
    label: str | None
    members: tuple[str, ...]
    member_labels: tuple[tuple[str, str], ...]
    points: tuple[tuple[str, int | float], ...] = ()  # an ordinal's bands and their points

    def label_of(self, member: str) -> str:
        return dict(self.member_labels).get(member, member)


@record
class RecordField:
    name: str
    type: ValueType
    label: str | None = None


@record
class Record:
    name: str
    label: str | None
    fields: tuple[RecordField, ...]


BINDING_RESOURCES = ("Observation", "Condition", "Procedure", "MedicationStatement", "Patient")


@record
class FhirCode:
    system: str  # the code system's URI
    code: str


@record
class MemberCodes:
    member: str  # an enum member (of a set or map input)
    codes: tuple[FhirCode, ...]


@record
class BindingField:
    """How a MedicationStatement gives one field of the record (``fields`` of a binding)."""

    name: str
    role: str  # status, duration, dose or extension
    url: str | None  # the extension's URL (role extension)


@record
class FhirBinding:
    """The FHIR binding of an input (``inputs.*.binding``, graph-format.md): compiler
    metadata the evaluator ignores; ``fibrolang.fhir`` and ``fibrolang serve`` read it."""

    resource: str  # one of BINDING_RESOURCES
    value_set: str | None  # the `codes` declaration named, or None (codes written inline)
    codes: tuple[FhirCode, ...]  # sorted, every code the binding reads
    member_codes: tuple[MemberCodes, ...] | None  # for a set or map: each member's codes
    latest_value: bool  # Observation: the newest value
    unit: str | None  # the guideline unit of the value (Observation only)
    ucum: tuple[str, ...] | None  # the UCUM codes accepted for it (the first is written)
    within_days: int | None  # how old the resource may be
    fields: tuple[BindingField, ...]  # MedicationStatement, sorted by field name
    fhirpath: str  # selects the resources it reads from a Bundle
    prefetch: str  # the CDS Hooks prefetch template

    def codes_of(self, member: str) -> tuple[FhirCode, ...] | None:
        """The codes of one member, or None when the binding has none for it."""
        for entry in self.member_codes or ():
            if entry.member == member:
                return entry.codes
        return None


@record
class InputDeclaration:
    name: str
    label: str | None
    type: ValueType
    default: bool | int | float | str | None = None  # assumed when absent (None: no default)
    binding: FhirBinding | None = None  # how FHIR resources give it (None: unbound)
    notes: tuple[str, ...] = ()  # the author's notes (shown, never evaluated)


@record
class Definition:
    name: str
    label: str | None
    output: bool
    expr: Expression
    notes: tuple[str, ...]
    quote: str | None
    tables: tuple[TableDisplay, ...] = ()  # for display only; `expr` is what is evaluated


@record
class TableRowDisplay:
    heading: str
    cells: tuple[str, ...]


@record
class TableDisplay:
    """A lookup table as the author wrote it (graph ``tables``), for explanations."""

    by: str
    columns: tuple[str, ...]
    rows: tuple[TableRowDisplay, ...]
    otherwise: str | None
    at: str | None = None  # the JSON Pointer of the table's `if` chain in the definition's `expr`


# ---- the catalogue of interventions ------------------------------------------


@record
class Dose:
    minimum: Number
    maximum: Number
    unit: str | None
    frequency: str | None


@record
class Titration:
    step: Number
    every: Number
    every_unit: str | None
    target: Number
    unit: str | None


@record
class Period:
    minimum: Number
    maximum: Number
    unit: str | None


@record
class Evidence:
    level: str | None
    strength: str | None


@record
class EffectSize:
    value: Number
    outcome: str


@record
class Contraindication:
    condition: Expression
    quote: str | None
    notes: tuple[str, ...]


@record
class Intervention:
    id: str
    kind: Literal["drug", "therapy"]
    label: str | None
    drug_class: str | None
    dose: Dose | None
    fda_approved: bool | None
    evidence: Evidence | None
    effect_sizes: tuple[EffectSize, ...]
    contraindications: tuple[Contraindication, ...]
    side_effects: tuple[str, ...]
    citations: tuple[int, ...]
    quote: str | None
    notes: tuple[str, ...]
    source: SourcePosition | None = None  # where the guideline declares it


# ---- the pathway -------------------------------------------------------------


@record
class Traceability:
    """What any node, edge or item carries back to the source."""

    notes: tuple[str, ...]
    quote: str | None
    citations: tuple[int, ...]
    source: SourcePosition | None


@record
class Edge:
    """A branch of a decision (``guard`` None for ``otherwise``) or an action's ``next``."""

    id: str
    guard: Expression | None
    target: str
    label: str | None
    trace: Traceability


@record
class RecommendItem:
    id: str
    guard: Expression | None
    action: str
    intervention: str
    dose: Dose | None
    titration: Titration | None
    trace: Traceability


@record
class AvoidItem:
    id: str
    guard: Expression | None
    intervention: str
    reason: str | None
    trace: Traceability


@record
class FlagItem:
    id: str
    guard: Expression | None
    flag: str
    text: str | None
    trace: Traceability


@record
class MonitorItem:
    id: str
    guard: Expression | None
    what: str
    text: str | None
    after: Period | None
    trace: Traceability


ActionItem: TypeAlias = RecommendItem | AvoidItem | FlagItem | MonitorItem


@record
class DecisionNode:
    id: str
    question: str | None
    exclusive: bool
    branches: tuple[Edge, ...]
    trace: Traceability


@record
class ActionNode:
    id: str
    title: str | None
    items: tuple[ActionItem, ...]
    next: Edge
    trace: Traceability


@record
class TerminalNode:
    id: str
    status: Status
    message: str | None
    trace: Traceability


Node: TypeAlias = DecisionNode | ActionNode | TerminalNode


@record
class Invariant:
    name: str
    title: str | None
    kind: Literal["never", "always"]
    condition: Expression
    trace: Traceability


@record
class SourceDocument:
    name: str
    file: str | None
    date: str | None


@record
class GuidelineInfo:
    id: str
    title: str | None
    version: str
    content_hash: str
    sources: tuple[SourceDocument, ...]
    citations: tuple[tuple[int, str], ...]


@record
class Graph:
    guideline: GuidelineInfo
    enums: tuple[Enumeration, ...]
    records: tuple[Record, ...]
    inputs: tuple[InputDeclaration, ...]
    definitions: tuple[Definition, ...]
    interventions: tuple[Intervention, ...]
    start: str
    nodes: tuple[Node, ...]
    invariants: tuple[Invariant, ...]
