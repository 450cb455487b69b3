"""Names: every name is declared once in its namespace, and every use names
something that exists.

- Duplicates in each namespace (types, values, interventions, invariants,
  pathway nodes, the members of one enumeration, the fields of one record)
  point back at the first declaration; the first one wins everywhere else.
- An undefined name is reported once, at its first use, with "did you mean".
- A bare enum member is resolved by the type the context expects; one that
  several enumerations declare, where nothing decides, is ambiguous (FIB121).
- A quantifier variable may not hide another name (FIB122).
- ``recommend``/``avoid``/``is recommended``/``is avoided``/``dose of`` name
  catalogue interventions; ``is flagged`` names a flag some step raises.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from compiler.check.context import Context, did_you_mean
from compiler.check.expressions import children, walk
from compiler.check.model import Resolution
from compiler.check.symbols import Symbols
from compiler.diagnostics import catalogue as diag
from compiler.diagnostics.catalogue import Diagnostic, RelatedSpan
from compiler.front import syntax as s


def check_names(guideline: s.Guideline, context: Context) -> list[Diagnostic]:
    found = _duplicates(guideline)
    found += _declared_types(guideline, context.symbols)
    found += _references(context)
    found += _fields_and_sets(context)
    found += _shadowing(context)
    found += _interventions_and_flags(guideline, context)
    return found


def words(names: Sequence[str]) -> str:
    """`a`, `a` and `b`, `a`, `b` and `c`."""
    quoted = [f"`{name}`" for name in names]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " and " + quoted[-1]


# -- duplicates ------------------------------------------------------------------


def _kind(declaration: s.Declaration | s.PathwayNode) -> str:
    return {
        s.Enumeration: "an enumeration",
        s.Record: "a record",
        s.Input: "an input",
        s.Intervention: "an intervention",
        s.Invariant: "a safety rule",
        s.Decision: "a decision",
        s.Step: "a step",
        s.Outcome: "an outcome",
    }.get(type(declaration), "a definition")


def _duplicate(name: s.Name, first: s.Name, kind: str) -> Diagnostic:
    return diag.make(
        "FIB102",
        f"`{name.text}` is already declared as {kind}",
        name.span,
        hint="rename one of them, or remove the repeated declaration",
        related=[RelatedSpan(first.span, "first declared here")],
    )


def _duplicates(guideline: s.Guideline) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    namespaces: dict[str, dict[str, s.Declaration | s.PathwayNode]] = {
        "types": {},
        "values": {},
        "interventions": {},
        "invariants": {},
        "nodes": {},
    }
    items: list[tuple[str, s.Declaration | s.PathwayNode]] = []
    for declaration in guideline.declarations:
        if isinstance(declaration, s.Enumeration | s.Record):
            items.append(("types", declaration))
        elif isinstance(declaration, s.Input | s.Definition):
            items.append(("values", declaration))
        elif isinstance(declaration, s.Intervention):
            items.append(("interventions", declaration))
        elif isinstance(declaration, s.Invariant):
            items.append(("invariants", declaration))
    if guideline.pathway is not None:
        items.extend(("nodes", node) for node in guideline.pathway.nodes)
    for namespace, item in items:
        assert not isinstance(item, s.Waiver | s.UnitDeclaration)
        first = namespaces[namespace].setdefault(item.name.text, item)
        if first is not item:
            assert not isinstance(first, s.Waiver | s.UnitDeclaration)
            found.append(_duplicate(item.name, first.name, _kind(first)))
    for declaration in guideline.declarations:
        owner = declaration.name.text if isinstance(declaration, s.Enumeration | s.Record) else ""
        if isinstance(declaration, s.Enumeration):
            found += _repeated(
                [m.name for m in declaration.members],
                lambda name, owner=owner: f"`{name}` appears twice in the enumeration `{owner}`",
            )
        elif isinstance(declaration, s.Record):
            found += _repeated(
                [f.name for f in declaration.fields],
                lambda name, owner=owner: f"the record `{owner}` has two fields named `{name}`",
            )
    return found


def _repeated(names: Iterable[s.Name], message: Callable[..., str]) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    first: dict[str, s.Name] = {}
    for name in names:
        earlier = first.setdefault(name.text, name)
        if earlier is not name:
            found.append(
                diag.make(
                    "FIB102",
                    message(name.text),
                    name.span,
                    hint="remove the repeated one",
                    related=[RelatedSpan(earlier.span, "first declared here")],
                )
            )
    return found


# -- declared types ----------------------------------------------------------------


def _declared_types(guideline: s.Guideline, symbols: Symbols) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    types: list[s.TypeExpr] = []
    for declaration in guideline.declarations:
        if isinstance(declaration, s.Input):
            types.append(declaration.type)
        elif isinstance(declaration, s.Record):
            types.extend(f.type for f in declaration.fields)
    type_names = [*symbols.enums, *symbols.records]
    for type_ in types:
        if isinstance(type_, s.NamedType):
            if type_.name.text not in symbols.enums and type_.name.text not in symbols.records:
                found.append(_undefined_type(type_.name, "enumeration or record", type_names))
        elif isinstance(type_, s.SetType):
            found += _expect(type_.element, "enumeration", symbols, "a set holds members of an enumeration")
        elif isinstance(type_, s.MapType):
            found += _expect(type_.key, "enumeration", symbols, "a map's keys are members of an enumeration")
            found += _expect(type_.value, "record", symbols, "a map's values are records")
    return found


def _undefined_type(name: s.Name, noun: str, candidates: Iterable[str]) -> Diagnostic:
    article = "an" if noun.startswith("enumeration") else "a"
    return diag.make(
        "FIB101",
        f"`{name.text}` is not defined: no {noun} has this name",
        name.span,
        hint=did_you_mean(name.text, candidates) or f"declare `{name.text}` as {article} {noun}",
    )


def _expect(name: s.Name, kind: str, symbols: Symbols, rule: str) -> list[Diagnostic]:
    right = symbols.enums if kind == "enumeration" else symbols.records
    wrong = symbols.records if kind == "enumeration" else symbols.enums
    if name.text in right:
        return []
    if name.text in wrong:
        other = "a record" if kind == "enumeration" else "an enumeration"
        return [
            diag.make(
                "FIB103",
                f"`{name.text}` is {other}, but {rule}",
                name.span,
                hint=f"use an {kind} here" if kind == "enumeration" else f"use a {kind} here",
            )
        ]
    return [_undefined_type(name, kind, right)]


# -- names used in expressions ------------------------------------------------------


def _references(context: Context) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    undefined: dict[str, list[tuple[s.Name, Resolution]]] = {}
    for name, resolution in context.model.references:
        if resolution.kind == "undefined":
            undefined.setdefault(name.text, []).append((name, resolution))
        elif resolution.kind == "not_member":
            found.append(_not_member(name, resolution, context.symbols))
        elif resolution.kind == "ambiguous":
            found.append(
                diag.make(
                    "FIB121",
                    f"`{name.text}` is a member of {words(resolution.enums)}, "
                    "and nothing here says which one is meant",
                    name.span,
                    hint=f"compare it with a value of one enumeration (e.g. `x is {name.text}`), "
                    "or rename one of the members",
                )
            )
    for text, uses in undefined.items():
        uses.sort(key=lambda use: use[0].span)
        first, resolution = uses[0]
        if text in ("true", "false"):
            hint = "write the condition itself, or `not` the condition, instead of `is true`/`is false`"
        else:
            hint = did_you_mean(text, resolution.visible) or (
                f"declare `{text}` as an input, define it with `define`, or add it to an enumeration"
            )
        more = [RelatedSpan(name.span, "also used here") for name, _ in uses[1:]]
        found.append(
            diag.make(
                "FIB101",
                f"`{text}` is not defined: no input, definition or enum member has this name",
                first.span,
                hint=hint,
                related=more,
            )
        )
    return found


def _not_member(name: s.Name, resolution: Resolution, symbols: Symbols) -> Diagnostic:
    enum = resolution.enum or "?"
    members = symbols.members(enum)
    if resolution.enums:
        return diag.make(
            "FIB103",
            f"`{name.text}` is a member of {words(resolution.enums)}, not of `{enum}`",
            name.span,
            hint=f"the members of `{enum}` are {', '.join(members)}",
        )
    return diag.make(
        "FIB101",
        f"`{name.text}` is not a member of `{enum}`",
        name.span,
        hint=did_you_mean(name.text, members) or f"the members of `{enum}` are {', '.join(members)}",
    )


def _fields_and_sets(context: Context) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    seen: set[tuple[str, str]] = set()
    for field_use, record in sorted(context.model.missing_fields, key=lambda use: use[0].span):
        if (record, field_use.name.text) in seen:
            continue
        seen.add((record, field_use.name.text))
        names = [f.name.text for f in context.symbols.records[record].fields]
        found.append(
            diag.make(
                "FIB101",
                f"the record `{record}` has no field `{field_use.name.text}`",
                field_use.name.span,
                hint=did_you_mean(field_use.name.text, names) or f"its fields are {', '.join(names)}",
            )
        )
    for literal, enums in context.model.ambiguous_sets:
        members = ", ".join(m.text for m in literal.members)
        found.append(
            diag.make(
                "FIB121",
                f"the set {{{members}}} could hold members of {words(enums)}, and nothing here says which",
                literal.span,
                hint="define it by comparing with a value of one enumeration, or rename members",
            )
        )
    for literal, enums in context.model.mixed_sets:
        members = ", ".join(m.text for m in literal.members)
        found.append(
            diag.make(
                "FIB103",
                f"the set {{{members}}} mixes members of {words(enums)}",
                literal.span,
                hint="a set holds members of one enumeration",
            )
        )
    return found


# -- quantifier variables --------------------------------------------------------------


def _shadowing(context: Context) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    symbols = context.symbols

    def hidden(name: str, scope: tuple[str, ...]) -> str | None:
        if name in scope:
            return f"the variable `{name}` of an enclosing quantifier"
        if name in symbols.inputs:
            return f"the input `{name}`"
        if name in symbols.definitions:
            return f"the definition `{name}`"
        if name in symbols.enums:
            return f"the enumeration `{name}`"
        if name in symbols.member_enums:
            return f"the member `{name}` of {words(symbols.member_enums[name])}"
        return None

    def visit(expr: s.Expr, scope: tuple[str, ...]) -> None:
        if isinstance(expr, s.Quantifier):
            visit(expr.collection, scope)
            variable = expr.variable
            what = hidden(variable.text, scope)
            if what is not None:
                found.append(
                    diag.make(
                        "FIB122",
                        f"the variable `{variable.text}` of this `{expr.kind}` hides {what}",
                        variable.span,
                        hint="give the variable a name of its own, e.g. a single letter",
                    )
                )
            if expr.body is not None:
                visit(expr.body, (*scope, variable.text))
            return
        for child in children(expr):
            visit(child, scope)

    for root in context.model.roots:
        visit(root.expression, ())
    return found


# -- interventions and flags --------------------------------------------------------------


def _interventions_and_flags(guideline: s.Guideline, context: Context) -> list[Diagnostic]:
    """``recommend X``, ``avoid X``, ``X is recommended``, ``X is avoided``,
    ``dose of X`` and ``never recommend X`` name catalogue interventions (the
    runtime rejects a graph where they do not); ``F is flagged`` names a flag
    that some step raises."""
    symbols = context.symbols
    uses: list[tuple[s.Name, str]] = []
    for declaration in guideline.declarations:
        if isinstance(declaration, s.Invariant) and declaration.subject is not None:
            uses.append((declaration.subject, "recommended"))
    if guideline.pathway is not None:
        for node in guideline.pathway.nodes:
            if isinstance(node, s.Step):
                uses += [
                    (item.intervention, "recommended" if isinstance(item, s.Recommendation) else "avoided")
                    for item in node.items
                    if isinstance(item, s.Recommendation | s.AvoidItem)
                ]
    for root in context.model.roots:
        for part in walk(root.expression):
            if isinstance(part, s.PlanQuery) and part.subject is not None and part.subject.text != "?":
                uses.append((part.subject, part.kind))
    found: list[Diagnostic] = []
    for name, kind in uses:
        if kind == "flagged":
            if name.text not in symbols.flags:
                found.append(
                    diag.make(
                        "FIB101",
                        f"no step raises the flag `{name.text}`",
                        name.span,
                        hint=did_you_mean(name.text, symbols.flags)
                        or f"add `flag {name.text}` to the step that should raise it",
                    )
                )
        elif name.text not in symbols.interventions:
            found.append(
                diag.make(
                    "FIB101",
                    f"`{name.text}` is not an intervention in the catalogue",
                    name.span,
                    hint=did_you_mean(name.text, symbols.interventions)
                    or f"declare it with `drug {name.text} ... end` or `therapy {name.text} ... end`",
                )
            )
    return found
