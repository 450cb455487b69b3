"""The Python target (``fibrolang compile --target python``) against the runtime.

Differential: for each committed guideline and the benchmark workload, every witness and
boundary patient of the generated suites (tests/generated/) and 20,000 seeded random
records (facts absent or null, invalid values of every kind, unknown fields) give the
same result JSON from the generated module's ``evaluate`` as from
``Guideline.evaluate(...).to_dict()``, the same lean answer from ``decide``, and for an
invalid record the same problem list and message. The module is imported from the file
it was written to (never ``exec``-ed from a string).
"""

from __future__ import annotations

import importlib.util
import math
import os
import random
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

import fibrolang
from compiler import api
from compiler.backends.python.expressions import PythonTargetError, identifier, literal
from compiler.backends.python.module import python_module
from compiler.testgen.suite import read_patients
from fibrolang import expressions as ex
from fibrolang.graph import BooleanType, EnumType, Graph, MapType, NumberType, SetType, ValueType

ROOT = Path(__file__).resolve().parents[2]
GUIDELINES = {
    "fibromyalgia": ROOT / "guidelines" / "fibromyalgia.fibro",
    "acr2016": ROOT / "guidelines" / "acr2016.fibro",
    "bmi_who": ROOT / "guidelines" / "bmi_who.fibro",
    "bench_spec": ROOT / "benchmarks" / "spec.fibro",
    # lookup tables (one key by ranges, two keys) and outputs that may be unset (issue 20)
    "ckd_staging": ROOT / "tests" / "fixtures" / "ckd-staging.fibro",
    "news2_oxygen": ROOT / "tests" / "fixtures" / "news2-oxygen.fibro",
}
RANDOM_PATIENTS = 20_000


def import_module(path: Path, name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def build(source: Path, directory: Path) -> tuple[fibrolang.Guideline, ModuleType, str]:
    guideline = fibrolang.load(api.compile_file(source))
    text = python_module(guideline.graph)
    path = directory / f"{source.stem}_module.py"
    path.write_text(text, encoding="utf-8")
    return guideline, import_module(path, f"generated_{source.stem}"), text


@pytest.fixture(scope="module", params=sorted(GUIDELINES))
def target(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Any:
    directory = tmp_path_factory.mktemp("python_target")
    return (request.param, *build(GUIDELINES[request.param], directory))


# ---- the answers of both sides, as comparable data ----------------------------------


def runtime_answer(guideline: fibrolang.Guideline, patient: Any) -> tuple[Any, ...]:
    try:
        return ("result", guideline.evaluate(patient).to_dict())
    except fibrolang.InvalidPatient as error:
        return ("invalid", [(p.path, p.message, p.code) for p in error.problems], str(error))
    except fibrolang.SafetyViolation as error:
        return ("unsafe", error.invariant, error.nodes, error.edges, str(error))
    except fibrolang.GuidelineError as error:
        return ("incomplete", str(error))


def module_answer(module: ModuleType, patient: Any) -> tuple[Any, ...]:
    try:
        return ("result", module.evaluate(patient))
    except module.InvalidPatient as error:
        return ("invalid", [tuple(problem) for problem in error.problems], str(error))
    except module.SafetyViolation as error:
        return ("unsafe", error.invariant, error.nodes, error.edges, str(error))
    except module.GuidelineError as error:
        return ("incomplete", str(error))


def lean_of(result: dict[str, Any]) -> tuple[Any, ...]:
    """What ``decide`` returns, derived from a full result JSON."""
    return (
        result["status"],
        result["missing"],
        [(item["intervention"], item["action"]) for item in result["recommendations"]],
        [item["intervention"] for item in result["avoid"]],
        [item["id"] for item in result["flags"]],
        [item["what"] for item in result["monitoring"]],
        result["outputs"],
    )


def assert_same(guideline: fibrolang.Guideline, module: ModuleType, patient: Any) -> None:
    expected = runtime_answer(guideline, patient)
    assert module_answer(module, patient) == expected, patient
    if expected[0] == "result":
        assert module.decide(patient) == lean_of(expected[1]), patient
        normalised = module.validate(patient)
        assert module.evaluate(normalised, validate=False) == expected[1], patient
        assert module.decide(normalised, validate=False) == lean_of(expected[1]), patient


# ---- random records: valid, absent, null and invalid facts ---------------------------


def thresholds(graph: Graph) -> list[float]:
    """Every number constant of the graph's expressions (to probe just below, at, above)."""
    found: set[float] = set()

    def walk(expr: Any) -> None:
        if isinstance(expr, ex.Constant) and not isinstance(expr.value, bool):
            found.add(expr.value)
        for name in getattr(expr, "__dataclass_fields__", {}):
            value = getattr(expr, name)
            for child in value if isinstance(value, tuple) else (value,):
                if type(child).__module__ == ex.__name__:
                    walk(child)

    for definition in graph.definitions:
        walk(definition.expr)
    for node in graph.nodes:
        for guard in [getattr(edge, "guard", None) for edge in getattr(node, "branches", ())]:
            walk(guard)
        for item in getattr(node, "items", ()):
            walk(item.guard)
    for invariant in graph.invariants:
        walk(invariant.condition)
    return sorted(found)


class RecordMaker:
    def __init__(self, graph: Graph, seed: int) -> None:
        self.rng = random.Random(seed)
        self.enums = {enum.name: enum.members for enum in graph.enums}
        self.records = {record.name: record for record in graph.records}
        self.inputs = graph.inputs
        self.numbers = thresholds(graph)

    def number(self, declared: NumberType) -> Any:
        rng = self.rng
        low = declared.minimum if declared.minimum is not None else -10
        high = declared.maximum if declared.maximum is not None else 1000
        near = [value + delta for value in self.numbers for delta in (-1, -0.1, 0, 0.1, 1)]
        candidates = [low, high, *(value for value in near if low <= value <= high)]
        value: Any = rng.choice(candidates) if rng.random() < 0.6 else rng.uniform(low, high)
        if declared.integral:
            value = math.floor(value) if rng.random() < 0.9 else float(math.floor(value))
        elif rng.random() < 0.5:
            value = round(value, 1)
        if declared.unit and rng.random() < 0.15:
            return {"value": value, "unit": declared.unit}
        return value

    def valid(self, declared: ValueType) -> Any:
        rng = self.rng
        if isinstance(declared, BooleanType):
            return rng.random() < 0.5
        if isinstance(declared, NumberType):
            return self.number(declared)
        if isinstance(declared, EnumType):
            return rng.choice(self.enums[declared.enum])
        if isinstance(declared, SetType):
            members = self.enums[declared.enum]
            chosen = rng.sample(members, rng.randint(0, len(members)))
            return chosen + chosen[:1] if rng.random() < 0.1 else chosen  # a repeat counts once
        assert isinstance(declared, MapType)
        record = self.records[declared.record]
        return {
            key: None if rng.random() < 0.05 else self.fields(record.fields)
            for key in rng.sample(self.enums[declared.key], rng.randint(0, len(self.enums[declared.key])))
        }

    def invalid(self, declared: ValueType) -> Any:
        rng = self.rng
        bad: list[Any] = ["yes", [1], {"value": 1}, True, 3.5, math.nan, math.inf, -1e9, 1e9, "duloxetin"]
        if isinstance(declared, NumberType) and declared.unit:
            bad += [{"value": 5, "unit": "furlongs"}, {"value": "5", "unit": declared.unit}]
        if isinstance(declared, SetType | MapType):
            bad += [["nope"], [None], {"nope": {}}, "a"]
        if isinstance(declared, MapType):
            key = self.enums[declared.key][0]
            bad += [
                {key: 3},
                {key: {"nope": 1}},
                {key: {field.name: "x" for field in self.records[declared.record].fields}},
            ]
        return rng.choice(bad)

    def fields(self, declared: Any) -> dict[str, Any]:
        rng = self.rng
        record: dict[str, Any] = {}
        for field in declared:
            roll = rng.random()
            if roll < 0.1:
                continue  # absent
            if roll < 0.13:
                record[field.name] = None
            elif roll < 0.16:
                record[field.name] = self.invalid(field.type)
            else:
                record[field.name] = self.valid(field.type)
        if rng.random() < 0.02:
            record[rng.choice([field.name for field in declared]) + "_"] = 1  # a near-miss name
        return record

    def patient(self) -> Any:
        if self.rng.random() < 0.005:
            return self.rng.choice([[], "patient", None, 7])
        return self.fields(self.inputs)


def test_every_suite_patient_gets_the_runtime_answer(target: Any) -> None:
    name, guideline, module, _text = target
    suite = ROOT / "tests" / "generated" / f"test_guideline_{name}.py"
    if not suite.exists():
        pytest.skip(f"{name} has no generated suite")
    patients = read_patients(suite)
    assert len(patients) > 10
    for case in patients:
        assert_same(guideline, module, case.patient)


def test_random_records_get_the_runtime_answer(target: Any) -> None:
    _name, guideline, module, _text = target
    maker = RecordMaker(guideline.graph, seed=14)
    kinds: dict[str, int] = {}
    for _ in range(RANDOM_PATIENTS):
        patient = maker.patient()
        assert_same(guideline, module, patient)
        answer = runtime_answer(guideline, patient)
        kind = answer[0] if answer[0] != "result" else answer[1]["status"]
        kinds[kind] = kinds.get(kind, 0) + 1
    # the random records reach every kind of answer the test means to compare
    assert {"ok", "insufficient_data", "invalid"} <= set(kinds), kinds


def test_the_module_says_what_it_was_generated_from(target: Any) -> None:
    _name, guideline, module, text = target
    header = "\n".join(text.splitlines()[:6])
    for fact in (guideline.id, guideline.version, guideline.content_hash, "fibrolang"):
        assert repr(fact)[1:-1] in header
    assert {
        "id": guideline.id,
        "version": guideline.version,
        "content_hash": guideline.content_hash,
    } == module.GUIDELINE
    imports = [line for line in text.splitlines() if line.startswith(("import ", "from "))]
    assert imports == [
        "from __future__ import annotations",
        "import difflib",
        "import math",
        "from collections.abc import Mapping",
        "from fractions import Fraction",
    ]


def test_the_module_is_byte_identical_across_hash_seeds(tmp_path: Path) -> None:
    outputs = []
    for seed in ("0", "12345"):
        out = tmp_path / f"fibromyalgia_{seed}.py"
        subprocess.run(
            [
                sys.executable,
                "-m",
                "compiler.cli",
                "compile",
                "--target",
                "python",
                str(GUIDELINES["fibromyalgia"]),
                "-o",
                str(out),
            ],
            check=True,
            capture_output=True,
            env={**os.environ, "PYTHONHASHSEED": seed},
            cwd=ROOT,
        )
        outputs.append(out.read_bytes())
    assert outputs[0] == outputs[1]


# ---- strings that would break pasted code ---------------------------------------------

HOSTILE = 'He said \\"stop\\" \'now\'\\n; \\"\\"\\" end\\t \\u00e9 {x} %s'  # as written in fibrolang

HOSTILE_GUIDELINE = f'''guideline hostile
  title "{HOSTILE}"
  version "1.0.0"
end

input age "Age {HOSTILE}": integer 0 to 130 years

drug pregabalin "Pregabalin {HOSTILE}"
  class anticonvulsant
  dose 150 to 450 mg/day "{HOSTILE}"
end

pathway
  start -> adult

  decide adult "Adult? {HOSTILE}"
    when age >= 18 years -> plan
      label "{HOSTILE}"
    otherwise -> child
  end

  step plan "Plan {HOSTILE}"
    start pregabalin at 150 mg/day "{HOSTILE}"
    flag check "{HOSTILE}" when age >= 65 years
    -> done
  end

  outcome done ok "{HOSTILE}"
  outcome child not_applicable "{HOSTILE}"
end
'''


def test_guideline_strings_are_escaped_by_construction(tmp_path: Path) -> None:
    source = tmp_path / "hostile.fibro"
    source.write_text(HOSTILE_GUIDELINE, encoding="utf-8")
    guideline, module, _text = build(source, tmp_path)
    for patient in ({"age": 70}, {"age": 30}, {"age": 5}, {}, {"age": "x"}, {"agee": 3}):
        assert_same(guideline, module, patient)
    result = module.evaluate({"age": 70})
    assert result["message"] == 'He said "stop" \'now\'\n; """ end\t \u00e9 {x} %s'
    assert result["recommendations"][0]["why"][0]["label"] == result["message"]


def test_literals_take_only_checked_types() -> None:
    assert literal({"a": [1, 2.5, None, True, ("x",)]}) == "{'a': [1, 2.5, None, True, ('x',)]}"
    for bad in (math.nan, object(), {1.5j}, b"bytes"):
        with pytest.raises(PythonTargetError):
            literal(bad)
    for name in ("age", "_x1"):
        assert identifier(name) == name
    for bad_name in ("a b", "x\n", "1x", "é", "a.b"):
        with pytest.raises(PythonTargetError):
            identifier(bad_name)


UNSAFE_GUIDELINE = """guideline unsafe
  title "A plan that breaks its safety rule for the old"
  version "1.0.0"
end

input age: integer 0 to 130 years
input liver: boolean

drug duloxetine "Duloxetine"
  class antidepressant
end

invariant no_duloxetine_when_old "No duloxetine at 80 or over"
  never recommend duloxetine when age >= 80 years

pathway
  start -> choose

  decide choose "Which?"
    when liver -> none
  end

  outcome none ok
end
"""


def test_a_broken_safety_rule_and_an_incomplete_decision_raise_the_same(tmp_path: Path) -> None:
    unsafe = UNSAFE_GUIDELINE.replace(
        '  decide choose "Which?"\n    when liver -> none\n  end\n',
        '  decide choose "Which?"\n    when liver -> none\n    when age >= 10 years -> give\n  end\n\n'
        '  step give "Give"\n    start duloxetine\n    -> none\n  end\n',
    )
    source = tmp_path / "unsafe.fibro"
    source.write_text(unsafe, encoding="utf-8")
    guideline, module, _text = build(source, tmp_path)
    answers = set()
    for patient in (
        {"age": 85, "liver": False},
        {"age": 50, "liver": False},
        {"age": 5, "liver": False},
        {"liver": False},
        {"age": 85},
        {"age": 85, "liver": True},
    ):
        assert_same(guideline, module, patient)
        answers.add(runtime_answer(guideline, patient)[0])
    assert {"unsafe", "incomplete", "result"} <= answers


def _chain(rules: int, nested: bool) -> str:
    """A chain of ``rules`` decisions on one number: ``nested``, each one's first branch leads
    to the next (so each is a block inside the last); otherwise each one's second branch does."""
    lines = [
        "guideline chain",
        '  title "A long chain of decisions"',
        '  version "1.0.0"',
        "end",
        'input value "Value": integer 0 to 1000',
        "pathway",
        "  start -> rule_0",
    ]
    for index in range(rules):
        following = f"rule_{index + 1}" if index + 1 < rules else "done"
        first, second = (following, "stop") if nested else ("stop", following)
        threshold = index + 1 if nested else 1000 - index
        lines += [
            f"  decide rule_{index}",
            f"    when value >= {threshold} -> {first}",
            f"    otherwise -> {second}",
            "  end",
        ]
    return "\n".join([*lines, "  outcome stop ok", "  outcome done ok", "end", ""])


@pytest.mark.parametrize(
    ("nested", "refused"),
    [(True, "nests its decisions deeper than a Python module can"), (False, "paths too long to write out")],
)
def test_a_chain_too_deep_for_python_is_refused(tmp_path: Path, nested: bool, refused: str) -> None:
    """Python reads at most 100 levels of indentation and its stack holds about a thousand
    calls; a pathway beyond either is refused with the reason, and the runtime still runs it."""
    source = tmp_path / "chain.fibro"
    source.write_text(_chain(120 if nested else 400, nested), encoding="utf-8")
    guideline = fibrolang.load(api.compile_file(source))
    with pytest.raises(PythonTargetError, match=refused):
        python_module(guideline.graph)
    assert guideline.evaluate({"value": 500}).status == "ok"


def test_a_chain_python_can_hold_is_written_and_agrees_with_the_runtime(tmp_path: Path) -> None:
    source = tmp_path / "chain.fibro"
    source.write_text(_chain(60, nested=True), encoding="utf-8")
    guideline, module, _text = build(source, tmp_path)
    for value in (0, 1, 30, 59, 60, 61, 1000):
        assert_same(guideline, module, {"value": value})
