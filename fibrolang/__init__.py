"""fibrolang runtime: load a guideline's decision graph and evaluate it for patients.

Standard library only. Typical use::

    import fibrolang
    guideline = fibrolang.load("guidelines/fibromyalgia.graph.json")
    result = guideline.evaluate({"age": 45, "egfr": 80})
    print(result.status, guideline.explain(result))

The names below load on first use (PEP 562): a tool that imports one small module of the
package (``fibrolang.invisible``, ``fibrolang.integrity``) does not pay for the whole runtime.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from fibrolang.errors import GuidelineError, InvalidPatient, Problem, SafetyViolation
    from fibrolang.graph_reader import read_graph
    from fibrolang.integrity import GraphIntegrityError
    from fibrolang.load import Guideline, load
    from fibrolang.result import (
        Avoidance,
        Citation,
        Flag,
        GuardOutcome,
        GuidelineIdentity,
        Monitoring,
        Reason,
        Recommendation,
        Result,
        Trace,
    )

# Each public name and the module that defines it.
_HOMES = {
    "GuidelineError": "fibrolang.errors",
    "InvalidPatient": "fibrolang.errors",
    "Problem": "fibrolang.errors",
    "SafetyViolation": "fibrolang.errors",
    "GraphIntegrityError": "fibrolang.integrity",
    "Guideline": "fibrolang.load",
    "load": "fibrolang.load",
    "read_graph": "fibrolang.graph_reader",
    "Avoidance": "fibrolang.result",
    "Citation": "fibrolang.result",
    "Flag": "fibrolang.result",
    "GuardOutcome": "fibrolang.result",
    "GuidelineIdentity": "fibrolang.result",
    "Monitoring": "fibrolang.result",
    "Reason": "fibrolang.result",
    "Recommendation": "fibrolang.result",
    "Result": "fibrolang.result",
    "Trace": "fibrolang.result",
}


def __getattr__(name: str) -> object:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'fibrolang' has no attribute {name!r}")
    value = getattr(importlib.import_module(home), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_HOMES})


class _Package(types.ModuleType):
    """The package object. Importing the submodule ``fibrolang.load`` binds the package's
    attribute ``load`` to that module; the public ``fibrolang.load`` is the function, so that
    binding is declined (the eager ``__init__`` of old rebound the name after the import)."""

    def __setattr__(self, name: str, value: object) -> None:
        if name == "load" and isinstance(value, types.ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package


__all__ = [
    "Avoidance",
    "Citation",
    "Flag",
    "GraphIntegrityError",
    "GuardOutcome",
    "Guideline",
    "GuidelineError",
    "GuidelineIdentity",
    "InvalidPatient",
    "Monitoring",
    "Problem",
    "Reason",
    "Recommendation",
    "Result",
    "SafetyViolation",
    "Trace",
    "load",
    "read_graph",
]
