"""No input makes the front end raise: every failure is a diagnostic.

Random text and bytes, mutations of the tour guideline (tokens and
characters deleted, inserted, duplicated, swapped), every prefix of the
tour, huge files and very deep nesting. The CLI is run on the worst of them
to check that no traceback reaches the author.
"""

from __future__ import annotations

import random
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from compiler.diagnostics.catalogue import Diagnostic
from compiler.format.formatter import format_text
from compiler.front.parse import decode_source
from compiler.front.pipeline import parse_source, parse_text
from compiler.front.syntax import Guideline

TOUR = (Path(__file__).resolve().parent.parent / "fixtures" / "tour.fibro").read_text(encoding="utf-8")
HEADER = 'guideline g title "t" version "v" end\n'
TOKEN = re.compile(r'"(?:[^"\\\n]|\\.)*"|#[^\n]*|[A-Za-z_][A-Za-z0-9_]*|[0-9]+(?:\.[0-9]+)?|->|[<>=!]=|\s+|.')
TOKENS = TOKEN.findall(TOUR)
WORDS = sorted({t for t in TOKENS if t.strip()})

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def assert_diagnosed(result: tuple[Guideline | None, list[Diagnostic]]) -> None:
    guideline, diagnostics = result
    if guideline is None:
        assert diagnostics, "a failed parse must say why"
    for found in diagnostics:
        assert found.code.startswith("FIB")
        assert found.span.line >= 0
        assert found.message


def parse_bytes(data: bytes) -> tuple[Guideline | None, list[Diagnostic]]:
    source, problems = decode_source(data, "<bytes>")
    if source is None:
        return None, problems
    return parse_source(source)


@SETTINGS
@given(st.text(max_size=400))
def test_random_text(text: str) -> None:
    assert_diagnosed(parse_text(text))
    assert_diagnosed(parse_text(HEADER + text))


@SETTINGS
@given(st.binary(max_size=400))
def test_random_bytes(data: bytes) -> None:
    assert_diagnosed(parse_bytes(data))
    assert_diagnosed(parse_bytes(HEADER.encode() + data))


@SETTINGS
@given(st.lists(st.sampled_from(WORDS), max_size=60))
def test_random_token_soup(words: list[str]) -> None:
    assert_diagnosed(parse_text(HEADER + " ".join(words)))


def _mutate(pieces: list[str], operation: str, index: int, other: int, insert: str) -> list[str]:
    pieces = list(pieces)
    if not pieces:
        return [insert]
    index %= len(pieces)
    other %= len(pieces)
    if operation == "delete":
        del pieces[index]
    elif operation == "insert":
        pieces.insert(index, insert)
    elif operation == "duplicate":
        pieces.insert(index, pieces[index])
    else:
        pieces[index], pieces[other] = pieces[other], pieces[index]
    return pieces


MUTATION = st.tuples(
    st.sampled_from(["delete", "insert", "duplicate", "swap"]),
    st.integers(min_value=0, max_value=10**6),
    st.integers(min_value=0, max_value=10**6),
    st.sampled_from([*WORDS, " ", "\n", "(", ")", "[", "]", "{", "}", '"', "\\", "#", "-", "\x00", "é"]),
)


@SETTINGS
@given(st.lists(MUTATION, min_size=1, max_size=4), st.booleans())
def test_mutations_of_the_tour(mutations: list[tuple[str, int, int, str]], by_character: bool) -> None:
    pieces = list(TOUR) if by_character else list(TOKENS)
    for operation, index, other, insert in mutations:
        pieces = _mutate(pieces, operation, index, other, insert)
    text = "".join(pieces)
    assert_diagnosed(parse_text(text))
    formatted, diagnostics = format_text(text)
    assert formatted is not None or diagnostics
    assert all(d.code != "FIB901" for d in diagnostics), diagnostics


def test_every_prefix_of_the_tour() -> None:
    for end in range(len(TOUR) + 1):
        assert_diagnosed(parse_text(TOUR[:end]))


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"\xff\xfe\x00g",
        b'guideline g title "t\xe9" version "v" end\n',
        b"guideline g\x00 title",
        HEADER.encode() + b"define x = \x00\n",
        b"\xef\xbb\xbf" + HEADER.encode(),
        b"\r\n".join(HEADER.encode().split(b"\n")),
    ],
)
def test_awkward_bytes(data: bytes) -> None:
    assert_diagnosed(parse_bytes(data))


DEEP = 10_000


@pytest.mark.parametrize(
    "body",
    [
        "(" * DEEP + "a" + ")" * DEEP,
        "(" * DEEP + "a",
        "not " * DEEP + "a",
        "-" * DEEP + "a",
        "a[" * DEEP + "a" + "]" * DEEP,
        "a[" * DEEP,
        "if a then " * DEEP + "1" + " else 2" * DEEP,
        " and ".join(["a"] * DEEP),
        "a" + ".b" * DEEP,
    ],
    ids=["parens", "open-parens", "not", "minus", "entries", "open-entries", "if", "long-and", "fields"],
)
def test_deep_nesting(body: str) -> None:
    started = time.monotonic()
    text = HEADER + "define x = " + body + "\n"
    assert_diagnosed(parse_text(text))
    formatted, diagnostics = format_text(text)
    assert formatted is not None or diagnostics
    assert all(d.code != "FIB901" for d in diagnostics)
    assert time.monotonic() - started < 20


def _ten_megabytes() -> str:
    chooser = random.Random(1)
    words = [*WORDS, "\n"]
    parts: list[str] = [HEADER]
    size = len(HEADER)
    while size < 10 * 1024 * 1024:
        word = chooser.choice(words)
        parts.append(word)
        parts.append(" ")
        size += len(word) + 1
    return "".join(parts)


def test_ten_megabytes_of_tokens_finish_quickly() -> None:
    text = _ten_megabytes()
    started = time.monotonic()
    guideline, diagnostics = parse_text(text)
    assert guideline is None and diagnostics
    assert time.monotonic() - started < 10


def _run_check(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "from compiler.cli import main; main()",
            "check",
            "--format",
            "plain",
            str(path),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"\xff\xfe garbage",
        b"guideline\x00",
        (HEADER + "define x = " + "(" * DEEP + "a").encode(),
        (HEADER + "define x = " + "not " * DEEP + "a\n").encode(),
        (HEADER + "define x = " + "-" * DEEP + "a\n").encode(),
        (HEADER + "define x = " + "a[" * DEEP + "a" + "]" * DEEP + "\n").encode(),
        TOUR[: len(TOUR) // 2].encode(),
    ],
    ids=["empty", "not-utf8", "nul", "open-parens", "not", "minus", "entries", "half-tour"],
)
def test_cli_check_reports_instead_of_crashing(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "broken.fibro"
    path.write_bytes(content)
    result = _run_check(path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert "FIB0" in result.stdout + result.stderr


def test_cli_check_on_ten_megabytes(tmp_path: Path) -> None:
    path = tmp_path / "huge.fibro"
    path.write_text(_ten_megabytes(), encoding="utf-8")
    started = time.monotonic()
    result = _run_check(path)
    assert result.returncode == 1
    assert "Traceback" not in result.stdout + result.stderr
    assert time.monotonic() - started < 30
