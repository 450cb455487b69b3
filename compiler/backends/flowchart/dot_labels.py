"""The labels of the flowchart: HTML-like Graphviz labels built from the graph.

Each builder returns label markup (without the outer ``<`` ``>``). Guideline
text goes through ``dot_text`` (``text_markup`` / ``escape``) and nowhere else;
the tags and colours written here are fixed literals.

Colours are the Okabe-Ito palette (safe for the common colour-vision
deficiencies), and every colour also has a second cue: a word ("AVOID",
"Flag"), a glyph or a border style, so a grey-scale print reads the same.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from compiler.backends.flowchart.action_words import ACTION_WORDS
from compiler.backends.flowchart.dot_text import escape, lines_markup, styled, text_markup, wrap
from compiler.backends.flowchart.plain_words import (
    intervention_label,
    name_words,
    phrase,
    plain_words,
    quantity_words,
    range_words,
    sentence,
)
from fibrolang.expressions import Expression
from fibrolang.graph import (
    ActionItem,
    ActionNode,
    AvoidItem,
    Contraindication,
    Dose,
    Edge,
    FlagItem,
    Graph,
    Intervention,
    MonitorItem,
    Period,
    RecommendItem,
    Titration,
)

FONT = "DejaVu Sans"
BASE_SIZE = 11
SMALL = 9
WIDE = 46  # characters per line in recommendation boxes, notes and panels
NARROW = 26  # characters per line in decision diamonds and on edges


@dataclass(frozen=True)
class Palette:
    ink: str = "#1A1A1A"
    muted: str = "#555555"
    decision_fill: str = "#DCEEFB"  # sky blue tint
    decision_line: str = "#0072B2"  # blue
    step_header: str = "#CDEBE0"  # bluish-green tint
    step_line: str = "#00795A"  # bluish green, darkened for contrast
    avoid_fill: str = "#FBE0CF"  # vermillion tint
    avoid_line: str = "#D55E00"  # vermillion
    note_fill: str = "#FBF5C9"  # yellow tint
    note_line: str = "#8A7D00"
    ok_fill: str = "#CDEBE0"
    not_applicable_fill: str = "#E6E6E6"
    insufficient_fill: str = "#F3DDEA"  # reddish-purple tint
    insufficient_line: str = "#A6567F"
    taken: str = "#0072B2"
    cluster_line: str = "#9A9A9A"


PALETTE = Palette()

# Verbs for which the intervention's contraindications are shown next to the item.
GIVING = frozenset({"start", "continue", "increase", "switch", "add", "consider", "recommend"})

TERMINAL_WORDS = {
    "ok": "End of pathway",
    "not_applicable": "Pathway does not apply",
    "insufficient_data": "Insufficient data",
}


@dataclass
class Footnotes:
    """Notes of the guideline, numbered in the order the chart first shows them."""

    texts: list[str] = field(default_factory=list)
    used: list[int] = field(default_factory=list)  # numbers shown since the last ``clear_used``

    def markers(self, notes: Iterable[str]) -> list[int]:
        numbers = []
        for note in notes:
            if note not in self.texts:
                self.texts.append(note)
            number = self.texts.index(note) + 1
            numbers.append(number)
            if number not in self.used:
                self.used.append(number)
        return numbers

    def clear_used(self) -> None:
        self.used.clear()


def refs_words(citations: Sequence[int]) -> str:
    return "[" + ", ".join(str(c) for c in citations) + "]" if citations else ""


def notes_words(numbers: Sequence[int]) -> str:
    if not numbers:
        return ""
    return ("note " if len(numbers) == 1 else "notes ") + ", ".join(str(n) for n in numbers)


def detail_line(parts: Iterable[str]) -> str:
    return " · ".join(p for p in parts if p)


def dose_words(dose: Dose | None) -> str:
    if dose is None:
        return ""
    amount = range_words(dose.minimum, dose.maximum, dose.unit)
    frequency = dose.frequency
    return f"{amount}, {frequency}" if frequency else amount


def titration_words(titration: Titration) -> str:
    step = quantity_words(titration.step, titration.unit)
    every = quantity_words(titration.every, titration.every_unit)
    target = quantity_words(titration.target, titration.unit)
    return f"increase by {step} every {every} to {target}"


def period_words(after: Period | None) -> str:
    if after is None:
        return ""
    return "after " + range_words(after.minimum, after.maximum, after.unit)


def intervention_of(graph: Graph, name: str) -> Intervention | None:
    return next((i for i in graph.interventions if i.id == name), None)


def evidence_words(intervention: Intervention | None) -> str:
    evidence = intervention.evidence if intervention is not None else None
    level, strength = (evidence.level, evidence.strength) if evidence is not None else (None, None)
    parts = []
    if level:
        parts.append(f"evidence {level}")
    if strength:
        parts.append(f"strength {strength}")
    words = ", ".join(parts)
    if intervention is not None and intervention.fda_approved is True:
        words = detail_line([words, "FDA-approved"])
    return sentence(words) if words else ""


def _cell(content: str, *, fill: str | None = None, dashed: bool = False, colspan: int = 1) -> str:
    attributes = ['ALIGN="LEFT"', 'BALIGN="LEFT"', 'CELLPADDING="4"']
    if fill:
        attributes.append(f'BGCOLOR="{fill}"')
    if dashed:
        attributes.append('STYLE="dashed"')
    if colspan > 1:
        attributes.append(f'COLSPAN="{colspan}"')
    return f"<TR><TD {' '.join(attributes)}>{content}</TD></TR>"


def _condition(graph: Graph, guard: Expression | None, width: int = WIDE) -> str:
    if guard is None:
        return ""
    return text_markup("if " + phrase(graph, guard), width, italic=True, size=SMALL)


def _small(text: str, colour: str | None = None, width: int = WIDE) -> str:
    return text_markup(text, width, size=SMALL, colour=colour) if text else ""


def _join(*parts: str) -> str:
    return "".join(p for p in parts if p)


# -- nodes -------------------------------------------------------------------


def start_label(graph: Graph) -> str:
    return styled(escape("Start"), bold=True)


def decision_label(question: str, citations: Sequence[int], notes: Sequence[int]) -> str:
    words = text_markup(question, NARROW, bold=True, align="CENTER")
    extra = detail_line([refs_words(citations), notes_words(notes)])
    return words + ("<BR/>" + text_markup(extra, NARROW, size=SMALL, align="CENTER") if extra else "")


def terminal_label(status: str, message: str | None, citations: Sequence[int], notes: Sequence[int]) -> str:
    title = TERMINAL_WORDS.get(status, name_words(status))
    words = text_markup(title, WIDE, bold=True, align="CENTER")
    if message:
        words += "<BR/>" + text_markup(message, WIDE, align="CENTER")
    extra = detail_line([refs_words(citations), notes_words(notes)])
    if extra:
        words += "<BR/>" + text_markup(extra, WIDE, size=SMALL, align="CENTER")
    return words


def edge_label(graph: Graph, branch: Edge, ordinal: int | None, notes: Sequence[int]) -> str:
    """The author's label (bold) over the guard in plain words (when they differ)."""
    guard = branch.guard
    condition = plain_words(graph, guard) if guard is not None else "Otherwise"
    label = branch.label
    prefix = f"{ordinal}. " if ordinal is not None else ""
    parts: list[str] = []
    if label:
        parts.append(text_markup(prefix + label, NARROW, bold=True))
        if condition.casefold() != label.casefold():
            parts.append(text_markup(condition, NARROW, size=SMALL, colour=PALETTE.muted))
    else:
        parts.append(text_markup(prefix + condition, NARROW, bold=guard is None))
    extra = detail_line([refs_words(branch.trace.citations), notes_words(notes)])
    if extra:
        parts.append(text_markup(extra, NARROW, size=SMALL))
    return "".join(parts)


def _recommendation_cell(
    graph: Graph, item: RecommendItem, notes: Sequence[int], given: frozenset[str] | None, width: int = WIDE
) -> str:
    """``Start Duloxetine at 60 mg/day, once daily [1]``, then evidence, then the condition."""
    name = item.intervention
    intervention = intervention_of(graph, name)
    label = (intervention.label if intervention is not None else None) or name_words(name)
    action = item.action
    verb = ACTION_WORDS.get(action, sentence(name_words(action)))
    dose = dose_words(item.dose)
    titration = item.titration
    if dose:
        label += (" at " if action in ("start", "add", "consider", "recommend") else " to ") + dose
    if titration:
        label += ", " + titration_words(titration)
    citations = item.trace.citations or (intervention.citations if intervention is not None else ())
    evidence = evidence_words(intervention)
    head_text = " ".join(p for p in [label, "" if evidence else refs_words(citations)] if p)
    head = _lead(_mark(item, given) + verb, head_text, width)
    detail = detail_line([evidence, refs_words(citations) if evidence else "", notes_words(notes)])
    return _join(head, _small(detail, PALETTE.muted, width), _condition(graph, item.guard, width))


def _lead(bold: str, text: str, width: int) -> str:
    """``bold`` (in bold) then ``text``, wrapped together at ``width`` characters."""
    lines = wrap(f"{bold} {text}", width)
    if not lines[0].startswith(bold):  # a lead longer than a line: on a line of its own
        return styled(escape(bold), bold=True) + '<BR ALIGN="LEFT"/>' + lines_markup(wrap(text, width))
    first = styled(escape(bold), bold=True) + escape(lines[0][len(bold) :])
    return first + '<BR ALIGN="LEFT"/>' + (lines_markup(lines[1:]) if len(lines) > 1 else "")


def _mark(item: ActionItem, given: frozenset[str] | None) -> str:
    """A tick before the items a highlighted patient's plan received."""
    if given is None:
        return ""
    return "✔ " if item.id in given else ""


def _avoid_cell(
    graph: Graph, item: AvoidItem, notes: Sequence[int], given: frozenset[str] | None, width: int = WIDE
) -> str:
    name = item.intervention
    citations = item.trace.citations
    head_text = " ".join(p for p in [sentence(intervention_label(graph, name)), refs_words(citations)] if p)
    head = _lead(_mark(item, given) + "✕ AVOID", head_text, width)
    reason = item.reason or ""
    return _join(
        head,
        _small(detail_line([reason, notes_words(notes)]), width=width),
        _condition(graph, item.guard, width),
    )


def _contraindication_cell(
    graph: Graph, name: str, contraindication: Contraindication, width: int = WIDE
) -> str:
    words = f"{sentence(intervention_label(graph, name))} if {phrase(graph, contraindication.condition)}"
    return styled(_lead("✕ Contraindicated:", words, width), size=SMALL)


COLUMN_BREAK = 7  # a step with more rows than this is drawn in two columns
PAPER_COLUMN_BREAK = 12  # on paper, where a taller single column would not fit the page
PAPER_WIDE = 30  # characters per line of an item on paper, so two columns fit across A4
PAPER_MAX_LINES = 52  # lines in a step's column on paper before it takes a second column


def action_label(
    graph: Graph,
    node: ActionNode,
    footnotes: Footnotes,
    given: frozenset[str] | None,
    taken: bool = False,
    *,
    column_break: int = COLUMN_BREAK,
    notes_inside: bool = False,
    width: int = WIDE,
    max_lines: int | None = None,
) -> str:
    """A recommendation box: the step's title, then one row per recommendation or
    avoid item, each intervention's contraindications in the avoid style. Long
    steps are set in two columns so that the box stays printable. With
    ``notes_inside`` (the printed chart) the step's flags and monitoring are its
    last row, under the items, instead of a note beside the box, and ``width``
    (characters per line of an item) is narrower."""
    extra = detail_line([refs_words(node.trace.citations), notes_words(footnotes.markers(node.trace.notes))])
    units: list[list[str]] = []  # a row and the contraindication rows that belong to it
    shown_contraindications: set[str] = set()
    for item in node.items:
        notes = footnotes.markers(item.trace.notes)  # every item's notes, in order: their numbers
        if isinstance(item, RecommendItem):
            unit = [_cell(_recommendation_cell(graph, item, notes, given, width))]
            name = item.intervention
            if item.action in GIVING and name not in shown_contraindications:
                shown_contraindications.add(name)
                intervention = intervention_of(graph, name)
                for contraindication in intervention.contraindications if intervention is not None else ():
                    cell = _contraindication_cell(graph, name, contraindication, width)
                    unit.append(_cell(cell, fill=PALETTE.avoid_fill, dashed=True))
            units.append(unit)
        elif isinstance(item, AvoidItem):
            units.append(
                [_cell(_avoid_cell(graph, item, notes, given, width), fill=PALETTE.avoid_fill, dashed=True)]
            )
    border = f'BORDER="4" COLOR="{PALETTE.taken}"' if taken else f'BORDER="1" COLOR="{PALETTE.step_line}"'
    rows = [row for unit in units for row in unit]
    two_columns = len(rows) > column_break
    if max_lines is not None and notes_inside:  # the printed chart: a column no taller than a page
        notes_lines = notes_label(graph, node, Footnotes(list(footnotes.texts)), given, width).count("<BR")
        two_columns = two_columns or sum(row.count("<BR") for row in rows) + notes_lines > max_lines
    title_width = WIDE * 2 if not notes_inside else width * (2 if two_columns else 1)
    title = text_markup(str(node.title), title_width, bold=True)
    header = _cell(_join(title, _small(extra)), fill=PALETTE.step_header, colspan=2 if two_columns else 1)
    footer = ""
    if notes_inside and has_notes_items(node):
        note = notes_label(graph, node, footnotes, given, width * 2 if two_columns else width)
        footer = _cell(note, fill=PALETTE.note_fill, colspan=2 if two_columns else 1)
    if not two_columns:
        return (
            f'<TABLE {border} CELLBORDER="1" CELLSPACING="0" STYLE="rounded">'
            f"{header}{''.join(rows)}{footer}</TABLE>"
        )
    weights = [sum(row.count("<BR") + 1 for row in unit) for unit in units]
    half, running, split = sum(weights) / 2, 0, len(units)
    for index, weight in enumerate(weights):
        if running + weight / 2 > half:
            split = max(index, 1)
            break
        running += weight
    columns = [
        [row for unit in units[:split] for row in unit],
        [row for unit in units[split:] for row in unit],
    ]
    inner = "".join(
        f'<TD VALIGN="TOP" CELLPADDING="0"><TABLE BORDER="0" CELLBORDER="1" CELLSPACING="0">'
        f"{''.join(column)}</TABLE></TD>"
        for column in columns
    )
    return (
        f'<TABLE {border} CELLBORDER="0" CELLSPACING="0" STYLE="rounded">{header}<TR>{inner}</TR>'
        f"{footer}</TABLE>"
    )


def has_notes_items(node: ActionNode) -> bool:
    return any(isinstance(item, FlagItem | MonitorItem) for item in node.items)


def notes_label(
    graph: Graph, node: ActionNode, footnotes: Footnotes, given: frozenset[str] | None, width: int = WIDE
) -> str:
    """The flags and monitoring of a step, as a note beside it."""
    parts: list[str] = []
    for item in node.items:
        if not isinstance(item, FlagItem | MonitorItem):
            continue
        notes = footnotes.markers(item.trace.notes)
        mark = _mark(item, given)
        if isinstance(item, FlagItem):
            head = styled(escape(mark + "⚑ Flag:"), bold=True)
            text = item.text or name_words(item.flag)
        else:
            head = styled(escape(mark + "Monitor:"), bold=True)
            text = detail_line([item.text or name_words(item.what), period_words(item.after)])
        citations = item.trace.citations
        detail = detail_line([("Refs " + refs_words(citations)) if citations else "", notes_words(notes)])
        parts.append(
            _join(
                head,
                " ",
                text_markup(str(text), width),
                _small(detail, PALETTE.muted, width),
                _condition(graph, item.guard, width),
            )
        )
    return '<BR ALIGN="LEFT"/>'.join(parts)


# -- the title block, the legend and the panels -------------------------------


def _row(cells: Sequence[str]) -> str:
    return "<TR>" + "".join(cells) + "</TR>"


def _td(
    content: str, *, fill: str | None = None, colspan: int = 1, dashed: bool = False, width: int = 0
) -> str:
    attributes = ['ALIGN="LEFT"', 'VALIGN="TOP"', 'BALIGN="LEFT"', 'CELLPADDING="3"']
    if width:
        attributes.append(f'WIDTH="{width}"')
    if fill:
        attributes.append(f'BGCOLOR="{fill}"')
    if colspan > 1:
        attributes.append(f'COLSPAN="{colspan}"')
    if dashed:
        attributes.append('STYLE="dashed"')
    return f"<TD {' '.join(attributes)}>{content}</TD>"


def title_block(graph: Graph, *, sign_off: bool = False) -> str:
    guideline = graph.guideline
    title_width = 48 if sign_off else 70  # on paper the title block is narrower
    title = text_markup(guideline.title or guideline.id or "", title_width, bold=True, size=16)
    rows = [_row([_td(title, colspan=2)])]
    facts: list[tuple[str, str]] = [
        ("Guideline", guideline.id or ""),
        ("Version", guideline.version or ""),
        ("Content hash", guideline.content_hash or ""),
    ]
    for source in guideline.sources:
        dated = f", dated {source.date}" if source.date else ", undated"
        facts.append((f"Source “{source.name}”", f"{source.file}{dated}"))
    for key, value in facts:
        rows.append(
            _row([_td(text_markup(key, 24, bold=True, size=SMALL)), _td(text_markup(value, 72, size=SMALL))])
        )
    if sign_off:  # the printed chart: where the committee signs
        rows.append(
            _row([_td(styled(escape("Reviewed and approved by the committee"), bold=True), colspan=2)])
        )
        blank = escape("_" * 40)
        for key in ("Name", "Signature", "Date"):
            rows.append(_row([_td(text_markup(key, 24, bold=True, size=SMALL)), _td(blank)]))
    return '<TABLE BORDER="1" CELLBORDER="0" CELLSPACING="0">' + "".join(rows) + "</TABLE>"


LEGEND = (
    ("◇", PALETTE.decision_fill, "Decision: the clinical question; each branch says when it is taken"),
    ("1. 2.", None, "Numbered branches are tried in order; the first that holds is taken"),
    ("▭", PALETTE.step_header, "Recommendation box: action, agent, dose, evidence level and strength, refs"),
    ("✕", PALETTE.avoid_fill, "AVOID or Contraindicated (dashed border): do not give"),
    ("⚑", PALETTE.note_fill, "Note beside a box: flags (e.g. an ECG first) and what to monitor"),
    ("if …", None, "The item applies only when its condition holds"),
    ("▢", PALETTE.ok_fill, "End of pathway"),
    ("▢", PALETTE.not_applicable_fill, "Pathway does not apply (dashed)"),
    ("▢", PALETTE.insufficient_fill, "Insufficient data to decide (dashed)"),
    ("[1]", None, "Citation numbers (see References); note n: see Notes"),
    (
        "✔",
        None,
        "Case review (--patient): the path taken is drawn thick and blue; ✔ marks what the plan gave",
    ),
)


PAPER_NOTE_ROW = (
    "⚑",
    PALETTE.note_fill,
    "Yellow row under a step's items: flags (e.g. an ECG first), what to monitor",
)
PAPER_LEGEND = (
    (
        "⬠",
        PALETTE.not_applicable_fill,
        "Off-page connector: the path continues on, or comes from, the page named",
    ),
    ("n", None, "Notes are printed under the page that refers to them"),
)


def key_table(
    references: Sequence[tuple[str, str]],
    notes: Sequence[tuple[str, str]],
    *,
    paper: bool = False,
    width: int = 110,
    references_only: Sequence[tuple[str, str]] = (),
    data: Sequence[tuple[str, Sequence[tuple[str, str]]]] = (),
) -> str:
    """Legend, references and numbered notes as one two-column table (``paper``:
    the printed chart's legend, where notes sit under the steps and pages connect,
    with the ``data`` sections and the references beside it; ``references_only``: just
    those, after the ``data`` sections, ``width`` wide)."""
    rows: list[str] = []

    def section(title: str) -> None:
        rows.append(_row([_td(styled(escape(title), bold=True), colspan=2)]))

    def entries_rows(entries: Sequence[tuple[str, str]], width: int) -> None:
        for key, text in entries:
            rows.append(
                _row(
                    [
                        _td(text_markup(key, 8, bold=True, size=SMALL)),
                        _td(text_markup(text, width, size=SMALL)),
                    ]
                )
            )

    if references_only:
        for title, entries in (*data, ("References", references_only)):
            if entries:
                section(title)
                entries_rows(entries, width)
        return '<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="1">' + "".join(rows) + "</TABLE>"

    section("Legend")
    legend: tuple[tuple[str, str | None, str], ...] = LEGEND
    width = 110
    if paper:  # a narrower legend, with the references beside it
        legend = tuple(PAPER_NOTE_ROW if row[0] == "⚑" else row for row in LEGEND) + PAPER_LEGEND
        width = 52
    for symbol, fill, words in legend:
        rows.append(
            _row(
                [
                    _td(styled(escape(symbol), bold=True), fill=fill, dashed=symbol == "✕", width=34),
                    _td(text_markup(words, width, size=SMALL)),
                ]
            )
        )
    if paper and references:
        beside = key_table([], [], paper=False, width=52, references_only=references, data=data)
        table = '<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="1">' + "".join(rows) + "</TABLE>"
        return (
            '<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="6"><TR>'
            f'<TD VALIGN="TOP">{table}</TD><TD VALIGN="TOP">{beside}</TD></TR></TABLE>'
        )
    for title, entries in (*data, ("References", references), ("Notes", notes)):
        if entries:
            section(title)
            entries_rows(entries, width)
    return '<TABLE BORDER="0" CELLBORDER="0" CELLSPACING="1">' + "".join(rows) + "</TABLE>"
