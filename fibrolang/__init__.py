"""fibrolang runtime: load a guideline's decision graph and evaluate it for patients.

Standard library only. Typical use::

    import fibrolang
    guideline = fibrolang.load("guidelines/fibromyalgia.graph.json")
    result = guideline.evaluate({"age": 45, "egfr": 80})
    print(result.status, guideline.explain(result))
"""

from fibrolang.errors import GuidelineError, InvalidPatient, Problem, SafetyViolation
from fibrolang.integrity import GraphIntegrityError
from fibrolang.load import Guideline, load, read_graph
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
