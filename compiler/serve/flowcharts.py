"""The patient's highlighted flowchart behind a card's link.

A card's link carries a random token, not the patient's path: the service keeps
the path (node and edge ids, no patient data) for ``TTL_SECONDS`` in memory, at
most ``CAPACITY`` of them, and draws the chart when the link is opened.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

CAPACITY = 10_000
TTL_SECONDS = 3600.0


@dataclass(frozen=True, slots=True)
class Path:
    service: str
    trace: Any
    made: float


class FlowchartStore:
    def __init__(self, capacity: int = CAPACITY, ttl: float = TTL_SECONDS) -> None:
        self.capacity = capacity
        self.ttl = ttl
        self._paths: OrderedDict[str, Path] = OrderedDict()
        self._lock = threading.Lock()

    def keep(self, service: str, trace: Any) -> str:
        token = secrets.token_urlsafe(18)
        with self._lock:
            self._paths[token] = Path(service, trace, time.monotonic())
            while len(self._paths) > self.capacity:
                self._paths.popitem(last=False)
        return token

    def replace(self, token: str, service: str, trace: Any) -> None:
        with self._lock:
            if token in self._paths:
                self._paths[token] = Path(service, trace, self._paths[token].made)

    def find(self, token: str) -> Path | None:
        with self._lock:
            path = self._paths.get(token)
            if path is None:
                return None
            if time.monotonic() - path.made > self.ttl:
                del self._paths[token]
                return None
            return path
