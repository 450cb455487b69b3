"""Reading a file the toolchain was given, only when it is a regular file.

A guideline, or the source text it quotes, may be named by a path that is a
FIFO (named pipe), a character device such as ``/dev/zero`` or ``/dev/tty``,
a socket or a directory. Opening a FIFO for reading blocks until a writer
appears, and a device may never end: ``fibrolang check`` would hang. So the
path is looked at first (``stat``, which opens nothing) and anything that is
not a regular file is refused with a sentence saying what it is. The file is
then opened without blocking and looked at again through the open handle, so
a path swapped for a FIFO between the two looks is refused too.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


class NotARegularFile(OSError):
    """The path exists but is not a regular file (``strerror`` says what it is)."""


def kind_of(mode: int) -> str:
    """What a file of this mode is, in words ("a named pipe (FIFO)")."""
    for test, words in _KINDS:
        if test(mode):
            return words
    return "not a regular file"


def _refuse_unless_regular(mode: int, path: str | Path) -> None:
    if not stat.S_ISREG(mode):
        words = kind_of(mode)
        raise NotARegularFile(0, f"it is {words}, not a regular file", str(path))


def read_regular_bytes(path: str | Path) -> bytes:
    """The bytes of a regular file.

    Raises ``NotARegularFile`` for a FIFO, device, socket or directory, never opening it
    for reading, and ``OSError`` as ``open`` does for a missing or unreadable file."""
    _refuse_unless_regular(os.stat(path).st_mode, path)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    descriptor = os.open(path, flags)
    with os.fdopen(descriptor, "rb") as file:
        _refuse_unless_regular(os.fstat(file.fileno()).st_mode, path)
        return file.read()


def read_regular_text(path: str | Path) -> str:
    """The text of a regular UTF-8 file with its line ends made ``\\n``, as ``Path.read_text``
    gives it (``UnicodeDecodeError`` when it is not UTF-8)."""
    text = read_regular_bytes(path).decode("utf-8")
    return text.replace("\r\n", "\n").replace("\r", "\n")
