"""The parser read back from the cache (compiler/front/grammar_cache.py) parses as the one
Lark makes: the same trees, tokens and positions on every guideline, and the same syntax
errors, worded alike, wherever a guideline is cut short; a damaged or forged entry is ignored
and builds nothing but a parser."""

from __future__ import annotations

import os
import pickle
from pathlib import Path

import pytest
from lark import Lark, Token, Tree

from compiler import proof_cache
from compiler.front import grammar_cache
from compiler.front import parse as front_parse
from compiler.front.parse import GRAMMAR_PATH, PARSER_OPTIONS
from compiler.front.pipeline import parse_text

ROOT = Path(__file__).resolve().parents[2]
GUIDELINES = sorted(
    [
        *(ROOT / "guidelines").glob("*.fibro"),
        *(ROOT / "tests" / "fixtures").glob("*.fibro"),
        *(ROOT / "tests" / "analysis" / "cases").glob("*.fibro"),
        *(ROOT / "tests" / "check" / "cases").glob("*.fibro"),
    ]
)


def entry() -> Path:
    grammar = GRAMMAR_PATH.read_text(encoding="utf-8")
    key = grammar_cache.parser_key(grammar, PARSER_OPTIONS)
    return proof_cache.cache_dir() / "grammar" / f"{key}.pickle"


@pytest.fixture(scope="module")
def made_and_read(tmp_path_factory: pytest.TempPathFactory) -> tuple[Lark, Lark]:
    directory = tmp_path_factory.mktemp("grammar_cache")
    grammar = GRAMMAR_PATH.read_text(encoding="utf-8")
    with pytest.MonkeyPatch.context() as patched:
        patched.setenv(proof_cache.CACHE_VARIABLE, str(directory))
        made = grammar_cache.parser(grammar, PARSER_OPTIONS)
        read = grammar_cache.read_entry(entry(), grammar_cache.parser_key(grammar, PARSER_OPTIONS))
    assert read is not None and read is not made
    return made, read


def shape(node: object) -> object:
    """A tree with everything a later pass reads: rule names, token types, values, positions."""
    if isinstance(node, Tree):
        meta = node.meta
        where = tuple(getattr(meta, name, None) for name in ("line", "column", "end_line", "end_column"))
        return (node.data, where, tuple(shape(child) for child in node.children))
    if isinstance(node, Token):
        return (node.type, str(node), node.line, node.column, node.end_line, node.end_column, node.start_pos)
    return node


@pytest.mark.parametrize("path", GUIDELINES, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_the_parser_read_back_parses_every_guideline_alike(
    made_and_read: tuple[Lark, Lark], path: Path
) -> None:
    made, read = made_and_read
    text = path.read_text(encoding="utf-8")
    assert shape(read.parse(text)) == shape(made.parse(text))


def test_the_parser_read_back_reports_every_syntax_error_alike(
    made_and_read: tuple[Lark, Lark], monkeypatch: pytest.MonkeyPatch
) -> None:
    made, read = made_and_read
    text = (ROOT / "guidelines" / "fibromyalgia.fibro").read_text(encoding="utf-8")
    cuts = [text[:end] for end in range(40, len(text), 997)]
    cuts += [text.replace("->", "=>", 1), text.replace(" end\n", " ned\n", 1), text.replace('"', "'", 1)]
    found = {}
    for name, chosen in (("made", made), ("read", read)):
        monkeypatch.setattr(front_parse, "parser", lambda chosen=chosen: chosen)
        found[name] = [parse_text(cut, "cut.fibro")[1] for cut in cuts]
    assert found["read"] == found["made"]
    assert sum(1 for problems in found["made"] if problems) > len(cuts) // 2  # mostly errors


def test_a_second_process_reads_the_parser_it_wrote(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(proof_cache.CACHE_VARIABLE, str(tmp_path))
    grammar = GRAMMAR_PATH.read_text(encoding="utf-8")
    grammar_cache.parser(grammar, PARSER_OPTIONS)
    assert entry().exists()

    def refuse(*_: object, **__: object) -> None:
        raise AssertionError("made the parser again instead of reading it")

    monkeypatch.setattr(Lark, "__init__", refuse)  # a hit makes no parser
    assert isinstance(grammar_cache.parser(grammar, PARSER_OPTIONS), Lark)


class Forged:
    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (os.system, ("echo forged > forged.txt",))


@pytest.mark.parametrize(
    "forge",
    [
        lambda header, key, payload: b"",
        lambda header, key, payload: header + key + b"\n" + b"not a pickle",
        lambda header, key, payload: header + b"0" * 64 + b"\n" + payload,
        lambda header, key, payload: header + key + b"\n" + payload[: len(payload) // 2],
        lambda header, key, payload: header + key + b"\n" + pickle.dumps(Forged(), protocol=5),
        lambda header, key, payload: header + key + b"\n" + pickle.dumps({"a": 1}, protocol=5),
    ],
    ids=["empty", "not-a-pickle", "another-key", "cut", "forged", "not-a-parser"],
)
def test_an_entry_not_as_written_is_ignored_and_replaced(
    forge: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(proof_cache.CACHE_VARIABLE, str(tmp_path / "cache"))
    monkeypatch.chdir(tmp_path)
    grammar = GRAMMAR_PATH.read_text(encoding="utf-8")
    grammar_cache.parser(grammar, PARSER_OPTIONS)
    written = entry().read_bytes()
    header = f"fibrolang parser {grammar_cache.FORMAT}\n".encode("ascii")
    key = entry().stem.encode("ascii")
    payload = written[len(header) + len(key) + 1 :]
    entry().write_bytes(forge(header, key, payload))  # type: ignore[operator]
    again = grammar_cache.parser(grammar, PARSER_OPTIONS)
    assert isinstance(again, Lark)
    assert not (tmp_path / "forged.txt").exists()
    assert entry().read_bytes()[: len(header) + len(key)] == header + key


def test_the_key_covers_the_grammar_and_the_options() -> None:
    grammar = GRAMMAR_PATH.read_text(encoding="utf-8")
    base = grammar_cache.parser_key(grammar, PARSER_OPTIONS)
    assert base == grammar_cache.parser_key(grammar, dict(PARSER_OPTIONS))
    assert base != grammar_cache.parser_key(grammar + "\n", PARSER_OPTIONS)
    assert base != grammar_cache.parser_key(grammar, {**PARSER_OPTIONS, "propagate_positions": False})


def test_lark_keeps_its_own_cache_in_a_directory_of_the_users_never_in_tmp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Lark's ``cache=True`` reads a predictable file in the shared temporary directory
    with pickle before checking it; the parser's fallback cache is a file of the user's own."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    place = grammar_cache.lark_cache_file("k")
    assert place == str(tmp_path / "fibrolang" / "lark" / "k.lark")
    assert (tmp_path / "fibrolang" / "lark").stat().st_mode & 0o777 == 0o700
    grammar = GRAMMAR_PATH.read_text(encoding="utf-8")
    Lark(grammar, cache=place, **PARSER_OPTIONS)
    assert (tmp_path / "fibrolang" / "lark" / "k.lark").is_file()


def test_a_lark_cache_directory_others_can_write_to_is_not_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    shared = tmp_path / "fibrolang" / "lark"
    shared.mkdir(parents=True)
    shared.chmod(0o777)
    assert grammar_cache.lark_cache_file("k") is False
    shared.chmod(0o700)
    assert grammar_cache.lark_cache_file("k") == str(shared / "k.lark")


def test_without_a_home_the_parser_is_built_afresh(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocked = tmp_path / "not-a-directory"
    blocked.write_text("", encoding="utf-8")
    monkeypatch.setenv("XDG_CACHE_HOME", str(blocked))
    assert grammar_cache.lark_cache_file("k") is False


def test_the_entry_shares_equal_table_entries_and_keeps_the_table(tmp_path: Path) -> None:
    """Written with its equal parse-table entries made one object (read back in half the
    time), the table is still the table Lark made, state by state, row by row."""
    made = Lark(GRAMMAR_PATH.read_text(encoding="utf-8"), **PARSER_OPTIONS)

    def states(parser: Lark) -> dict[object, dict[str, tuple[object, object]]]:
        return parser.parser.parser.parser.parse_table.states  # type: ignore[no-any-return]

    before = {state: dict(row) for state, row in states(made).items()}
    rows = {state: id(row) for state, row in states(made).items()}
    grammar_cache.write_entry(tmp_path / "entry.pickle", "key", made)
    assert states(made) == before
    assert {state: id(row) for state, row in states(made).items()} == rows
    read = grammar_cache.read_entry(tmp_path / "entry.pickle", "key")
    assert read is not None and states(read) == before
    entries = [action for row in states(read).values() for action in row.values()]
    assert len({id(action) for action in entries}) < len(entries) / 4
