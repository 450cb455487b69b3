"""Unit tests of the checker: hints, ordering, cascades, speed, the units
catalogue, and the catalogue of codes kept in step with docs/diagnostics.md."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

from compiler import api
from compiler.check import PASSES, check_guideline
from compiler.check import unit_catalogue as units
from compiler.check.traceability import read_source_text
from compiler.diagnostics import catalogue as diag
from compiler.diagnostics.catalogue import CATALOGUE, Diagnostic
from compiler.front.parse import SourceText
from compiler.front.pipeline import parse_text

ROOT = Path(__file__).resolve().parents[2]
CASES = Path(__file__).parent / "cases"

HEADER = 'guideline t\n  title "T"\n  version "1.0"\nend\n'


def check(body: str) -> list[Diagnostic]:
    guideline, problems = parse_text(HEADER + body, "case.fibro")
    assert guideline is not None, problems
    return check_guideline(guideline, CASES)


def hints(found: list[Diagnostic]) -> list[tuple[str, str | None]]:
    return [(d.code, d.hint) for d in found]


def test_every_pass_has_the_documented_signature() -> None:
    assert [p.__name__ for p in PASSES] == [
        "check_header",
        "check_names",
        "check_types",
        "check_units",
        "check_ranges",
        "check_traceability",
        "check_structure",
        "check_bindings",
        "check_cards",
        "check_ordinals",
        "check_defaults",
        "check_unit_declarations",
        "check_tables",
        "check_unset",
        "check_division",
        "check_dates",
        "check_text",
    ]


def test_undefined_name_hint_and_single_report() -> None:
    found = check(
        "input egfr: decimal 0 to 200 mL/min/1.73m2\n"
        "define low = egrf < 30 mL/min/1.73m2 or egrf > 90 mL/min/1.73m2 or egrf + 1 mL/min/1.73m2 > 2\n"
        "pathway start -> done outcome done ok end\n"
    )
    assert [(d.code, d.message, d.hint) for d in found] == [
        (
            "FIB101",
            "`egrf` is not defined: no input, definition or enum member has this name",
            "did you mean `egfr`?",
        )
    ]
    assert len(found[0].related) == 2


def test_unit_hint_names_the_unit() -> None:
    found = check(
        "input weeks: decimal 0 to 52 weeks\ndefine long = weeks >= 4\n"
        "pathway start -> done outcome done ok end\n"
    )
    assert hints(found) == [("FIB104", "write `4 weeks`")]
    assert found[0].message == "`weeks` is in weeks but 4 has no unit"


def test_the_catalogue_knows_the_common_clinical_units_with_their_ucum_codes() -> None:
    from compiler.check import fhir_codes

    assert set(units.CATALOGUE) == set(fhir_codes.UCUM)  # every unit can be read from FHIR
    for written, canonical, ucum in [
        ("breaths/min", "breaths/min", "{breaths}/min"),
        ("drinks/week", "drinks/week", "{drinks}/wk"),
        ("mmol/mol", "mmol/mol", "mmol/mol"),
        ("IU/L", "IU/L", "[IU]/L"),
        ("beats/min", "bpm", "/min"),
        ("Cel", "celsius", "Cel"),
    ]:
        assert units.canonical(written) == canonical
        assert fhir_codes.ucum_codes(canonical)[0] == ucum
    assert fhir_codes.unit_of_ucum("/min") == "bpm"  # shared with breaths/min: the pulse first
    found = check(
        "input rate: integer 0 to 80 breaths/min\ninput pulse: integer 0 to 300 bpm\n"
        "define fast = rate >= 25 breaths/min or pulse > 130 beats/min\n"
        "define mixed = rate > pulse\n"
        "pathway start -> done outcome done ok end\n"
    )
    assert [(d.code, d.message) for d in found] == [
        (
            "FIB104",
            "`rate` is in breaths/min (respiratory rate) but `pulse` is in bpm (heart rate), "
            "and one does not convert into the other",
        )
    ]


def test_unknown_unit_did_you_mean() -> None:
    assert units.suggest("wekes") == "weeks"
    assert units.suggest("ML/MIN/1.73M2") == "mL/min/1.73m2"
    assert units.suggest("cms") == "cm"
    assert units.suggest("furlongs") is None
    assert units.canonical("year") == "years"


def test_units_compatibility() -> None:
    assert units.compatible("points", None)
    assert units.compatible("weeks", "weeks")
    assert not units.compatible("weeks", None)
    assert not units.compatible("weeks", "days")


def test_outcome_status_hint() -> None:
    found = check("pathway start -> done outcome done okay end\n")
    assert hints(found) == [
        ("FIB117", "did you mean `ok`? The statuses are ok, not_applicable and insufficient_data.")
    ]


def test_ambiguous_member_resolved_by_context() -> None:
    body = (
        "enum pain { mild, severe }\nenum fatigue { mild, severe }\n"
        "input tiredness: fatigue\n"
        "define a = tiredness is mild\ndefine b = if tiredness is severe then mild else tiredness\n"
        "define c = tiredness in {mild, severe}\n"
        "pathway start -> done outcome done ok end\n"
    )
    assert check(body) == []
    found = check(body.replace("define a = tiredness is mild", "define a = mild"))
    assert [d.code for d in found] == ["FIB121"]


def test_output_is_sorted_and_unique() -> None:
    checked = api.check_file(CASES / "many_errors.fibro")
    assert checked.diagnostics == diag.arrange(checked.diagnostics)
    keys = [(d.code, d.span, d.message) for d in checked.diagnostics]
    assert len(keys) == len(set(keys))
    assert sum(1 for d in checked.diagnostics if "`egrf`" in d.message) == 1
    assert sum(1 for d in checked.diagnostics if "`unknown_thing`" in d.message) == 1


def test_output_does_not_depend_on_hash_seed() -> None:
    script = (
        "import json,sys; from compiler import api; "
        "print(json.dumps([[d.code, d.span.line, d.span.column, d.message, d.hint] "
        "for p in sys.argv[1:] for d in api.check_file(p).diagnostics]))"
    )
    paths = [str(p) for p in sorted(CASES.glob("*.fibro"))]
    outputs = set()
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        result = subprocess.run(
            [sys.executable, "-c", script, *paths], capture_output=True, text=True, env=env, check=True
        )
        outputs.add(result.stdout)
    assert len(outputs) == 1


def test_closest_passage_is_fast_and_useful() -> None:
    source = read_source_text(ROOT / "guidelines" / "sources" / "refractory-fibromyalgia.txt")
    assert 5000 < len(source.text) < 7000
    quote = "Avoid duloxetine in patients with chronic liver disease or severe kidney impairment (GFR <30)"
    start = time.perf_counter()
    for _ in range(5):
        closest = source.closest(quote)
    per_quote = (time.perf_counter() - start) / 5
    assert closest is not None
    assert closest[1].startswith("Avoid duloxetine in patients with chronic liver disease")
    assert per_quote < 0.05, f"{per_quote * 1000:.1f} ms per quote"


def test_quotes_match_across_typography_and_list_items() -> None:
    source = read_source_text(CASES / "sources" / "sample.txt")
    assert source.contains('The clinician\'s "first choice" is exercise - always.')
    assert source.contains("effective for pain Avoid duloxetine")
    assert source.contains("  severe renal\n impairment  ")
    assert not source.contains("")
    assert not source.contains("effective for PAIN")


def _documented_codes() -> list[str]:
    text = (ROOT / "docs" / "diagnostics.md").read_text(encoding="utf-8")
    return re.findall(r"^## (FIB\d{3})\b", text, flags=re.MULTILINE)


def test_catalogue_and_docs_in_step() -> None:
    documented = _documented_codes()
    assert len(documented) == len(set(documented)), "a code is documented twice"
    assert sorted(documented) == sorted(CATALOGUE), "docs/diagnostics.md and CATALOGUE differ"


def test_every_checker_code_has_a_fixture_with_its_exact_message() -> None:
    expected: set[str] = set()
    for path in CASES.glob("*.fibro"):
        expected.update(re.findall(r"# [EWN]:(?:[+-]\d+:)?\d+: (FIB\d{3}) [^.]", path.read_text()))
    emitted = set()
    for module in (ROOT / "compiler" / "check").glob("*.py"):
        emitted.update(re.findall(r'"(FIB1\d\d)"', module.read_text()))
    assert emitted <= expected, f"no fixture for {sorted(emitted - expected)}"


def test_an_unknown_function_or_a_wrong_number_of_arguments_is_fib145() -> None:
    text = (
        'guideline g\n  title "t"\n  version "1"\nend\n'
        "input weight: decimal 1 to 300 kg\n"
        "define a = sqrt(weight) > 1 kg\n"
        "define b = round(weight) > 1 kg\n"
    )
    guideline, found = parse_text(text, "t.fibro")
    assert guideline is not None
    # the parser knows the functions' arities; any other name called is a parameterised
    # definition to the parser, and the expansion (compiler/front/parameters.py) finds none
    assert [(d.code, d.message, d.hint, d.span.line, d.span.column) for d in found] == [
        ("FIB145", "`round` takes two arguments, not 1", "write `round(value, decimals)`", 7, 12),
    ]
    checked = api.check_source(SourceText("t.fibro", text), CASES)
    assert [(d.code, d.message, d.hint, d.span.line, d.span.column) for d in checked.diagnostics] == [
        (
            "FIB145",
            "there is no function `sqrt`",
            "the functions are `round`, `min`, `max`, `abs`; a rule of this guideline that takes "
            "arguments is declared `define name(a: type) = ...`",
            6,
            12,
        ),
        ("FIB145", "`round` takes two arguments, not 1", "write `round(value, decimals)`", 7, 12),
    ]
