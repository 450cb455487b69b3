"""The front end in one call: read, parse, build the syntax tree."""

from __future__ import annotations

from pathlib import Path

from compiler.collector import collector_paused
from compiler.diagnostics.catalogue import Diagnostic
from compiler.front.build_ast import build
from compiler.front.parse import SourceText, decode_source, parse_tree, read_source
from compiler.front.syntax import Guideline


def parse_source(source: SourceText) -> tuple[Guideline | None, list[Diagnostic]]:
    with collector_paused():
        tree, problems = parse_tree(source)
        if tree is None:
            return None, problems
        guideline, more = build(tree, source)
        return guideline, problems + more


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
