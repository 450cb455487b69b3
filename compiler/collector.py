"""Keeping Python's cyclic garbage collector from rescanning what stays alive.

Each collection of the oldest generation walks every tracked object. A pass
that allocates many objects while a large structure stays alive (a parse
tree, the original graph and its expected results during a mutation run)
triggers collections that each rescan the whole structure, so time grows
faster than the work.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the collector while a pass allocates many small objects that all stay alive
    (parse trees, syntax trees): they hold no reference cycles that need collecting."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@contextmanager
def heap_frozen() -> Iterator[None]:
    """Leave everything alive now out of later collections (``gc.freeze``) while a loop makes
    and drops many short-lived objects (one evaluator per mutant): garbage is still
    collected, without rescanning the long-lived objects each time."""
    gc.collect()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()
