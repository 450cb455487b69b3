"""parse(format(x)) == x: for random well-formed guidelines built from the
syntax tree up, and for mutants of the tour that still parse."""

from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from compiler.format.formatter import format_guideline, format_text
from compiler.front import syntax as s
from compiler.front.pipeline import parse_text
from fibrolang.operators import ARITHMETIC

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Names that are never keywords, so they lex as names everywhere.
NAMES = ["age", "egfr", "pain", "fatigue", "medications", "duloxetine", "pregabalin", "weeks_on", "x1", "_q"]
names = st.sampled_from(NAMES).map(s.Name)
texts = st.text(max_size=12).map(s.Text)
maybe_texts = st.none() | texts
units = st.none() | st.sampled_from(["mg/day", "weeks", "mL/min/1.73m2", "years", "points"]).map(s.Name)
decimals = st.sampled_from(["0", "1", "4", "1.50", "0.437", "30", "100", "007", "0.0000001"]).map(Decimal)
quantities = st.builds(s.Quantity, decimals, units)

leaves: st.SearchStrategy[s.Expr] = st.one_of(
    st.builds(s.BooleanLiteral, st.booleans()),
    st.builds(s.NumberLiteral, quantities),
    st.builds(s.Reference, names),
    st.builds(s.SetLiteral, st.lists(names, min_size=1, max_size=3).map(tuple)),
    st.builds(s.PlanQuery, st.sampled_from(["recommended", "avoided", "flagged", "dose"]), names),
    st.builds(s.PlanQuery, st.sampled_from(["recommended", "avoided", "flagged"]), st.none()),
    st.just(s.Unset()),
    st.builds(s.TextLiteral, st.text(max_size=12)),  # a text (issue 20): any character, re-escaped
)


def _flat(kind: type[s.And] | type[s.Or], operands: list[s.Expr]) -> s.Expr:
    flat: list[s.Expr] = []
    for operand in operands:
        flat.extend(operand.operands if isinstance(operand, kind) else (operand,))
    return kind(tuple(flat))


# Lookup tables (issue 20): headings of every form, cells of every form, one or two keys.
headings = st.one_of(
    st.builds(lambda n: s.TableKey(n, None, True, None, True), names),
    st.builds(lambda q: s.TableKey(None, q, True, q, True), quantities),
    st.builds(lambda q, inc: s.TableKey(None, q, inc, None, False), quantities, st.booleans()),
    st.builds(lambda q, inc: s.TableKey(None, None, False, q, inc), quantities, st.booleans()),
    st.builds(
        lambda low, high, unit, inc: s.TableKey(
            None, s.Quantity(low, unit), True, s.Quantity(high, unit), inc
        ),
        decimals,
        decimals,
        units,
        st.booleans(),
    ),
)
cells = st.one_of(
    st.builds(s.NumberLiteral, quantities),
    st.builds(s.Reference, names),
    st.builds(s.BooleanLiteral, st.booleans()),
    st.just(s.Unset()),
    st.builds(s.TextLiteral, st.text(max_size=12)),
)


@st.composite
def _table(draw: st.DrawFn, inner: st.SearchStrategy[s.Expr]) -> s.Expr:
    keys = tuple(draw(st.lists(inner, min_size=1, max_size=2)))
    columns = tuple(draw(st.lists(headings, min_size=1, max_size=3))) if len(keys) == 2 else ()
    width = max(1, len(columns))
    rows = draw(
        st.lists(
            st.builds(s.TableRow, headings, st.lists(cells, min_size=width, max_size=width).map(tuple)),
            min_size=1,
            max_size=3,
        )
    )
    return s.Table(keys, columns, tuple(rows), draw(st.none() | cells))


def _extend(inner: st.SearchStrategy[s.Expr]) -> st.SearchStrategy[s.Expr]:
    return st.one_of(
        _table(inner),
        st.builds(s.Entry, inner, inner),
        st.builds(s.Field, inner, names),
        st.builds(s.Membership, inner, inner, st.booleans()),
        st.builds(s.Comparison, st.sampled_from(["<", "<=", ">", ">=", "==", "!="]), inner, inner),
        st.builds(s.Comparison, st.sampled_from(["is", "is not"]), inner, st.builds(s.Reference, names)),
        st.builds(s.Between, inner, inner, inner),
        st.builds(s.Arithmetic, st.sampled_from(ARITHMETIC), inner, inner),  # + - * / round min max
        st.builds(s.Negative, inner),
        st.builds(s.Not, inner),
        st.builds(_flat, st.just(s.And), st.lists(inner, min_size=2, max_size=3)),
        st.builds(_flat, st.just(s.Or), st.lists(inner, min_size=2, max_size=3)),
        st.builds(s.Conditional, inner, inner, inner),
        st.builds(s.Quantifier, st.sampled_from(["count", "any", "all"]), names, inner, st.none() | inner),
        st.builds(s.Quantifier, st.just("sum"), names, inner, inner),
        st.builds(s.CountTrue, st.lists(inner, min_size=1, max_size=3).map(tuple)),
        st.builds(s.Call, names, st.lists(inner, min_size=1, max_size=2).map(tuple)),
        st.builds(s.Elapsed, st.sampled_from(["years", "months", "weeks", "days"]).map(s.Name), inner, inner),
    )


expressions = st.recursive(leaves, _extend, max_leaves=12)
attributes = st.lists(
    st.one_of(
        st.builds(s.Quote, texts, st.none() | names),
        st.builds(s.Note, texts),
        st.builds(s.Cite, st.lists(st.integers(0, 99), min_size=1, max_size=3).map(tuple)),
        st.builds(s.Label, texts),
    ),
    max_size=2,
).map(tuple)
parameters = st.lists(st.builds(s.Parameter, names, names), min_size=1, max_size=2).map(tuple)
signed = st.sampled_from(["-5", "0", "1.5", "130", "10000"]).map(Decimal)
bounds = st.none() | st.tuples(signed, signed)
number_types = st.builds(
    lambda integer, b, unit: s.NumberType(integer, b[0] if b else None, b[1] if b else None, unit),
    st.booleans(),
    bounds,
    units,
)
types = st.one_of(
    st.builds(s.BooleanType),
    st.builds(s.DateType),
    number_types,
    st.builds(s.NamedType, names),
    st.builds(s.SetType, names),
    st.builds(s.MapType, names, names),
)
doses = st.builds(s.DoseRange, quantities, st.none() | quantities, maybe_texts)


def _invariant(
    name: s.Name,
    title: s.Text | None,
    kind: str,
    recommend: bool,
    subject: s.Name,
    condition: s.Expr,
    has_condition: bool,
    attrs: tuple[s.Attribute, ...],
) -> s.Invariant:
    if recommend:
        return s.Invariant(
            name, title, kind, "recommend", subject, condition if has_condition else None, attrs
        )
    return s.Invariant(name, title, kind, "plain", None, condition, attrs)


declarations = st.one_of(
    st.builds(
        s.Enumeration,
        names,
        maybe_texts,
        st.lists(st.builds(s.EnumMember, names, maybe_texts), min_size=1, max_size=4).map(tuple),
        attributes,
    ),
    st.builds(
        s.Record,
        names,
        maybe_texts,
        st.lists(st.builds(s.RecordField, names, maybe_texts, types), min_size=1, max_size=3).map(tuple),
        attributes,
    ),
    st.builds(s.Input, names, maybe_texts, types, attributes),
    st.builds(s.Definition, names, maybe_texts, expressions, st.booleans(), attributes),
    # parameterised definitions and per-member constant tables
    st.builds(
        lambda name, label, expression, attrs, parameters: s.Definition(
            name, label, expression, False, attrs, s.NO_SPAN, parameters
        ),
        names,
        maybe_texts,
        expressions,
        attributes,
        parameters,
    ),
    st.builds(
        s.ConstantTable,
        names,
        parameters,
        maybe_texts,
        st.lists(st.builds(s.ConstantEntry, names, expressions, attributes), min_size=1, max_size=3).map(
            tuple
        ),
        attributes,
    ),
    st.builds(
        s.Intervention,
        st.sampled_from(["drug", "therapy"]),
        names,
        maybe_texts,
        st.none() | names,
        st.none() | doses,
        st.none() | st.booleans(),
        st.none() | st.builds(s.Evidence, names, st.none() | names),
        st.lists(st.builds(s.EffectSize, decimals, names), max_size=2).map(tuple),
        st.lists(st.builds(s.Contraindication, expressions, attributes), max_size=2).map(tuple),
        st.lists(names, max_size=3).map(tuple),
        attributes,
    ),
    st.builds(
        _invariant,
        names,
        maybe_texts,
        st.sampled_from(["never", "always"]),
        st.booleans(),
        names,
        expressions,
        st.booleans(),
        attributes,
    ),
    st.builds(s.Waiver, texts, texts, st.none() | names),
)
guards = st.none() | expressions
monitor_after = st.none() | st.tuples(quantities, st.none() | quantities)
actions = st.one_of(
    st.builds(
        s.Recommendation,
        st.sampled_from(
            ["start", "continue", "increase", "decrease", "switch", "add", "stop", "consider", "recommend"]
        ),
        names,
        st.none() | doses,
        st.none() | st.builds(s.Titration, quantities, quantities, quantities),
        guards,
        attributes,
    ),
    st.builds(s.AvoidItem, names, maybe_texts, guards, attributes),
    st.builds(s.Flag, names, maybe_texts, guards, attributes),
    st.builds(
        lambda name, after, text, guard, attrs: s.Monitoring(
            name, after[0] if after else None, after[1] if after else None, text, guard, attrs
        ),
        names,
        monitor_after,
        maybe_texts,
        guards,
        attributes,
    ),
)
branches = st.builds(s.Branch, st.none() | expressions, names, attributes)
nodes = st.one_of(
    st.builds(
        s.Decision,
        names,
        maybe_texts,
        st.booleans(),
        st.lists(branches, min_size=1, max_size=3).map(tuple),
        attributes,
    ),
    st.builds(s.Step, names, maybe_texts, st.lists(actions, max_size=3).map(tuple), names, attributes),
    st.builds(s.Outcome, names, names, maybe_texts, attributes),
)
pathways = st.builds(s.Pathway, names, st.lists(nodes, max_size=3).map(tuple))
headers = st.builds(
    s.Header,
    names,
    texts,
    texts,
    st.lists(st.builds(s.Source, names, texts, maybe_texts), max_size=2).map(tuple),
    st.lists(st.builds(s.Citation, st.integers(0, 99), texts), max_size=2).map(tuple),
)
guidelines = st.builds(
    s.Guideline, headers, st.lists(declarations, max_size=4).map(tuple), st.none() | pathways
)


@SETTINGS
@given(guidelines)
def test_parse_of_format_is_identity(guideline: s.Guideline) -> None:
    text = format_guideline(guideline, ())
    parsed, diagnostics = parse_text(text)
    assert parsed is not None, (text, diagnostics)
    # The formatter writes every hidden character as an escape, except those beyond U+FFFF
    # (``\uXXXX`` has four digits), which keep their warning.
    lines = text.splitlines()
    unescapable = [
        d
        for d in diagnostics
        if d.code == "FIB014" and ord(lines[d.span.line - 1][d.span.column - 1]) > 0xFFFF
    ]
    assert diagnostics == unescapable, (text, diagnostics)
    assert parsed == guideline, text
    assert format_guideline(parsed, parsed.comments) == text


@SETTINGS
@given(expressions)
def test_expressions_round_trip(expression: s.Expr) -> None:
    guideline = s.Guideline(
        s.Header(s.Name("g"), s.Text("t"), s.Text("v"), (), ()),
        (s.Definition(s.Name("x"), None, expression, False, ()),),
        None,
    )
    text = format_guideline(guideline, ())
    parsed, diagnostics = parse_text(text)
    assert parsed == guideline, (text, diagnostics)


TOUR = (Path(__file__).resolve().parent.parent / "fixtures" / "tour.fibro").read_text(encoding="utf-8")
LINES = TOUR.splitlines(keepends=True)
TOKENS = re.findall(r'"(?:[^"\\\n]|\\.)*"|#[^\n]*|\w+|\s+|.', TOUR)


@SETTINGS
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["delete", "duplicate", "swap", "comment"]),
            st.integers(0, 10**6),
            st.integers(0, 10**6),
        ),
        min_size=1,
        max_size=3,
    ),
    st.booleans(),
)
def test_tour_mutants_that_parse_format_soundly(mutations: list[tuple[str, int, int]], by_line: bool) -> None:
    pieces = list(LINES if by_line else TOKENS)
    for operation, index, other in mutations:
        index %= len(pieces)
        other %= len(pieces)
        if operation == "delete":
            del pieces[index]
        elif operation == "duplicate":
            pieces.insert(index, pieces[index])
        elif operation == "swap":
            pieces[index], pieces[other] = pieces[other], pieces[index]
        else:
            pieces.insert(index, " # a comment\n" if by_line else "\n# a comment\n")
        if not pieces:
            pieces = [" "]
    text = "".join(pieces)
    original, _ = parse_text(text)
    formatted, diagnostics = format_text(text)
    assert all(d.code != "FIB901" for d in diagnostics), (text, diagnostics)
    if formatted is None:
        return
    again, _ = parse_text(formatted)
    assert again == original
    assert format_text(formatted)[0] == formatted, text
