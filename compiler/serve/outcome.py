"""FHIR OperationOutcome: how the service says what is wrong with a request.

Every problem found is listed, one ``issue`` each; no card comes with it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Issue:
    """One problem: FHIR issue ``code`` (invalid, structure, required, value, too-long, not-supported,
    not-found, exception), where it is (a FHIRPath-like expression) and what it is."""

    code: str
    where: str
    message: str
    severity: str = "error"

    def as_json(self) -> dict[str, Any]:
        issue: dict[str, Any] = {
            "severity": self.severity,
            "code": self.code,
            "diagnostics": self.message,
        }
        if self.where:
            issue["expression"] = [self.where]
        return issue


class RequestProblems(Exception):
    """The request cannot be answered: an HTTP status and every problem found."""

    def __init__(self, status: int, issues: list[Issue]) -> None:
        super().__init__(f"{len(issues)} problem(s)")
        self.status = status
        self.issues = issues


def operation_outcome(issues: list[Issue]) -> dict[str, Any]:
    return {"resourceType": "OperationOutcome", "issue": [issue.as_json() for issue in issues]}
