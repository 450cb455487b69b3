"""guidelines/bmi_who.fibro takes the height in cm; a copy that declares it in m must give
every patient the same BMI and the same category (the compiler converts kg/m2 from
kg/cm2 or from kg/m2 exactly, issue 13)."""

from __future__ import annotations

import random
from pathlib import Path

import fibrolang
from compiler import api
from compiler.front.parse import SourceText

ROOT = Path(__file__).resolve().parents[2]
GUIDELINE = ROOT / "guidelines" / "bmi_who.fibro"
IN_CM = 'input height "Height": decimal 100 to 250 cm'
IN_M = 'input height "Height": decimal 1 to 2.5 m'


def _load(text: str) -> fibrolang.Guideline:
    checked = api.check_source(SourceText(str(GUIDELINE), text), GUIDELINE.parent)
    assert checked.ok, checked.diagnostics
    return fibrolang.load(api.compile_checked(checked))


def test_a_height_in_m_gives_the_same_bmi_and_category_as_in_cm() -> None:
    text = GUIDELINE.read_text(encoding="utf-8")
    assert text.count(IN_CM) == 1
    in_cm, in_m = _load(text), _load(text.replace(IN_CM, IN_M))
    rng = random.Random(13)
    heights = [100 + rng.randrange(0, 15001) / 100 for _ in range(2000)]  # cm, two decimals
    heights += [150.0, 175.0, 181.5, 200.0, 250.0, 100.0]
    for height_cm in heights:
        weight = 20 + rng.randrange(0, 28001) / 100
        a = in_cm.evaluate({"weight": weight, "height": height_cm})
        b = in_m.evaluate({"weight": weight, "height": round(height_cm / 100, 4)})
        assert isinstance(a, fibrolang.Result) and isinstance(b, fibrolang.Result)
        assert a.status == b.status
        assert a.outputs == b.outputs, (weight, height_cm)
        assert [f.id for f in a.flags] == [f.id for f in b.flags]
