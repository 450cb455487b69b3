"""CDS Hooks card summaries fit in 140 characters (FIB135, docs/cds-hooks.md).

``fibrolang serve`` turns a result into cards whose one-line summary is built
from the guideline's own strings: a recommendation (verb, the intervention's
label, its dose), a flag's text, and the order-select warnings for a drug the
pathway avoids or contraindicates. CDS Hooks 2.0 caps a summary at 140
characters, so a guideline whose summary would exceed it is an error here,
at the item (or the drug) that writes it, not a truncated card at run time.
"""

from __future__ import annotations

from compiler.check import unit_catalogue as catalogue
from compiler.check.context import Context
from compiler.diagnostics import catalogue as diag
from compiler.diagnostics.catalogue import Diagnostic
from compiler.front import syntax as s
from compiler.serve import summaries

HINT = "shorten the label or text: CDS Hooks cards carry at most 140 characters in their summary"


def _label(intervention: s.Intervention) -> str:
    return intervention.label.value if intervention.label is not None else intervention.name.text


def _dose(dose: s.DoseRange | None) -> str | None:
    if dose is None or dose.low.unit is None:
        return None
    unit = catalogue.canonical(dose.low.unit.text) or dose.low.unit.text
    return summaries.dose_text(
        dose.low.value,
        dose.high.value if dose.high is not None else None,
        unit,
        dose.frequency.value if dose.frequency is not None else None,
    )


def _too_long(summary: str, what: str, span: s.Span) -> list[Diagnostic]:
    if not summaries.too_long(summary):
        return []
    return [
        diag.make(
            "FIB135",
            f"the CDS Hooks card summary of {what} would be {len(summary)} characters, more than "
            f"{summaries.SUMMARY_LIMIT}: {summary[:40]!r}...",
            span,
            hint=HINT,
        )
    ]


def check_cards(guideline: s.Guideline, context: Context) -> list[Diagnostic]:
    labels: dict[str, str] = {}
    found: list[Diagnostic] = []
    for declaration in guideline.declarations:
        if isinstance(declaration, s.Intervention):
            label = _label(declaration)
            labels[declaration.name.text] = label
            if declaration.kind == "drug":
                span = declaration.label.span if declaration.label is not None else declaration.span
                warnings = (summaries.avoided_order(label), summaries.contraindicated_order(label))
                found += _too_long(max(warnings, key=len), "a warning against an order of this drug", span)
    if guideline.pathway is None:
        return found
    for node in guideline.pathway.nodes:
        if not isinstance(node, s.Step):
            continue
        for item in node.items:
            if isinstance(item, s.Recommendation):
                label = labels.get(item.intervention.text, item.intervention.text)
                summary = summaries.recommendation(item.verb, label, _dose(item.dose))
                found += _too_long(summary, f"this {item.verb}", item.span)
            elif isinstance(item, s.Flag):
                text = item.text.value if item.text is not None else item.name.text
                found += _too_long(summaries.flag(text), f"flag {item.name.text}", item.span)
    return found
