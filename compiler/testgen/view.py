"""What a generated test pins in its snapshot: the decision content of a result.

``snapshot_view(result.to_dict())`` keeps what a patient gets and why, one
line per fact so that a snapshot diff reads as a list of changed facts:

* ``status``, ``message``, ``missing``, ``outputs``, the guideline ``id`` and
  ``version``;
* ``recommendations``: ``item: action intervention dose, titration, evidence``;
* ``avoid``: ``item: intervention``; ``flags``: ``item: flag``;
  ``monitoring``: ``item: what after 4–6 weeks``;
* ``trace``: the edges taken and every guard evaluated with its value.

Left out, on purpose: the content hash (a comment-only edit of the guideline
would otherwise change every snapshot), and the wording the catalogue and
the author attach to an entry (labels, quotes, notes, citation texts, flag
and monitoring texts, avoid reasons). Wording is pinned once in the
committed graph JSON (``fibrolang build --check``) and in the traceability
report, not in hundreds of snapshots; the snapshots pin the decisions.

The mutation score (``compiler.testgen.mutate``) compares mutants through
the same view, so "killed" means exactly "a snapshot test fails".
"""

from __future__ import annotations

from typing import Any

from compiler.backends.flowchart.plain_words import number_words, range_words

JSON = dict[str, Any]


def _dose(dose: JSON | None) -> str:
    if not dose:
        return ""
    text = " " + range_words(dose["min"], dose["max"], dose.get("unit"))
    return text + (f" {dose['frequency']}" if dose.get("frequency") else "")


def _titration(titration: JSON | None) -> str:
    if not titration:
        return ""
    unit = titration.get("unit") or ""
    return (
        f", titrated by {number_words(titration['step'])} {unit} every {number_words(titration['every'])} "
        f"{titration.get('every_unit') or ''} to {number_words(titration['target'])} {unit}"
    ).replace("  ", " ")


def _evidence(evidence: JSON | None) -> str:
    if not evidence:
        return ""
    return f" (evidence {evidence.get('level')} {evidence.get('strength')})"


def _guard(guard: JSON) -> str:
    value = guard["value"]
    return f"{guard['edge'] or guard['item']}: {'unknown' if value is None else str(value).lower()}"


def snapshot_view(result: JSON) -> JSON:
    """The snapshot of a ``Result.to_dict()``."""
    return {
        "status": result["status"],
        "message": result["message"],
        "missing": list(result["missing"]),
        **({"assumed": list(result["assumed"])} if result.get("assumed") else {}),
        "recommendations": [
            f"{r['item']}: {r['action']} {r['intervention']}{_dose(r['dose'])}"
            f"{_titration(r['titration'])}{_evidence(r['evidence'])}"
            for r in result["recommendations"]
        ],
        "avoid": [f"{a['item']}: {a['intervention']}" for a in result["avoid"]],
        "flags": [f"{f['item']}: {f['id']}" for f in result["flags"]],
        "monitoring": [
            f"{m['item']}: {m['what']}"
            + (
                f" after {range_words(m['after']['min'], m['after']['max'], m['after']['unit'])}"
                if m["after"]
                else ""
            )
            for m in result["monitoring"]
        ],
        "outputs": dict(result["outputs"]),
        "trace": {
            "edges": list(result["trace"]["edges"]),
            "guards": [_guard(g) for g in result["trace"]["guards"]],
        },
        "guideline": {"id": result["guideline"]["id"], "version": result["guideline"]["version"]},
    }
