"""Run every checker case in tests/check/cases and compare the diagnostics
with its inline expectations, written mypy style (tests/support/expectations.py)::

    define x = agee > 3 years  # E:12: FIB101 `agee` is not defined: ...

then compare what ``fibrolang check`` prints for each case, in each format,
with its golden file in tests/check/goldens (tests/support/goldens.py;
``pytest --update-goldens`` rewrites them).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from expectations import compare, read_expectations
from goldens import FORMATS, compare_or_update, golden_path, run_check, stale_goldens

from compiler import api

CASES = Path(__file__).parent / "cases"
FIXTURES = Path(__file__).parents[1] / "fixtures"


@pytest.mark.parametrize("path", sorted(CASES.glob("*.fibro")), ids=lambda p: p.stem)
def test_case(path: Path) -> None:
    checked = api.check_file(path)
    assert checked.guideline is not None, "the fixture must parse"
    problems = compare(read_expectations(path), checked.diagnostics)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("format_", FORMATS)
@pytest.mark.parametrize("path", sorted(CASES.glob("*.fibro")), ids=lambda p: p.stem)
def test_rendered_diagnostics_match_the_golden_file(
    path: Path, format_: str, update_goldens: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    checked = run_check(path, format_, monkeypatch)
    expected = read_expectations(path)
    assert checked.exit_code == (1 if any(e.severity == "error" for e in expected) else 0), checked.output
    compare_or_update(golden_path(path, format_), checked.output, update_goldens)


def test_every_golden_file_belongs_to_a_case(update_goldens: bool) -> None:
    assert stale_goldens(sorted(CASES.glob("*.fibro")), update_goldens) == []


# Fixtures with known guideline bugs the checker rightly reports; strict, so
# the test fails (and this list must shrink) once the fixture is fixed.
KNOWN_BUGS: dict[str, str] = {}


@pytest.mark.parametrize(
    "path",
    [
        pytest.param(p, marks=pytest.mark.xfail(reason=KNOWN_BUGS[p.stem], strict=True))
        if p.stem in KNOWN_BUGS
        else p
        for p in sorted(FIXTURES.glob("*.fibro"))
    ],
    ids=lambda p: p.stem,
)
def test_fixtures_check_clean(path: Path) -> None:
    checked = api.check_file(path)
    assert [d for d in checked.diagnostics if d.severity == "error"] == []


@pytest.mark.parametrize(
    "path", sorted((FIXTURES.parent.parent / "guidelines").glob("*.fibro")), ids=lambda p: p.stem
)
def test_guidelines_check_clean(path: Path) -> None:
    checked = api.check_file(path)
    assert checked.diagnostics == []
