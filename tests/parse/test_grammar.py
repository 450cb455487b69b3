"""The grammar is conflict-free and collision-free (Lark's strict mode)."""

from __future__ import annotations

from lark import Lark

from compiler.front.parse import GRAMMAR_PATH, parser


def test_grammar_loads_in_strict_mode() -> None:
    # strict=True turns shift/reduce conflicts and terminal collisions
    # (detected with interegular) into errors instead of silent choices.
    Lark(
        GRAMMAR_PATH.read_text(encoding="utf-8"),
        parser="lalr",
        lexer="contextual",
        propagate_positions=True,
        maybe_placeholders=True,
        strict=True,
    )


def test_parser_is_built_once() -> None:
    assert parser() is parser()
