"""A catalogue of common mistakes: each gives one diagnostic with an exact
code, position, message and hint, worded for a guideline author."""

from __future__ import annotations

import pytest

from compiler.front.pipeline import parse_text

HEADER = 'guideline g title "t" version "v" end\n'

OPERATOR = "an operator (`and`, `or`, `==`, `+`, ...)"
ATTRIBUTE = "an attribute (`quote`, `note`, `cite` or `label`)"
DECLARATION = "the next declaration (`define`, `input`, `drug`, `pathway`, ...)"
AFTER_DEFINITION = f"{OPERATOR}, {ATTRIBUTE}, {DECLARATION} or the end of the file"

CASES = [
    pytest.param(
        "define y = a = b\n",
        ("FIB005", 2, 14),
        f"unexpected `=`: expected {AFTER_DEFINITION}",
        "write `==` or `is` to compare; `=` only gives a definition its expression",
        id="equals-instead-of-double-equals",
    ),
    pytest.param(
        "define y = a && b\n",
        ("FIB004", 2, 14),
        f"unexpected character `&`: expected {AFTER_DEFINITION}",
        "write `and` instead of `&&`",
        id="double-ampersand",
    ),
    pytest.param(
        "define y = a || b\n",
        ("FIB004", 2, 14),
        f"unexpected character `|`: expected {AFTER_DEFINITION}",
        "write `or` instead of `||`",
        id="double-bar",
    ),
    pytest.param(
        "input x: decimal 0 to 10 mg / day\n",
        ("FIB005", 2, 29),
        f"unexpected `/`: expected `default`, `from`, {ATTRIBUTE}, {DECLARATION} or the end of the file",
        "write a unit without spaces around `/` (mg/day); a spaced `/` divides, inside an expression",
        id="spaced-slash-in-a-unit",
    ),
    pytest.param(
        "define y = count a in s >= 2\n",
        ("FIB005", 2, 25),
        f"unexpected `>=`: expected `.`, `[`, `where`, {ATTRIBUTE}, {DECLARATION} or the end of the file",
        "a count, any, all, sum or if-expression extends to the right: put it in parentheses, "
        "e.g. `(count a in x where ...) >= 2`, or name it with `define`",
        id="comparison-after-quantifier",
    ),
    pytest.param(
        "define y = a < b < c\n",
        ("FIB005", 2, 18),
        f"unexpected `<`: expected {AFTER_DEFINITION}",
        "comparisons do not chain: write `a < b and b < c`",
        id="chained-comparison",
    ),
    pytest.param(
        'define y = "abc\n',
        ("FIB007", 2, 12),
        "this text has no closing quote on its line",
        'close it with " on the same line; write \\" for a quote inside text',
        id="unterminated-string",
    ),
    pytest.param(
        'input y "a\\qb": boolean\n',
        ("FIB008", 2, 11),
        "`\\q` is not an escape fibrolang knows",
        'use \\" \\\\ \\n \\t or \\uXXXX (four hex digits)',
        id="bad-escape",
    ),
    pytest.param(
        "pathway start -> a\n decide a\n  when x b\n end\nend\n",
        ("FIB005", 4, 10),
        f"unexpected `b`: expected `->` or {OPERATOR}; the innermost open block is `decide a` (line 3)",
        "write `-> <name of the next node>`",
        id="missing-arrow",
    ),
    pytest.param(
        "enum e { a b }\n",
        ("FIB005", 2, 12),
        'unexpected `b`: expected `,`, `}` or a quoted text ("..."); '
        "the `enum e {` at line 2, column 8 is still open",
        "separate the items of a list with commas",
        id="missing-comma-in-enum",
    ),
    pytest.param(
        "define y = a @ b\n",
        ("FIB004", 2, 14),
        f"unexpected character `@`: expected {AFTER_DEFINITION}",
        None,
        id="unknown-character",
    ),
    pytest.param(
        "pathway start -> a\n step a\n  -> b\n outcome b ok\nend\n",
        ("FIB005", 5, 2),
        "unexpected `outcome`: expected `end`; the innermost open block is `step a` (line 3)",
        "is `step a` (line 3) missing its `end`?",
        id="missing-end-of-step",
    ),
    pytest.param(
        "pathway start -> a\n decide a\n  when x -> b\n step b\n -> c\n end\nend\n",
        ("FIB005", 5, 2),
        f"unexpected `step`: expected `end`, `otherwise`, `when` or {ATTRIBUTE}; "
        "the innermost open block is `decide a` (line 3)",
        "is `decide a` (line 3) missing its `end`?",
        id="missing-end-of-decide",
    ),
    pytest.param(
        "drug d\n class x\ninput y: boolean\n",
        ("FIB005", 4, 1),
        "unexpected `input`: expected `end` or a line of the drug (`class`, `dose`, `fda`, `evidence`, "
        "`effect size`, `contraindicated when`, `side effects`); "
        "the innermost open block is `drug d` (line 2)",
        "is `drug d` (line 2) missing its `end`?",
        id="missing-end-of-drug",
    ),
    pytest.param(
        "pathway start -> a\n outcome a ok\n",
        ("FIB006", 3, 14),
        'the file ends too early: expected `end`, a quoted text ("..."), '
        f"{ATTRIBUTE} or the next pathway node (`decide`, `step` or `outcome`); "
        "the innermost open block is `pathway` (line 2)",
        "add `end` to close `pathway`",
        id="missing-end-of-pathway",
    ),
    pytest.param(
        "define y = (a and b\n",
        ("FIB006", 2, 20),
        "the file ends too early: expected `)`; the `(` at line 2, column 12 is still open",
        "close the `(` of line 2 with `)`",
        id="unclosed-parenthesis",
    ),
    pytest.param(
        "define y = if a then 1\n",
        ("FIB006", 2, 23),
        "the file ends too early: expected `else`",
        "an if-expression reads `if <condition> then <value> else <value>`",
        id="if-without-else",
    ),
    pytest.param(
        "define y = 'a'\n",
        ("FIB004", 2, 12),
        "unexpected character `'`: expected an expression",
        'texts are written in double quotes: "..."',
        id="single-quotes",
    ),
]


@pytest.mark.parametrize(("body", "where", "message", "hint"), CASES)
def test_syntax_error(body: str, where: tuple[str, int, int], message: str, hint: str | None) -> None:
    guideline, diagnostics = parse_text(HEADER + body, "g.fibro")
    # A bad escape is found while building the tree, which goes on.
    assert (guideline is None) == (where[0] != "FIB008")
    assert len(diagnostics) == 1
    found = diagnostics[0]
    assert (found.code, found.span.line, found.span.column) == where
    assert found.message == message
    assert found.hint == hint


def test_missing_end_of_guideline_header() -> None:
    _, diagnostics = parse_text('guideline g title "t" version "v"\n', "g.fibro")
    (found,) = diagnostics
    assert found.code == "FIB006"
    assert found.message == (
        "the file ends too early: expected `citation`, `end` or `source`; "
        "the innermost open block is `guideline g` (line 1)"
    )
    assert found.hint == "add `end` to close `guideline g`"


def test_expected_lists_never_show_internal_names() -> None:
    for body in ["define y = a = b\n", "pathway start -> a\n decide a when x b end end\n", "step\n"]:
        _, diagnostics = parse_text(HEADER + body)
        for found in diagnostics:
            assert "__ANON" not in found.message
            assert "RPAR" not in found.message
            assert "one of" not in found.message


def test_empty_and_comment_only_files() -> None:
    for text in ["", "   \n\n", "# only a comment\n"]:
        guideline, diagnostics = parse_text(text)
        assert guideline is None
        assert [d.code for d in diagnostics] == ["FIB003"]
