"""fibrolang check reads the syntax tree of an unchanged guideline from its cache
(compiler/parse_cache.py): the same tree, spans and diagnostics as parsing afresh, no Lark,
a key that changes with the text, the file name and the toolchain, and any entry that is not
exactly what it wrote is ignored (and builds nothing but a syntax tree)."""

from __future__ import annotations

import dataclasses
import os
import pickle
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from compiler import api, parse_cache, proof_cache
from compiler.cli import main
from compiler.front import pipeline
from compiler.front.source import read_source
from compiler.front.syntax import Guideline

ROOT = Path(__file__).resolve().parents[2]
FIBROMYALGIA = ROOT / "guidelines" / "fibromyalgia.fibro"
GUIDELINE_PATHS = sorted(
    [
        *(ROOT / "guidelines").glob("*.fibro"),
        *(ROOT / "tests" / "fixtures").glob("*.fibro"),
        *(ROOT / "tests" / "analysis" / "cases").glob("*.fibro"),
        *(ROOT / "tests" / "check" / "cases").glob("*.fibro"),
    ]
)


def cache() -> Path:
    return Path(os.environ[proof_cache.CACHE_VARIABLE])


def entries() -> list[Path]:
    return sorted((cache() / "syntax").glob("*.pickle"))


def check(*arguments: str) -> Result:
    return CliRunner().invoke(main, ["check", *arguments])


def refuse_to_parse(monkeypatch: pytest.MonkeyPatch) -> None:
    def parsing(*_: object, **__: object) -> object:
        raise AssertionError("parsed again instead of reading the cache")

    monkeypatch.setattr(pipeline, "parse_source", parsing)


def with_spans(value: object) -> object:
    """The whole tree as nested tuples, spans included (equality of syntax nodes ignores them)."""
    return dataclasses.astuple(value) if dataclasses.is_dataclass(value) else value  # type: ignore[arg-type]


def assert_a_hit_gives_what_a_fresh_parse_gives(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    afresh = api.check_file(path)
    first = api.check_file(path, cache=cache())
    stored = len(entries())
    assert stored == (1 if afresh.guideline is not None else 0)
    with monkeypatch.context() as patched:
        refuse_to_parse(patched)
        second = api.check_file(path, cache=cache()) if stored else first
    for checked in (first, second):
        assert checked.diagnostics == afresh.diagnostics
        assert with_spans(checked.guideline) == with_spans(afresh.guideline)
        assert [with_spans(d) for d in checked.diagnostics] == [with_spans(d) for d in afresh.diagnostics]


@pytest.mark.parametrize("path", GUIDELINE_PATHS, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_a_hit_gives_the_tree_spans_and_diagnostics_of_a_fresh_parse(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert_a_hit_gives_what_a_fresh_parse_gives(path, monkeypatch)


# Edits of fibromyalgia.fibro: the parse's own warnings (a hidden character in a text),
# a syntax error (no tree, nothing stored), a tree in which the checker finds errors.
VARIANTS = {
    "hidden-character": ('title "', 'title "\u200b', "FIB014"),
    "syntax-error": ("define first_line", "define ( first_line", "FIB005"),
    "unknown-name": ("define first_line", "define nonsense = no_such_input + 1\ndefine first_line", "FIB101"),
}


@pytest.mark.parametrize("variant", VARIANTS)
def test_a_hit_gives_the_parse_warnings_and_errors_of_a_fresh_parse(
    variant: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    old, new, code = VARIANTS[variant]
    text = FIBROMYALGIA.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "guidelines" / "fibromyalgia.fibro"
    shutil.copytree(FIBROMYALGIA.parent / "sources", tmp_path / "guidelines" / "sources")
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    assert code in {d.code for d in api.check_file(path).diagnostics}
    assert_a_hit_gives_what_a_fresh_parse_gives(path, monkeypatch)


@pytest.mark.parametrize("format_", ["plain", "json"])
@pytest.mark.parametrize("name", ["many_errors", "clean"])
def test_a_hit_prints_exactly_what_parsing_afresh_prints(
    name: str, format_: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = str(ROOT / "tests" / "check" / "cases" / f"{name}.fibro")
    afresh = check("--no-cache", "--format", format_, path)
    first = check("--format", format_, path)
    assert len(entries()) == 1
    refuse_to_parse(monkeypatch)
    second = check("--format", format_, path)
    assert (first.exit_code, first.output) == (afresh.exit_code, afresh.output)
    assert (second.exit_code, second.output) == (afresh.exit_code, afresh.output)


def test_no_cache_neither_reads_nor_writes_syntax_trees(monkeypatch: pytest.MonkeyPatch) -> None:
    assert check("--no-cache", "--no-prove", str(FIBROMYALGIA)).exit_code == 0
    assert entries() == []
    assert check("--no-prove", str(FIBROMYALGIA)).exit_code == 0
    assert len(entries()) == 1
    calls: list[object] = []
    parse_source = pipeline.parse_source

    def counted(*arguments: object) -> object:
        calls.append(arguments)
        return parse_source(*arguments)  # type: ignore[arg-type]

    monkeypatch.setattr(pipeline, "parse_source", counted)
    assert check("--no-cache", "--no-prove", str(FIBROMYALGIA)).exit_code == 0
    assert len(calls) == 1


def test_an_edited_guideline_is_parsed_again(tmp_path: Path) -> None:
    path = tmp_path / "clean.fibro"
    shutil.copy(ROOT / "tests" / "analysis" / "cases" / "clean.fibro", path)
    first = api.check_file(path, cache=cache())
    path.write_text(
        path.read_text(encoding="utf-8").replace("guideline clean", "guideline clean\n  # an edit"),
        encoding="utf-8",
    )
    second = api.check_file(path, cache=cache())
    assert len(entries()) == 2
    assert first.guideline is not None and second.guideline is not None
    assert second.guideline.span.end_line == first.guideline.span.end_line + 1


def test_the_key_covers_file_name_text_and_toolchain(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    base = parse_cache.parse_key("a.fibro", "text")
    assert base == parse_cache.parse_key("a.fibro", "text")
    assert base not in {parse_cache.parse_key("b.fibro", "text"), parse_cache.parse_key("a.fibro", "text ")}
    package = tmp_path / "compiler"
    package.mkdir()
    (package / "build_ast.py").write_text("x = 1\n", encoding="utf-8")
    monkeypatch.setattr(proof_cache, "_PACKAGES", (package,))
    assert parse_cache.parse_key("a.fibro", "text") != base


def test_a_changed_compiler_parses_and_proves_again(tmp_path: Path) -> None:
    """End to end, in fresh processes: a copy of the toolchain checks a guideline, one of its
    files is edited (a comment only), and the next check stores a new tree and new proofs."""
    for package in ("compiler", "fibrolang"):
        shutil.copytree(ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "guidelines" / "sources", tmp_path / "guidelines" / "sources")
    guideline = tmp_path / "tests" / "analysis" / "cases" / "clean.fibro"
    guideline.parent.mkdir(parents=True)
    shutil.copy(ROOT / "tests" / "analysis" / "cases" / "clean.fibro", guideline)
    environment = {
        **os.environ,
        "PYTHONPATH": str(tmp_path),
        proof_cache.CACHE_VARIABLE: str(tmp_path / "cache"),
    }
    program = "import sys; from compiler.cli import main; main(sys.argv[1:])"

    def run() -> None:
        subprocess.run(
            [sys.executable, "-c", program, "check", str(guideline)],
            cwd=tmp_path,
            env=environment,
            check=True,
        )

    def stored(kind: str) -> int:
        return len(list((tmp_path / "cache" / kind).iterdir()))

    run()
    run()
    assert (stored("syntax"), stored("proofs")) == (1, 1)
    with (tmp_path / "compiler" / "front" / "build_ast.py").open("a", encoding="utf-8") as edited:
        edited.write("# an edit\n")
    run()
    assert (stored("syntax"), stored("proofs")) == (2, 2)


class Forged:
    """What a forged entry might ask the unpickler to build: anything but a syntax tree."""

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (os.system, ("echo forged > forged.txt",))


@pytest.mark.parametrize(
    "forge",
    [
        lambda header, key, payload: b"",
        lambda header, key, payload: header + key + b"\n" + b"not a pickle",
        lambda header, key, payload: header + b"0" * 64 + b"\n" + payload,
        lambda header, key, payload: b"fibrolang syntax tree 2\n" + key + b"\n" + payload,
        lambda header, key, payload: header + key + b"\n" + payload[: len(payload) // 2],
        lambda header, key, payload: header + key + b"\n" + pickle.dumps(("tree", []), protocol=5),
        lambda header, key, payload: header + key + b"\n" + pickle.dumps((Forged(), []), protocol=5),
        lambda header, key, payload: header + key + b"\n" + pickle.dumps([1, 2], protocol=5),
    ],
    ids=["empty", "not-a-pickle", "another-key", "another-format", "cut", "wrong-shape", "forged", "list"],
)
def test_an_entry_not_as_written_is_ignored_and_replaced(
    forge: object, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    path = ROOT / "tests" / "analysis" / "cases" / "invariant.fibro"
    afresh = api.check_file(path)
    api.check_file(path, cache=cache())
    (entry,) = entries()
    header = f"fibrolang syntax tree {parse_cache.FORMAT}\n".encode("ascii")
    key = entry.stem.encode("ascii")
    written = entry.read_bytes()
    payload = written[len(header) + len(key) + 1 :]
    entry.write_bytes(forge(header, key, payload))  # type: ignore[operator]
    again = api.check_file(path, cache=cache())
    assert again.diagnostics == afresh.diagnostics
    assert with_spans(again.guideline) == with_spans(afresh.guideline)
    assert not (tmp_path / "forged.txt").exists()
    assert entry.read_bytes() == written


def test_a_hit_imports_no_lark() -> None:
    program = (
        "import sys\n"
        "from compiler.cli import main\n"
        "try:\n"
        f"    main(['check', '--no-prove', {str(FIBROMYALGIA)!r}])\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(sorted(m for m in sys.modules if m.startswith(('lark', 'compiler.front.parse'))))\n"
    )
    runs = [
        subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, cwd=ROOT, check=True)
        for _ in range(2)
    ]
    assert "'lark'" in runs[0].stdout
    assert runs[1].stdout.splitlines()[-1] == "[]"
    assert runs[0].stdout.splitlines()[0] == runs[1].stdout.splitlines()[0]


def test_an_unpicklable_tree_is_checked_without_being_stored(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_: object, **__: object) -> bytes:
        raise RecursionError("maximum recursion depth exceeded while pickling an object")

    monkeypatch.setattr(pickle, "dumps", refuse)
    checked = api.check_file(FIBROMYALGIA, cache=cache())
    assert isinstance(checked.guideline, Guideline) and checked.ok
    assert entries() == []


def test_reading_a_file_does_not_import_the_parser() -> None:
    program = (
        "import sys\n"
        "from compiler.front.source import read_source\n"
        f"read_source({str(FIBROMYALGIA)!r})\n"
        "print(sorted(m for m in sys.modules if m.startswith('lark')))\n"
    )
    out = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
    assert read_source(FIBROMYALGIA)[0] is not None
