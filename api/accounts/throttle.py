"""Slowing down password guessing: too many failed logins for one username locks it briefly."""

from __future__ import annotations

import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable


class LoginThrottle:
    """Counts failed logins per username in a sliding window (in this process's memory).

    Args:
        max_failures: failures allowed within ``window_seconds`` before logins are refused.
        window_seconds: how far back failures count.
        clock: the time source (tests pass their own).
    """

    def __init__(self, max_failures: int = 5, window_seconds: float = 900.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self._max = max_failures
        self._window = window_seconds
        self._clock = clock
        self._failures: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def _recent(self, key: str) -> deque[float]:
        times = self._failures[key]
        cutoff = self._clock() - self._window
        while times and times[0] < cutoff:
            times.popleft()
        return times

    def blocked(self, username: str) -> bool:
        """Whether logins for this username are refused for now."""
        with self._lock:
            return len(self._recent(username.strip().lower())) >= self._max

    def failed(self, username: str) -> None:
        """Count one failed login."""
        with self._lock:
            self._recent(username.strip().lower()).append(self._clock())

    def succeeded(self, username: str) -> None:
        """Forget the failures once the right password is given."""
        with self._lock:
            self._failures.pop(username.strip().lower(), None)
