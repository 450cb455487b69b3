"""The ``fibrolang review`` command (registered in ``compiler.cli``)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from compiler.review.diff import DiffError, load_version
from compiler.review.pack import ReviewInputs, review_page


@click.command(name="review")
@click.argument("guideline", type=click.Path(path_type=Path))
@click.option("-o", "--output", type=click.Path(path_type=Path, dir_okay=False), required=True)
@click.option(
    "--previous",
    type=click.Path(path_type=Path),
    default=None,
    help="the previous version (guideline or graph JSON): its behavioural diff goes into the page",
)
@click.option(
    "--suite",
    "suite_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("tests/generated"),
    show_default=True,
    help="the folder of the generated test suite whose patients the page lists",
)
@click.option("--solver-timeout", type=float, default=10.0, show_default=True, help="seconds per z3 question")
def review_command(
    guideline: Path, output: Path, previous: Path | None, suite_dir: Path, solver_timeout: float
) -> None:
    """Write one self-contained HTML page for a review committee: the clickable flowchart, the
    traceability table, the safety report, the changes since --previous and a sign-off block
    bound to the content hash."""
    try:
        version = load_version(str(guideline))
        before = load_version(str(previous)) if previous is not None else None
    except DiffError as error:
        click.echo(f"fibrolang review: {error}", err=True)
        sys.exit(2)
    suite = suite_dir / f"test_guideline_{guideline.stem.removesuffix('.graph')}.py"
    inputs = ReviewInputs(version, guideline, suite if suite.exists() else None, before)
    try:
        page = review_page(inputs, int(solver_timeout * 1000))
    except DiffError as error:
        click.echo(f"fibrolang review: {error}", err=True)
        sys.exit(2)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(page, encoding="utf-8")
    click.echo(f"wrote {output} ({len(page.encode('utf-8')) / 1e6:.2f} MB)")
