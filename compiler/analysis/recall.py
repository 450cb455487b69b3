"""Answers to the analysis's questions, asked before of the solver, recalled by the exact
content of the question (``Prover(recall=...)``; ``compiler/proof_cache.py`` keeps them).

A question's key is the SHA-256 of a salt (the toolchain, z3, Python and the limits, from
``proof_cache``) and of what the solver is asked, by the structural digests of ``digest``:

- a verdict (is there a patient for these goals?) is keyed by the input ranges and the goals,
  each goal's digest covering every definition it reads (its cone of influence): the verdict of
  the whole path conditions with the goals is the verdict of the cone with the goals
  (``cone``), so the same key is the same verdict, sat or unsat, in any graph;
- a witness (the readable patient of a satisfiable question, ``Prover.witness``) is keyed by its
  verdict's key, the equations of its cone in the order they are asserted, and everything
  ``Prover._readable`` and ``Prover.patient`` read besides the solver: the inputs, their types,
  enumerations and records, and the guideline's thresholds. A fresh solver given the same
  assertions in the same order finds the same models (one z3 version: the salt), so the
  patient is the one asking afresh finds.

Only definite answers are kept: a verdict sat or unsat (never unknown), a patient whose
readable search met no unknown answer (``solve.unknowns``).
"""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Mapping
from typing import Any, Literal

Verdict = Literal["sat", "unsat"]


class Recall:
    """The answers known before (``known``: key -> answer) and this run's (``answers``: every
    answer this run gave, recalled or asked, and so known for the rest of the run; what
    ``proof_cache`` writes back), with ``asked``,
    how many of them the solver gave. An answer is ``{"verdict": "sat" | "unsat"}`` or
    ``{"patient": {...}}``."""

    def __init__(self, salt: str, known: Mapping[str, Mapping[str, Any]] | None = None) -> None:
        self.salt = salt.encode("utf-8", "surrogatepass")
        self.known: Mapping[str, Mapping[str, Any]] = known or {}
        self.answers: dict[str, dict[str, Any]] = {}
        self.asked = 0

    def key(self, kind: str, parts: list[bytes]) -> str:
        digest = hashlib.sha256(b"fibrolang question\0")
        digest.update(len(self.salt).to_bytes(8, "big") + self.salt)
        digest.update(kind.encode() + b"\0")
        for part in parts:
            digest.update(len(part).to_bytes(8, "big") + part)
        return digest.hexdigest()

    def verdict(self, key: str) -> bool | None:
        """True (sat) or False (unsat) when the verdict of ``key`` is known, else None."""
        answer = self.answers.get(key) or self.known.get(key)
        if answer is None or set(answer) != {"verdict"} or answer["verdict"] not in ("sat", "unsat"):
            return None
        self.answers[key] = {"verdict": answer["verdict"]}
        return bool(answer["verdict"] == "sat")

    def patient(self, key: str) -> dict[str, Any] | None:
        answer = self.answers.get(key) or self.known.get(key)
        if answer is None or set(answer) != {"patient"} or type(answer["patient"]) is not dict:
            return None
        self.answers[key] = {"patient": answer["patient"]}
        return copy.deepcopy(dict(answer["patient"]))

    def found_verdict(self, key: str, satisfiable: bool) -> None:
        self.answers[key] = {"verdict": "sat" if satisfiable else "unsat"}
        self.asked += 1

    def found_patient(self, key: str, patient: dict[str, Any]) -> None:
        self.answers[key] = {"patient": patient}
        self.asked += 1
