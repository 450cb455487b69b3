"""fibrolang check answers the proofs of an unchanged guideline from its cache
(compiler/proof_cache.py): the same output and exit code as proving afresh, no z3, and any
entry that is not exactly what it wrote is ignored."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

import compiler.analysis
from compiler import api, proof_cache
from compiler.cli import main
from compiler.diagnostics.catalogue import Diagnostic

ROOT = Path(__file__).resolve().parents[2]
CASES = ROOT / "tests" / "analysis" / "cases"
FIBROMYALGIA = ROOT / "guidelines" / "fibromyalgia.fibro"


def check(*arguments: str) -> Result:
    return CliRunner().invoke(main, ["check", *arguments])


def entries() -> list[Path]:
    return sorted((Path(os.environ[proof_cache.CACHE_VARIABLE]) / "proofs").glob("*.json"))


def refuse_to_prove(monkeypatch: pytest.MonkeyPatch) -> None:
    def proving(*_: object, **__: object) -> list[Diagnostic]:
        raise AssertionError("proved again instead of reading the cache")

    monkeypatch.setattr(api, "prove", proving)


CASE_PATHS = [*sorted(p for p in CASES.glob("*.fibro") if p.stem != "undecided"), FIBROMYALGIA]


@pytest.mark.parametrize("path", CASE_PATHS, ids=lambda p: p.stem)
@pytest.mark.parametrize("format_", ["plain", "json"])
def test_a_hit_prints_exactly_what_proving_afresh_prints(
    path: Path, format_: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    afresh = check("--no-cache", "--format", format_, str(path))
    assert entries() == []  # --no-cache writes nothing
    first = check("--format", format_, str(path))
    assert len(entries()) == 1
    refuse_to_prove(monkeypatch)
    second = check("--format", format_, str(path))
    assert (first.exit_code, first.output) == (afresh.exit_code, afresh.output)
    assert (second.exit_code, second.output) == (afresh.exit_code, afresh.output)


def test_the_cases_include_failed_proofs_with_counterexamples() -> None:
    found = json.loads(check("--format", "json", str(CASES / "conflict.fibro")).output)["diagnostics"]
    assert any(d["code"] == "FIB205" and "counterexample" in d["data"] for d in found)
    assert len(entries()) == 1


def test_no_prove_neither_reads_nor_writes_the_cache() -> None:
    assert check("--no-prove", str(FIBROMYALGIA)).exit_code == 0
    assert entries() == []


def copy_case(tmp_path: Path, name: str) -> Path:
    shutil.copytree(ROOT / "guidelines" / "sources", tmp_path / "guidelines" / "sources")
    (tmp_path / "tests" / "analysis" / "cases").mkdir(parents=True)
    target = tmp_path / "tests" / "analysis" / "cases" / f"{name}.fibro"
    shutil.copy(CASES / f"{name}.fibro", target)
    return target


def test_an_edited_guideline_is_proved_again(tmp_path: Path) -> None:
    path = copy_case(tmp_path, "clean")
    assert check(str(path)).exit_code == 0
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("guideline clean", "guideline clean\n  # an edit"), encoding="utf-8")
    assert check(str(path)).exit_code == 0
    assert len(entries()) == 2


def test_the_key_covers_file_name_text_limits_and_toolchain() -> None:
    base = proof_cache.proof_key("a.fibro", "text", 10_000, 30.0)
    assert base == proof_cache.proof_key("a.fibro", "text", 10_000, 30.0)
    others = {
        proof_cache.proof_key("b.fibro", "text", 10_000, 30.0),
        proof_cache.proof_key("a.fibro", "text ", 10_000, 30.0),
        proof_cache.proof_key("a.fibro", "text", 9_000, 30.0),
        proof_cache.proof_key("a.fibro", "text", 10_000, None),
    }
    assert base not in others and len(others) == 4


def test_a_changed_toolchain_file_changes_the_key(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    package = tmp_path / "compiler"
    package.mkdir()
    (package / "lower.py").write_text("x = 1\n", encoding="utf-8")
    monkeypatch.setattr(proof_cache, "_PACKAGES", (package,))
    before = proof_cache.toolchain_fingerprint()
    (package / "lower.py").write_text("x = 2\n", encoding="utf-8")
    assert proof_cache.toolchain_fingerprint() != before


@pytest.mark.parametrize(
    "tampered",
    [
        "not json",
        "[]",
        '{"format": 1, "key": "another", "diagnostics": []}',
        '{"format": 2, "key": "KEY", "diagnostics": []}',
        '{"format": 1, "key": "KEY", "diagnostics": [{"code": "FIB999"}]}',
        '{"format": 1, "key": "KEY", "diagnostics": {}}',
        '{"format": 1, "key": "KEY", "diagnostics": [], "extra": 1}',
    ],
)
def test_an_entry_not_as_written_is_ignored_and_replaced(tampered: str) -> None:
    path = str(CASES / "invariant.fibro")
    afresh = check("--no-cache", "--format", "plain", path)
    assert check("--format", "plain", path).output == afresh.output
    (entry,) = entries()
    entry.write_text(tampered.replace("KEY", entry.stem), encoding="utf-8")
    again = check("--format", "plain", path)
    assert (again.exit_code, again.output) == (afresh.exit_code, afresh.output)
    assert json.loads(entry.read_text(encoding="utf-8"))["key"] == entry.stem


def test_a_forged_clean_entry_of_the_wrong_shape_cannot_hide_a_failed_proof() -> None:
    path = str(CASES / "invariant.fibro")
    check("--format", "plain", path)
    (entry,) = entries()
    payload = json.loads(entry.read_text(encoding="utf-8"))
    payload["diagnostics"][0]["span"] = ["x", 1, 1, 1]  # four numbers where five are written
    entry.write_text(json.dumps(payload), encoding="utf-8")
    assert "FIB207" in check("--format", "plain", path).output


def test_answers_that_depend_on_the_clock_are_not_stored(monkeypatch: pytest.MonkeyPatch) -> None:
    result = check("--proof-budget", "0.000001", "--format", "plain", str(FIBROMYALGIA))
    assert "FIB221" in result.output
    assert entries() == []


def test_an_unwritable_cache_is_no_error(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("", encoding="utf-8")
    monkeypatch.setenv(proof_cache.CACHE_VARIABLE, str(blocker))
    result = check(str(FIBROMYALGIA))
    assert result.exit_code == 0, result.output


def test_a_hit_imports_no_z3_and_no_runtime() -> None:
    program = (
        "import sys\n"
        "from compiler.cli import main\n"
        "try:\n"
        f"    main(['check', {str(FIBROMYALGIA)!r}])\n"
        "except SystemExit:\n"
        "    pass\n"
        "watched = ('z3', 'compiler.analysis', 'fibrolang.load')\n"
        "print(sorted(m for m in sys.modules if m.startswith(watched)))\n"
    )
    runs = [
        subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, cwd=ROOT, check=True)
        for _ in range(2)
    ]
    assert "'z3'" in runs[0].stdout
    assert runs[1].stdout.splitlines()[-1] == "[]"
    assert runs[0].stdout.splitlines()[0] == runs[1].stdout.splitlines()[0]


def test_the_cache_directories_are_the_users_alone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "made" / "here"
    monkeypatch.setenv(proof_cache.CACHE_VARIABLE, str(root))
    assert check(str(FIBROMYALGIA)).exit_code == 0
    made = [tmp_path / "made", root, *(p for p in root.iterdir() if p.is_dir())]
    assert {p.name for p in made} >= {"made", "here", "proofs", "syntax"}
    assert all(p.stat().st_mode & 0o777 == 0o700 for p in made)


def proved() -> list[Path]:
    return sorted((Path(os.environ[proof_cache.CACHE_VARIABLE]) / "proved").glob("*.json"))


def refuse_to_analyse(monkeypatch: pytest.MonkeyPatch) -> None:
    def proving(*_: object, **__: object) -> list[Diagnostic]:
        raise AssertionError("proved again instead of recalling a clean proof of the same logic")

    monkeypatch.setattr(api, "prove_graph", proving)
    monkeypatch.setattr(compiler.analysis, "analyse", proving)


def copy_fibromyalgia(tmp_path: Path) -> Path:
    (tmp_path / "sources").symlink_to(ROOT / "guidelines" / "sources")
    target = tmp_path / "fibromyalgia.fibro"
    shutil.copy(FIBROMYALGIA, target)
    return target


def test_an_edit_of_quotes_comments_and_layout_is_answered_by_the_clean_proof_of_its_logic(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = copy_fibromyalgia(tmp_path)
    assert check(str(path)).exit_code == 0
    assert len(proved()) == 1
    text = path.read_text(encoding="utf-8")
    edited = text.replace(  # a quote shortened to a verbatim part of itself, and lines added
        '  quote "Avoid corticosteroids and strong opioids"\n  cite 3, 1, 8\n\ninvariant no_corticosteroid',
        '  quote "Avoid corticosteroids"\n  cite 3, 1, 8\n\ninvariant no_corticosteroid',
    ).replace("guideline fibromyalgia\n", "# an edit\n\nguideline fibromyalgia\n")
    assert edited.count("\n") == text.count("\n") + 2
    path.write_text(edited, encoding="utf-8")
    afresh = check("--no-cache", "--format", "json", str(path))
    refuse_to_analyse(monkeypatch)
    recalled = check("--format", "json", str(path))
    assert (recalled.exit_code, recalled.output) == (afresh.exit_code, afresh.output) == (0, afresh.output)
    assert len(entries()) == 2 and len(proved()) == 1


def test_an_edit_of_the_logic_is_proved_again_and_its_failure_reported(tmp_path: Path) -> None:
    path = copy_fibromyalgia(tmp_path)
    assert check(str(path)).exit_code == 0
    text = path.read_text(encoding="utf-8")
    # the definition's threshold moves, the invariant's does not: a patient at 29.5 is refuted
    assert text.count("egfr < 30 mL/min/1.73m2") >= 2
    path.write_text(text.replace("egfr < 30 mL/min/1.73m2", "egfr < 29 mL/min/1.73m2", 1), encoding="utf-8")
    afresh = check("--no-cache", "--format", "json", str(path))
    again = check("--format", "json", str(path))
    assert (again.exit_code, again.output) == (afresh.exit_code, afresh.output)
    assert again.exit_code == 1 and "FIB207" in again.output
    assert len(proved()) == 1  # the failed proof is kept only under its text's key
    assert len(entries()) == 2


def test_a_guideline_with_proof_diagnostics_keeps_none_under_its_logic() -> None:
    result = check("--format", "plain", str(CASES / "invariant.fibro"))
    assert "FIB207" in result.output
    assert len(entries()) == 1 and proved() == []


def typed_graph(text: str, tmp_path: Path) -> object:
    path = tmp_path / "fibromyalgia.fibro"
    path.write_text(text, encoding="utf-8")
    checked = api.check_file(path)
    graph = api.graph_to_prove(checked)
    assert not isinstance(graph, list)
    return graph


def test_the_logic_key_leaves_out_positions_and_traceability_and_nothing_else(tmp_path: Path) -> None:
    (tmp_path / "sources").symlink_to(ROOT / "guidelines" / "sources")
    text = FIBROMYALGIA.read_text(encoding="utf-8")
    base = proof_cache.logic_key(typed_graph(text, tmp_path), 10_000, None)  # type: ignore[arg-type]
    alike = {
        "moved": "\n\n# moved down\n" + text,
        "quote": text.replace(
            '  quote "Avoid corticosteroids and strong opioids"\n', '  quote "Avoid corticosteroids"\n'
        ),
        "note": text.replace(
            'note "CHOICE: pregabalin before', 'note "CHOICE (reworded): pregabalin before', 1
        ),
    }
    different = {
        "threshold": text.replace("egfr < 30 mL/min/1.73m2", "egfr < 29 mL/min/1.73m2"),
        "dose": text.replace("pregabalin: 450 mg/day", "pregabalin: 300 mg/day", 1),
    }
    for name, edited in {**alike, **different}.items():
        assert edited != text, name
        key = proof_cache.logic_key(typed_graph(edited, tmp_path), 10_000, None)  # type: ignore[arg-type]
        assert (key == base) == (name in alike), name
    graph = typed_graph(text, tmp_path)
    assert proof_cache.logic_key(graph, 9_000, None) != base  # type: ignore[arg-type]
    assert proof_cache.logic_key(graph, 10_000, 30.0) != base  # type: ignore[arg-type]


def test_the_logic_key_does_not_depend_on_the_hash_seed() -> None:
    program = (
        "from compiler import api, proof_cache\n"
        f"graph = api.graph_to_prove(api.check_file({str(FIBROMYALGIA)!r}))\n"
        "print(proof_cache.logic_key(graph, 10_000, None))\n"
    )
    keys = {
        subprocess.run(
            [sys.executable, "-c", program],
            capture_output=True,
            text=True,
            cwd=ROOT,
            check=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
        ).stdout
        for seed in ("1", "2")
    }
    assert len(keys) == 1


def questions() -> list[Path]:
    return sorted((Path(os.environ[proof_cache.CACHE_VARIABLE]) / "questions").glob("*.json"))


def test_an_edit_of_the_logic_recalls_the_answers_of_the_questions_it_left_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A new safety rule: the questions of the rest of the guideline are recalled (per question,
    compiler/analysis/recall.py), the new rule's is asked; the output is that of proving afresh."""
    from compiler.analysis import recall, solve

    path = copy_fibromyalgia(tmp_path)
    assert check("--no-cache", str(path)).exit_code == 0
    assert questions() == []  # --no-cache writes nothing
    assert check(str(path)).exit_code == 0
    assert len(questions()) == 1
    text = path.read_text(encoding="utf-8")
    rule = 'invariant no_nsaid "Never an NSAID"\n'
    assert rule in text
    path.write_text(
        text.replace(
            rule, 'invariant no_opioid_again "No strong opioid"\n  never recommend nsaid\n\n' + rule
        ),
        encoding="utf-8",
    )
    afresh = check("--no-cache", "--format", "json", str(path))
    made: list[recall.Recall] = []
    original = recall.Recall.__init__

    def noting(self: recall.Recall, *arguments: Any) -> None:
        original(self, *arguments)
        made.append(self)

    monkeypatch.setattr(recall.Recall, "__init__", noting)
    asked: list[object] = []
    checking = solve.check

    def counting(solver: object) -> Any:
        asked.append(solver)
        return checking(solver)

    monkeypatch.setattr(solve, "check", counting)
    again = check("--format", "json", str(path))
    assert (again.exit_code, again.output) == (afresh.exit_code, afresh.output)
    assert len(made) == 1 and made[0].asked == 0 and len(made[0].answers) > 100  # all recalled
    assert asked == []  # z3 was asked nothing
    assert len(questions()) == 1


def test_damaged_answers_of_earlier_questions_are_ignored(tmp_path: Path) -> None:
    path = copy_fibromyalgia(tmp_path)
    assert check(str(path)).exit_code == 0
    (entry,) = questions()
    entry.write_text(entry.read_text(encoding="utf-8").replace('"sat"', '"unsat"'), encoding="utf-8")
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("egfr < 30 mL/min/1.73m2", "egfr < 29 mL/min/1.73m2", 1), encoding="utf-8")
    afresh = check("--no-cache", "--format", "json", str(path))
    again = check("--format", "json", str(path))
    assert (again.exit_code, again.output) == (afresh.exit_code, afresh.output)
    assert proof_cache.read_answers(entry) != {}  # replaced by the answers of this run


def test_recalled_counterexamples_are_those_of_proving_afresh_in_another_process(tmp_path: Path) -> None:
    """Across processes (z3's term ids differ): a failing rule's counterexample patient is
    recalled for a copy of that rule under another name, and the output is that of proving
    afresh."""
    path = copy_case(tmp_path, "invariant")
    rule = "  never recommend milnacipran when age > 80 years\n"
    text = path.read_text(encoding="utf-8")
    assert rule in text
    cache = tmp_path / "cache"

    def run(*arguments: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-c", "from compiler.cli import main; main()", "check", *arguments, str(path)],
            capture_output=True,
            text=True,
            cwd=ROOT,
            check=False,
            env={**os.environ, proof_cache.CACHE_VARIABLE: str(cache), "PYTHONHASHSEED": "3"},
        )

    assert run("--format", "json").returncode == 1
    (entry,) = (cache / "questions").glob("*.json")
    before = proof_cache.read_answers(entry)
    assert any("patient" in answer for answer in before.values())
    copy = 'invariant no_milnacipran_over_80_again "The same rule again"\n' + rule
    path.write_text(
        text.replace('invariant exercise_always "', copy + 'invariant exercise_always "', 1), encoding="utf-8"
    )
    written = entry.stat().st_mtime_ns
    recalled = run("--format", "json")
    afresh = run("--no-cache", "--format", "json")
    assert (recalled.returncode, recalled.stdout) == (afresh.returncode, afresh.stdout)
    assert recalled.stdout.count('"FIB207"') == 3
    # nothing was asked (the answers are rewritten only when something was): every verdict and
    # patient, the copy's included, was recalled
    assert entry.stat().st_mtime_ns == written and proof_cache.read_answers(entry) == before
