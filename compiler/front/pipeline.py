"""The front end in one call: read, parse, build the syntax tree."""

from __future__ import annotations

from pathlib import Path

from lark import Token, Tree

from compiler.collector import collector_paused
from compiler.diagnostics.catalogue import Diagnostic
from compiler.front.build_ast import build
from compiler.front.parse import SourceText, decode_source, parse_tree, read_source
from compiler.front.syntax import Guideline


def parse_source(source: SourceText) -> tuple[Guideline | None, list[Diagnostic]]:
    guideline, problems, _ = parse_source_keeping_tree(source)
    return guideline, problems


def parse_source_keeping_tree(
    source: SourceText,
) -> tuple[Guideline | None, list[Diagnostic], Tree[Token] | None]:
    """``parse_source``, and Lark's tree when the syntax tree was built from it without a
    problem (``compiler.front.incremental.derive`` cuts it into the pieces' parts)."""
    with collector_paused():
        tree, problems = parse_tree(source)
        if tree is None:
            return None, problems, None
        guideline, more = build(tree, source)
        return guideline, problems + more, tree if guideline is not None and not more else None


def parse_text(text: str, file: str = "<text>") -> tuple[Guideline | None, list[Diagnostic]]:
    source, problems = decode_source(text.encode("utf-8", "surrogatepass"), file)
    if source is None:
        return None, problems
    return parse_source(source)


def parse_file(path: str | Path) -> tuple[SourceText | None, Guideline | None, list[Diagnostic]]:
    source, problems = read_source(path)
    if source is None:
        return None, None, problems
    guideline, more = parse_source(source)
    return source, guideline, problems + more
