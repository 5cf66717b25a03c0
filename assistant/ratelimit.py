"""Per-client sliding-window rate limiting (in memory, bounded)."""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict, deque


class RateLimiter:
    """At most `limit` requests per `window` seconds per key; remembers at most `max_keys` clients."""

    def __init__(self, limit: int, window: float = 60.0, max_keys: int = 10_000) -> None:
        self.limit = limit
        self.window = window
        self.max_keys = max_keys
        self._hits: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def check(self, key: str, now: float | None = None) -> float:
        """0 if the request may proceed, else the seconds to wait (for Retry-After)."""
        if self.limit <= 0:
            return 0.0
        now = time.monotonic() if now is None else now
        with self._lock:
            hits = self._hits.pop(key, None) or deque()
            while hits and hits[0] <= now - self.window:
                hits.popleft()
            self._hits[key] = hits
            while len(self._hits) > self.max_keys:
                self._hits.popitem(last=False)
            if len(hits) >= self.limit:
                return max(hits[0] + self.window - now, 0.001)
            hits.append(now)
            return 0.0


def retry_after_header(wait: float) -> str:
    return str(max(1, math.ceil(wait)))
