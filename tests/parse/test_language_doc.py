"""Every ```fibro example of docs/language.md parses, and is already in the
canonical layout of `fibrolang fmt`.

A block that starts with `guideline` (after comments) is a whole file; any
other block is a fragment of declarations and is given a minimal header.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from compiler.format.formatter import format_text
from compiler.front.pipeline import parse_text

DOC = Path(__file__).resolve().parent.parent.parent / "docs" / "language.md"
BLOCKS = re.findall(r"```fibro\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.DOTALL)
HEADER = 'guideline example\n  title "An example"\n  version "1"\nend\n\n'


def _complete(block: str) -> str:
    code = [line for line in block.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    return block if code and code[0].startswith("guideline") else HEADER + block


def test_the_reference_has_examples() -> None:
    assert len(BLOCKS) >= 12


@pytest.mark.parametrize("block", BLOCKS, ids=[f"example-{n + 1}" for n in range(len(BLOCKS))])
def test_example_parses(block: str) -> None:
    text = _complete(block)
    guideline, diagnostics = parse_text(text, "language.md")
    assert guideline is not None and not diagnostics, (text, diagnostics)


@pytest.mark.parametrize("block", BLOCKS, ids=[f"example-{n + 1}" for n in range(len(BLOCKS))])
def test_example_is_formatted(block: str) -> None:
    text = _complete(block)
    formatted, diagnostics = format_text(text, "language.md")
    assert formatted is not None, diagnostics
    assert formatted.strip().splitlines() == text.strip().splitlines() or _only_blank_lines_differ(
        formatted, text
    )


def _only_blank_lines_differ(one: str, other: str) -> bool:
    return [line for line in one.splitlines() if line] == [line for line in other.splitlines() if line]
