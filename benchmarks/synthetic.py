"""Synthetic guidelines of a given size, for benchmarks.

A guideline of N rules has N decisions in a chain; each decision compares a
number input against a threshold and either recommends one of a few drugs in
its own step or moves on. It uses units, ranges, enums, a definition per ten
rules and a safety rule, so every pass of the front end has work to do.
"""

from __future__ import annotations


def synthetic_guideline(rules: int, inputs: int = 20) -> str:
    lines = [
        "guideline synthetic",
        '  title "Synthetic guideline for benchmarks"',
        '  version "1.0.0"',
        '  citation 1 "Synthetic reference"',
        "end",
        "",
        "enum agent { drug_a, drug_b, drug_c }",
        "",
    ]
    for index in range(inputs):
        lines.append(f'input value_{index} "Value {index}": integer 0 to 1000 mg/day')
    lines.append("input flagged: boolean")
    for drug in ("drug_a", "drug_b", "drug_c"):
        lines += [
            f'drug {drug} "{drug}"',
            "  class synthetic",
            "  dose 10 to 100 mg/day",
            "  evidence level Ib strength A",
            "end",
        ]
    for index in range(0, rules, 10):
        lines.append(f"define high_{index} = value_{index % inputs} > {index % 900} mg/day and not flagged")
    lines += ["", "invariant never_drug_c_flagged never recommend drug_c when flagged", ""]
    lines += ["pathway", "  start -> rule_0", ""]
    drugs = ("drug_a", "drug_b", "drug_a")
    for index in range(rules):
        following = f"rule_{index + 1}" if index + 1 < rules else "done"
        threshold = (index * 37) % 1000
        guard = f"value_{index % inputs} >= {threshold} mg/day"
        if index % 10 == 0:
            guard = f"high_{index} and {guard}"
        lines += [
            f'  decide rule_{index} "Rule {index}?"',
            f"    when {guard} -> treat_{index}",
            "      cite 1",
            f"    otherwise -> {following}",
            "  end",
            f'  step treat_{index} "Treatment {index}"',
            f"    start {drugs[index % 3]} at {10 + index % 90} mg/day",
            f"    -> {following}",
            "  end",
        ]
    lines += ["  outcome done ok", "end", ""]
    return "\n".join(lines)
