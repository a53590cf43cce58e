"""Failed sign-ins, counted per user name and per client address in a sliding window.

Past the limit the sign-in answers 429 with Retry-After, before the password is checked (so guessing costs
the server no argon2 either). A success forgets the name's failures, not the address's. The counts live in
the process (one web app process per deployment); a restart forgets them.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

#: Names and addresses remembered at most (the oldest are forgotten first), so the counts stay bounded.
MAX_KEYS = 10_000


@dataclass
class SignInThrottle:
    per_name: int
    per_address: int
    window_seconds: float
    clock: Callable[[], float] = time.monotonic
    _failures: dict[str, deque[float]] = field(default_factory=dict)

    def retry_after(self, name: str, address: str) -> int | None:
        """Seconds until this name and address may try again, or None when they may now."""
        waits = [
            self._wait(f"name:{name}", self.per_name),
            self._wait(f"address:{address}", self.per_address),
        ]
        due = [w for w in waits if w is not None]
        return max(due) if due else None

    def failed(self, name: str, address: str) -> int:
        """Count a failure; answers the name's failures in the window now."""
        now = self.clock()
        for key in (f"name:{name}", f"address:{address}"):
            times = self._recent(key, now)
            times.append(now)
            self._failures[key] = times
        while len(self._failures) > MAX_KEYS:
            del self._failures[next(iter(self._failures))]
        return len(self._failures[f"name:{name}"])

    def succeeded(self, name: str) -> None:
        self._failures.pop(f"name:{name}", None)

    def _recent(self, key: str, now: float) -> deque[float]:
        times = self._failures.pop(key, deque())
        while times and times[0] <= now - self.window_seconds:
            times.popleft()
        return times

    def _wait(self, key: str, allowed: int) -> int | None:
        times = self._failures.get(key)
        if not times:
            return None
        now = self.clock()
        recent = [t for t in times if t > now - self.window_seconds]
        if len(recent) < allowed:
            return None
        # The window slides: the try is allowed again once enough of the failures have aged out of it.
        return max(1, math.ceil(recent[-allowed] + self.window_seconds - now))
