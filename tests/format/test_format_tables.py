"""`fibrolang fmt` on lookup tables: one row per line, columns aligned, meaning kept."""

from __future__ import annotations

from compiler.format.formatter import format_text
from compiler.front.pipeline import parse_text

HEADER = 'guideline g title "t" version "v" end\n'


def fmt(text: str) -> str:
    formatted, diagnostics = format_text(text, "t.fibro")
    assert formatted is not None, diagnostics
    return formatted


def test_a_messy_grid_is_aligned_and_keeps_its_meaning() -> None:
    messy = (
        HEADER + "enum g { g1, g2 }\nenum a { a1, a2 }\nenum r { low, high }\n"
        "input gfr: g\ninput alb: a\n"
        "output x = table by gfr,alb | | a1 | a2 | | g1 | low | high |\n| g2|high|high| end\n"
    )
    once = fmt(messy)
    assert once.splitlines()[-5:] == [
        "output x = table by gfr, alb",
        "  |    | a1   | a2   |",
        "  | g1 | low  | high |",
        "  | g2 | high | high |",
        "end",
    ]
    assert fmt(once) == once
    assert parse_text(once)[0] == parse_text(messy)[0]


def test_ranges_write_their_unit_once_and_keep_open_ends() -> None:
    text = (
        HEADER + "enum c { g1, g2, g3 }\ninput egfr: decimal 0 to 200 mL/min/1.73m2\n"
        "output stage = table by egfr\n"
        "  | >= 60 mL/min/1.73m2 | g1 |\n"
        "  | 30 mL/min/1.73m2 to < 60 mL/min/1.73m2 | g2 |\n"
        "  | < 30 mL/min/1.73m2 | g3 |\n"
        "end\n"
    )
    once = fmt(text)
    assert "  | 30 to < 60 mL/min/1.73m2 | g2 |" in once.splitlines()
    assert parse_text(once)[0] == parse_text(text)[0]


def test_a_table_inside_an_expression_stays_on_one_line() -> None:
    text = (
        HEADER
        + "input score: integer 0 to 5 points\n"
        + ("define x = (table by score | 0 | 1 | otherwise 2 end) + 1\n")
    )
    once = fmt(text)
    assert "define x = (table by score | 0 | 1 | otherwise 2 end) + 1" in once
    assert parse_text(once)[0] == parse_text(text)[0]


def test_an_output_ending_with_a_table_and_unset() -> None:
    text = (
        HEADER
        + "input h: boolean\ninput score: integer 0 to 5 points\n"
        + ("output x = if h then unset else table by score | 0 to 2 | 1 | | 3 to 5 | unset | end\n")
    )
    once = fmt(text)
    assert once.splitlines()[-4:] == [
        "output x = if h then unset else table by score",
        "  | 0 to 2 | 1     |",
        "  | 3 to 5 | unset |",
        "end",
    ]
    assert parse_text(once)[0] == parse_text(text)[0]
