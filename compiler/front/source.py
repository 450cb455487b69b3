"""Reading a guideline file as text: unreadable, oversized, empty, non-UTF-8 and binary
files become diagnostics. No parsing here (``compiler.front.parse``), so that reading a
file does not import the parser (a check whose syntax tree is cached never needs it:
``compiler.parse_cache``)."""

from __future__ import annotations

from pathlib import Path

from compiler.diagnostics import catalogue as diag
from compiler.diagnostics.catalogue import Diagnostic
from compiler.front.regular_file import NotARegularFile, read_regular_bytes
from compiler.front.syntax import Span
from fibrolang.records import record

MAX_FILE_BYTES = 16 * 1024 * 1024


@record
class SourceText:
    """A guideline file as text, with the name used in diagnostics."""

    file: str
    text: str

    def line(self, number: int) -> str:
        lines = self.text.splitlines()
        return lines[number - 1] if 0 < number <= len(lines) else ""


def read_source(
    path: str | Path, display_name: str | None = None
) -> tuple[SourceText | None, list[Diagnostic]]:
    """Read a guideline file; report unreadable, oversized, empty or non-UTF-8 files."""
    name = display_name if display_name is not None else str(path)
    here = Span(name, 1, 1, 1, 1)
    try:
        data = read_regular_bytes(path)
    except NotARegularFile as error:
        return None, [
            diag.make(
                "FIB001",
                f"cannot read {name}: {error.strerror}",
                here,
                hint="give the path of the guideline file itself; fibrolang reads only regular "
                "files, never a pipe or a device",
            )
        ]
    except OSError as error:
        reason = error.strerror or type(error).__name__
        return None, [
            diag.make(
                "FIB001",
                f"cannot read {name}: {reason}",
                here,
                hint="check the path and that the file is readable",
            )
        ]
    return decode_source(data, name)


def decode_source(data: bytes, name: str) -> tuple[SourceText | None, list[Diagnostic]]:
    here = Span(name, 1, 1, 1, 1)
    if len(data) > MAX_FILE_BYTES:
        size = len(data) / (1024 * 1024)
        return None, [
            diag.make(
                "FIB012",
                f"the file is {size:.1f} MB; guidelines are limited to {MAX_FILE_BYTES // (1024 * 1024)} MB",
                here,
                hint="split the guideline, or check that this is the file you meant",
            )
        ]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        column = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
        span = Span(name, line, column, line, column + 1)
        return None, [
            diag.make(
                "FIB002",
                f"byte 0x{data[error.start]:02x} at offset {error.start} is not UTF-8 text",
                span,
                hint="save the file as UTF-8; guidelines are text files",
            )
        ]
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\x00" in text:
        offset = text.index("\x00")
        line = text.count("\n", 0, offset) + 1
        column = offset - (text.rfind("\n", 0, offset) + 1) + 1
        return None, [
            diag.make(
                "FIB002",
                "the file contains a NUL byte: it looks like a binary file",
                Span(name, line, column, line, column + 1),
                hint="guidelines are UTF-8 text files",
            )
        ]
    if not text.strip() or all(
        not line.strip() or line.lstrip().startswith("#") for line in text.splitlines()
    ):
        return None, [
            diag.make(
                "FIB003",
                "the file has no guideline in it",
                here,
                hint='a guideline starts with: guideline <id> title "..." version "..." ... end',
            )
        ]
    return SourceText(name, text), []
