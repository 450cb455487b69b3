"""The example of docs/language.md for texts (a table of texts, an `if` choosing a text or
`unset`) checks clean and gives the texts the page states, on the runtime and on the
Python target."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import fibrolang
from compiler import api
from compiler.front.parse import SourceText

sys.path.insert(0, str(Path(__file__).parents[1] / "backends"))
from test_python_module import assert_same, build

DOC = Path(__file__).resolve().parents[2] / "docs" / "language.md"
HEADER = 'guideline example\n  title "An example"\n  version "1"\nend\n\n'


def _block() -> str:
    blocks: list[str] = re.findall(r"```fibro\n(.*?)```", DOC.read_text(encoding="utf-8"), flags=re.DOTALL)
    (block,) = [b for b in blocks if b.startswith("# Example: a table of texts\n")]
    return HEADER + block


def test_the_text_example_gives_the_texts_the_page_states(tmp_path: Path) -> None:
    checked = api.check_source(SourceText("language.md", _block()), DOC.parent)
    assert checked.ok and not checked.diagnostics, checked.diagnostics
    guideline = fibrolang.load(api.compile_checked(checked))
    assert guideline.evaluate({"gfr": "g4", "pregnant": False}).to_dict()["outputs"] == {
        "follow_up": "Refer to nephrology"
    }
    both = guideline.evaluate({"gfr": "g5", "pregnant": True}).outputs
    assert both == {
        "follow_up": "Refer to nephrology & plan kidney replacement therapy",
        "obstetric": "Seek obstetric advice",
    }
    source = tmp_path / "example.fibro"
    source.write_text(_block(), encoding="utf-8")
    python_guideline, module, _ = build(source, tmp_path)
    for gfr in ("g1", "g2", "g3a", "g3b", "g4", "g5"):
        for pregnant in (True, False):
            assert_same(python_guideline, module, {"gfr": gfr, "pregnant": pregnant})


def test_comparing_the_text_is_fib147() -> None:
    source = _block() + 'define refer = follow_up == "Refer to nephrology"\n'
    checked = api.check_source(SourceText("language.md", source), DOC.parent)
    assert [d.code for d in checked.diagnostics] == ["FIB147"]
