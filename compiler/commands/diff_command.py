"""The ``fibrolang diff`` command (registered in ``compiler.cli``)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from compiler.review.diff import DiffError, diff_versions, load_version, version_at
from compiler.review.diff_render import RENDERERS


@click.command(name="diff")
@click.argument("old", type=click.Path(path_type=Path))
@click.argument("new", type=click.Path(path_type=Path), required=False)
@click.option(
    "--against",
    "revision",
    metavar="REV",
    default=None,
    help="compare the guideline OLD as git revision REV has it (the old version) with the file itself",
)
@click.option("--format", "format_", type=click.Choice(sorted(RENDERERS)), default="text", show_default=True)
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), default=None)
@click.option("--solver-timeout", type=float, default=10.0, show_default=True, help="seconds per z3 question")
def diff_command(
    old: Path,
    new: Path | None,
    revision: str | None,
    format_: str,
    output: Path | None,
    solver_timeout: float,
) -> None:
    """Which patients get a different plan from NEW than from OLD (guidelines or graph JSON),
    each with a witness patient replayed through both, and what was added, removed or changed.
    Exit 0: z3 proves no patient changes; 1: some patients change; 2: unknown or an error."""
    try:
        if revision is not None:
            if new is not None:
                raise DiffError("--against REV compares one guideline with its git revision: give one file")
            before, after = version_at(revision, old), load_version(str(old))
        else:
            if new is None:
                raise DiffError("give two versions (OLD NEW), or one guideline with --against REV")
            before, after = load_version(str(old)), load_version(str(new))
        report = diff_versions(before, after, int(solver_timeout * 1000))
    except DiffError as error:
        click.echo(f"fibrolang diff: {error}", err=True)
        sys.exit(2)
    text = RENDERERS[format_](report)
    if output is not None:
        output.write_text(text, encoding="utf-8")
        click.echo(f"wrote {output} ({report.verdict})")
    else:
        click.echo(text, nl=False)
    sys.exit(report.exit_code)
