"""Static safety analysis of the decision graph (path conditions, z3, replay).

``analyse(graph, guideline)`` runs every check on the lowered graph and
returns diagnostics located in the guideline file:

=========  ==================================================  ===============
code       finding                                             evidence
=========  ==================================================  ===============
FIB201     unreachable branch                                  excluding guards
FIB202     decision without otherwise misses some patients     patient
FIB203     branch shadowed by earlier branches (dead)          covering guards
FIB204     exclusive decision with overlapping branches        patient
FIB205     plan recommends and avoids the same intervention    patient + path
FIB206     plan recommends a drug whose contraindication holds patient + path
FIB207     invariant refuted                                   patient + path
FIB208/9   dose outside the declared range / unit              the two doses
FIB210     action item that never applies (warning)            -
FIB211     complete patient left undecided (warning)           patient + path
FIB220     solver could not decide (unknown, with time limit)  -
FIB221     not proved: the proof budget ran out first          -
FIB901     runtime replay disagreed with the solver            patient
=========  ==================================================  ===============

Every patient is replayed through ``fibrolang`` before it is reported.
The passes run in ``_passes()`` order on one shared solver: the invariants
and the plan conflicts first, so that a proof budget (``budget_seconds``)
spends its time on the safety rules before the shape of the pathway. A
question the budget leaves unasked is reported (FIB221), never dropped.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from compiler.analysis.context import Analysis
from compiler.analysis.doses import check_doses
from compiler.analysis.encode import EncodingError
from compiler.analysis.paths import PathConditions
from compiler.analysis.recall import Recall
from compiler.analysis.solve import DEFAULT_TIMEOUT_MS, Prover
from compiler.analysis.spans import SourceMap
from compiler.diagnostics import catalogue as diag
from compiler.diagnostics.catalogue import Diagnostic
from compiler.front import syntax as s
from fibrolang.graph import Graph


def _passes() -> tuple[Callable[[Analysis], object], ...]:
    from compiler.analysis.completeness import check_completeness, check_overlap
    from compiler.analysis.invariants import check_conflicts, check_invariants
    from compiler.analysis.reachability import check_reachability

    return (check_invariants, check_conflicts, check_completeness, check_overlap, check_reachability)


def prepare(
    graph: Graph,
    guideline: s.Guideline | None = None,
    timeout_ms: int = DEFAULT_TIMEOUT_MS,
    budget_seconds: float | None = None,
    sources: SourceMap | None = None,
    recall: Recall | None = None,
) -> Analysis:
    """The shared state of an analysis: path conditions, one solver, the source map (``sources``,
    else made from ``guideline``); with a budget, no question is asked after ``budget_seconds``
    from now; with ``recall``, questions answered before are not asked again (``recall``)."""
    deadline = time.monotonic() + budget_seconds if budget_seconds is not None else None
    paths = PathConditions(graph)
    prover = Prover(paths, timeout_ms, deadline, recall)
    if sources is None:
        sources = SourceMap(guideline)
    return Analysis(graph, paths, prover, sources, budget_seconds=budget_seconds)


def analyse(
    graph: Graph,
    guideline: s.Guideline | None = None,
    prove: bool = True,
    timeout_ms: int = DEFAULT_TIMEOUT_MS,
    budget_seconds: float | None = None,
    recall: Recall | None = None,
) -> list[Diagnostic]:
    """Every analysis diagnostic of a lowered graph; ``prove=False`` runs only the solver-free checks.
    ``recall`` (``compiler.analysis.recall``): answers of questions asked before, by their exact
    content; the diagnostics are those of asking afresh.

    ``budget_seconds`` bounds the whole analysis: a question it leaves unasked, or that runs
    into its end, is a FIB221 (not proved) naming what was not decided. Without a budget the
    analysis takes the time it needs (the committed reports are made so: they do not depend
    on the machine's speed)."""
    sources = SourceMap(guideline)
    found = check_doses(graph, sources)
    if not prove:
        return diag.arrange(found)
    try:
        analysis = prepare(graph, guideline, timeout_ms, budget_seconds, sources, recall)
        for analysis_pass in _passes():
            analysis_pass(analysis)
    except EncodingError as error:
        span = guideline.span if guideline is not None else s.Span(sources.file, 1, 1, 1, 1)
        found.append(
            diag.make(
                "FIB901",
                f"internal error: the analysis cannot encode the guideline: {error}",
                span,
                hint="please report this with the guideline file",
            )
        )
        return diag.arrange(found)
    return diag.arrange([*found, *analysis.diagnostics])
