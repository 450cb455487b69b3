"""The parse piece by piece (compiler/front/chunks.py, compiler/front/incremental.py) gives
exactly the whole text's parse: the same syntax tree, spans included, and the same
diagnostics, on every guideline of the repository, with its pieces' parts stored or not,
and after random edits of the real guidelines with the parts of the text before the edit;
a damaged part is parsed again; a cut the grammar does not agree with parses the whole
text; and the keywords it cuts on start their declaration or node and nothing else."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import os
import pickle
import random
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from compiler import parse_cache
from compiler.cli import main
from compiler.diagnostics.catalogue import Diagnostic
from compiler.front import incremental
from compiler.front.chunks import DECLARATION_KEYWORDS, NODE_KEYWORDS, split
from compiler.front.derive import derive
from compiler.front.parse import parser
from compiler.front.pipeline import parse_source, parse_source_keeping_tree
from compiler.front.source import SourceText, read_source
from compiler.front.syntax import Guideline, Span

ROOT = Path(__file__).resolve().parents[2]
GUIDELINES = sorted((ROOT / "guidelines").glob("*.fibro"))
PATHS = sorted(
    path
    for folder in ("guidelines", "tests", "benchmarks", "docs")
    for path in (ROOT / folder).rglob("*.fibro")
)
Parsed = tuple[Guideline | None, list[Diagnostic]]


def deep(value: object) -> object:
    """A syntax node or diagnostic as nested tuples, spans included (their equality leaves
    spans out)."""
    return dataclasses.astuple(value) if dataclasses.is_dataclass(value) else value  # type: ignore[arg-type]


def assert_same(found: Parsed, expected: Parsed) -> None:
    assert found[0] == expected[0]
    assert deep(found[0]) == deep(expected[0])
    assert found[1] == expected[1]
    assert [deep(d) for d in found[1]] == [deep(d) for d in expected[1]]


def source_of(path: Path) -> SourceText:
    source, problems = read_source(path)
    assert source is not None, problems
    return source


def test_the_repository_has_guidelines_to_compare() -> None:
    assert len(GUIDELINES) >= 3 and len(PATHS) > 40


@pytest.mark.parametrize("path", PATHS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_guideline_parses_piece_by_piece_as_a_whole(path: Path, tmp_path: Path) -> None:
    source = source_of(path)
    whole = parse_source(source)
    cold, parts = incremental.parse(source, {})
    if path in GUIDELINES:
        assert cold is not None, "the guidelines themselves go piece by piece"
    if cold is not None:
        assert_same(cold, whole)
        warm, again = incremental.parse(source, parts)
        assert warm is not None
        assert_same(warm, whole)
        assert again == parts
    for _ in range(2):  # the store empty, then full
        assert_same(parse_cache.parse_pieces(source, tmp_path), whole)
        assert_same(parse_cache.parse(source, tmp_path / "cache"), whole)
    assert_derived_parts_are_the_pieces_parsed_alone(source)


def assert_derived_parts_are_the_pieces_parsed_alone(source: SourceText) -> dict[str, bytes]:
    """The parts cut from the whole parse are, byte for byte, those of the pieces parsed
    alone; returns them."""
    guideline, _, tree = parse_source_keeping_tree(source)
    if guideline is None or tree is None:
        return {}
    derived = derive(source.file, source.text, tree, guideline)
    pieces = {incremental.piece_key(p): p for p in split(source.text)}
    for key, data in derived.items():
        assert incremental.encode(pieces[key], source.file) == data
    return derived


def test_the_pieces_put_together_are_the_text() -> None:
    for path in PATHS:
        text = path.read_text(encoding="utf-8")
        pieces = split(text)
        rebuilt, frame_tail = [], ""
        for piece in pieces:
            if piece.kind != "nodes" and frame_tail:
                rebuilt.append(frame_tail)
                frame_tail = ""
            rebuilt.append(piece.text)
            if piece.kind == "frame":
                frame_tail = piece.tail
        rebuilt.append(frame_tail)
        assert "".join(rebuilt) == text
        for piece in pieces:
            assert text.splitlines(keepends=True)[piece.line - 1 :][0].startswith(piece.text.split("\n")[0])


def counting_encode(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    encoded: list[str] = []
    encode = incremental.encode

    def counted(piece: Any, file: str) -> bytes | None:
        encoded.append(piece.text)
        return encode(piece, file)

    monkeypatch.setattr(incremental, "encode", counted)
    return encoded


def test_an_edit_parses_only_its_piece_and_moves_the_others(monkeypatch: pytest.MonkeyPatch) -> None:
    path = ROOT / "guidelines" / "fibromyalgia.fibro"
    text = path.read_text(encoding="utf-8")
    _, parts = incremental.parse(SourceText(str(path), text), {})
    edited = text.replace("egfr < 30 mL/min/1.73m2", "egfr < 29 mL/min/1.73m2", 1)
    edited = edited.replace("\ndefine ", "\n# a new line above\n\ndefine ", 1)  # moves all below
    encoded = counting_encode(monkeypatch)
    source = SourceText(str(path), edited)
    found, _ = incremental.parse(source, parts)
    assert found is not None
    assert_same(found, parse_source(source))
    assert len(encoded) == 2 and any("egfr < 29" in piece for piece in encoded)
    assert found[0] is not None and found[0].span.end_line == text.count("\n") + 2


# ---------------------------------------------------------------------------
# Random edits of the real guidelines, each checked with the parts of the text before it
# ---------------------------------------------------------------------------

ADDED = [
    "define extra_value = 1\n",
    'input extra_flag "An extra flag": boolean\n',
    "invariant extra_rule\n  never recommend nsaid\n",
    "  step extra_step\n    recommend exercise\n    -> done\n  end\n",
    "  outcome extra_outcome done\n",
    "waive extra\n",
    "pathway start -> x end\n",
    "input\n",
    "  decide\n",
]
BROKEN = ["(", ")", "end", "define ", "->", '"', "step ", "decide ", "when ", "input ", "#", "\n", "{", "|"]
NUMBER = re.compile(r"\b[0-9]+(?:\.[0-9]+)?\b")
WORD = re.compile(r"\b[a-z_][a-z0-9_]*\b")


def line_starts(text: str) -> list[int]:
    return [0, *(i + 1 for i, c in enumerate(text) if c == "\n" and i + 1 < len(text))]


def insert_line(text: str, rng: random.Random) -> str:
    at = rng.choice(line_starts(text))
    return text[:at] + rng.choice(["\n", "# a comment\n", "   \n"]) + text[at:]


def delete_line(text: str, rng: random.Random) -> str:
    lines = text.splitlines(keepends=True)
    del lines[rng.randrange(len(lines))]
    return "".join(lines)


def duplicate_line(text: str, rng: random.Random) -> str:
    lines = text.splitlines(keepends=True)
    at = rng.randrange(len(lines))
    return "".join([*lines[: at + 1], lines[at], *lines[at + 1 :]])


def swap_lines(text: str, rng: random.Random) -> str:
    lines = text.splitlines(keepends=True)
    at = rng.randrange(len(lines) - 1)
    lines[at], lines[at + 1] = lines[at + 1], lines[at]
    return "".join(lines)


def change_number(text: str, rng: random.Random) -> str:
    found = list(NUMBER.finditer(text))
    match = rng.choice(found)
    number = rng.choice([str(rng.randrange(1000)), f"{rng.randrange(100)}.{rng.randrange(100)}"])
    return text[: match.start()] + number + text[match.end() :]


def rename(text: str, rng: random.Random) -> str:
    found = list(WORD.finditer(text))
    match = rng.choice(found)
    name = rng.choice(["renamed", "x", "input", "step", "end", "when", match.group(0) + "_2"])
    return text[: match.start()] + name + text[match.end() :]


def add_declaration(text: str, rng: random.Random) -> str:
    at = rng.choice(line_starts(text))
    return text[:at] + rng.choice(ADDED) + text[at:]


def break_syntax(text: str, rng: random.Random) -> str:
    at = rng.randrange(len(text) + 1)
    return text[:at] + rng.choice(BROKEN) + text[at:]


def move_indentation(text: str, rng: random.Random) -> str:
    at = rng.choice(line_starts(text))
    if text.startswith("  ", at):
        return text[:at] + text[at + 2 :]
    return text[:at] + "  " + text[at:]


EDITS: list[Callable[[str, random.Random], str]] = [
    insert_line,
    delete_line,
    duplicate_line,
    swap_lines,
    change_number,
    rename,
    add_declaration,
    break_syntax,
    move_indentation,
]
_WARM: dict[Path, dict[str, bytes]] = {}


def warm_parts(path: Path) -> dict[str, bytes]:
    if path not in _WARM:
        _, _WARM[path] = incremental.parse(source_of(path), {})
    return _WARM[path]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from(GUIDELINES),
    st.lists(st.sampled_from(EDITS), min_size=1, max_size=3),
    st.randoms(use_true_random=False),
)
def test_random_edits_parse_piece_by_piece_as_a_whole(
    path: Path, edits: list[Callable[[str, random.Random], str]], rng: random.Random
) -> None:
    text = path.read_text(encoding="utf-8")
    parts = warm_parts(path)
    for edit in edits:
        text = edit(text, rng)
        source = SourceText(str(path), text)
        found, parts = incremental.parse(source, parts)
        whole = parse_source(source)
        if found is not None:
            assert_same(found, whole)
        else:  # anything the pieces did not settle: the whole parse, as the cache answers
            assert_same(parse_cache.parse_pieces(source, Path(os.environ["FIBROLANG_CACHE_DIR"])), whole)
        derived = assert_derived_parts_are_the_pieces_parsed_alone(source)
        if found is not None:
            assert derived.items() <= parts.items()


# ---------------------------------------------------------------------------
# Damaged parts, and what the cut relies on in the grammar
# ---------------------------------------------------------------------------


def checked(payload: bytes) -> bytes:
    """A part as ``incremental.encode`` writes it: its checksum, then the pickle."""
    return hashlib.blake2b(payload, digest_size=16).digest() + payload


def with_spans_of_texts(payload: bytes) -> bytes:
    """The part with every span written as four texts instead of four numbers."""

    class Texts(pickle.Pickler):
        def persistent_id(self, obj: object) -> object:
            return ("1", "1", "1", "1") if isinstance(obj, Span) else None

    part = incremental._PieceUnpickler(payload, "f", 0).load()
    buffer = io.BytesIO()
    Texts(buffer, protocol=5).dump(part)
    assert buffer.getvalue() != payload
    return buffer.getvalue()


class Forged:
    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (os.system, ("echo forged > forged.txt",))


DAMAGES: dict[str, Callable[[bytes, bytes], bytes]] = {
    "empty": lambda data, other: b"",
    "not-a-pickle": lambda data, other: b"not a pickle",
    "cut": lambda data, other: data[: len(data) // 2],
    "forged": lambda data, other: checked(pickle.dumps((Forged(), (1, 1)), protocol=5)),
    "wrong-shape": lambda data, other: checked(pickle.dumps(("tree", (1, 1)), protocol=5)),
    "a-span-not-of-ints": lambda data, other: checked(with_spans_of_texts(data[16:])),
    "another-kind": lambda data, other: other,
    "a-bad-span": lambda data, other: data.replace(b"K\x01K", b"X\x01\x00\x00\x00aK", 1),
}


@pytest.mark.parametrize("damage", DAMAGES)
def test_a_damaged_part_is_parsed_again(damage: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    source = source_of(ROOT / "guidelines" / "bmi_who.fibro")
    _, parts = incremental.parse(source, {})
    keys = {p.kind: incremental.piece_key(p) for p in split(source.text)}
    damaged = dict(parts)
    for kind, key in keys.items():
        other = parts[keys["header" if kind != "header" else "declarations"]]
        damaged[key] = DAMAGES[damage](parts[key], other)
    found, again = incremental.parse(source, damaged)
    assert found is not None
    assert_same(found, parse_source(source))
    assert again == parts
    assert not (tmp_path / "forged.txt").exists()


def test_a_damaged_store_is_read_as_empty(tmp_path: Path) -> None:
    source = source_of(ROOT / "guidelines" / "bmi_who.fibro")
    assert parse_cache.parse_pieces(source, tmp_path) is not None
    (store,) = (tmp_path / "syntax-pieces").iterdir()
    key = parse_cache.pieces_key(source.file)
    assert parse_cache.read_pieces(store, key)
    written = store.read_bytes()
    for data in [b"", written[: len(written) // 2], written.replace(key.encode(), b"0" * 64)]:
        store.write_bytes(data)
        assert parse_cache.read_pieces(store, key) == {}
        assert_same(parse_cache.parse_pieces(source, tmp_path), parse_source(source))
    head = written[: written.index(b"\n", len(b"fibrolang syntax pieces")) + 1]
    store.write_bytes(head + pickle.dumps({"key": Forged()}, protocol=5))
    assert parse_cache.read_pieces(store, key) == {}


def test_a_keyword_that_continues_an_expression_parses_the_whole_text() -> None:
    text = 'guideline g title "t" version "v" end\ninput a: boolean\ndefine x = a and\ninput\n'
    assert [p.kind for p in split(text)] == ["header", "declarations", "declarations", "declarations"]
    source = SourceText("g.fibro", text)
    assert incremental.parse(source, {})[0] is None  # `define x = a and` does not parse alone
    whole = parse_source(source)
    assert whole[0] is not None and len(whole[0].declarations) == 2  # `input` is a name there
    assert_same(parse_cache.parse(source, Path(os.environ["FIBROLANG_CACHE_DIR"])), whole)


def test_the_cut_keywords_start_their_declaration_or_node_and_nothing_else() -> None:
    """A keyword cut on is a literal of the grammar only as the first symbol of a rule that
    is only ever one of the choices of `_item` (a declaration) or `_pathway_node`."""
    lark = parser()
    terminal = {t.pattern.value: t.name for t in lark.terminals if t.pattern.type == "str"}
    rules = lark.rules
    for keywords, choice in ((DECLARATION_KEYWORDS, "_item"), (NODE_KEYWORDS, "_pathway_node")):
        for keyword in keywords:
            name = terminal[keyword]
            origins = set()
            for rule in rules:
                for index, symbol in enumerate(rule.expansion):
                    if symbol.name == name:
                        assert index == 0, (keyword, rule)
                        origins.add(rule.origin.name)
            assert origins, keyword
            for origin in origins:
                uses = [r for r in rules if any(sym.name == origin for sym in r.expansion)]
                assert uses and all(r.origin.name == choice and len(r.expansion) == 1 for r in uses), (
                    keyword,
                    origin,
                    uses,
                )


def test_no_cache_neither_reads_nor_writes_the_pieces(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    cache = Path(os.environ["FIBROLANG_CACHE_DIR"])
    path = tmp_path / "tests" / "analysis" / "cases" / "clean.fibro"  # its sources: ../../../guidelines
    path.parent.mkdir(parents=True)
    path.write_text((ROOT / "tests" / "analysis" / "cases" / "clean.fibro").read_text(encoding="utf-8"))
    (tmp_path / "guidelines").mkdir()
    (tmp_path / "guidelines" / "sources").symlink_to(ROOT / "guidelines" / "sources")

    def check(*options: str) -> int:
        return CliRunner().invoke(main, ["check", "--no-prove", *options, str(path)]).exit_code

    assert check("--no-cache") == 0
    assert not (cache / "syntax-pieces").exists() and not (cache / "syntax").exists()
    assert check() == 0
    assert len(list((cache / "syntax-pieces").iterdir())) == 1
    path.write_text(path.read_text(encoding="utf-8") + "\n# an edit\n", encoding="utf-8")

    def refuse(*_: object) -> object:
        raise AssertionError("--no-cache read or wrote the pieces")

    with monkeypatch.context() as patched:
        for name in ("read_pieces", "write_pieces", "parse_pieces", "read_entry", "write_entry"):
            patched.setattr(parse_cache, name, refuse)
        assert check("--no-cache") == 0
    encoded = counting_encode(monkeypatch)
    assert check() == 0
    assert len(encoded) == 1  # the edit: the last piece parsed again, the others read back


LAYOUTS: dict[str, Callable[[str], str]] = {
    "crlf": lambda text: text.replace("\n", "\r\n"),
    "no-final-newline": lambda text: text.rstrip("\n"),
    "tabs": lambda text: text.replace("\n  ", "\n\t"),
    "comment-before-each-declaration": lambda text: re.sub(r"\n(?=[a-z])", "\n# next\n", text),
    "blank-lines-doubled": lambda text: text.replace("\n\n", "\n\n\n"),
    "form-feed-at-line-start": lambda text: text.replace("\n  step", "\n\f  step", 1),
}


@pytest.mark.parametrize("layout", LAYOUTS)
@pytest.mark.parametrize("path", GUIDELINES, ids=lambda p: p.stem)
def test_other_layouts_parse_piece_by_piece_as_a_whole(layout: str, path: Path) -> None:
    source = SourceText(str(path), LAYOUTS[layout](path.read_text(encoding="utf-8")))
    whole = parse_source(source)
    found, parts = incremental.parse(source, warm_parts(path))
    if found is None:  # a node not cut (after a form feed) left in the frame's head: the whole
        assert layout == "form-feed-at-line-start"
        found = parse_cache.parse_pieces(source, Path(os.environ["FIBROLANG_CACHE_DIR"]))
    assert_same(found, whole)
    assert_same(incremental.parse(source, parts)[0] or found, whole)
    assert_derived_parts_are_the_pieces_parsed_alone(source)
