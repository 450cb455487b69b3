"""The words of each recommendation verb, as the flowchart and the CDS cards print them.

A module of its own, with no imports, so the checker (compiler/check/cards.py reads them
through compiler/serve/summaries.py) does not load the flowchart's wording or the runtime.
"""

from __future__ import annotations

ACTION_WORDS = {
    "start": "Start",
    "continue": "Continue",
    "increase": "Increase",
    "decrease": "Decrease",
    "switch": "Switch to",
    "add": "Add",
    "stop": "Stop",
    "consider": "Consider",
    "recommend": "Recommend",
}
