"""The formatter: canonical layout, comments kept, idempotent, meaning kept."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from compiler.format.formatter import format_text, run_fmt
from compiler.front.pipeline import parse_text

ROOT = Path(__file__).resolve().parent.parent.parent
# Every guideline and every test fixture written in the language.
EXAMPLES = sorted((ROOT / "guidelines").glob("*.fibro")) + sorted((ROOT / "tests").rglob("*.fibro"))
HEADER = 'guideline g title "t" version "v" end\n'


def fmt(text: str) -> str:
    formatted, diagnostics = format_text(text, "t.fibro")
    assert formatted is not None, diagnostics
    return formatted


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: str(p.relative_to(ROOT)))
def test_examples_are_idempotent_and_keep_meaning(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    once = fmt(text)
    assert fmt(once) == once
    assert parse_text(once)[0] == parse_text(text)[0]
    before = sorted(c.text for c in parse_text(text)[0].comments)  # type: ignore[union-attr]
    after = sorted(c.text for c in parse_text(once)[0].comments)  # type: ignore[union-attr]
    assert before == after


def test_canonical_layout() -> None:
    messy = (
        'guideline   g title "t"\n version "v"  end\n'
        'input  age:integer 0 to 130 years note "n"\n'
        "define x=(age>40 years)and((age<90 years))\n"
        "define dose_check = 1.50 mg / day\n"
        "define y = not (x is recommended) or (a and b)\n"
        "pathway start->s step s start duloxetine at 60 mg/day when x cite 1 -> done end\n"
        "outcome done ok end\n"
    )
    assert fmt(messy) == (
        "guideline g\n"
        '  title "t"\n'
        '  version "v"\n'
        "end\n"
        "\n"
        "input age: integer 0 to 130 years\n"
        '  note "n"\n'
        "define x = age > 40 years and age < 90 years\n"
        "define dose_check = 1.50 mg / day\n"  # a spaced slash divides: no longer the unit mg/day
        "define y = not (x is recommended) or (a and b)\n"
        "\n"
        "pathway\n"
        "  start -> s\n"
        "\n"
        "  step s\n"
        "    start duloxetine at 60 mg/day when x\n"
        "      cite 1\n"
        "    -> done\n"
        "  end\n"
        "\n"
        "  outcome done ok\n"
        "end\n"
    )


def test_is_and_double_equals_are_kept_as_written() -> None:
    text = HEADER + "define a = x is y\ndefine b = x == y\ndefine c = d is not recommended\n"
    assert fmt(text) == text.replace(HEADER, fmt(HEADER) + "\n")


def test_parentheses_only_where_needed() -> None:
    text = (
        HEADER
        + "define a = (count q in s where q in t) >= 2\ndefine b = (1 + 2) * 3\ndefine c = 1 + (2 * 3)\n"
    )
    out = fmt(text)
    assert "define a = (count q in s where q in t) >= 2\n" in out
    assert "define b = (1 + 2) * 3\n" in out
    assert "define c = 1 + 2 * 3\n" in out


def test_strings_are_escaped_canonically() -> None:
    text = HEADER + 'input x "tab\\there \\u0041 \\"q\\" back\\\\slash \\u0007": boolean\n'
    assert 'input x "tab\\there A \\"q\\" back\\\\slash \\u0007": boolean\n' in fmt(text)


def test_long_conditions_break_before_and_or() -> None:
    names = " and ".join(f"condition_number_{i}" for i in range(8))
    out = fmt(HEADER + f"define x = {names} or other\n")
    lines = out.splitlines()
    assert all(len(line) <= 100 for line in lines)
    assert "define x =" in lines
    assert "    or other" in lines
    assert any(line.startswith("      and condition_number_") for line in lines)


COMMENTED = """\
# leading comment

guideline g  # the id
  title "t"
  version "v"
end

# about age
input age: integer 0 to 130 years  # trailing
enum e {
  a,  # first
  # before b
  b,
}

pathway
  start -> s

  step s
    # before the item
    recommend exercise
    # at the end of the step
    -> done
  end

  outcome done ok
  # at the end of the pathway
end
# at the end of the file
"""


def test_comments_stay_where_they_were() -> None:
    assert fmt(COMMENTED) == COMMENTED


def test_blank_lines_are_collapsed_and_kept_between_declarations() -> None:
    text = HEADER + "input a: boolean\n\n\n\ninput b: boolean\ninput c: boolean\n"
    assert fmt(text).endswith("input a: boolean\n\ninput b: boolean\ninput c: boolean\n")


def test_errors_give_no_output() -> None:
    formatted, diagnostics = format_text(HEADER + "define x = = 2\n")
    assert formatted is None
    assert [d.code for d in diagnostics] == ["FIB005"]
    formatted, diagnostics = format_text(HEADER + 'input x "\\q": boolean\n')
    assert formatted is None
    assert [d.code for d in diagnostics] == ["FIB008"]


def test_run_fmt_check_and_rewrite(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "g.fibro"
    path.write_text(HEADER + "input  a :boolean\n", encoding="utf-8")
    assert run_fmt([path], check=True) == 1
    out = capsys.readouterr().out
    assert f"would reformat {path}" in out
    assert "-input  a :boolean" in out and "+input a: boolean" in out
    assert run_fmt([path], check=False) == 0
    assert path.read_text(encoding="utf-8").endswith("\ninput a: boolean\n")
    assert run_fmt([path], check=True) == 0
    broken = tmp_path / "broken.fibro"
    broken.write_text(HEADER + "define x = = 2\n", encoding="utf-8")
    assert run_fmt([broken], check=False) == 1
    assert "FIB005" in capsys.readouterr().err
    assert broken.read_text(encoding="utf-8").endswith("= = 2\n")


def test_cli_fmt(tmp_path: Path) -> None:
    path = tmp_path / "g.fibro"
    path.write_text(HEADER + "input  a :boolean\n", encoding="utf-8")
    command = [sys.executable, "-c", "from compiler.cli import main; main()", "fmt"]
    checked = subprocess.run([*command, "--check", str(path)], capture_output=True, text=True)
    assert checked.returncode == 1 and "would reformat" in checked.stdout
    rewritten = subprocess.run([*command, str(path)], capture_output=True, text=True)
    assert rewritten.returncode == 0
    again = subprocess.run([*command, "--check", str(path)], capture_output=True, text=True)
    assert again.returncode == 0, again.stdout
