"""Parameterised definitions and per-member constants, expanded before checking.

``define failed(a: titrated) "{a} has failed" = ...`` states a rule once for
every member of a type; ``constant ceiling(a: titrated) = { duloxetine: 60
mg/day, ... }`` gives one value per member. Each distinct call
``failed(duloxetine)`` becomes an ordinary definition named
``failed__duloxetine`` (the name, then each argument, joined by two
underscores), its body the template's with the parameter replaced by the
member, its label the template's with ``{a}`` replaced by the member's label
(lower-cased inside a sentence, as the flowchart words do) and ``{ceiling(a)}``
by the constant's value. A constant call is replaced by the member's entry.
Where a substituted entry is a literal ``true``/``false`` the instance is
simplified (``x and not false`` is ``x``), so a per-member condition that does
not apply leaves no trace in the graph.

The expanded guideline has no calls left: the checker, the lowering and every
backend see ordinary definitions, so the graph format is unchanged. The
instances keep the template's spans (a diagnostic in a body points at the
template) and carry its quotes and notes, plus those of every constant entry
the instance reads.

Diagnostics (FIB150-FIB157): wrong number of arguments, an argument that is
not a member of the parameter's type, a template that calls itself, an unused
parameter, a constant table with members missing or extra, an unknown
parameter type, a call of something that is not parameterised (or a template
used without arguments), and a label placeholder that names no parameter.
"""

from __future__ import annotations

import dataclasses
import re
import typing
from collections.abc import Iterator

from compiler.backends.flowchart.label_words import inline, name_words
from compiler.diagnostics import catalogue as diag
from compiler.diagnostics.catalogue import Diagnostic, RelatedSpan
from compiler.format.layout import quantity
from compiler.front import syntax as s
from fibrolang.operators import FUNCTIONS
from fibrolang.records import record

SEPARATOR = "__"
_PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)(?:\(([A-Za-z_][A-Za-z0-9_]*)\))?\}")


@record
class _Type:
    """What a parameter ranges over: members of one enumeration, in order."""

    name: str
    members: tuple[str, ...]
    labels: dict[str, str]


def instance_name(name: str, arguments: tuple[str, ...]) -> str:
    """``failed`` applied to ``duloxetine`` → ``failed__duloxetine``."""
    return SEPARATOR.join((name, *arguments))


def call_text(name: str) -> str:
    """An expanded definition's name as the author wrote the call:
    ``failed__duloxetine`` → ``failed(duloxetine)``; other names unchanged."""
    if SEPARATOR not in name.strip("_"):
        return name
    template, *arguments = name.split(SEPARATOR)
    return f"{template}({', '.join(arguments)})"


def has_parameters(guideline: s.Guideline) -> bool:
    return any(
        isinstance(d, s.ConstantTable) or (isinstance(d, s.Definition) and d.parameters)
        for d in guideline.declarations
    )


def expand(guideline: s.Guideline) -> tuple[s.Guideline, list[Diagnostic]]:
    """The guideline with every call expanded, and the problems found on the way."""
    if not has_parameters(guideline) and not _any_call(guideline):
        return guideline, reserved_names(guideline)
    return _Expander(guideline).run()


def once_per_template(diagnostics: list[Diagnostic], guideline: s.Guideline) -> list[Diagnostic]:
    """A problem in a template's body is found once per instance, at the same
    place: keep the first of each code and span there."""
    spans = [
        d.span
        for d in guideline.declarations
        if isinstance(d, s.ConstantTable) or (isinstance(d, s.Definition) and d.parameters)
    ]
    if not spans:
        return diagnostics
    kept: list[Diagnostic] = []
    seen: set[tuple[str, s.Span]] = set()
    for diagnostic in diagnostics:
        if any(_inside(diagnostic.span, span) for span in spans):
            if (diagnostic.code, diagnostic.span) in seen:
                continue
            seen.add((diagnostic.code, diagnostic.span))
        kept.append(diagnostic)
    return kept


def _inside(span: s.Span, outer: s.Span) -> bool:
    return (
        span.file == outer.file
        and (outer.line, outer.column) <= (span.line, span.column)
        and (
            span.end_line,
            span.end_column,
        )
        <= (outer.end_line, outer.end_column)
    )


def reserved_names(guideline: s.Guideline) -> list[Diagnostic]:
    """FIB158 for every declared name that could be taken for an expanded call."""
    found: list[Diagnostic] = []
    for declaration in guideline.declarations:
        if isinstance(declaration, s.Definition | s.ConstantTable | s.Input):
            name = declaration.name
            if SEPARATOR in name.text.strip("_"):
                found.append(
                    diag.make(
                        "FIB158",
                        f"`{name.text}` has two underscores in a row: such names are kept for the "
                        "definitions expanded from calls (`failed(duloxetine)` is `failed__duloxetine`)",
                        name.span,
                        hint=f"rename it, e.g. `{re.sub('_+', '_', name.text.strip('_'))}`",
                    )
                )
    return found


def _any_call(guideline: s.Guideline) -> bool:
    return any(isinstance(node, s.Call) for expr in _all_expressions(guideline) for node in _walk(expr))


def _walk(expr: s.Expr) -> Iterator[s.Expr]:
    """Every node of ``expr``, parents before children, in source order."""
    stack = [expr]
    while stack:
        node = stack.pop()
        yield node
        below = _children(node)
        if below:
            stack.extend(reversed(below))


def _children(expr: s.Expr) -> list[s.Expr]:
    """Every expression among ``expr``'s fields (in a tuple or not), in field order."""
    found: list[s.Expr] = []
    for name in _field_names(expr):
        value = getattr(expr, name)
        if isinstance(value, tuple):
            found.extend(element for element in value if type(element) in _EXPRESSION_KINDS)
        elif type(value) in _EXPRESSION_KINDS:
            found.append(value)
    return found


# Every kind of expression: a syntax class has no subclass, so membership of its exact class
# answers ``isinstance(value, s.Expr)`` with one look-up instead of a test per kind.
_EXPRESSION_KINDS: frozenset[type] = frozenset(typing.get_args(s.Expr))
_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def _field_names(expr: object) -> tuple[str, ...]:
    """The names of the fields of ``expr``'s class (``dataclasses.fields``, read once a class)."""
    kind = type(expr)
    names = _FIELD_NAMES.get(kind)
    if names is None:
        names = _FIELD_NAMES[kind] = tuple(item.name for item in dataclasses.fields(expr))  # type: ignore[arg-type]
    return names


def _is_expr(value: object) -> bool:
    return type(value) in _EXPRESSION_KINDS


def _all_expressions(guideline: s.Guideline) -> Iterator[s.Expr]:
    for declaration in guideline.declarations:
        if isinstance(declaration, s.Definition):
            yield declaration.expression
        elif isinstance(declaration, s.ConstantTable):
            for entry in declaration.entries:
                yield entry.value
        elif isinstance(declaration, s.Intervention):
            for item in declaration.contraindications:
                yield item.condition
        elif isinstance(declaration, s.Invariant) and declaration.condition is not None:
            yield declaration.condition
    if guideline.pathway is not None:
        for node in guideline.pathway.nodes:
            if isinstance(node, s.Decision):
                for branch in node.branches:
                    if branch.guard is not None:
                        yield branch.guard
            elif isinstance(node, s.Step):
                for action in node.items:
                    if action.guard is not None:
                        yield action.guard


class _Expander:
    def __init__(self, guideline: s.Guideline) -> None:
        self.guideline = guideline
        self.problems: list[Diagnostic] = []
        self.enums: dict[str, _Type] = {}
        self.sets: dict[str, _Type] = {}
        self.templates: dict[str, s.Definition] = {}
        self.tables: dict[str, s.ConstantTable] = {}
        self.plain: set[str] = set()
        self.instances: dict[str, s.Definition] = {}
        self.order: dict[str, list[str]] = {}  # template → its instances, in order of first call
        self.recursive: set[str] = set()
        self.quantified: list[str] = []  # the variables of the quantifiers being rewritten
        self._collect()

    # -- what the guideline declares -----------------------------------------

    def _collect(self) -> None:
        for declaration in self.guideline.declarations:
            if isinstance(declaration, s.Enumeration):
                labels = {
                    m.name.text: m.label.value if m.label else name_words(m.name.text)
                    for m in declaration.members
                }
                members = tuple(m.name.text for m in declaration.members)
                self.enums.setdefault(declaration.name.text, _Type(declaration.name.text, members, labels))
            elif isinstance(declaration, s.ConstantTable):
                self.tables.setdefault(declaration.name.text, declaration)
            elif isinstance(declaration, s.Definition) and declaration.parameters:
                self.templates.setdefault(declaration.name.text, declaration)
            elif isinstance(declaration, s.Definition | s.Input):
                self.plain.add(declaration.name.text)
        member_enum: dict[str, _Type] = {}
        for enum in self.enums.values():
            for member in enum.members:
                member_enum.setdefault(member, enum)
        for declaration in self.guideline.declarations:
            if (
                isinstance(declaration, s.Definition)
                and not declaration.parameters
                and isinstance(declaration.expression, s.SetLiteral)
                and not declaration.expression.conditions
            ):
                members = tuple(m.text for m in declaration.expression.members)
                owners = {member_enum[m].name for m in members if m in member_enum}
                if members and len(owners) == 1 and all(m in member_enum for m in members):
                    enum = member_enum[members[0]]
                    self.sets[declaration.name.text] = _Type(declaration.name.text, members, enum.labels)

    def type_of(self, parameter: s.Parameter) -> _Type | None:
        name = parameter.type.text
        return self.enums.get(name) or self.sets.get(name)

    # -- the run -------------------------------------------------------------

    def run(self) -> tuple[s.Guideline, list[Diagnostic]]:
        self.problems.extend(reserved_names(self.guideline))
        for template in self.templates.values():
            self._check_template(template)
        for table in self.tables.values():
            self._check_table(table)
        self._find_recursion()
        declarations: list[s.Declaration] = []
        placeholders: dict[str, int] = {}
        for declaration in self.guideline.declarations:
            if isinstance(declaration, s.ConstantTable):
                continue
            if isinstance(declaration, s.Definition) and declaration.parameters:
                placeholders.setdefault(declaration.name.text, len(declarations))
                continue
            declarations.append(self._declaration(declaration))
        pathway = self.guideline.pathway
        if pathway is not None:
            pathway = dataclasses.replace(pathway, nodes=tuple(self._node(node) for node in pathway.nodes))
        # Each template's instances take its place in the file, in order of first call.
        flat: list[s.Declaration] = []
        at: dict[int, list[str]] = {}
        for template_name, index in placeholders.items():
            at.setdefault(index, []).append(template_name)
        for index in range(len(declarations) + 1):
            for template_name in at.get(index, []):
                flat.extend(self.instances[name] for name in self.order.get(template_name, []))
            if index < len(declarations):
                flat.append(declarations[index])
        expanded = dataclasses.replace(self.guideline, declarations=tuple(flat), pathway=pathway)
        return expanded, self.problems

    def _declaration(self, declaration: s.Declaration) -> s.Declaration:
        if isinstance(declaration, s.Definition):
            expression, _ = self.expr(declaration.expression, {}, ())
            return dataclasses.replace(declaration, expression=expression)
        if isinstance(declaration, s.Intervention):
            items = tuple(
                dataclasses.replace(item, condition=self.expr(item.condition, {}, ())[0])
                for item in declaration.contraindications
            )
            return dataclasses.replace(declaration, contraindications=items)
        if isinstance(declaration, s.Invariant) and declaration.condition is not None:
            return dataclasses.replace(declaration, condition=self.expr(declaration.condition, {}, ())[0])
        return declaration

    def _node(self, node: s.PathwayNode) -> s.PathwayNode:
        if isinstance(node, s.Decision):
            branches = tuple(
                branch
                if branch.guard is None
                else dataclasses.replace(branch, guard=self.expr(branch.guard, {}, ())[0])
                for branch in node.branches
            )
            return dataclasses.replace(node, branches=branches)
        if isinstance(node, s.Step):
            items = tuple(
                item
                if item.guard is None
                else dataclasses.replace(item, guard=self.expr(item.guard, {}, ())[0])
                for item in node.items
            )
            return dataclasses.replace(node, items=items)
        return node

    # -- checks on the declarations ------------------------------------------

    def _check_parameters(self, name: s.Name, parameters: tuple[s.Parameter, ...]) -> bool:
        fine = True
        seen: set[str] = set()
        for parameter in parameters:
            if parameter.name.text in seen:
                self.problems.append(
                    diag.make(
                        "FIB102",
                        f"`{name.text}` has two parameters named `{parameter.name.text}`",
                        parameter.name.span,
                        hint="give each parameter its own name",
                    )
                )
                fine = False
            seen.add(parameter.name.text)
            if self.type_of(parameter) is None:
                known = ", ".join(sorted([*self.enums, *self.sets])) or "none declared"
                self.problems.append(
                    diag.make(
                        "FIB155",
                        f"`{parameter.type.text}` is not a type a parameter can range over",
                        parameter.type.span,
                        hint=f"name an enum or a definition listing members of one, e.g. "
                        f"`define first_line = {{a, b}}` (known: {known})",
                    )
                )
                fine = False
        return fine

    def _check_template(self, template: s.Definition) -> None:
        if not self._check_parameters(template.name, template.parameters):
            return
        used = {node.name.text for node in _walk(template.expression) if isinstance(node, s.Reference)} | {
            name.text for node in _walk(template.expression) for name in _names_in(node)
        }
        for parameter in template.parameters:
            if parameter.name.text not in used:
                self.problems.append(
                    diag.make(
                        "FIB153",
                        f"the parameter `{parameter.name.text}` of `{template.name.text}` is never used",
                        parameter.name.span,
                        hint="use it in the body, or write an ordinary `define` without parameters",
                    )
                )
        self._check_label(template.name, template.label, template.parameters)

    def _check_label(self, name: s.Name, label: s.Text | None, parameters: tuple[s.Parameter, ...]) -> None:
        if label is None:
            return
        names = {p.name.text for p in parameters}
        for match in _PLACEHOLDER.finditer(label.value):
            table, argument = (match.group(1), match.group(2)) if match.group(2) else (None, match.group(1))
            if argument not in names or (table is not None and table not in self.tables):
                self.problems.append(
                    diag.make(
                        "FIB157",
                        f"`{match.group(0)}` in the label of `{name.text}` names no parameter"
                        + ("" if table is None or table in self.tables else f" (no constant `{table}`)"),
                        label.span,
                        hint="write `{a}` for a parameter `a`, or `{ceiling(a)}` for a constant `ceiling`"
                        f" (parameters: {', '.join(sorted(names))})",
                    )
                )

    def _check_table(self, table: s.ConstantTable) -> None:
        if not self._check_parameters(table.name, table.parameters):
            return
        if len(table.parameters) != 1:
            self.problems.append(
                diag.make(
                    "FIB150",
                    f"the constant `{table.name.text}` has {len(table.parameters)} parameters; "
                    "a constant table has exactly one",
                    table.parameters[1].span if len(table.parameters) > 1 else table.name.span,
                    hint="key the table by one member, e.g. `constant ceiling(a: agent) = {...}`",
                )
            )
            return
        type_ = self.type_of(table.parameters[0])
        assert type_ is not None
        seen: dict[str, s.ConstantEntry] = {}
        for entry in table.entries:
            member = entry.member.text
            if member not in type_.members:
                self.problems.append(
                    diag.make(
                        "FIB154",
                        f"`{member}` is not a member of `{type_.name}`, the type of `{table.name.text}`",
                        entry.member.span,
                        hint=f"the members are: {', '.join(type_.members)}",
                    )
                )
            elif member in seen:
                self.problems.append(
                    diag.make(
                        "FIB154",
                        f"`{member}` has two entries in `{table.name.text}`",
                        entry.member.span,
                        hint="keep one entry per member",
                        related=[RelatedSpan(seen[member].member.span, "first entry")],
                    )
                )
            else:
                seen[member] = entry
        missing = [member for member in type_.members if member not in seen]
        if missing:
            self.problems.append(
                diag.make(
                    "FIB154",
                    f"`{table.name.text}` has no entry for "
                    + ", ".join(f"`{m}`" for m in missing)
                    + f": every member of `{type_.name}` needs one",
                    table.name.span,
                    hint="add an entry for each missing member (a table is complete over its type)",
                )
            )
        self._check_label(table.name, table.label, table.parameters)
        for entry in table.entries:
            for node in _walk(entry.value):
                if isinstance(node, s.Reference) and node.name.text == table.parameters[0].name.text:
                    self.problems.append(
                        diag.make(
                            "FIB151",
                            f"an entry of `{table.name.text}` reads its parameter "
                            f"`{node.name.text}`: each entry is the value for one member",
                            node.span,
                            hint=f"write the member itself (`{entry.member.text}`)",
                        )
                    )

    def _find_recursion(self) -> None:
        calls: dict[str, list[tuple[str, s.Span]]] = {}
        for name, template in self.templates.items():
            calls[name] = [
                (node.name.text, node.span)
                for node in _walk(template.expression)
                if isinstance(node, s.Call) and node.name.text in self.templates
            ]
        for name, table in self.tables.items():
            calls[name] = [
                (node.name.text, node.span)
                for entry in table.entries
                for node in _walk(entry.value)
                if isinstance(node, s.Call) and node.name.text in calls.keys() | self.templates.keys()
            ]
        reported: set[frozenset[str]] = set()
        for start in sorted(calls):
            cycle = _cycle_from(start, calls)
            if cycle is None or frozenset(cycle) in reported:
                continue
            reported.add(frozenset(cycle))
            self.recursive.update(cycle)
            where = (
                self.templates[start].name.span if start in self.templates else self.tables[start].name.span
            )
            self.problems.append(
                diag.make(
                    "FIB152",
                    f"`{start}` calls itself: " + " → ".join((*cycle, start)),
                    where,
                    hint="a parameterised definition cannot depend on itself, directly or through others; "
                    "state the rule without the cycle",
                )
            )

    # -- expansion -----------------------------------------------------------

    def expr(
        self, expr: s.Expr, bound: dict[str, str], stack: tuple[str, ...]
    ) -> tuple[s.Expr, tuple[s.Attribute, ...]]:
        """``expr`` with the parameters in ``bound`` replaced and every call
        expanded; the attributes of the constant entries it read."""
        read: list[s.Attribute] = []
        result = self._rewrite(expr, bound, stack, read)
        if any(isinstance(node, s.Call) for node in _walk(expr)):
            result = _simplify(result)
        return result, tuple(read)

    def _rewrite(
        self, expr: s.Expr, bound: dict[str, str], stack: tuple[str, ...], read: list[s.Attribute]
    ) -> s.Expr:
        if isinstance(expr, s.Reference):
            member = bound.get(expr.name.text)
            if member is not None:
                return s.Reference(s.Name(member, expr.name.span), expr.span)
            if expr.name.text in self.templates or expr.name.text in self.tables:
                self._needs_arguments(expr.name)
            return expr
        if isinstance(expr, s.Call):
            return self._call(expr, bound, stack, read)
        if isinstance(expr, s.Quantifier):
            members = self._expandable(expr, bound)
            if members is not None:
                assert expr.body is not None
                bodies = tuple(
                    self._rewrite(expr.body, {**bound, expr.variable.text: member}, stack, read)
                    for member in members
                )
                if expr.kind == "count":
                    return s.CountTrue(bodies, expr.span)
                if len(bodies) == 1:
                    return bodies[0]
                return (s.Or if expr.kind == "any" else s.And)(bodies, expr.span)
            inner = {k: v for k, v in bound.items() if k != expr.variable.text}
            self.quantified.append(expr.variable.text)
            body = None if expr.body is None else self._rewrite(expr.body, inner, stack, read)
            self.quantified.pop()
            return dataclasses.replace(
                expr, collection=self._rewrite(expr.collection, bound, stack, read), body=body
            )
        changes: dict[str, object] = {}
        for name in _field_names(expr):
            if name == "span":
                continue
            value = getattr(expr, name)
            if isinstance(value, tuple):
                changes[name] = tuple(self._element(v, bound, stack, read) for v in value)
            elif _is_expr(value):
                changes[name] = self._rewrite(value, bound, stack, read)
            elif isinstance(value, s.Name) and value.text in bound:
                changes[name] = s.Name(bound[value.text], value.span)
        return dataclasses.replace(expr, **changes)  # type: ignore[arg-type]

    def _expandable(self, expr: s.Quantifier, bound: dict[str, str]) -> tuple[str, ...] | None:
        """The members to expand ``any/all/count a in S where ...`` over: S is
        written out (``{duloxetine, milnacipran}``) or a definition listing
        members (``first_line``), and the condition calls a template or a
        constant with ``a``. None: the quantifier stays as it is."""
        if expr.kind == "sum" or expr.body is None:
            return None
        variable = expr.variable.text
        if not any(
            isinstance(node, s.Call)
            and any(isinstance(a, s.Reference) and a.name.text == variable for a in node.arguments)
            for node in _walk(expr.body)
        ):
            return None
        collection = expr.collection
        if isinstance(collection, s.SetLiteral) and not collection.conditions:
            return tuple(bound.get(m.text, m.text) for m in collection.members)
        if isinstance(collection, s.Reference) and collection.name.text in self.sets:
            return self.sets[collection.name.text].members
        self.problems.append(
            diag.make(
                "FIB151",
                f"`{variable}` is passed to a call, so `{expr.kind} {variable} in ...` must range over "
                "members written out (`{a, b}`) or a definition listing them",
                collection.span,
                hint="write the members, e.g. `any a in {duloxetine, milnacipran} where failed(a)`, "
                "or name a definition such as `first_line`",
            )
        )
        return None

    def _element(
        self, value: object, bound: dict[str, str], stack: tuple[str, ...], read: list[s.Attribute]
    ) -> object:
        if _is_expr(value):
            return self._rewrite(value, bound, stack, read)  # type: ignore[arg-type]
        if isinstance(value, s.Name) and value.text in bound:
            return s.Name(bound[value.text], value.span)
        return value

    def _needs_arguments(self, name: s.Name) -> None:
        declared = self.templates.get(name.text) or self.tables.get(name.text)
        assert declared is not None
        example = ", ".join(p.name.text for p in declared.parameters)
        self.problems.append(
            diag.make(
                "FIB156",
                f"`{name.text}` takes {len(declared.parameters)} argument"
                f"{'' if len(declared.parameters) == 1 else 's'}: write `{name.text}({example})` "
                "with member names",
                name.span,
                hint=f"`{name.text}` is declared with parameters ({example})",
            )
        )

    def _call(
        self, call: s.Call, bound: dict[str, str], stack: tuple[str, ...], read: list[s.Attribute]
    ) -> s.Expr:
        name = call.name.text
        template = self.templates.get(name)
        table = self.tables.get(name)
        declared = template or table
        if declared is None and name not in self.plain:
            known = ", ".join(f"`{function}`" for function in (*FUNCTIONS, "abs"))
            self.problems.append(
                diag.make(
                    "FIB145",
                    f"there is no function `{name}`",
                    call.name.span,
                    hint=f"the functions are {known}; a rule of this guideline that takes "
                    "arguments is declared `define name(a: type) = ...`",
                )
            )
            return call.arguments[0] if call.arguments else s.BooleanLiteral(False, call.span)
        if declared is None:
            why = "a plain definition or input" if name in self.plain else "not declared"
            self.problems.append(
                diag.make(
                    "FIB156",
                    f"`{name}` is {why}: only a parameterised `define` or a `constant` table takes arguments",
                    call.name.span,
                    hint=f"write `{name}` without arguments"
                    if name in self.plain
                    else "declare it: `define name(a: type) = ...`",
                )
            )
            return s.BooleanLiteral(False, call.span)
        parameters = declared.parameters
        if len(call.arguments) != len(parameters):
            self.problems.append(
                diag.make(
                    "FIB150",
                    f"`{name}` takes {len(parameters)} argument{'' if len(parameters) == 1 else 's'}, "
                    f"given {len(call.arguments)}",
                    call.span,
                    hint=f"write `{name}(" + ", ".join(p.name.text for p in parameters) + ")`",
                    related=[RelatedSpan(declared.name.span, "declared here")],
                )
            )
            return s.BooleanLiteral(False, call.span)
        members: list[str] = []
        fine = True
        for parameter, argument in zip(parameters, call.arguments, strict=True):
            type_ = self.type_of(parameter)
            written = argument.name.text if isinstance(argument, s.Reference) else None
            member = bound.get(written, written) if written is not None else None
            if type_ is None:
                fine = False
                continue
            if member is None or member not in type_.members:
                shown = f"`{written}`" if written is not None else "this expression"
                self.problems.append(
                    diag.make(
                        "FIB151",
                        f"{shown} is not a member of `{type_.name}`, the type of `{parameter.name.text}` "
                        f"in `{name}`",
                        argument.span,
                        hint=f"write one of: {', '.join(type_.members)}"
                        + (
                            f" (`{written}` is a quantifier's variable: a call's arguments are member "
                            "names written out, expanded when the guideline is compiled)"
                            if written in self.quantified
                            else ""
                        ),
                    )
                )
                fine = False
            else:
                members.append(member)
        if not fine or name in self.recursive:
            return s.BooleanLiteral(False, call.span)
        if table is not None:
            entry = _entry(table, members[0])
            if entry is None:
                return s.BooleanLiteral(False, call.span)  # reported as a gap in the table
            read.extend(table.attributes)
            read.extend(entry.attributes)
            return self._rewrite(entry.value, {}, stack, read)
        assert template is not None
        instance = instance_name(name, tuple(members))
        if instance not in self.instances and instance not in stack:
            self._instantiate(template, tuple(members), instance, (*stack, instance))
        return s.Reference(s.Name(instance, call.span), call.span)

    def _instantiate(
        self, template: s.Definition, members: tuple[str, ...], instance: str, stack: tuple[str, ...]
    ) -> None:
        bound = {p.name.text: m for p, m in zip(template.parameters, members, strict=True)}
        expression, read = self.expr(template.expression, bound, stack)
        attributes: list[s.Attribute] = []
        for attribute in (*template.attributes, *read):
            if attribute not in attributes:
                attributes.append(attribute)
        label = None
        if template.label is not None:
            label = s.Text(self._label(template.label.value, bound), template.label.span)
        self.instances[instance] = s.Definition(
            s.Name(instance, template.name.span),
            label,
            expression,
            False,
            tuple(attributes),
            template.span,
        )
        self.order.setdefault(template.name.text, []).append(instance)

    def _label(self, text: str, bound: dict[str, str]) -> str:
        def replace(match: re.Match[str]) -> str:
            table_name, argument = (
                (match.group(1), match.group(2)) if match.group(2) else (None, match.group(1))
            )
            member = bound.get(argument)
            if member is None:
                return match.group(0)
            if table_name is not None:
                table = self.tables.get(table_name)
                entry = None if table is None else _entry(table, member)
                if entry is None:
                    return match.group(0)
                return _value_words(entry.value)
            label = next((t.labels[member] for t in self.enums.values() if member in t.labels), member)
            return label if match.start() == 0 else _inside_sentence(label)

        return _PLACEHOLDER.sub(replace, text)


def _entry(table: s.ConstantTable, member: str) -> s.ConstantEntry | None:
    return next((e for e in table.entries if e.member.text == member), None)


def _inside_sentence(label: str) -> str:
    """A member's label inside a sentence, as the flowchart words place it
    (``Duloxetine`` → ``duloxetine``, ``Low-dose naltrexone`` → ``low-dose
    naltrexone``, ``NSAID`` stays)."""
    first, dash, rest = label.partition("-")
    if dash and " " not in first:
        return inline(first) + dash + rest
    return inline(label)


def _names_in(expr: s.Expr) -> Iterator[s.Name]:
    """Names an expression holds directly that a parameter may stand for (set
    members, the subject of a plan query)."""
    if isinstance(expr, s.SetLiteral):
        yield from expr.members
    elif isinstance(expr, s.PlanQuery) and expr.subject is not None:
        yield expr.subject


def _value_words(expr: s.Expr) -> str:
    if isinstance(expr, s.NumberLiteral):
        return quantity(expr.quantity)
    if isinstance(expr, s.BooleanLiteral):
        return "yes" if expr.value else "no"
    if isinstance(expr, s.Reference):
        return name_words(expr.name.text)
    return "…"


def _cycle_from(start: str, calls: dict[str, list[tuple[str, s.Span]]]) -> tuple[str, ...] | None:
    """The shortest call path from ``start`` back to itself (breadth first), or None."""
    frontier: list[tuple[str, ...]] = [(start,)]
    seen: set[str] = set()
    while frontier:
        path = frontier.pop(0)
        for callee, _span in calls.get(path[-1], []):
            if callee == start:
                return path
            if callee not in seen:
                seen.add(callee)
                frontier.append((*path, callee))
    return None


def _simplify(expr: s.Expr) -> s.Expr:
    """Fold the literal ``true``/``false`` a constant entry put in place:
    ``not false`` → ``true``, ``x and true`` → ``x``, ``x or false`` → ``x``,
    ``x and false`` → ``false``, ``x or true`` → ``true`` (Kleene logic agrees)."""
    if isinstance(expr, s.Not):
        operand = _simplify(expr.operand)
        if isinstance(operand, s.BooleanLiteral):
            return s.BooleanLiteral(not operand.value, expr.span)
        return dataclasses.replace(expr, operand=operand)
    if isinstance(expr, s.And | s.Or):
        unit = isinstance(expr, s.And)  # the operand that changes nothing
        kept: list[s.Expr] = []
        operands: list[s.Expr] = []
        for operand in (_simplify(o) for o in expr.operands):
            # `x or (any a in S where ...)` reads as one chain, as the parser reads `x or (y or z)`.
            operands.extend(operand.operands if type(operand) is type(expr) else (operand,))
        for operand in operands:
            if isinstance(operand, s.BooleanLiteral):
                if operand.value != unit:
                    return s.BooleanLiteral(not unit, expr.span)
                continue
            kept.append(operand)
        if not kept:
            return s.BooleanLiteral(unit, expr.span)
        if len(kept) == 1:
            return kept[0]
        return dataclasses.replace(expr, operands=tuple(kept))
    if isinstance(expr, s.Conditional):
        condition = _simplify(expr.condition)
        if isinstance(condition, s.BooleanLiteral):
            return _simplify(expr.then if condition.value else expr.otherwise)
        return dataclasses.replace(
            expr, condition=condition, then=_simplify(expr.then), otherwise=_simplify(expr.otherwise)
        )
    return expr
