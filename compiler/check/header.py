"""The guideline header: a sane version, unique citation numbers and source
names, and source dates that are real ISO dates (YYYY-MM-DD)."""

from __future__ import annotations

import datetime
import re

from compiler.check.context import Context
from compiler.diagnostics import catalogue as diag
from compiler.diagnostics.catalogue import Diagnostic, RelatedSpan
from compiler.front import syntax as s

_VERSION = re.compile(r"\d+(\.\d+)*([-+][0-9A-Za-z.-]+)?")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def check_header(guideline: s.Guideline, context: Context) -> list[Diagnostic]:
    header = guideline.header
    found: list[Diagnostic] = []
    version = header.version.value
    if not _VERSION.fullmatch(version):
        found.append(
            diag.make(
                "FIB113",
                f'the version "{version}" is not a version number',
                header.version.span,
                hint='write numbers separated by dots, e.g. "1.0.0" or "2016.1"',
            )
        )
    if not header.title.value.strip():
        found.append(
            diag.make(
                "FIB113",
                "the title is empty",
                header.title.span,
                hint="give the guideline the title a clinician would recognise",
            )
        )
    seen_sources: dict[str, s.Source] = {}
    for source in header.sources:
        first = seen_sources.setdefault(source.name.text, source)
        if first is not source:
            found.append(
                diag.make(
                    "FIB102",
                    f"the source `{source.name.text}` is declared twice",
                    source.name.span,
                    hint="give each source its own name",
                    related=[RelatedSpan(first.name.span, "first declared here")],
                )
            )
        if source.date is not None and not _valid_date(source.date.value):
            found.append(
                diag.make(
                    "FIB113",
                    f'the date "{source.date.value}" of the source `{source.name.text}` is not a valid date',
                    source.date.span,
                    hint='write the date as YYYY-MM-DD, e.g. "2025-08-12"',
                )
            )
        if not source.path.value.strip():
            found.append(
                diag.make(
                    "FIB113",
                    f"the source `{source.name.text}` has no file name",
                    source.path.span,
                    hint="give the path of the source text, relative to the guideline file",
                )
            )
    seen_citations: dict[int, s.Citation] = {}
    for citation in header.citations:
        first_citation = seen_citations.setdefault(citation.number, citation)
        if first_citation is not citation:
            found.append(
                diag.make(
                    "FIB102",
                    f"citation {citation.number} is declared twice",
                    citation.span,
                    hint="number each reference of the source once",
                    related=[RelatedSpan(first_citation.span, "first declared here")],
                )
            )
        if citation.number < 1:
            found.append(
                diag.make(
                    "FIB113",
                    f"citation {citation.number} is not a reference number",
                    citation.span,
                    hint="reference numbers start at 1, as in the source",
                )
            )
    return found


def _valid_date(text: str) -> bool:
    if not _DATE.fullmatch(text):
        return False
    try:
        datetime.date.fromisoformat(text)
    except ValueError:
        return False
    return True
