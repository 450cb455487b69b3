"""The measurement-arithmetic example of docs/language.md checks clean and gives the
outputs the page shows for its patients (the runtime, and the Python target)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import fibrolang
from compiler import api
from compiler.front.parse import SourceText

DOC = Path(__file__).resolve().parents[2] / "docs" / "language.md"


def _section() -> str:
    text = DOC.read_text(encoding="utf-8")
    return text[text.index("### Measurement arithmetic") : text.index("### Plan queries")]


def test_the_measurement_example_checks_and_computes_what_the_page_says() -> None:
    section = _section()
    source = re.findall(r"```fibro\n(.*?)```", section, flags=re.DOTALL)[-1]
    examples = json.loads(re.findall(r"```json\n(.*?)```", section, flags=re.DOTALL)[-1])
    checked = api.check_source(SourceText("language.md", source), DOC.parent)
    assert checked.ok, [d.message for d in checked.diagnostics]
    guideline = fibrolang.load(api.compile_checked(checked))
    assert len(examples) >= 3
    for example in examples:
        outputs = guideline.evaluate(example["patient"]).outputs
        assert dict(outputs) == example["outputs"], example
