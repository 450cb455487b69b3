"""The one-line summaries of CDS Hooks cards, built from guideline strings.

CDS Hooks 2.0 limits a card's summary to 140 characters. The summaries that
carry guideline text (a recommendation, a flag, an avoided or contraindicated
draft order) are checked at compile time (FIB135, compiler/check/cards.py)
with these very functions; the summaries that list several things fall back
to a count when the list would not fit, so they never exceed the limit.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from compiler.backends.flowchart.action_words import ACTION_WORDS

SUMMARY_LIMIT = 140

VERBS = ACTION_WORDS


def number_text(value: int | float | Decimal) -> str:
    """``60``, ``4.5``: the same text for the guideline's Decimal and the graph's JSON number."""
    exact = Decimal(str(value)).normalize()
    text = format(exact, "f")
    return "0" if text in ("-0", "") else text


def dose_text(
    low: int | float | Decimal, high: int | float | Decimal | None, unit: str, often: str | None
) -> str:
    amount = number_text(low)
    if high is not None and Decimal(str(high)) != Decimal(str(low)):
        amount += f" to {number_text(high)}"
    return f"{amount} {unit}" + (f" {often}" if often else "")


def recommendation(action: str, label: str, dose: str | None) -> str:
    """``Add Duloxetine 60 mg/day once daily``."""
    return f"{VERBS.get(action, action.capitalize())} {label}" + (f" {dose}" if dose else "")


def flag(text: str) -> str:
    return text


def avoided_order(label: str) -> str:
    """The order-select warning for an agent the pathway avoids or stops."""
    return f"{label}: this pathway says to avoid it for this patient"


def contraindicated_order(label: str) -> str:
    return f"{label}: contraindicated for this patient by this pathway"


def listing(head: str, labels: Sequence[str], noun: str, separator: str = ": ") -> str:
    """``Avoid: Strong opioids, Corticosteroids, NSAIDs``, or ``Avoid: 3 agents (see details)``
    when the list would not fit."""
    text = head + separator + ", ".join(labels)
    if len(text) <= SUMMARY_LIMIT:
        return text
    return f"{head}{separator}{len(labels)} {noun} (see details)"[:SUMMARY_LIMIT]


def too_long(summary: str) -> bool:
    return len(summary) > SUMMARY_LIMIT
