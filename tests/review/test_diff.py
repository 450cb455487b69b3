"""``fibrolang diff``: behavioural changes proved or witnessed, and replayed on the real runtime.

The edited versions of fibromyalgia.fibro are made here from the committed
guideline text by string replacement, so they follow the guideline when it
changes.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import fibrolang
from compiler import api
from compiler.analysis.replay import Runtime
from compiler.cli import main
from compiler.review.behaviour import compare, old_version, replay_both
from compiler.review.diff import TOGETHER, diff_versions, load_version
from compiler.testgen.equivalence import classify
from compiler.testgen.mutants import mutants
from compiler.testgen.view import snapshot_view
from fibrolang import read_graph
from fibrolang.graph_writer import write_graph

ROOT = Path(__file__).resolve().parents[2]
GUIDELINE = ROOT / "guidelines" / "fibromyalgia.fibro"
EGFR_OLD = "egfr < 30 mL/min/1.73m2"
LDN_OLD = "consider low_dose_naltrexone at 1.5 mg/day"
LDN_NEW = "consider low_dose_naltrexone at 1 mg/day"


def _edited(tmp_path: Path, name: str, *replacements: tuple[str, str]) -> Path:
    text = GUIDELINE.read_text(encoding="utf-8")
    for before, after in replacements:
        assert before in text, f"the guideline no longer says {before!r}: update this test"
        text = text.replace(before, after)
    return _write(tmp_path, name, text)


def _write(folder: Path, name: str, text: str) -> Path:
    """A guideline file beside a copy of the source texts it quotes."""
    (folder / "sources").mkdir(exist_ok=True)
    for source in (ROOT / "guidelines" / "sources").iterdir():
        (folder / "sources" / source.name).write_bytes(source.read_bytes())
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def _evaluate(graph: dict[str, Any], patient: dict[str, Any]) -> dict[str, Any]:
    """The runtime's result as a dict, or {} when it refuses the plan (as ``Replay`` keeps it).
    Mutants are graphs made in memory and keep the original's graph_hash: not checked here."""
    patient = {k: v for k, v in patient.items() if k in graph["inputs"]}
    try:
        result: dict[str, Any] = fibrolang.load(graph, verify=False).evaluate(patient).to_dict()
    except fibrolang.SafetyViolation:
        return {}
    return result


@cache
def _original() -> dict[str, Any]:
    return api.compile_file(GUIDELINE)


def test_egfr_threshold_and_naltrexone_start_dose_are_exactly_two_changes(tmp_path: Path) -> None:
    edited = _edited(tmp_path, "v2.fibro", (EGFR_OLD, "egfr < 35 mL/min/1.73m2"), (LDN_OLD, LDN_NEW))
    report = diff_versions(load_version(str(GUIDELINE)), load_version(str(edited)))
    assert report.verdict == "changes" and report.exit_code == 1
    causes = [change.cause for change in report.changes]
    assert TOGETHER not in causes and len(causes) == 2, causes
    threshold, dose = report.changes
    # The threshold is written in a definition, a contraindication and a safety rule: the same
    # edit in three places is one cause, not three (nor "the edits together").
    assert sorted(edit.label for edit in threshold.edits) == [
        "definition duloxetine_contraindicated",
        "intervention duloxetine",
        "invariant no_duloxetine_liver_or_renal",
    ]
    assert [edit.label for edit in dose.edits] == ["node naltrexone"] and dose.cause == "node naltrexone"
    assert dose.kinds() == ["dose changed"]
    assert "recommendation removed" in threshold.kinds()
    old_graph, new_graph = write_graph(report.old.model), write_graph(report.new.model)
    for change in report.changes:
        assert change.witnesses and change.hunks
        for witness in change.witnesses:
            # Replayed: the runtime's results on both versions are the ones reported, and differ.
            before, after = _evaluate(old_graph, witness.patient), _evaluate(new_graph, witness.patient)
            assert before == dict(witness.old.result) and after == dict(witness.new.result)
            assert snapshot_view(before) != snapshot_view(after)
    egfr_values = {w.patient["egfr"] for w in threshold.witnesses}
    assert all(30 <= value < 35 for value in egfr_values)
    added = [line for hunk in threshold.hunks for line in hunk.added]
    assert sum("egfr < 35" in line for line in added) == 3, added
    (effect,) = dose.witnesses[0].effects
    assert effect.subject == "low_dose_naltrexone" and "1.5 mg/day" in effect.old and "1 mg/day" in effect.new


def _reformatted(text: str) -> str:
    """The same guideline laid out differently: comments and blank lines between blocks."""
    lines = []
    for line in text.splitlines():
        if re.match(
            r"^(define|decide|step|drug|therapy|invariant|input) ", line.strip()
        ) and not line.startswith(" " * 6):
            lines += ["", "# (a reviewer's comment)"]
        lines.append(line + "  " if line.strip().startswith("#") else line)
    return "\n".join(lines) + "\n"


def test_reformatting_and_renaming_a_note_are_proved_to_change_no_patient(tmp_path: Path) -> None:
    text = GUIDELINE.read_text(encoding="utf-8")
    reformatted = _write(tmp_path, "reformatted.fibro", _reformatted(text))
    assert api.check_file(reformatted).ok
    note = re.search(r'note "([^"]+)"', text)
    assert note is not None
    renamed = _edited(tmp_path, "renamed.fibro", (note.group(0), 'note "' + note.group(1) + ' (reworded)"'))
    old = load_version(str(GUIDELINE))
    for edited, changed in ((reformatted, False), (renamed, True)):
        report = diff_versions(old, load_version(str(edited)))
        assert report.verdict == "no_changes" and report.exit_code == 0, edited
        assert report.comparison.questions == 0 or not report.comparison.witnesses
        assert bool(report.structure.edits) is changed
        if changed:
            assert all("notes" in edit.fields for edit in report.structure.edits if edit.kind != "node")


def test_the_cli_reports_text_json_markdown_and_exit_codes(tmp_path: Path) -> None:
    edited = _edited(tmp_path, "dose.fibro", (LDN_OLD, LDN_NEW))
    runner = CliRunner()
    text = runner.invoke(main, ["diff", str(GUIDELINE), str(edited)])
    assert text.exit_code == 1, text.output
    assert "1 behavioural change(s)" in text.output and "dose changed" in text.output
    assert "- 861:" not in text.output or "+ 861:" in text.output
    as_json = runner.invoke(main, ["diff", str(GUIDELINE), str(edited), "--format", "json"])
    data = json.loads(as_json.output)
    assert data["verdict"] == "changes" and data["by_kind"] == {"dose changed": [0]}
    witness = data["changes"][0]["witnesses"][0]
    assert witness["old"]["status"] == witness["new"]["status"] == "ok"
    out = tmp_path / "diff.md"
    markdown = runner.invoke(
        main, ["diff", str(GUIDELINE), str(edited), "--format", "markdown", "-o", str(out)]
    )
    assert markdown.exit_code == 1
    assert out.read_text(encoding="utf-8").startswith("# Behavioural diff")
    same = runner.invoke(main, ["diff", str(GUIDELINE), str(GUIDELINE)])
    assert same.exit_code == 0 and "no patient changes" in same.output
    graph_json = runner.invoke(
        main, ["diff", str(ROOT / "guidelines" / "fibromyalgia.graph.json"), str(GUIDELINE)]
    )
    assert graph_json.exit_code in (0, 1), graph_json.output


def test_errors_exit_2_with_one_clear_message(tmp_path: Path) -> None:
    runner = CliRunner()
    missing = runner.invoke(main, ["diff", str(GUIDELINE), str(tmp_path / "nowhere.fibro")])
    assert missing.exit_code == 2 and "cannot read" in missing.output
    broken = _edited(tmp_path, "broken.fibro", ("egfr < 30", "egfr < thirty"))
    bad = runner.invoke(main, ["diff", str(GUIDELINE), str(broken)])
    assert bad.exit_code == 2 and "does not compile" in bad.output and "Traceback" not in bad.output
    neither = runner.invoke(main, ["diff", str(GUIDELINE)])
    assert neither.exit_code == 2 and "--against" in neither.output


def test_an_undecided_question_is_its_own_verdict(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import z3

    from compiler.analysis import solve

    monkeypatch.setattr(solve, "check", lambda solver: z3.unknown)
    edited = _edited(tmp_path, "dose.fibro", (LDN_OLD, LDN_NEW))
    report = diff_versions(load_version(str(GUIDELINE)), load_version(str(edited)))
    assert report.verdict == "unknown" and report.exit_code == 2
    assert report.comparison.undecided and not report.changes


def test_against_a_git_revision(tmp_path: Path) -> None:
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    path = _write(tmp_path, "fibromyalgia.fibro", GUIDELINE.read_text(encoding="utf-8"))
    git = ["git", "-C", str(tmp_path), "-c", "user.name=t", "-c", "user.email=t@example.org"]
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "v1"], check=True)
    path.write_text(path.read_text(encoding="utf-8").replace(LDN_OLD, LDN_NEW), encoding="utf-8")
    result = CliRunner().invoke(main, ["diff", str(path), "--against", "HEAD", "--format", "json"])
    assert result.exit_code == 1, result.output
    data = json.loads(result.output)
    assert data["old"] == f"HEAD:{path.as_posix()}" and data["by_kind"] == {"dose changed": [0]}
    wrong = CliRunner().invoke(main, ["diff", str(path), "--against", "no-such-revision"])
    assert wrong.exit_code == 2 and "git cannot show" in wrong.output


def test_markdown_escapes_guideline_text() -> None:
    from compiler.review.diff_render import _md

    assert _md("<script>|*x*") == "&lt;script&gt;\\|\\*x\\*"


def _synthetic() -> dict[str, Any]:
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import tempfile

    from synthetic import synthetic_guideline

    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "synthetic.fibro"
        path.write_text(synthetic_guideline(12), encoding="utf-8")
        return api.compile_file(path)


# Mutants of fibromyalgia that once fooled the comparison: two "increase pregabalin" items with
# different doses on one plan, and two identical "stop tramadol" items (the runtime keeps one).
REGRESSIONS = ("move-threshold review_pregabalin/6 #1 [>=] 300 → 299", "flip-comparison review_adjuncts/3 #1")


def _sample(chosen: list[Any]) -> list[Any]:
    """Three mutants of each operator, spread over the guideline, and the regressions: every
    operator is tried in CI in about a minute (all 379 take an hour; docs/review.md)."""
    by_operator: dict[str, list[Any]] = {}
    for mutant in chosen:
        by_operator.setdefault(mutant.id.split()[0], []).append(mutant)
    sample = [group[i * len(group) // 3] for group in by_operator.values() for i in range(min(3, len(group)))]
    sample += [m for m in chosen if m.id.startswith(REGRESSIONS) and m not in sample]
    return sample


@pytest.mark.slow
@pytest.mark.parametrize("name", ["synthetic", "fibromyalgia"])
def test_every_mutant_is_witnessed_or_proved_unchanged(name: str) -> None:
    """Against ``fibrolang mutate``'s mutants: the diff finds a runtime-confirmed witness for
    every mutant that is not equivalent, and proves "no patient changes" for every mutant the
    mutation classifier proves equivalent. A mutant the classifier tells apart only by the
    trace's item guards (two identical items, the runtime keeping the first) gives every
    patient the same result: its patient is replayed to show it."""
    graph = _synthetic() if name == "synthetic" else _original()
    typed = read_graph(graph)
    chosen = mutants(typed)
    if name == "fibromyalgia":
        chosen = _sample(chosen)
        assert len([m for m in chosen if m.id.startswith(REGRESSIONS)]) == 2
    encoded = old_version(typed)
    runtime = Runtime()
    verdicts = []
    for mutant in chosen:
        found = compare(encoded, mutant.model, first_only=True)
        verdicts.append(found.verdict)
        equivalence = classify(typed, mutant.model)
        if found.verdict == "changes":
            assert equivalence.kind != "equivalent", (mutant.id, found.witnesses[0].patient)
            witness = found.witnesses[0]
            before, after = _evaluate(graph, witness.patient), _evaluate(mutant.graph, witness.patient)
            assert witness.effects and before == dict(witness.old.result), mutant.id
            assert after == dict(witness.new.result)
        else:
            assert found.verdict == "no_changes", (mutant.id, found)
            if equivalence.kind == "survivor":
                assert equivalence.patient is not None
                same = replay_both(runtime, typed, mutant.model, equivalence.patient)
                assert same.effects == (), (mutant.id, same.effects)
            else:
                assert equivalence.kind == "equivalent", (mutant.id, equivalence)
    assert "changes" in verdicts
    if name == "synthetic":
        assert verdicts.count("no_changes") >= 4


def test_only_the_same_change_of_logic_is_one_cause(tmp_path: Path) -> None:
    """The eGFR threshold moved to 35 in the definition and the safety rule but to 40 in the
    contraindication: two causes, not one; a reworded note elsewhere is a third."""
    from compiler.review.structure import revertible, same_edits, structural_diff

    text = GUIDELINE.read_text(encoding="utf-8")
    contraindication = "contraindicated when chronic_liver_disease or " + EGFR_OLD
    assert text.count(EGFR_OLD) == 3 and contraindication in text
    text = text.replace(contraindication, contraindication.replace("< 30", "< 40"))
    text = text.replace(EGFR_OLD, "egfr < 35 mL/min/1.73m2")
    note = re.search(r'note "([^"]+)"', text)
    assert note is not None and note.start() < text.index(EGFR_OLD.replace("30", "35"))
    text = text.replace(note.group(0), 'note "' + note.group(1) + ' (checked)"', 1)
    edited = _write(tmp_path, "v3.fibro", text)
    old, new = read_graph(_original()), read_graph(api.compile_file(edited))
    groups = same_edits(revertible(structural_diff(old, new)), old, new)
    labels = sorted(sorted(edit.label for edit in group) for group in groups)
    assert ["definition duloxetine_contraindicated", "invariant no_duloxetine_liver_or_renal"] in labels
    assert ["intervention duloxetine"] in labels
    assert all(len(group) <= 2 for group in labels) and len(labels) == 3, labels


def test_witnesses_come_in_a_fixed_order_not_the_solvers() -> None:
    """The witnesses are ordered by what they tell apart, then by the patient, so the report
    is the same every run (the solver's order of answers varies between processes)."""
    old, new = (
        read_graph(json.loads((ROOT / "guidelines" / f"{name}.graph.json").read_text()))
        for name in ("bmi_who", "acr2016")
    )
    witnesses = compare(old, new).witnesses
    order = [(w.questions, json.dumps(w.patient, sort_keys=True)) for w in witnesses]
    assert len(witnesses) > 2 and order == sorted(order)


@pytest.mark.slow
def test_the_same_two_versions_give_the_same_report_in_every_process() -> None:
    root = ROOT
    command = [sys.executable, "-m", "compiler.cli", "diff", "guidelines/bmi_who.graph.json"]
    command.append("guidelines/acr2016.graph.json")
    reports = {
        subprocess.run(command, cwd=root, capture_output=True, text=True, env=_env(seed)).stdout
        for seed in ("0", "1", "2", "3")
    }
    assert len(reports) == 1 and "witness" in next(iter(reports))


def _env(seed: str) -> dict[str, str]:
    return {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(ROOT)}
