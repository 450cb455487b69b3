"""Each op of graph-format.md computes what the format says, on known values."""

import graphs as g
import pytest
from helpers import truth, value

MEDS = {
    "duloxetine": {"weeks": 6, "response": "inadequate"},
    "pregabalin": {"weeks": 2, "response": "adequate"},
}


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        (g.const(3), 3),
        (g.const(2.5, "weeks"), 2.5),
        (g.const(True), True),
        (g.member("pregabalin", "agent"), "pregabalin"),
        (g.set_of("agent", "amitriptyline", "duloxetine"), ("duloxetine", "amitriptyline")),
        (g.inp("x"), 4.5),
        (g.arith("+", g.inp("x"), g.inp("y")), 5.5),
        (g.arith("-", g.inp("x"), g.inp("y")), 3.5),
        (g.arith("*", g.inp("x"), g.const(2)), 9.0),
        (g.neg(g.inp("y")), -1),
        (g.if_(g.inp("p"), g.const(1), g.const(2)), 1),
        (g.if_(g.not_(g.inp("p")), g.const(1), g.const(2)), 2),
        (g.count_true(g.inp("p"), g.inp("q"), g.cmp(">", g.inp("x"), g.const(5))), 2),
        (g.quant("count", "a", g.enum_all("agent"), None), 3),
        (g.quant("count", "a", g.inp("agents"), None), 2),
        (g.quant("count", "a", g.enum_all("agent"), g.isin(g.var("a"), g.inp("medications"))), 2),
        (
            g.quant("any", "a", g.inp("agents"), g.cmp("==", g.var("a"), g.member("pregabalin", "agent"))),
            True,
        ),
        (
            g.quant("any", "a", g.inp("agents"), g.cmp("==", g.var("a"), g.member("amitriptyline", "agent"))),
            False,
        ),
        (g.quant("all", "a", g.inp("agents"), g.isin(g.var("a"), g.inp("medications"))), True),
        (g.quant("all", "a", g.enum_all("agent"), g.isin(g.var("a"), g.inp("medications"))), False),
        (g.sum_("a", g.inp("agents"), g.field(g.entry(g.inp("medications"), g.var("a")), "weeks")), 8),
        (g.field(g.entry(g.inp("medications"), g.member("duloxetine", "agent")), "response"), "inadequate"),
        (g.inp("agents"), ("duloxetine", "pregabalin")),
        (g.inp("agent"), "duloxetine"),
    ],
)
def test_values(expr: g.Json, expected: object) -> None:
    patient = {
        "p": True,
        "q": True,
        "x": 4.5,
        "y": 1,
        "agents": ["pregabalin", "duloxetine"],
        "medications": MEDS,
        "agent": "duloxetine",
    }
    assert value(expr, patient) == expected


def test_nested_quantifiers_bind_their_own_variables() -> None:
    pairs = g.quant(
        "count",
        "a",
        g.enum_all("agent"),
        g.quant("any", "b", g.inp("agents"), g.cmp("!=", g.var("a"), g.var("b"))),
    )
    # every agent differs from some member of {duloxetine, pregabalin}
    assert value(pairs, {"agents": ["duloxetine", "pregabalin"]}) == 3
    assert value(pairs, {"agents": ["duloxetine"]}) == 2


def test_an_inner_variable_shadows_an_outer_one_of_the_same_name() -> None:
    shadow = g.quant(
        "all",
        "a",
        g.inp("agents"),
        g.quant(
            "all",
            "a",
            g.set_of("agent", "amitriptyline"),
            g.cmp("==", g.var("a"), g.member("amitriptyline", "agent")),
        ),
    )
    assert value(shadow, {"agents": ["duloxetine"]}) is True


@pytest.mark.parametrize(
    ("op", "left", "right", "expected"),
    [
        ("<", 1, 2, True),
        ("<", 2, 2, False),
        ("<=", 2, 2, True),
        (">", 3, 2, True),
        (">=", 1, 2, False),
        ("==", 2, 2.0, True),
        ("!=", 2, 3, True),
        ("==", 1, 2, False),
    ],
)
def test_comparisons(op: str, left: float, right: float, expected: bool) -> None:
    assert truth(g.cmp(op, g.inp("x"), g.inp("y")), {"x": left, "y": right}) is expected
    assert truth(g.cmp(op, g.inp("x"), g.const(right)), {"x": left}) is expected


def test_member_and_boolean_equality() -> None:
    is_dulox = g.cmp("==", g.inp("agent"), g.member("duloxetine", "agent"))
    assert truth(is_dulox, {"agent": "duloxetine"}) is True
    assert truth(is_dulox, {"agent": "pregabalin"}) is False
    assert truth(g.cmp("!=", g.inp("p"), g.inp("q")), {"p": True, "q": False}) is True


def test_membership_in_sets_and_maps() -> None:
    dulox = g.member("duloxetine", "agent")
    assert truth(g.isin(dulox, g.inp("agents")), {"agents": ["duloxetine"]}) is True
    assert truth(g.isin(dulox, g.inp("agents")), {"agents": []}) is False
    assert truth(g.isin(dulox, g.inp("medications")), {"medications": MEDS}) is True
    assert truth(g.isin(dulox, g.inp("medications")), {"medications": {}}) is False
    assert truth(g.isin(g.inp("agent"), g.set_of("agent", "pregabalin")), {"agent": "pregabalin"}) is True


@pytest.mark.parametrize(
    "ops",
    [
        ("and", [True, True, True], True),
        ("and", [True, False, True], False),
        ("or", [False, False, True], True),
        ("or", [False, False, False], False),
    ],
)
def test_three_operand_logic(ops: tuple[str, list[bool], bool]) -> None:
    op, values, expected = ops
    expr = {"op": op, "operands": [g.inp("p"), g.inp("q"), g.inp("r")]}
    assert truth(expr, dict(zip("pqr", values, strict=True))) is expected


def test_decimal_sums_do_not_depend_on_hash_order() -> None:
    body = g.if_(
        g.cmp("==", g.var("a"), g.member("duloxetine", "agent")),
        g.const(0.1),
        g.if_(g.cmp("==", g.var("a"), g.member("pregabalin", "agent")), g.const(0.2), g.const(0.3)),
    )
    total = value(
        g.sum_("a", g.inp("agents"), body), {"agents": ["amitriptyline", "pregabalin", "duloxetine"]}
    )
    # on the decimals as written (declaration order: duloxetine, pregabalin, ami...), so
    # 0.6, not the binary floats' (0.1 + 0.2) + 0.3 = 0.6000000000000001
    assert total == 0.6
