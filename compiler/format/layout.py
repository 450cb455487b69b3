"""The canonical layout of a guideline, without comments.

``lay_out`` turns the syntax tree into printed lines, each carrying the
source line it came from (its anchor) so ``compiler.format`` can put the
author's comments back next to the code they annotate.

Layout, in short: the header block first, then the declarations in source
order, then the pathway; two spaces per block level; attributes (quote,
note, cite, label) on their own lines two spaces under their element; long
expressions broken before `and` / `or` with a four-space continuation
indent; strings re-escaped one way; numbers exactly as written; units
without spaces; parentheses only where the grammar needs them.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from compiler.format.doc import BREAK, Doc, Group, Mark, Nest, concat, render
from compiler.front import syntax as s
from fibrolang.operators import binary
from fibrolang.printable import printable

WIDTH = 100
INDENT = 2
CONTINUATION = 4


@dataclass(slots=True)
class Line:
    """A printed line; ``closer`` marks `end` and `}` (comments before them
    are indented one level deeper); ``blank`` is an empty line."""

    indent: int
    text: str
    anchor: int | None
    closer: bool = False
    blank: bool = False


# ---------------------------------------------------------------------------
# Words: strings, numbers, units
# ---------------------------------------------------------------------------

_ESCAPES = {'"': '\\"', "\\": "\\\\", "\n": "\\n", "\t": "\\t", "\r": "\\r"}
_UNSEEN = ("Cc", "Cs", "Zl", "Zp")


def quote(value: str) -> str:
    """A string literal in the one canonical spelling."""
    out = ['"']
    for char in value:
        if char in _ESCAPES:
            out.append(_ESCAPES[char])
        elif unicodedata.category(char) in _UNSEEN or (printable(char) != char and ord(char) <= 0xFFFF):
            # control characters, separators, the bidi controls that reorder what a reader
            # sees and the invisible characters (fibrolang.printable): never written raw into
            # a source file (those beyond U+FFFF have no \\uXXXX escape: they stay, FIB014)
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    out.append('"')
    return "".join(out)


def number(value: Decimal) -> str:
    """A number as written (``1.50`` stays ``1.50``), never in exponent form."""
    return format(value, "f")


def quantity(value: s.Quantity) -> str:
    return number(value.value) + (f" {value.unit.text}" if value.unit is not None else "")


def _label(text: s.Text | None) -> str:
    return f" {quote(text.value)}" if text is not None else ""


def _line(span: s.Span) -> int | None:
    return span.line if span.line > 0 else None


def type_text(type_: s.TypeExpr) -> str:
    if isinstance(type_, s.BooleanType):
        return "boolean"
    if isinstance(type_, s.DateType):
        return "date"
    if isinstance(type_, s.NumberType):
        words = ["integer" if type_.integer else "decimal"]
        if type_.low is not None and type_.high is not None:
            words += [number(type_.low), "to", number(type_.high)]
        if type_.unit is not None:
            words.append(type_.unit.text)
        return " ".join(words)
    if isinstance(type_, s.SetType):
        return f"set of {type_.element.text}"
    if isinstance(type_, s.MapType):
        return f"map of {type_.key.text} to {type_.value.text}"
    return type_.name.text


def parameters_text(parameters: tuple[s.Parameter, ...]) -> str:
    """``(a: agent, b: response)``; empty for a definition without parameters."""
    if not parameters:
        return ""
    return "(" + ", ".join(f"{p.name.text}: {p.type.text}" for p in parameters) + ")"


def dose_text(dose: s.DoseRange) -> str:
    text = quantity(dose.low)
    if dose.high is not None:
        text += f" to {quantity(dose.high)}"
    if dose.frequency is not None:
        text += f" {quote(dose.frequency.value)}"
    return text


# ---------------------------------------------------------------------------
# Expressions
# ---------------------------------------------------------------------------

# Binding strength, loosest first; a child printed where a tighter form is
# needed gets parentheses.
TAIL = 0  # quantifiers and if-then-else: they extend to the right
OR = 1
AND = 2
NOT = 3
COMPARISON = 4
SUM = 5
PRODUCT = 6
UNARY = 7
POSTFIX = 8
ATOM = 9


def _negated_plan_query(expr: s.Not) -> bool:
    """``x is not recommended`` reads as Not(PlanQuery) with one span."""
    inner = expr.operand
    return (
        isinstance(inner, s.PlanQuery)
        and inner.subject is not None
        and inner.kind != "dose"
        and expr.span.line > 0
        and expr.span == inner.span
    )


def strength(expr: s.Expr) -> int:
    if isinstance(expr, s.Quantifier | s.Conditional | s.Table):
        return TAIL
    if isinstance(expr, s.Or):
        return OR
    if isinstance(expr, s.And):
        return AND
    if isinstance(expr, s.Not):
        return COMPARISON if _negated_plan_query(expr) else NOT
    if isinstance(expr, s.Comparison | s.Membership | s.Between):
        return COMPARISON
    if isinstance(expr, s.PlanQuery):
        return ATOM if expr.kind == "dose" else COMPARISON
    if isinstance(expr, s.Arithmetic):
        return binary(expr.operator).strength
    if isinstance(expr, s.Negative | s.PointsOf | s.Elapsed):
        return UNARY
    if isinstance(expr, s.Entry | s.Field):
        return POSTFIX
    return ATOM


def expression(expr: s.Expr, need: int = TAIL) -> Doc:
    """The document for ``expr`` where the grammar needs binding ``need``."""
    doc = _expression(expr)
    if strength(expr) < need:
        return concat("(", doc, ")")
    return doc


def _boolean(operands: Sequence[s.Expr], word: str, need: int) -> Doc:
    parts: list[Doc] = [expression(operands[0], need)]
    for operand in operands[1:]:
        parts += [BREAK, Mark(operand.span.line), f"{word} ", expression(operand, need)]
    return Nest(INDENT, Group(concat(*parts)))


def _expression(expr: s.Expr) -> Doc:
    if isinstance(expr, s.BooleanLiteral):
        return "true" if expr.value else "false"
    if isinstance(expr, s.NumberLiteral):
        return quantity(expr.quantity)
    if isinstance(expr, s.Reference):
        return expr.name.text
    if isinstance(expr, s.SetLiteral):
        if not expr.conditions:
            return "{" + ", ".join(member.text for member in expr.members) + "}"
        entries: list[Doc] = []
        for member, condition in zip(expr.members, expr.conditions, strict=True):
            entries.append(
                member.text if condition is None else concat(member.text, " when ", expression(condition))
            )
        pieces: list[Doc] = ["{"]
        for index, entry in enumerate(entries):
            pieces.append(entry if index == 0 else concat(", ", entry))
        pieces.append("}")
        return concat(*pieces)
    if isinstance(expr, s.Entry):
        return concat(expression(expr.map, POSTFIX), "[", expression(expr.key), "]")
    if isinstance(expr, s.Field):
        return concat(expression(expr.record, POSTFIX), f".{expr.name.text}")
    if isinstance(expr, s.Membership):
        word = " not in " if expr.negated else " in "
        return concat(expression(expr.element, SUM), word, expression(expr.collection, SUM))
    if isinstance(expr, s.Comparison):
        if expr.operator in ("is", "is not") and isinstance(expr.right, s.Reference):
            return concat(expression(expr.left, SUM), f" {expr.operator} {expr.right.name.text}")
        return concat(expression(expr.left, SUM), f" {expr.operator} ", expression(expr.right, SUM))
    if isinstance(expr, s.Between):
        return concat(
            expression(expr.value, SUM),
            " between ",
            expression(expr.low, SUM),
            " and ",
            expression(expr.high, SUM),
        )
    if isinstance(expr, s.Arithmetic):
        operator = binary(expr.operator)
        if expr.operator == "max" and isinstance(expr.right, s.Negative) and expr.right.operand == expr.left:
            return concat("abs(", expression(expr.left), ")")  # abs(x) is read as max(x, -x)
        if operator.family == "function":
            return concat(f"{expr.operator}(", expression(expr.left), ", ", expression(expr.right), ")")
        return concat(
            expression(expr.left, operator.left_needs),
            f" {expr.operator} ",
            expression(expr.right, operator.right_needs),
        )
    if isinstance(expr, s.Negative):
        return concat("-", expression(expr.operand, UNARY))
    if isinstance(expr, s.PointsOf):
        return concat("points of ", expression(expr.operand, POSTFIX))
    if isinstance(expr, s.Elapsed):
        return concat(
            f"{expr.unit.text} from ", expression(expr.start, POSTFIX), " to ", expression(expr.end, POSTFIX)
        )
    if isinstance(expr, s.Not):
        if _negated_plan_query(expr):
            query = expr.operand
            assert isinstance(query, s.PlanQuery) and query.subject is not None
            return f"{query.subject.text} is not {query.kind}"
        # `not (a is b)` keeps its parentheses so the negation reads as meant.
        need = NOT if isinstance(expr.operand, s.Not) else SUM
        return concat("not ", expression(expr.operand, need))
    if isinstance(expr, s.And):
        return _boolean(expr.operands, "and", NOT)
    if isinstance(expr, s.Or):
        # `and` inside `or` keeps its parentheses: readers misread mixed chains.
        return _boolean(expr.operands, "or", NOT)
    if isinstance(expr, s.Unset):
        return "unset"
    if isinstance(expr, s.TextLiteral):
        return quote(expr.value)
    if isinstance(expr, s.Table):
        from compiler.format.tables import one_line  # tables imports this module

        return one_line(expr)
    if isinstance(expr, s.Conditional):
        return concat(
            "if ",
            expression(expr.condition),
            " then ",
            expression(expr.then),
            " else ",
            expression(expr.otherwise),
        )
    if isinstance(expr, s.Quantifier):
        head = concat(f"{expr.kind} {expr.variable.text} in ", expression(expr.collection, POSTFIX))
        if expr.body is None:
            return head
        word = " of " if expr.kind == "sum" else " where "
        return concat(head, word, expression(expr.body))
    if isinstance(expr, s.CountTrue):
        parts: list[Doc] = ["count of ("]
        for index, condition in enumerate(expr.conditions):
            if index:
                parts.append(", ")
            parts.append(expression(condition))
        parts.append(")")
        return concat(*parts)
    if isinstance(expr, s.Call):
        parts = [f"{expr.name.text}("]
        for index, argument in enumerate(expr.arguments):
            parts.append(expression(argument) if index == 0 else concat(", ", expression(argument)))
        parts.append(")")
        return concat(*parts)
    if isinstance(expr, s.PlanQuery):
        if expr.kind == "dose":
            return f"dose of {expr.subject.text if expr.subject else '?'}"
        subject = expr.subject.text if expr.subject is not None else "anything"
        return f"{subject} is {expr.kind}"
    raise TypeError(f"unknown expression {type(expr).__name__}")


def unit_declaration_text(item: s.UnitDeclaration) -> str:
    """``unit drinks/week "label" dimension "alcohol intake" = 1 ...``."""
    conversion = f" = {quantity(item.conversion)}" if item.conversion is not None else ""
    return f"unit {item.unit.text}{_label(item.label)} dimension {quote(item.dimension.value)}{conversion}"


def absent_default_text(default: s.AbsentDefault) -> str:
    """``default false when absent``."""
    value = default.value
    if isinstance(value, s.BooleanLiteral):
        written = "true" if value.value else "false"
    elif isinstance(value, s.NumberLiteral):
        written = quantity(value.quantity)
    else:
        written = value.name.text
    return f"default {written} when absent"


def condition(expr: s.Expr) -> Doc:
    """An expression after a keyword on an element's line; breaks indent four."""
    return Nest(CONTINUATION - INDENT, expression(expr))


# ---------------------------------------------------------------------------
# Elements
# ---------------------------------------------------------------------------


def code_list(codes: tuple[s.Code, ...]) -> str:
    return " or ".join(f"{c.system.text} {quote(c.code.value)}" for c in codes)


def binding_head(binding: s.Binding) -> str:
    """``from Observation code ... latest value in U within Q`` (without ``with``)."""
    parts = [f"from {binding.resource.text}"]
    if binding.code_set is not None:
        parts.append(f"code in {binding.code_set.text}")
    elif binding.codes:
        parts.append(f"code {code_list(binding.codes)}")
    if binding.latest:
        unit = (
            quote(binding.ucum.value)
            if binding.ucum is not None
            else binding.unit.text
            if binding.unit
            else ""
        )
        parts.append(f"latest value in {unit}")
    if binding.within is not None:
        parts.append(f"within {quantity(binding.within)}")
    return " ".join(parts)


def field_binding(item: s.FieldBinding) -> str:
    url = f" {quote(item.url.value)}" if item.url is not None else ""
    return f"{item.record_field.text} = {item.role.text}{url}"


class Layout:
    """Collects the printed lines of one guideline."""

    def __init__(self, force_open: frozenset[int] = frozenset()) -> None:
        self.lines: list[Line] = []
        # Declarations (by start line) whose braces must be broken over lines
        # because comments sit inside them.
        self.force_open = force_open

    def emit(self, indent: int, doc: Doc, anchor: int | None, closer: bool = False) -> None:
        for printed in render(doc, indent, anchor, WIDTH):
            self.lines.append(Line(printed.indent, printed.text, printed.anchor, closer))

    def blank(self) -> None:
        self.lines.append(Line(0, "", None, blank=True))

    def attributes(self, attributes: Sequence[s.Attribute], indent: int) -> None:
        for attribute in attributes:
            if isinstance(attribute, s.Quote):
                source = f"from {attribute.source.text} " if attribute.source is not None else ""
                text = f"quote {source}{quote(attribute.text.value)}"
            elif isinstance(attribute, s.Note):
                text = f"note {quote(attribute.text.value)}"
            elif isinstance(attribute, s.Cite):
                text = "cite " + ", ".join(str(n) for n in attribute.numbers)
            else:
                text = f"label {quote(attribute.text.value)}"
            self.emit(indent, text, _line(attribute.span))

    # -- the file ------------------------------------------------------------

    def header(self, header: s.Header) -> None:
        self.emit(0, f"guideline {header.id.text}", _line(header.span))
        self.emit(INDENT, f"title {quote(header.title.value)}", _line(header.title.span))
        self.emit(INDENT, f"version {quote(header.version.value)}", _line(header.version.span))
        for source in header.sources:
            dated = f" dated {quote(source.date.value)}" if source.date is not None else ""
            text = f"source {source.name.text} {quote(source.path.value)}{dated}"
            self.emit(INDENT, text, _line(source.span))
        for citation in header.citations:
            self.emit(
                INDENT, f"citation {citation.number} {quote(citation.text.value)}", _line(citation.span)
            )
        self.emit(0, "end", _end_line(header.span), closer=True)

    def declaration(self, item: s.Declaration) -> None:
        if isinstance(item, s.Enumeration):
            self.enumeration(item)
        elif isinstance(item, s.Record):
            self.record(item)
        elif isinstance(item, s.Input):
            default = absent_default_text(item.default) if item.default is not None else None
            head = f"input {item.name.text}{_label(item.label)}: {type_text(item.type)}"
            if default is not None and item.binding is None:
                head = f"{head} {default}"
            self.emit(0, head, _line(item.span))
            if item.binding is not None:
                self.binding(item.binding)
                if default is not None and item.default is not None:
                    self.emit(INDENT, default, _line(item.default.span))
            self.attributes(item.attributes, INDENT)
        elif isinstance(item, s.CodeSet):
            self.code_set(item)
        elif isinstance(item, s.Definition) and self.table_definition(item):
            pass
        elif isinstance(item, s.Definition):
            word = "output" if item.output else "define"
            head = f"{word} {item.name.text}{parameters_text(item.parameters)}{_label(item.label)} ="
            body = Nest(INDENT, concat(BREAK, Mark(item.expression.span.line), expression(item.expression)))
            self.emit(0, Group(concat(head, body)), _line(item.span))
            self.attributes(item.attributes, INDENT)
        elif isinstance(item, s.Intervention):
            self.intervention(item)
        elif isinstance(item, s.Invariant):
            self.invariant(item)
        elif isinstance(item, s.UnitDeclaration):
            self.emit(0, unit_declaration_text(item), _line(item.span))
            self.attributes(item.attributes, INDENT)
        elif isinstance(item, s.ConstantTable):
            self.constant_table(item)
        else:
            self.waiver(item)

    def table_definition(self, item: s.Definition) -> bool:
        """A definition that ends with a table, its rows one per line; False for any other."""
        from compiler.format.tables import grid, head, tail_table  # tables imports this module

        found = tail_table(item.expression)
        if found is None:
            return False
        before, table = found
        word = "output" if item.output else "define"
        name = f"{item.name.text}{parameters_text(item.parameters)}{_label(item.label)}"
        self.emit(0, f"{word} {name} = {before}{head(table)}", _line(item.span))
        for text, span in grid(table):
            self.emit(INDENT, text, _line(span))
        self.emit(0, "end", _end_line(table.span), closer=True)
        self.attributes(item.attributes, INDENT)
        return True

    def constant_table(self, item: s.ConstantTable) -> None:
        head = f"constant {item.name.text}{parameters_text(item.parameters)}{_label(item.label)} = {{"
        self.emit(0, head, _line(item.span))
        for entry in item.entries:
            value = concat(f"{entry.member.text}: ", condition(entry.value), ",")
            self.emit(INDENT, value, _line(entry.span))
            self.attributes(entry.attributes, 2 * INDENT)
        self.emit(0, "}", None if item.attributes else _end_line(item.span), closer=True)
        self.attributes(item.attributes, INDENT)

    def enumeration(self, item: s.Enumeration) -> None:
        head = f"{'ordinal' if item.ordinal else 'enum'} {item.name.text}{_label(item.label)}"
        members = [
            f"{m.name.text}{_label(m.label)}{'' if m.points is None else ' points ' + number(m.points)}"
            for m in item.members
        ]
        one_line = f"{head} {{ {', '.join(members)} }}"
        if len(one_line) <= WIDTH and item.span.line not in self.force_open:
            self.emit(0, one_line, _line(item.span))
        else:
            self.emit(0, f"{head} {{", _line(item.span))
            for member, text in zip(item.members, members, strict=True):
                self.emit(INDENT, f"{text},", _line(member.span))
            self.emit(0, "}", None if item.attributes else _end_line(item.span), closer=True)
        self.attributes(item.attributes, INDENT)

    def binding(self, binding: s.Binding) -> None:
        self.emit(INDENT, binding_head(binding), _line(binding.span))
        for number, item in enumerate(binding.fields):
            last = number == len(binding.fields) - 1
            word = "with " if number == 0 else "     "
            self.emit(2 * INDENT, f"{word}{field_binding(item)}{'' if last else ','}", _line(item.span))

    def code_set(self, item: s.CodeSet) -> None:
        head = f"codes {item.name.text}{_label(item.label)}"
        if item.enumeration is None:
            self.emit(0, f"{head} = {code_list(item.codes)}", _line(item.span))
        else:
            self.emit(0, f"{head} for {item.enumeration.text} {{", _line(item.span))
            for entry in item.entries:
                self.emit(INDENT, f"{entry.member.text}: {code_list(entry.codes)},", _line(entry.span))
            self.emit(0, "}", None if item.attributes else _end_line(item.span), closer=True)
        self.attributes(item.attributes, INDENT)

    def record(self, item: s.Record) -> None:
        self.emit(0, f"record {item.name.text}{_label(item.label)} {{", _line(item.span))
        for field in item.fields:
            text = f"{field.name.text}{_label(field.label)}: {type_text(field.type)},"
            self.emit(INDENT, text, _line(field.span))
        self.emit(0, "}", None if item.attributes else _end_line(item.span), closer=True)
        self.attributes(item.attributes, INDENT)

    def intervention(self, item: s.Intervention) -> None:
        self.emit(0, f"{item.kind} {item.name.text}{_label(item.label)}", _line(item.span))
        self.attributes(item.attributes, INDENT)
        if item.drug_class is not None:
            self.emit(INDENT, f"class {item.drug_class.text}", _line(item.drug_class.span))
        if item.dose is not None:
            self.emit(INDENT, f"dose {dose_text(item.dose)}", _line(item.dose.span))
        if item.fda_approved is not None:
            self.emit(INDENT, "fda approved" if item.fda_approved else "fda not approved", None)
        if item.evidence is not None:
            strength_ = f" strength {item.evidence.strength.text}" if item.evidence.strength else ""
            text = f"evidence level {item.evidence.level.text}{strength_}"
            self.emit(INDENT, text, _line(item.evidence.span))
        for effect in item.effect_sizes:
            text = f"effect size {number(effect.value)} for {effect.outcome.text}"
            self.emit(INDENT, text, _line(effect.span))
        for contraindication in item.contraindications:
            doc = concat("contraindicated when ", condition(contraindication.condition))
            self.emit(INDENT, doc, _line(contraindication.span))
            self.attributes(contraindication.attributes, 2 * INDENT)
        if item.side_effects:
            text = "side effects " + ", ".join(name.text for name in item.side_effects)
            self.emit(INDENT, text, _line(item.side_effects[0].span))
        self.emit(0, "end", _end_line(item.span), closer=True)

    def invariant(self, item: s.Invariant) -> None:
        self.emit(0, f"invariant {item.name.text}{_label(item.title)}", _line(item.span))
        if item.form == "recommend" and item.subject is not None:
            doc: Doc = f"{item.kind} recommend {item.subject.text}"
            if item.condition is not None:
                doc = concat(doc, " when ", condition(item.condition))
            anchor = _line(item.subject.span)
        else:
            assert item.condition is not None
            doc = concat(f"{item.kind} ", condition(item.condition))
            anchor = _line(item.condition.span)
        self.emit(INDENT, doc, anchor)
        self.attributes(item.attributes, INDENT)

    def waiver(self, item: s.Waiver) -> None:
        source = f"from {item.source.text} " if item.source is not None else ""
        doc = Group(
            concat(
                f"waive {source}{quote(item.sentence.value)}",
                Nest(CONTINUATION, concat(BREAK, f"because {quote(item.reason.value)}")),
            )
        )
        self.emit(0, doc, _line(item.span))

    # -- the pathway -----------------------------------------------------------

    def pathway(self, pathway: s.Pathway, blank_before: Sequence[bool]) -> None:
        """``blank_before[i]``: put an empty line before node i (blocks get one)."""
        self.emit(0, "pathway", _line(pathway.span))
        self.emit(INDENT, f"start -> {pathway.start.text}", _line(pathway.start.span))
        for node, blank in zip(pathway.nodes, blank_before, strict=True):
            if blank:
                self.blank()
            if isinstance(node, s.Decision):
                self.decision(node)
            elif isinstance(node, s.Step):
                self.step(node)
            else:
                message = f" {quote(node.message.value)}" if node.message is not None else ""
                text = f"outcome {node.name.text} {node.status.text}{message}"
                self.emit(INDENT, text, _line(node.span))
                self.attributes(node.attributes, 2 * INDENT)
        self.emit(0, "end", _end_line(pathway.span), closer=True)

    def decision(self, node: s.Decision) -> None:
        question = _label(node.question)
        exclusive = " exclusive" if node.exclusive else ""
        self.emit(INDENT, f"decide {node.name.text}{question}{exclusive}", _line(node.span))
        self.attributes(node.attributes, 2 * INDENT)
        for branch in node.branches:
            if branch.guard is None:
                self.emit(2 * INDENT, f"otherwise -> {branch.target.text}", _line(branch.span))
            else:
                doc = concat("when ", condition(branch.guard), f" -> {branch.target.text}")
                self.emit(2 * INDENT, doc, _line(branch.span))
            self.attributes(branch.attributes, 3 * INDENT)
        self.emit(INDENT, "end", _end_line(node.span), closer=True)

    def step(self, node: s.Step) -> None:
        self.emit(INDENT, f"step {node.name.text}{_label(node.title)}", _line(node.span))
        self.attributes(node.attributes, 2 * INDENT)
        for item in node.items:
            self.emit(2 * INDENT, action(item), _line(item.span))
            self.attributes(item.attributes, 3 * INDENT)
        self.emit(2 * INDENT, f"-> {node.next.text}", _line(node.next.span))
        self.emit(INDENT, "end", _end_line(node.span), closer=True)


def _end_line(span: s.Span) -> int | None:
    return span.end_line if span.end_line > 0 else None


def _guarded(text: str, guard: s.Expr | None) -> Doc:
    return text if guard is None else concat(text, " when ", condition(guard))


def action(item: s.ActionItem) -> Doc:
    """One line of a step: a recommendation, avoid, flag or monitor item."""
    if isinstance(item, s.Recommendation):
        words = [item.verb, *(["to"] if item.verb == "switch" else []), item.intervention.text]
        if item.dose is not None:
            words += ["to" if item.verb in ("increase", "decrease") else "at", dose_text(item.dose)]
        if item.titration is not None:
            titration = item.titration
            words += [
                f"increasing by {quantity(titration.step)} every {quantity(titration.interval)}"
                f" to {quantity(titration.target)}"
            ]
        return _guarded(" ".join(words), item.guard)
    if isinstance(item, s.AvoidItem):
        because = f" because {quote(item.reason.value)}" if item.reason is not None else ""
        return _guarded(f"avoid {item.intervention.text}{because}", item.guard)
    if isinstance(item, s.Flag):
        return _guarded(f"flag {item.name.text}{_label(item.text)}", item.guard)
    text = f"monitor {item.name.text}{_label(item.text)}"
    if item.after_low is not None:
        text += f" after {quantity(item.after_low)}"
        if item.after_high is not None:
            text += f" to {quantity(item.after_high)}"
    return _guarded(text, item.guard)
