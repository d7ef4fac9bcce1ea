"""Client-side rate limiting: one token bucket per operation, shared across threads.

Amazon meters each operation with a token bucket (a rate and a burst). Holding our own bucket
with the same figures keeps a busy client at the limit instead of bouncing off 429s.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from typing import NamedTuple

__all__ = [
    "USAGE_PLANS",
    "RateLimiter",
    "TokenBucket",
    "UsagePlan",
]


class UsagePlan(NamedTuple):
    """An operation's rate (requests per second) and burst, as the model documents them."""

    rate: float
    burst: int

    @property
    def header(self) -> str:
        """The ``x-amzn-RateLimit-Limit`` value Amazon sends for this plan."""
        return str(float(self.rate))


#: The usage plans of the official model.
USAGE_PLANS: Mapping[str, UsagePlan] = {
    "getServiceJobs": UsagePlan(10.0, 40),
    "getServiceJobByServiceJobId": UsagePlan(20.0, 40),
    "assignAppointmentResources": UsagePlan(1.0, 2),
    "setAppointmentFulfillmentData": UsagePlan(5.0, 20),
    "getAppointmmentSlotsByJobId": UsagePlan(5.0, 20),  # sic: Amazon's operation id
    "getAppointmentSlots": UsagePlan(20.0, 40),
    "addAppointmentForServiceJobByServiceJobId": UsagePlan(5.0, 20),
    "rescheduleAppointmentForServiceJobByServiceJobId": UsagePlan(5.0, 20),
}


class TokenBucket:
    """A thread-safe token bucket; :meth:`acquire` blocks until a token is available."""

    def __init__(
        self,
        rate: float,
        burst: int,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if rate <= 0 or burst < 1:
            raise ValueError(f"a token bucket needs rate > 0 and burst >= 1, got {rate}, {burst}")
        self.rate = rate
        self.burst = burst
        self._clock = clock
        self._sleep = sleep
        self._tokens = float(burst)
        self._stamp = clock()
        self._lock = threading.Lock()

    def acquire(self) -> float:
        """Take one token, waiting as needed; returns the seconds spent waiting."""
        waited = 0.0
        while (shortfall := self._take()) > 0:
            self._sleep(shortfall)
            waited += shortfall
        return waited

    def try_acquire(self) -> bool:
        """Take one token if there is one, without waiting (how Amazon meters requests)."""
        return self._take() == 0

    def _take(self) -> float:
        """Take a token and return 0, or return the seconds until one is due."""
        with self._lock:
            now = self._clock()
            self._tokens = min(self.burst, self._tokens + (now - self._stamp) * self.rate)
            self._stamp = now
            if self._tokens >= 1.0:
                self._tokens -= 1.0
                return 0.0
            return (1.0 - self._tokens) / self.rate

    def drain(self) -> None:
        """Empty the bucket: Amazon just answered 429, so our count was optimistic."""
        with self._lock:
            self._tokens = 0.0
            self._stamp = self._clock()


class RateLimiter:
    """The buckets of one client, by operation name."""

    def __init__(self, plans: Mapping[str, tuple[float, int]] | None = None) -> None:
        merged = {**USAGE_PLANS, **(plans or {})}
        self._buckets = {op: TokenBucket(rate, burst) for op, (rate, burst) in merged.items()}

    def bucket(self, operation: str) -> TokenBucket:
        return self._buckets[operation]
