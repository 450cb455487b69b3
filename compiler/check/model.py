"""The typed model of a guideline: what each name refers to and what type
each expression has. Built once per check (``build_model``); the passes read
it and report, each in its own words, what it finds wrong.

Types are the checker's own small vocabulary (``Boolean``, ``Number`` with a
unit, ``Member`` of an enumeration, ``SetOf``, ``MapOf``, ``RecordOf``, the
enumeration itself as ``EnumType``) and ``Unknown``. ``Unknown`` is how
cascades are suppressed: the model gives it to anything already wrong (an
undefined name, a field a record does not have, a definition that depends on
itself), and no pass reports a problem about an ``Unknown`` operand. A
``Number`` whose unit could not be worked out has ``unit_known=False`` and no
pass reports a unit problem about it.

Name resolution happens here once, and lowering (``compiler.lower``) reads it
(``Model.resolution_of``, ``Model.type_of``) instead of working it out again,
so what the checker accepts is what lowering builds: a bare name is a
quantifier variable, then an input or definition, then an enumeration, then an
enum member. Where an enum member is expected (after ``is``, as a map key,
before ``in``), a bare name is read as a member of the expected enumeration
first.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import assert_never

from compiler.check import unit_catalogue as units
from compiler.check import unit_conversion
from compiler.check.cycles import definition_cycles
from compiler.check.expressions import walk
from compiler.check.symbols import Symbols
from compiler.front import syntax as s
from fibrolang.operators import binary, result_unit
from fibrolang.records import record


@record
class Boolean:
    pass


@record
class Number:
    unit: str | None  # canonical unit, None for a plain number
    integer: bool = False
    constant: bool = False  # built from literals only (no patient data)
    unit_known: bool = True


@record
class Member:
    enum: str


@record
class EnumType:
    """An enumeration named as a collection: ``count a in agent``."""

    enum: str


@record
class SetOf:
    enum: str


@record
class MapOf:
    key: str
    record: str


@record
class RecordOf:
    record: str


@record
class Unknown:
    pass


@record
class NoValue:
    """The type of ``unset`` where no other arm says what it stands for."""


@record
class Date:
    """A calendar date (``input x: date``); compared only with dates (compiler/check/dates.py)."""


@record
class Text:
    """A text an output shows (``"Refer to nephrology"``); never reasoned on (compiler/check/text.py)."""


Type = Boolean | Number | Member | EnumType | SetOf | MapOf | RecordOf | Unknown | NoValue | Date | Text

UNKNOWN = Unknown()
NO_VALUE = NoValue()
BOOLEAN = Boolean()
DATE = Date()
TEXT = Text()


def describe(type_: Type) -> str:
    """A type in plain words, for messages."""
    if isinstance(type_, Boolean):
        return "a condition (true or false)"
    if isinstance(type_, Number):
        return f"a number in {type_.unit}" if type_.unit is not None else "a number without a unit"
    if isinstance(type_, Member):
        return f"a member of `{type_.enum}`"
    if isinstance(type_, EnumType):
        return f"the enumeration `{type_.enum}`"
    if isinstance(type_, SetOf):
        return f"a set of `{type_.enum}`"
    if isinstance(type_, MapOf):
        return f"a map of `{type_.key}` to `{type_.record}`"
    if isinstance(type_, RecordOf):
        return f"a `{type_.record}` record"
    if isinstance(type_, Date):
        return "a date"
    if isinstance(type_, Text):
        return "a text"
    return "of unknown type"


def enum_of(type_: Type) -> str | None:
    """The enumeration whose members a value is, or a collection holds."""
    if isinstance(type_, Member | EnumType | SetOf):
        return type_.enum
    if isinstance(type_, MapOf):
        return type_.key
    return None


@record
class Resolution:
    """What a bare name in an expression turned out to be.

    kind: variable, input, definition, enum, member (fine); undefined,
    not_member (not a member of the expected ``enum``; ``enums`` lists the
    enumerations that do declare it), ambiguous (``enums`` declare it and the
    context cannot decide); conflicting (one name node read two ways, which
    only a syntax node shared between two places could do: lowering refuses it).
    """

    kind: str
    enum: str | None = None
    enums: tuple[str, ...] = ()
    visible: tuple[str, ...] = ()  # names in scope, for "did you mean"


@record
class Root:
    """An expression the guideline evaluates: a definition, a guard, a rule."""

    expression: s.Expr
    role: str  # "definition", "output" or "condition"
    what: str  # in words, for messages: "the `when` condition of `adult`"
    definition: s.Definition | None = None


@dataclass
class Model:
    symbols: Symbols
    roots: list[Root] = field(default_factory=list)
    types: dict[int, Type] = field(default_factory=dict)
    references: list[tuple[s.Name, Resolution]] = field(default_factory=list)
    # id(name) -> what it resolved to; ``references`` keeps every name alive
    resolutions: dict[int, Resolution] = field(default_factory=dict)
    missing_fields: list[tuple[s.Field, str]] = field(default_factory=list)
    ambiguous_sets: list[tuple[s.SetLiteral, tuple[str, ...]]] = field(default_factory=list)
    mixed_sets: list[tuple[s.SetLiteral, tuple[str, ...]]] = field(default_factory=list)
    cycles: list[tuple[str, ...]] = field(default_factory=list)
    definition_types: dict[str, Type] = field(default_factory=dict)
    _keep: list[s.Expr] = field(default_factory=list)  # ids in ``types`` stay valid

    def type_of(self, expr: s.Expr) -> Type:
        return self.types.get(id(expr), UNKNOWN)

    def resolution_of(self, name: s.Name) -> Resolution | None:
        """What a name in an expression resolved to; None for a name the model never read."""
        return self.resolutions.get(id(name))

    def definitions_used(self, expr: s.Expr) -> set[str]:
        """The definitions an expression reads (its names resolved as definitions)."""
        found: set[str] = set()
        for node in walk(expr):
            if isinstance(node, s.Reference):
                resolution = self.resolution_of(node.name)
                if resolution is not None and resolution.kind == "definition":
                    found.add(node.name.text)
        return found

    def declared_number(self, expr: s.Expr) -> tuple[str, s.NumberType] | None:
        """The declaration of an input or record field a number expression reads."""
        if isinstance(expr, s.Reference):
            declared = self.symbols.inputs.get(expr.name.text)
            if declared is not None and isinstance(declared.type, s.NumberType):
                return declared.name.text, declared.type
        if isinstance(expr, s.Field):
            record = self.type_of(expr.record)
            if isinstance(record, RecordOf):
                record_field = self.symbols.record_field(record.record, expr.name.text)
                if record_field is not None and isinstance(record_field.type, s.NumberType):
                    return f"{record.record}.{record_field.name.text}", record_field.type
        return None


# ---------------------------------------------------------------------------
# Inference
# ---------------------------------------------------------------------------


class _Typer:
    def __init__(self, model: Model) -> None:
        self.model = model
        self.symbols = model.symbols
        self.in_cycle: set[str] = set()

    def record(self, expr: s.Expr, type_: Type) -> Type:
        self.model.types[id(expr)] = type_
        self.model._keep.append(expr)
        return type_

    def resolve(self, name: s.Name, resolution: Resolution) -> None:
        self.model.references.append((name, resolution))
        earlier = self.model.resolutions.setdefault(id(name), resolution)
        if earlier != resolution:
            self.model.resolutions[id(name)] = Resolution("conflicting")

    # -- declarations ----------------------------------------------------------

    def declared(self, type_: s.TypeExpr) -> Type:
        if isinstance(type_, s.BooleanType):
            return BOOLEAN
        if isinstance(type_, s.DateType):
            return DATE
        if isinstance(type_, s.NumberType):
            if type_.unit is None:
                return Number(None, integer=type_.integer)
            unit = units.canonical(type_.unit.text, self.symbols.units)
            return Number(unit, integer=type_.integer, unit_known=unit is not None)
        if isinstance(type_, s.NamedType):
            name = type_.name.text
            if name in self.symbols.enums:
                return Member(name)
            if name in self.symbols.records:
                return RecordOf(name)
            return UNKNOWN
        if isinstance(type_, s.SetType):
            return SetOf(type_.element.text) if type_.element.text in self.symbols.enums else UNKNOWN
        if type_.key.text in self.symbols.enums and type_.value.text in self.symbols.records:
            return MapOf(type_.key.text, type_.value.text)
        return UNKNOWN

    def definition(self, name: str) -> Type:
        known = self.model.definition_types.get(name)
        if known is not None:
            return known
        if name in self.in_cycle:
            self.model.definition_types[name] = UNKNOWN
            return UNKNOWN
        self.model.definition_types[name] = UNKNOWN  # guards against recursion
        type_ = self.infer(self.symbols.definitions[name].expression, {})
        if isinstance(type_, Number):
            type_ = Number(type_.unit, type_.integer, False, type_.unit_known)
        self.model.definition_types[name] = type_
        return type_

    # -- names -------------------------------------------------------------------

    def is_bare_member(self, expr: s.Expr, scope: dict[str, str | None]) -> bool:
        if not isinstance(expr, s.Reference):
            return False
        name = expr.name.text
        return (
            name not in scope
            and not self.symbols.is_value(name)
            and name not in self.symbols.enums
            and name in self.symbols.member_enums
        )

    def member(self, name: s.Name, enum: str | None, quiet: bool, scope: dict[str, str | None]) -> Type:
        owners = tuple(self.symbols.member_enums.get(name.text, ()))
        if enum is not None:
            if enum in owners:
                self.resolve(name, Resolution("member", enum))
                return Member(enum)
            self.resolve(name, Resolution("not_member", enum, owners))
            return UNKNOWN
        if len(owners) == 1 or (owners and quiet):
            self.resolve(name, Resolution("member", owners[0]))
            return Member(owners[0])
        if owners:
            self.resolve(name, Resolution("ambiguous", None, owners))
            return UNKNOWN
        self.resolve(name, Resolution("undefined", visible=self.visible(scope)))
        return UNKNOWN

    def visible(self, scope: dict[str, str | None]) -> tuple[str, ...]:
        return (*scope, *self.symbols.value_names(), *self.symbols.enums, *self.symbols.member_enums)

    def reference(self, expr: s.Reference, scope: dict[str, str | None], expected: Type | None) -> Type:
        name = expr.name.text
        if name in scope:
            self.resolve(expr.name, Resolution("variable"))
            bound = scope[name]
            return Member(bound) if bound is not None else UNKNOWN
        if name in self.symbols.inputs:
            self.resolve(expr.name, Resolution("input"))
            return self.declared(self.symbols.inputs[name].type)
        if name in self.symbols.definitions:
            self.resolve(expr.name, Resolution("definition"))
            return self.definition(name)
        if name in self.symbols.enums:
            self.resolve(expr.name, Resolution("enum", name))
            return EnumType(name)
        owners = self.symbols.member_enums.get(name, [])
        wanted = enum_of(expected) if expected is not None else None
        if wanted is not None and wanted not in owners and len(owners) == 1:
            wanted = None  # the single owner: the types pass reports the mismatch
        return self.member(expr.name, wanted, False, scope)

    def member_position(
        self,
        expr: s.Expr,
        scope: dict[str, str | None],
        enum: str | None,
        quiet: bool,
        member_anywhere: bool,
    ) -> Type:
        """An operand where an enum member is expected (after ``is``, as a key,
        before ``in``). ``member_anywhere``: a name that is a member of any
        enumeration is read as a member even if it is also an input (``is``)."""
        if isinstance(expr, s.Reference) and expr.name.text not in scope:
            name = expr.name.text
            owners = self.symbols.member_enums.get(name, [])
            take = bool(owners) if member_anywhere else not self.symbols.is_value(name)
            if take and (owners or name not in self.symbols.enums):
                return self.record(expr, self.member(expr.name, enum, quiet, scope))
        return self.infer(expr, scope, Member(enum) if enum is not None else None)

    def pair(
        self, left: s.Expr, right: s.Expr, scope: dict[str, str | None], expected: Type | None
    ) -> tuple[Type, Type]:
        if expected is not None:
            return self.infer(left, scope, expected), self.infer(right, scope, expected)
        if self.is_bare_member(left, scope) and not self.is_bare_member(right, scope):
            right_type = self.infer(right, scope)
            return self.infer(left, scope, right_type), right_type
        left_type = self.infer(left, scope)
        return left_type, self.infer(right, scope, left_type)

    def set_literal(self, expr: s.SetLiteral, expected: Type | None, scope: dict[str, str | None]) -> Type:
        for condition in expr.conditions:
            if condition is not None:
                self.infer(condition, scope, BOOLEAN)
        wanted = enum_of(expected) if expected is not None else None
        if wanted is not None:
            for name in expr.members:
                self.member(name, wanted, False, scope)
            return SetOf(wanted)
        owners = [self.symbols.member_enums.get(m.text, []) for m in expr.members]
        if any(not found for found in owners):
            for name, found in zip(expr.members, owners, strict=True):
                self.member(name, found[0] if found else None, True, scope)
            return UNKNOWN
        common = tuple(e for e in self.symbols.enums if all(e in found for found in owners))
        if len(common) == 1:
            for name in expr.members:
                self.resolve(name, Resolution("member", common[0]))
            return SetOf(common[0])
        if common:
            self.model.ambiguous_sets.append((expr, common))
        else:
            involved = tuple(e for e in self.symbols.enums if any(e in found for found in owners))
            self.model.mixed_sets.append((expr, involved))
        return UNKNOWN

    # -- expressions -----------------------------------------------------------------

    def points_of(self, expr: s.PointsOf, scope: dict[str, str | None]) -> Type:
        """``points of band``: a number in points when the band is an ordinal's member
        (compiler/check/ordinals.py reports any other operand)."""
        operand = self.infer(expr.operand, scope)
        declared = self.symbols.enums.get(operand.enum) if isinstance(operand, Member) else None
        if declared is None or not declared.ordinal:
            return UNKNOWN
        integer = all(m.points is None or m.points == m.points.to_integral_value() for m in declared.members)
        return Number("points", integer=integer)

    def infer(self, expr: s.Expr, scope: dict[str, str | None], expected: Type | None = None) -> Type:
        return self.record(expr, self._infer(expr, scope, expected))

    def _infer(self, expr: s.Expr, scope: dict[str, str | None], expected: Type | None) -> Type:
        if isinstance(expr, s.BooleanLiteral):
            return BOOLEAN
        if isinstance(expr, s.NumberLiteral):
            quantity = expr.quantity
            integer = quantity.value == quantity.value.to_integral_value()
            if quantity.unit is None:
                return Number(None, integer, constant=True)
            unit = units.canonical(quantity.unit.text, self.symbols.units)
            return Number(unit, integer, constant=True, unit_known=unit is not None)
        if isinstance(expr, s.Reference):
            return self.reference(expr, scope, expected)
        if isinstance(expr, s.SetLiteral):
            return self.set_literal(expr, expected, scope)
        if isinstance(expr, s.Entry):
            map_type = self.infer(expr.map, scope)
            is_map = isinstance(map_type, MapOf)
            key = map_type.key if isinstance(map_type, MapOf) else None
            self.member_position(expr.key, scope, key, quiet=not is_map, member_anywhere=False)
            return RecordOf(map_type.record) if isinstance(map_type, MapOf) else UNKNOWN
        if isinstance(expr, s.Field):
            record_type = self.infer(expr.record, scope)
            if not isinstance(record_type, RecordOf):
                return UNKNOWN
            record_field = self.symbols.record_field(record_type.record, expr.name.text)
            if record_field is None:
                self.model.missing_fields.append((expr, record_type.record))
                return UNKNOWN
            return self.declared(record_field.type)
        if isinstance(expr, s.Membership):
            if isinstance(expr.collection, s.SetLiteral) and not self.is_bare_member(expr.element, scope):
                element = self.infer(expr.element, scope)
                self.infer(expr.collection, scope, element)
                return BOOLEAN
            collection = self.infer(expr.collection, scope)
            enum = enum_of(collection)
            self.member_position(expr.element, scope, enum, quiet=enum is None, member_anywhere=False)
            return BOOLEAN
        if isinstance(expr, s.Comparison):
            if expr.operator in ("is", "is not"):
                left = self.infer(expr.left, scope)
                quiet = not isinstance(left, Member)
                self.member_position(expr.right, scope, enum_of(left), quiet, member_anywhere=True)
            elif expr.operator in ("==", "!="):
                self.pair(expr.left, expr.right, scope, None)
            else:
                self.infer(expr.left, scope)
                self.infer(expr.right, scope)
            return BOOLEAN
        if isinstance(expr, s.Between):
            for part in (expr.value, expr.low, expr.high):
                self.infer(part, scope)
            return BOOLEAN
        if isinstance(expr, s.Arithmetic):
            return arithmetic(expr.operator, self.infer(expr.left, scope), self.infer(expr.right, scope))
        if isinstance(expr, s.Negative):
            operand = self.infer(expr.operand, scope)
            return operand if isinstance(operand, Number) else UNKNOWN
        if isinstance(expr, s.Not):
            self.infer(expr.operand, scope)
            return BOOLEAN
        if isinstance(expr, s.And | s.Or):
            for part in expr.operands:
                self.infer(part, scope)
            return BOOLEAN
        if isinstance(expr, s.Conditional):
            self.infer(expr.condition, scope)
            then, otherwise = self.pair(expr.then, expr.otherwise, scope, expected)
            return same(then, otherwise)
        if isinstance(expr, s.Unset):
            return expected if expected is not None else NO_VALUE
        if isinstance(expr, s.TextLiteral):
            return TEXT
        if isinstance(expr, s.Table):
            for table_key in expr.keys:  # a one-row table's chain is its cell alone
                self.infer(table_key, scope)
            for condition in expr.implied:
                self.infer(condition, scope)
            return self.infer(expr.chain, scope, expected) if expr.chain is not None else UNKNOWN
        if isinstance(expr, s.Quantifier):
            collection = self.infer(expr.collection, scope)
            inner = {**scope, expr.variable.text: enum_of(collection)}
            body = self.infer(expr.body, inner) if expr.body is not None else None
            if expr.kind == "count":
                return Number(None, integer=True)
            if expr.kind != "sum":
                return BOOLEAN
            if isinstance(body, Number):
                return Number(body.unit, body.integer, False, body.unit_known)
            return UNKNOWN
        if isinstance(expr, s.CountTrue):
            for condition in expr.conditions:
                self.infer(condition, scope)
            return Number(None, integer=True)
        if isinstance(expr, s.PointsOf):
            return self.points_of(expr, scope)
        if isinstance(expr, s.Elapsed):  # whole units between two dates (compiler/check/dates.py)
            self.infer(expr.start, scope)
            self.infer(expr.end, scope)
            unit = units.canonical(expr.unit.text, self.symbols.units)
            return Number(unit, integer=True, unit_known=unit is not None)
        if isinstance(expr, s.Call):  # expanded before checking (compiler/front/parameters.py)
            return UNKNOWN
        if expr.kind == "dose":
            intervention = self.symbols.interventions.get(expr.subject.text) if expr.subject else None
            dose = intervention.dose if intervention is not None else None
            written = (dose.high or dose.low).unit if dose is not None else None
            unit = units.canonical(written.text, self.symbols.units) if written is not None else None
            return Number(unit, unit_known=unit is not None)
        return BOOLEAN


def arithmetic(operator: str, left: Type, right: Type) -> Type:
    """The type of ``left operator right``; a unit that cannot be worked out
    (the units pass reports why) gives ``unit_known=False``."""
    if not isinstance(left, Number) or not isinstance(right, Number):
        return UNKNOWN
    integer = left.integer and right.integer and binary(operator).keeps_integers
    constant = left.constant and right.constant
    known = left.unit_known and right.unit_known
    match binary(operator).unit_rule:
        case "same" | "compare":
            if known and unit_conversion.meets(left.unit, right.unit):
                return Number(units.joined(left.unit, right.unit), integer, constant)
            return Number(None, integer, constant, unit_known=False)
        case "product" | "quotient":
            if not known:
                return Number(None, integer, constant, unit_known=False)
            unit, _ = result_unit(binary(operator), left.unit, right.unit)
            return Number(unit_conversion.normal(unit), integer, constant)
        case "left":
            return Number(left.unit, integer, constant, left.unit_known)
        case unreachable:
            assert_never(unreachable)


def same(left: Type, right: Type) -> Type:
    """The type of ``if c then left else right``."""
    if isinstance(left, NoValue) or isinstance(right, NoValue):  # `unset`: the other arm's type
        return right if isinstance(left, NoValue) else left
    if isinstance(left, Number) and isinstance(right, Number):
        return arithmetic("+", left, right)
    if left == right:
        return left
    return UNKNOWN


# ---------------------------------------------------------------------------
# Building the model
# ---------------------------------------------------------------------------


def roots(guideline: s.Guideline) -> list[Root]:
    found: list[Root] = []
    for declaration in guideline.declarations:
        if isinstance(declaration, s.Definition):
            role = "output" if declaration.output else "definition"
            what = f"`{declaration.name.text}`"
            found.append(Root(declaration.expression, role, what, declaration))
        elif isinstance(declaration, s.Intervention):
            for item in declaration.contraindications:
                what = f"the contraindication of `{declaration.name.text}`"
                found.append(Root(item.condition, "condition", what))
        elif isinstance(declaration, s.Invariant) and declaration.condition is not None:
            found.append(Root(declaration.condition, "condition", f"the rule `{declaration.name.text}`"))
    if guideline.pathway is not None:
        for node in guideline.pathway.nodes:
            if isinstance(node, s.Decision):
                for branch in node.branches:
                    if branch.guard is not None:
                        what = f"the `when` condition of `{node.name.text}`"
                        found.append(Root(branch.guard, "condition", what))
            elif isinstance(node, s.Step):
                for action in node.items:
                    if action.guard is not None:
                        what = f"the `when` condition in step `{node.name.text}`"
                        found.append(Root(action.guard, "condition", what))
    return found


def build_model(guideline: s.Guideline, symbols: Symbols) -> Model:
    model = Model(symbols)
    model.cycles = definition_cycles(symbols)
    typer = _Typer(model)
    typer.in_cycle = {name for cycle in model.cycles for name in cycle}
    model.roots = roots(guideline)
    for root in model.roots:
        definition = root.definition
        name = definition.name.text if definition is not None else ""
        if (
            definition is not None
            and symbols.definitions.get(name) is definition
            and name not in typer.in_cycle
        ):
            typer.definition(name)
        else:
            typer.infer(root.expression, {})
    return model
