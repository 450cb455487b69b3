"""Build the syntax tree (compiler.front.syntax) from Lark's parse tree.

A Transformer runs after parsing, so every node keeps its position. Callbacks
never raise: a problem the grammar cannot express (a duplicate ``dose`` line,
an invalid escape in a string) becomes a diagnostic and building goes on.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from typing import Any, cast

from lark import Token, Transformer, Tree, v_args
from lark.exceptions import VisitError
from lark.tree import Meta

from compiler.diagnostics import catalogue as diag
from compiler.diagnostics.catalogue import Diagnostic
from compiler.front import syntax as s
from compiler.front.build_bindings import BindingBuilder
from compiler.front.comments import comment_nodes
from compiler.front.parse import SourceText
from compiler.front.tables import with_chain
from fibrolang.operators import FUNCTIONS
from fibrolang.records import record


@record
class _From:
    source: s.Name


@record
class _Guard:
    expression: s.Expr


@record
class _Label:
    text: s.Text


_ESCAPES = {'"': '"', "\\": "\\", "n": "\n", "t": "\t", "r": "\r"}


def unescape(raw: str) -> tuple[str, list[tuple[int, str]]]:
    """Decode a string body (without its quotes). Returns the text and the
    offsets of invalid escapes with the escape as written."""
    if "\\" not in raw:  # most texts: nothing to decode
        return raw, []
    out: list[str] = []
    problems: list[tuple[int, str]] = []
    index = 0
    while index < len(raw):
        char = raw[index]
        if char != "\\":
            out.append(char)
            index += 1
            continue
        code = raw[index + 1] if index + 1 < len(raw) else ""
        if code in _ESCAPES:
            out.append(_ESCAPES[code])
            index += 2
        elif code == "u":
            digits = raw[index + 2 : index + 6]
            if len(digits) == 4 and all(c in "0123456789abcdefABCDEF" for c in digits):
                out.append(chr(int(digits, 16)))
                index += 6
            else:
                problems.append((index, raw[index : index + 6]))
                index += 2
        else:
            problems.append((index, raw[index : index + 2]))
            index += 2
    return "".join(out), problems


class _Builder(BindingBuilder, Transformer[Token, Any]):
    def __init__(self, source: SourceText) -> None:
        super().__init__()
        self.source_text = source
        self.file = source.file
        self.problems: list[Diagnostic] = []

    # -- positions ---------------------------------------------------------

    def span(self, meta: Meta) -> s.Span:
        if getattr(meta, "empty", True):
            return s.Span(self.file, 0, 0, 0, 0)
        return s.Span(self.file, meta.line, meta.column, meta.end_line, meta.end_column)

    def token_span(self, token: Token) -> s.Span:
        return s.Span(
            self.file, token.line or 0, token.column or 0, token.end_line or 0, token.end_column or 0
        )

    def problem(self, code: str, message: str, span: s.Span, hint: str | None = None) -> None:
        self.problems.append(diag.make(code, message, span, hint=hint))

    def to_decimal(self, token: Token) -> Decimal:
        try:
            return Decimal(str(token))
        except InvalidOperation:
            self.problem("FIB010", f"`{token}` is not a number", self.token_span(token))
            return Decimal(0)

    def whole_number(self, token: Token) -> int:
        value = self.to_decimal(token)
        if value != value.to_integral_value():
            self.problem("FIB010", f"`{token}` must be a whole number", self.token_span(token))
        return int(value)

    # -- terminals -----------------------------------------------------------

    def NAME(self, token: Token) -> s.Name:
        return s.Name(str(token), self.token_span(token))

    # -- shared pieces -------------------------------------------------------

    @v_args(meta=True)
    def text(self, meta: Meta, children: list[Token]) -> s.Text:
        parts: list[str] = []
        for token in children:
            body = str(token)[1:-1]
            value, problems = unescape(body)
            for offset, escape in problems:
                line = token.line or 0
                column = (token.column or 0) + 1 + offset
                self.problem(
                    "FIB008",
                    f"`{escape}` is not an escape fibrolang knows",
                    s.Span(self.file, line, column, line, column + len(escape)),
                    hint='use \\" \\\\ \\n \\t or \\uXXXX (four hex digits)',
                )
            parts.append(value)
        return s.Text("".join(parts), self.span(meta))

    def label(self, children: list[s.Text]) -> _Label:
        return _Label(children[0])

    def from_source(self, children: list[s.Name]) -> _From:
        return _From(children[0])

    @v_args(meta=True)
    def unit(self, meta: Meta, children: list[Any]) -> s.Name:
        parts: list[str] = []
        for child in children:
            if isinstance(child, s.Name):
                parts.append(child.text)
            else:
                parts.append(str(child))
        return s.Name("".join(parts), self.span(meta))

    @v_args(meta=True)
    def quantity(self, meta: Meta, children: list[Any]) -> s.Quantity:
        unit = children[1] if len(children) > 1 else None
        return s.Quantity(self.to_decimal(children[0]), unit, self.span(meta))

    @v_args(meta=True)
    def dose(self, meta: Meta, children: list[Any]) -> s.DoseRange:
        quantities = [c for c in children if isinstance(c, s.Quantity)]
        frequency = next((c for c in children if isinstance(c, s.Text)), None)
        low = quantities[0]
        high = quantities[1] if len(quantities) > 1 else None
        return s.DoseRange(low, high, frequency, self.span(meta))

    # -- attributes ----------------------------------------------------------

    @v_args(meta=True)
    def quote(self, meta: Meta, children: list[Any]) -> s.Quote:
        source = next((c.source for c in children if isinstance(c, _From)), None)
        text = next(c for c in children if isinstance(c, s.Text))
        return s.Quote(text, source, self.span(meta))

    @v_args(meta=True)
    def note(self, meta: Meta, children: list[s.Text]) -> s.Note:
        return s.Note(children[0], self.span(meta))

    @v_args(meta=True)
    def cite(self, meta: Meta, children: list[Token]) -> s.Cite:
        return s.Cite(tuple(self.whole_number(t) for t in children), self.span(meta))

    @v_args(meta=True)
    def label_attribute(self, meta: Meta, children: list[s.Text]) -> s.Label:
        return s.Label(children[0], self.span(meta))

    # -- header --------------------------------------------------------------

    @v_args(meta=True)
    def source(self, meta: Meta, children: list[Any]) -> s.Source:
        date = children[2] if len(children) > 2 else None
        return s.Source(children[0], children[1], date, self.span(meta))

    @v_args(meta=True)
    def citation(self, meta: Meta, children: list[Any]) -> s.Citation:
        return s.Citation(self.whole_number(children[0]), children[1], self.span(meta))

    @v_args(meta=True)
    def header(self, meta: Meta, children: list[Any]) -> s.Header:
        return s.Header(
            id=children[0],
            title=children[1],
            version=children[2],
            sources=tuple(c for c in children if isinstance(c, s.Source)),
            citations=tuple(c for c in children if isinstance(c, s.Citation)),
            span=self.span(meta),
        )

    # -- types -----------------------------------------------------------------

    @v_args(meta=True)
    def boolean_type(self, meta: Meta, children: list[Any]) -> s.BooleanType:
        return s.BooleanType(self.span(meta))

    @v_args(meta=True)
    def date_type(self, meta: Meta, children: list[Any]) -> s.DateType:
        return s.DateType(self.span(meta))

    def signed_number(self, children: list[Token]) -> Decimal:
        value = self.to_decimal(children[-1])
        return -value if len(children) > 1 else value

    def number_range(self, children: list[Decimal]) -> tuple[Decimal, Decimal]:
        return (children[0], children[1])

    @v_args(meta=True)
    def number_type(self, meta: Meta, children: list[Any]) -> s.NumberType:
        kind = str(children[0])
        bounds = next((c for c in children if isinstance(c, tuple)), None)
        unit = next((c for c in children[1:] if isinstance(c, s.Name)), None)
        low, high = bounds if bounds is not None else (None, None)
        return s.NumberType(kind == "integer", low, high, unit, self.span(meta))

    @v_args(meta=True)
    def set_type(self, meta: Meta, children: list[s.Name]) -> s.SetType:
        return s.SetType(children[0], self.span(meta))

    @v_args(meta=True)
    def map_type(self, meta: Meta, children: list[s.Name]) -> s.MapType:
        return s.MapType(children[0], children[1], self.span(meta))

    @v_args(meta=True)
    def named_type(self, meta: Meta, children: list[s.Name]) -> s.NamedType:
        return s.NamedType(children[0], self.span(meta))

    # -- data declarations -------------------------------------------------

    @staticmethod
    def _label(children: Sequence[Any]) -> s.Text | None:
        return next((c.text for c in children if isinstance(c, _Label)), None)

    @staticmethod
    def _attributes(children: Sequence[Any]) -> tuple[s.Attribute, ...]:
        return tuple(c for c in children if isinstance(c, s.Quote | s.Note | s.Cite | s.Label))

    @v_args(meta=True)
    def enum_member(self, meta: Meta, children: list[Any]) -> s.EnumMember:
        return s.EnumMember(children[0], self._label(children), self.span(meta))

    @v_args(meta=True)
    def enum_decl(self, meta: Meta, children: list[Any]) -> s.Enumeration:
        return s.Enumeration(
            children[0],
            self._label(children),
            tuple(c for c in children if isinstance(c, s.EnumMember)),
            self._attributes(children),
            self.span(meta),
        )

    @v_args(meta=True)
    def unit_decl(self, meta: Meta, children: list[Any]) -> s.UnitDeclaration:
        texts = [c for c in children if isinstance(c, s.Text)]
        conversion = next((c for c in children if isinstance(c, s.Quantity)), None)
        return s.UnitDeclaration(
            children[0],
            self._label(children),
            texts[0],
            conversion,
            self._attributes(children),
            self.span(meta),
        )

    @v_args(meta=True)
    def ordinal_band(self, meta: Meta, children: list[Any]) -> s.EnumMember:
        return s.EnumMember(children[0], self._label(children), self.span(meta), points=children[-1])

    @v_args(meta=True)
    def ordinal_decl(self, meta: Meta, children: list[Any]) -> s.Enumeration:
        return s.Enumeration(
            children[0],
            self._label(children),
            tuple(c for c in children if isinstance(c, s.EnumMember)),
            self._attributes(children),
            self.span(meta),
            ordinal=True,
        )

    @v_args(meta=True)
    def absent_default(self, meta: Meta, children: list[Any]) -> s.AbsentDefault:
        return s.AbsentDefault(children[0], self.span(meta))

    @v_args(meta=True)
    def default_number(self, meta: Meta, children: list[Any]) -> s.NumberLiteral:
        negative = isinstance(children[0], Token) and children[0].type == "MINUS"
        rest = children[1:] if negative else children
        unit = rest[1] if len(rest) > 1 else None
        value = self.to_decimal(rest[0])
        span = self.span(meta)
        return s.NumberLiteral(s.Quantity(-value if negative else value, unit, span), span)

    @v_args(meta=True)
    def record_field(self, meta: Meta, children: list[Any]) -> s.RecordField:
        return s.RecordField(children[0], self._label(children), children[-1], self.span(meta))

    @v_args(meta=True)
    def record_decl(self, meta: Meta, children: list[Any]) -> s.Record:
        return s.Record(
            children[0],
            self._label(children),
            tuple(c for c in children if isinstance(c, s.RecordField)),
            self._attributes(children),
            self.span(meta),
        )

    @v_args(meta=True)
    def input_decl(self, meta: Meta, children: list[Any]) -> s.Input:
        type_ = next(
            c
            for c in children[1:]
            if isinstance(c, s.BooleanType | s.NumberType | s.NamedType | s.SetType | s.MapType | s.DateType)
        )
        binding = next((c for c in children if isinstance(c, s.Binding)), None)
        default = next((c for c in children if isinstance(c, s.AbsentDefault)), None)
        return s.Input(
            children[0],
            self._label(children),
            type_,
            self._attributes(children),
            self.span(meta),
            binding,
            default,
        )

    def _definition(self, meta: Meta, children: list[Any], output: bool) -> s.Definition:
        rest = [c for c in children[1:] if not isinstance(c, _Label)]
        expression = rest[0]
        return s.Definition(
            children[0],
            self._label(children),
            expression,
            output,
            self._attributes(rest[1:]),
            self.span(meta),
        )

    @v_args(meta=True)
    def define_decl(self, meta: Meta, children: list[Any]) -> s.Definition:
        return self._definition(meta, children, output=False)

    @v_args(meta=True)
    def parameter(self, meta: Meta, children: list[s.Name]) -> s.Parameter:
        return s.Parameter(children[0], children[1], self.span(meta))

    def parameters(self, children: list[s.Parameter]) -> tuple[s.Parameter, ...]:
        return tuple(children)

    @v_args(meta=True)
    def parameterised_define(self, meta: Meta, children: list[Any]) -> s.Definition:
        parameters = children[1]
        plain = self._definition(meta, [children[0], *children[2:]], output=False)
        return s.Definition(
            plain.name, plain.label, plain.expression, False, plain.attributes, plain.span, parameters
        )

    @v_args(meta=True)
    def constant_entry(self, meta: Meta, children: list[Any]) -> s.ConstantEntry:
        return s.ConstantEntry(children[0], children[1], self._attributes(children[2:]), self.span(meta))

    @v_args(meta=True)
    def constant_decl(self, meta: Meta, children: list[Any]) -> s.ConstantTable:
        return s.ConstantTable(
            children[0],
            children[1],
            self._label(children),
            tuple(c for c in children if isinstance(c, s.ConstantEntry)),
            self._attributes(children),
            self.span(meta),
        )

    @v_args(meta=True)
    def output_decl(self, meta: Meta, children: list[Any]) -> s.Definition:
        return self._definition(meta, children, output=True)

    # -- interventions -------------------------------------------------------

    @v_args(meta=True)
    def drug_class(self, meta: Meta, children: list[s.Name]) -> tuple[str, Any, s.Span]:
        return ("class", children[0], self.span(meta))

    @v_args(meta=True)
    def dose_entry(self, meta: Meta, children: list[s.DoseRange]) -> tuple[str, Any, s.Span]:
        return ("dose", children[0], self.span(meta))

    @v_args(meta=True)
    def fda_approved(self, meta: Meta, children: list[Any]) -> tuple[str, Any, s.Span]:
        return ("fda", True, self.span(meta))

    @v_args(meta=True)
    def fda_not_approved(self, meta: Meta, children: list[Any]) -> tuple[str, Any, s.Span]:
        return ("fda", False, self.span(meta))

    @v_args(meta=True)
    def evidence(self, meta: Meta, children: list[s.Name]) -> tuple[str, Any, s.Span]:
        strength = children[1] if len(children) > 1 else None
        return ("evidence", s.Evidence(children[0], strength, self.span(meta)), self.span(meta))

    @v_args(meta=True)
    def effect_size(self, meta: Meta, children: list[Any]) -> tuple[str, Any, s.Span]:
        size = s.EffectSize(self.to_decimal(children[0]), children[1], self.span(meta))
        return ("effect", size, self.span(meta))

    @v_args(meta=True)
    def contraindication(self, meta: Meta, children: list[Any]) -> tuple[str, Any, s.Span]:
        item = s.Contraindication(children[0], self._attributes(children[1:]), self.span(meta))
        return ("contraindication", item, self.span(meta))

    @v_args(meta=True)
    def side_effects(self, meta: Meta, children: list[s.Name]) -> tuple[str, Any, s.Span]:
        return ("side_effects", tuple(children), self.span(meta))

    def _intervention(self, kind: str, meta: Meta, children: list[Any]) -> s.Intervention:
        single: dict[str, Any] = {}
        effects: list[s.EffectSize] = []
        contraindications: list[s.Contraindication] = []
        side_effects: list[s.Name] = []
        for child in children:
            if not isinstance(child, tuple):
                continue
            key, value, span = child
            if key == "effect":
                effects.append(value)
            elif key == "contraindication":
                contraindications.append(value)
            elif key == "side_effects":
                side_effects.extend(value)
            elif key in single:
                self.problem(
                    "FIB113",
                    f"`{children[0].text}` has more than one `{key}` line",
                    span,
                    hint="keep one; write a range such as `100 to 200 mg/day` for a dose range",
                )
            else:
                single[key] = value
        return s.Intervention(
            kind=kind,
            name=children[0],
            label=self._label(children),
            drug_class=single.get("class"),
            dose=single.get("dose"),
            fda_approved=single.get("fda"),
            evidence=single.get("evidence"),
            effect_sizes=tuple(effects),
            contraindications=tuple(contraindications),
            side_effects=tuple(side_effects),
            attributes=self._attributes(children),
            span=self.span(meta),
        )

    @v_args(meta=True)
    def drug_decl(self, meta: Meta, children: list[Any]) -> s.Intervention:
        return self._intervention("drug", meta, children)

    @v_args(meta=True)
    def therapy_decl(self, meta: Meta, children: list[Any]) -> s.Intervention:
        return self._intervention("therapy", meta, children)

    # -- safety rules and waivers ---------------------------------------------

    def plain_rule(self, children: list[Any]) -> tuple[str, str, s.Name | None, s.Expr | None]:
        return (str(children[0]), "plain", None, children[1])

    def recommend_rule(self, children: list[Any]) -> tuple[str, str, s.Name | None, s.Expr | None]:
        condition = children[2] if len(children) > 2 else None
        return (str(children[0]), "recommend", children[1], condition)

    @v_args(meta=True)
    def invariant_decl(self, meta: Meta, children: list[Any]) -> s.Invariant:
        kind, form, subject, condition = next(c for c in children if isinstance(c, tuple))
        return s.Invariant(
            children[0],
            self._label(children),
            kind,
            form,
            subject,
            condition,
            self._attributes(children),
            self.span(meta),
        )

    @v_args(meta=True)
    def waiver(self, meta: Meta, children: list[Any]) -> s.Waiver:
        source = next((c.source for c in children if isinstance(c, _From)), None)
        texts = [c for c in children if isinstance(c, s.Text)]
        return s.Waiver(texts[0], texts[1], source, self.span(meta))

    # -- pathway ---------------------------------------------------------------

    def guard(self, children: list[Any]) -> _Guard:
        return _Guard(children[0])

    def verb(self, children: list[Token]) -> str:
        return str(children[0])

    @v_args(meta=True)
    def titration(self, meta: Meta, children: list[s.Quantity]) -> s.Titration:
        return s.Titration(children[0], children[1], children[2], self.span(meta))

    def dose_clause(self, children: list[Any]) -> s.DoseRange:
        return cast(s.DoseRange, children[-1])

    @staticmethod
    def _guard(children: Sequence[Any]) -> s.Expr | None:
        return next((c.expression for c in children if isinstance(c, _Guard)), None)

    @v_args(meta=True)
    def recommendation(self, meta: Meta, children: list[Any]) -> s.Recommendation:
        name = next(c for c in children if isinstance(c, s.Name))
        return s.Recommendation(
            verb=children[0],
            intervention=name,
            dose=next((c for c in children if isinstance(c, s.DoseRange)), None),
            titration=next((c for c in children if isinstance(c, s.Titration)), None),
            guard=self._guard(children),
            attributes=self._attributes(children),
            span=self.span(meta),
        )

    @v_args(meta=True)
    def avoid_item(self, meta: Meta, children: list[Any]) -> s.AvoidItem:
        reason = next((c for c in children if isinstance(c, s.Text)), None)
        return s.AvoidItem(
            children[0], reason, self._guard(children), self._attributes(children), self.span(meta)
        )

    @v_args(meta=True)
    def flag_item(self, meta: Meta, children: list[Any]) -> s.Flag:
        text = next((c for c in children if isinstance(c, s.Text)), None)
        return s.Flag(children[0], text, self._guard(children), self._attributes(children), self.span(meta))

    @v_args(meta=True)
    def monitor_item(self, meta: Meta, children: list[Any]) -> s.Monitoring:
        text = next((c for c in children if isinstance(c, s.Text)), None)
        after = [c for c in children if isinstance(c, s.Quantity)]
        low = after[0] if after else None
        high = after[1] if len(after) > 1 else None
        return s.Monitoring(
            children[0], low, high, text, self._guard(children), self._attributes(children), self.span(meta)
        )

    @v_args(meta=True)
    def when_branch(self, meta: Meta, children: list[Any]) -> s.Branch:
        return s.Branch(children[0], children[1], self._attributes(children[2:]), self.span(meta))

    @v_args(meta=True)
    def otherwise_branch(self, meta: Meta, children: list[Any]) -> s.Branch:
        return s.Branch(None, children[0], self._attributes(children[1:]), self.span(meta))

    @v_args(meta=True)
    def decision(self, meta: Meta, children: list[Any]) -> s.Decision:
        question = next((c for c in children[1:2] if isinstance(c, s.Text)), None)
        exclusive = any(isinstance(c, Token) and c.type == "EXCLUSIVE" for c in children)
        branches = tuple(c for c in children if isinstance(c, s.Branch))
        head = [c for c in children if not isinstance(c, s.Branch)]
        return s.Decision(children[0], question, exclusive, branches, self._attributes(head), self.span(meta))

    @v_args(meta=True)
    def step(self, meta: Meta, children: list[Any]) -> s.Step:
        title = next((c for c in children[1:2] if isinstance(c, s.Text)), None)
        items = tuple(
            c for c in children if isinstance(c, s.Recommendation | s.AvoidItem | s.Flag | s.Monitoring)
        )
        return s.Step(children[0], title, items, children[-1], self._attributes(children), self.span(meta))

    @v_args(meta=True)
    def outcome(self, meta: Meta, children: list[Any]) -> s.Outcome:
        message = next((c for c in children if isinstance(c, s.Text)), None)
        return s.Outcome(children[0], children[1], message, self._attributes(children), self.span(meta))

    @v_args(meta=True)
    def pathway(self, meta: Meta, children: list[Any]) -> s.Pathway:
        return s.Pathway(children[0], tuple(children[1:]), self.span(meta))

    # -- expressions -------------------------------------------------------------

    @v_args(meta=True)
    def number(self, meta: Meta, children: list[Any]) -> s.NumberLiteral:
        unit = children[1] if len(children) > 1 else None
        span = self.span(meta)
        return s.NumberLiteral(s.Quantity(self.to_decimal(children[0]), unit, span), span)

    @v_args(meta=True)
    def true(self, meta: Meta, children: list[Any]) -> s.BooleanLiteral:
        return s.BooleanLiteral(True, self.span(meta))

    @v_args(meta=True)
    def false(self, meta: Meta, children: list[Any]) -> s.BooleanLiteral:
        return s.BooleanLiteral(False, self.span(meta))

    @v_args(meta=True)
    def reference(self, meta: Meta, children: list[s.Name]) -> s.Reference:
        return s.Reference(children[0], self.span(meta))

    @v_args(meta=True)
    def set_literal(self, meta: Meta, children: list[tuple[s.Name, s.Expr | None]]) -> s.SetLiteral:
        members = tuple(name for name, _ in children)
        conditions = tuple(condition for _, condition in children)
        if all(condition is None for condition in conditions):
            conditions = ()
        return s.SetLiteral(members, conditions, self.span(meta))

    def set_entry(self, children: list[Any]) -> tuple[s.Name, s.Expr | None]:
        return (children[0], children[1] if len(children) > 1 else None)

    @v_args(meta=True)
    def count_true(self, meta: Meta, children: list[Any]) -> s.CountTrue:
        return s.CountTrue(tuple(children), self.span(meta))

    @v_args(meta=True)
    def points_of(self, meta: Meta, children: list[Any]) -> s.PointsOf:
        return s.PointsOf(children[0], self.span(meta))

    @v_args(meta=True)
    def elapsed(self, meta: Meta, children: list[Any]) -> s.Elapsed:
        return s.Elapsed(children[0], children[1], children[2], self.span(meta))

    @v_args(meta=True)
    def plan_dose(self, meta: Meta, children: list[s.Name]) -> s.PlanQuery:
        return s.PlanQuery("dose", children[0], self.span(meta))

    def plan_state(self, children: list[Token]) -> str:
        return str(children[0])

    @v_args(meta=True)
    def plan_query(self, meta: Meta, children: list[Any]) -> s.Expr:
        subject, kind = children[0], children[-1]
        negated = any(isinstance(c, Token) and c.type == "NOT" for c in children)
        span = self.span(meta)
        if not isinstance(subject, s.Reference):
            self.problem(
                "FIB011",
                f"`is {kind}` needs the name of an intervention or flag before it",
                span,
                hint=f"write e.g. `duloxetine is {kind}`",
            )
            name = s.Name("?", span)
        else:
            name = subject.name
        query = s.PlanQuery(kind, name, span)
        return s.Not(query, span) if negated else query

    @v_args(meta=True)
    def plan_anything(self, meta: Meta, children: list[Any]) -> s.PlanQuery:
        return s.PlanQuery(children[-1], None, self.span(meta))

    @v_args(meta=True)
    def entry(self, meta: Meta, children: list[Any]) -> s.Entry:
        return s.Entry(children[0], children[1], self.span(meta))

    @v_args(meta=True)
    def field(self, meta: Meta, children: list[Any]) -> s.Field:
        return s.Field(children[0], children[1], self.span(meta))

    @v_args(meta=True)
    def negative(self, meta: Meta, children: list[Any]) -> s.Negative:
        return s.Negative(children[1], self.span(meta))

    @v_args(meta=True)
    def arithmetic(self, meta: Meta, children: list[Any]) -> s.Arithmetic:
        return s.Arithmetic(str(children[1]), children[0], children[2], self.span(meta))

    @v_args(meta=True)
    def call(self, meta: Meta, children: list[Any]) -> s.Expr:
        """``round(x, 1)``, ``min(a, b)``, ``max(a, b)``: a function of fibrolang.operators;
        any other name with arguments is a call of a parameterised definition (s.Call);
        ``abs(x)`` is ``max(x, -x)`` (the formatter and the explanations show it as ``abs(x)``)."""
        name: s.Name = children[0]
        arguments = [child for child in children[1:] if not isinstance(child, Token)]
        span = self.span(meta)
        if name.text not in FUNCTIONS and name.text != "abs":
            # a parameterised definition or per-member constant, `failed(duloxetine)`:
            # compiler/front/parameters.py expands it (or says that no function has that name)
            return s.Call(name, tuple(arguments), span)
        if name.text == "abs" and len(arguments) == 1:
            return s.Arithmetic("max", arguments[0], s.Negative(arguments[0], arguments[0].span), span)
        if name.text == "abs":
            message = f"`abs` takes one argument, not {len(arguments)}"
            self.problem("FIB145", message, span, "write `abs(value)`")
            return cast(s.Expr, arguments[0])
        if len(arguments) != 2:
            self.problem(
                "FIB145",
                f"`{name.text}` takes two arguments, not {len(arguments)}",
                span,
                f"write `{name.text}(value, {'decimals' if name.text == 'round' else 'other value'})`",
            )
            return cast(s.Expr, arguments[0])
        return s.Arithmetic(name.text, arguments[0], arguments[1], span)

    @v_args(meta=True)
    def compare(self, meta: Meta, children: list[Any]) -> s.Comparison:
        return s.Comparison(str(children[1]), children[0], children[2], self.span(meta))

    @v_args(meta=True)
    def compare_is(self, meta: Meta, children: list[Any]) -> s.Comparison:
        negated = any(isinstance(c, Token) and c.type == "NOT" for c in children)
        member: s.Name = children[-1]
        operator = "is not" if negated else "is"
        return s.Comparison(operator, children[0], s.Reference(member, member.span), self.span(meta))

    @v_args(meta=True)
    def member(self, meta: Meta, children: list[Any]) -> s.Membership:
        negated = any(isinstance(c, Token) and c.type == "NOT" for c in children)
        return s.Membership(children[0], children[-1], negated, self.span(meta))

    @v_args(meta=True)
    def between(self, meta: Meta, children: list[Any]) -> s.Between:
        return s.Between(children[0], children[1], children[2], self.span(meta))

    @v_args(meta=True)
    def not_(self, meta: Meta, children: list[Any]) -> s.Not:
        return s.Not(children[-1], self.span(meta))

    @v_args(meta=True)
    def and_(self, meta: Meta, children: list[Any]) -> s.And:
        operands: list[s.Expr] = []
        for child in children:
            operands.extend(child.operands if isinstance(child, s.And) else (child,))
        return s.And(tuple(operands), self.span(meta))

    @v_args(meta=True)
    def or_(self, meta: Meta, children: list[Any]) -> s.Or:
        operands: list[s.Expr] = []
        for child in children:
            operands.extend(child.operands if isinstance(child, s.Or) else (child,))
        return s.Or(tuple(operands), self.span(meta))

    def quantifier_kind(self, children: list[Token]) -> str:
        return str(children[0])

    @v_args(meta=True)
    def quantifier(self, meta: Meta, children: list[Any]) -> s.Quantifier:
        kind = str(children[0])
        body = children[3] if len(children) > 3 else None
        return s.Quantifier(kind, children[1], children[2], body, self.span(meta))

    @v_args(meta=True)
    def conditional(self, meta: Meta, children: list[Any]) -> s.Conditional:
        return s.Conditional(children[0], children[1], children[2], self.span(meta))

    @v_args(meta=True)
    def unset(self, meta: Meta, children: list[Any]) -> s.Unset:
        return s.Unset(self.span(meta))

    @v_args(meta=True)
    def text_value(self, meta: Meta, children: list[s.Text]) -> s.TextLiteral:
        return s.TextLiteral(children[0].value, self.span(meta))

    # -- lookup tables (compiler/front/tables.py) ----------------------------------------

    @v_args(meta=True)
    def table(self, meta: Meta, children: list[Any]) -> s.Table:
        keys = tuple(c for c in children if not isinstance(c, tuple | s.TableRow | _Otherwise))
        columns = next((c for c in children if isinstance(c, tuple)), ())
        rows = tuple(c for c in children if isinstance(c, s.TableRow))
        otherwise = next((c.value for c in children if isinstance(c, _Otherwise)), None)
        return with_chain(s.Table(keys, columns, rows, otherwise, self.span(meta)))

    def table_header(self, children: list[s.TableKey]) -> tuple[s.TableKey, ...]:
        return tuple(children)

    @v_args(meta=True)
    def table_row(self, meta: Meta, children: list[Any]) -> s.TableRow:
        return s.TableRow(children[0], tuple(children[1:]), self.span(meta))

    def table_otherwise(self, children: list[s.Expr]) -> _Otherwise:
        return _Otherwise(children[0])

    @v_args(meta=True)
    def member_key(self, meta: Meta, children: list[s.Name]) -> s.TableKey:
        return s.TableKey(children[0], None, True, None, True, self.span(meta))

    @v_args(meta=True)
    def value_key(self, meta: Meta, children: list[Any]) -> s.TableKey:
        span = self.span(meta)
        value = s.Quantity(children[0], children[1] if len(children) > 1 else None, span)
        return s.TableKey(None, value, True, value, True, span)

    @v_args(meta=True)
    def bound_key(self, meta: Meta, children: list[Any]) -> s.TableKey:
        span = self.span(meta)
        operator = str(children[0])
        value = s.Quantity(children[1], children[2] if len(children) > 2 else None, span)
        if operator in (">", ">="):
            return s.TableKey(None, value, operator == ">=", None, False, span)
        if operator in ("<", "<="):
            return s.TableKey(None, None, False, value, operator == "<=", span)
        if operator != "==":
            self.problem(
                "FIB011",
                f"`{operator}` cannot head a table row or column",
                span,
                hint="write a value (`2`), a bound (`>= 90`, `< 15`) or a range (`60 to 89`, `60 to < 90`)",
            )
        return s.TableKey(None, value, True, value, True, span)

    @v_args(meta=True)
    def range_key(self, meta: Meta, children: list[Any]) -> s.TableKey:
        span = self.span(meta)
        split = next(i for i, c in enumerate(children) if isinstance(c, Token) and c.type == "TO")
        before, after = children[:split], children[split + 1 :]
        operator = str(after[0]) if after and isinstance(after[0], Token) else "<="
        after = after[1:] if after and isinstance(after[0], Token) else after
        high_unit = after[1] if len(after) > 1 else None
        low_unit = before[1] if len(before) > 1 else high_unit
        if operator not in ("<", "<="):
            self.problem(
                "FIB011",
                f"`to {operator}` cannot close a range",
                span,
                hint="write `60 to 89` (both ends included) or `60 to < 90` (the upper end left out)",
            )
        low = s.Quantity(before[0], low_unit, span)
        high = s.Quantity(after[0], high_unit, span)
        return s.TableKey(None, low, True, high, operator != "<", span)

    # -- the whole file --------------------------------------------------------

    @v_args(meta=True)
    def start(self, meta: Meta, children: list[Any]) -> s.Guideline:
        header = children[0]
        pathways = [c for c in children[1:] if isinstance(c, s.Pathway)]
        for extra in pathways[1:]:
            self.problem(
                "FIB113",
                "a guideline has one pathway; this is a second one",
                extra.span,
                hint="merge the two pathways into one",
            )
        declarations = tuple(c for c in children[1:] if not isinstance(c, s.Pathway))
        found = comment_nodes(self.source_text)
        return s.Guideline(header, declarations, pathways[0] if pathways else None, found, self.span(meta))


@record
class _Otherwise:
    """The ``otherwise`` cell of a table, until ``table`` places it."""

    value: s.Expr


def build(tree: Tree[Token], source: SourceText) -> tuple[s.Guideline | None, list[Diagnostic]]:
    """Turn the parse tree into the syntax tree."""
    builder = _Builder(source)
    try:
        guideline = builder.transform(tree)
    except VisitError as error:  # a bug in a callback: report, never crash
        span = s.Span(source.file, 1, 1, 1, 1)
        return None, [
            *builder.problems,
            diag.make(
                "FIB901",
                f"internal error while reading the guideline: {error.orig_exc!r}",
                span,
                hint="please report this with the guideline file",
            ),
        ]
    except RecursionError:
        span = s.Span(source.file, 1, 1, 1, 1)
        return None, [
            *builder.problems,
            diag.make(
                "FIB009",
                "the guideline nests too deeply to read",
                span,
                hint="split deep expressions into named definitions with `define`",
            ),
        ]
    return cast(s.Guideline, guideline), builder.problems


def build_part(tree: Tree[Token], source: SourceText) -> tuple[Any, list[Diagnostic]] | None:
    """One declaration's, node's or header's tree built as ``build`` builds it inside the
    whole tree (``compiler.front.incremental``, which parses pieces of a text alone), with
    the problems found; None when a callback fails (``build`` reports those)."""
    builder = _Builder(source)
    try:
        return builder.transform(tree), builder.problems
    except (VisitError, RecursionError):
        return None
