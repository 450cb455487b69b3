"""The diff report as text, JSON and Markdown (one data model, three renderings)."""

from __future__ import annotations

import json
from typing import Any

from compiler.review.behaviour import Effect, Witness
from compiler.review.diff import Change, DiffReport
from compiler.review.structure import Edit, SourceHunk

JSON = dict[str, Any]

VERDICT_WORDS = {
    "no_changes": "no patient changes (z3 proves that every patient gets the same result from both versions)",
    "changes": "patients get a different result",
    "unknown": "unknown: the solver could not decide every question, so no proof either way",
}


def _edit_json(edit: Edit) -> JSON:
    return {
        "kind": edit.kind,
        "name": edit.name,
        "change": edit.change,
        "fields": list(edit.fields),
        "node": edit.parent,
        "old_line": edit.old_line,
        "new_line": edit.new_line,
    }


def _hunk_json(hunk: SourceHunk) -> JSON:
    return {
        "old_line": hunk.old_start,
        "new_line": hunk.new_start,
        "removed": list(hunk.removed),
        "added": list(hunk.added),
    }


def _effect_json(effect: Effect) -> JSON:
    return {"kind": effect.kind, "subject": effect.subject, "old": effect.old, "new": effect.new}


def plan_of(result: JSON, outcome: str, violated: str | None) -> JSON:
    """The part of a runtime result a committee reads: status and what the patient gets."""
    return {
        "status": outcome if outcome != "violation" else f"refused by invariant {violated}",
        "recommendations": [
            " ".join(
                part
                for part in (
                    r["action"],
                    r["intervention"],
                    _dose(r.get("dose")),
                )
                if part
            )
            for r in result.get("recommendations", [])
        ],
        "avoid": [a["intervention"] for a in result.get("avoid", [])],
        "flags": [f["id"] for f in result.get("flags", [])],
        "monitoring": [m["what"] for m in result.get("monitoring", [])],
        "missing": list(result.get("missing", [])),
    }


def _dose(dose: JSON | None) -> str:
    if not dose:
        return ""
    low, high = dose["min"], dose["max"]
    amount = f"{low:g}" if low == high else f"{low:g}-{high:g}"
    return f"{amount} {dose.get('unit') or ''}".strip()


def _witness_json(witness: Witness) -> JSON:
    return {
        "patient": witness.patient,
        "effects": [_effect_json(e) for e in witness.effects],
        "old": {
            **plan_of(dict(witness.old.result), witness.old.outcome, witness.old.violated),
            "route": list(witness.old.edges),
        },
        "new": {
            **plan_of(dict(witness.new.result), witness.new.outcome, witness.new.violated),
            "route": list(witness.new.edges),
        },
        "observations": list(witness.questions),
    }


def _change_json(change: Change) -> JSON:
    return {
        "cause": change.cause,
        "kinds": change.kinds(),
        "edits": [_edit_json(e) for e in change.edits],
        "source_edits": [_hunk_json(h) for h in change.hunks],
        "witnesses": [_witness_json(w) for w in change.witnesses],
    }


def report_json(report: DiffReport) -> JSON:
    comparison = report.comparison
    by_kind: dict[str, list[int]] = {}
    for index, change in enumerate(report.changes):
        for kind in change.kinds():
            by_kind.setdefault(kind, []).append(index)
    return {
        "old": report.old.name,
        "new": report.new.name,
        "verdict": report.verdict,
        "verdict_words": VERDICT_WORDS[report.verdict],
        "questions": comparison.questions,
        "undecided": list(comparison.undecided),
        "unconfirmed": list(comparison.unconfirmed),
        "changes": [_change_json(c) for c in report.changes],
        "by_kind": dict(sorted(by_kind.items())),
        "structure": {
            "header": {k: {"old": v[0], "new": v[1]} for k, v in sorted(report.structure.header.items())},
            "edits": [_edit_json(e) for e in report.structure.edits],
            "quotes": [f"{e.kind} {e.name}" for e in report.structure.quotes],
        },
    }


def render_json(report: DiffReport) -> str:
    return json.dumps(report_json(report), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


# -- text and Markdown -------------------------------------------------------------


def _edit_words(edit: Edit) -> str:
    where = f" (in {edit.parent})" if edit.parent else ""
    fields = f": {', '.join(edit.fields)}" if edit.fields else ""
    line = edit.new_line or edit.old_line
    at = f" [line {line}]" if line else ""
    return f"{edit.change} {edit.kind} {edit.name}{where}{fields}{at}"


def _plan_lines(plan: JSON) -> list[str]:
    lines = [f"status: {plan['status']}"]
    for label in ("recommendations", "avoid", "flags", "monitoring", "missing"):
        if plan[label]:
            lines.append(f"{label}: {'; '.join(plan[label])}")
    return lines


def _structure_lines(report: DiffReport) -> list[str]:
    lines = []
    for key, (before, after) in sorted(report.structure.header.items()):
        lines.append(f"guideline {key}: {before} -> {after}")
    lines.extend(_edit_words(e) for e in report.structure.edits)
    return lines or ["no element added, removed or changed"]


def render_text(report: DiffReport) -> str:
    data = report_json(report)
    out = [f"fibrolang diff {report.old.name} -> {report.new.name}", f"verdict: {data['verdict_words']}"]
    for note in data["undecided"]:
        out.append(f"  undecided: {note}")
    for note in data["unconfirmed"]:
        out.append(f"  the runtime did not confirm a solver difference in: {note}")
    if report.changes:
        out.append(f"{len(report.changes)} behavioural change(s):")
    for number, change in enumerate(data["changes"], 1):
        out.append("")
        out.append(f"[{number}] caused by {change['cause']} ({', '.join(change['kinds'])})")
        for hunk in change["source_edits"]:
            out.extend(f"    - {hunk['old_line']}: {line}" for line in hunk["removed"])
            out.extend(f"    + {hunk['new_line']}: {line}" for line in hunk["added"])
        for index, witness in enumerate(change["witnesses"], 1):
            out.append(f"  witness {number}.{index}: {json.dumps(witness['patient'], sort_keys=True)}")
            for effect in witness["effects"]:
                out.append(
                    f"    {effect['kind']}: {effect['subject']}: "
                    f"{effect['old'] or '-'} -> {effect['new'] or '-'}"
                )
            old_lines, new_lines = _plan_lines(witness["old"]), _plan_lines(witness["new"])
            out.append("    old plan:")
            out.extend(f"      {line}" for line in old_lines)
            out.append("    new plan:")
            out.extend(f"      {line}" for line in new_lines)
    out.append("")
    out.append("structural changes:")
    out.extend(f"  {line}" for line in _structure_lines(report))
    return "\n".join(out) + "\n"


def _md(text: str) -> str:
    """Text safe inside a Markdown table cell or paragraph (no markup, no HTML)."""
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    for char in "\\`*_{}[]()#+!|":
        escaped = escaped.replace(char, "\\" + char)
    return escaped.replace("\n", " ")


def render_markdown(report: DiffReport) -> str:
    data = report_json(report)
    out = [
        f"# Behavioural diff: {_md(report.old.name)} → {_md(report.new.name)}",
        "",
        f"**Verdict:** {_md(data['verdict_words'])}",
        "",
    ]
    for note in data["undecided"]:
        out.append(f"- undecided: {_md(note)}")
    for number, change in enumerate(data["changes"], 1):
        out += ["", f"## {number}. Caused by {_md(change['cause'])}", ""]
        out.append(f"What changed: {_md(', '.join(change['kinds']))}")
        if change["source_edits"]:
            out += ["", "```diff"]
            for hunk in change["source_edits"]:
                out.extend(f"-{line}" for line in hunk["removed"])
                out.extend(f"+{line}" for line in hunk["added"])
            out.append("```")
        for index, witness in enumerate(change["witnesses"], 1):
            out += ["", f"### Witness {number}.{index}", "", "```json"]
            out.append(json.dumps(witness["patient"], sort_keys=True, ensure_ascii=False))
            out += ["```", "", "| what changed | old | new |", "|---|---|---|"]
            for effect in witness["effects"]:
                subject = _md(f"{effect['kind']}: {effect['subject']}")
                out.append(f"| {subject} | {_md(effect['old'] or '-')} | {_md(effect['new'] or '-')} |")
            out += ["", "| | old plan | new plan |", "|---|---|---|"]
            for label in ("status", "recommendations", "avoid", "flags", "monitoring"):
                before, after = witness["old"][label], witness["new"][label]
                if isinstance(before, list):
                    before, after = "; ".join(before), "; ".join(after)
                out.append(f"| {label} | {_md(before or '-')} | {_md(after or '-')} |")
    out += ["", "## Structural changes", ""]
    out.extend(f"- {_md(line)}" for line in _structure_lines(report))
    return "\n".join(out) + "\n"


RENDERERS = {"text": render_text, "json": render_json, "markdown": render_markdown}
