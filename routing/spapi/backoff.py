"""Retry timing: exponential backoff with full jitter, capped in attempts and total time."""

from __future__ import annotations

import random
from dataclasses import dataclass, field


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long to retry a throttled or failed call.

    Full jitter (a uniform draw in ``[0, min(cap, base * 2**attempt)]``) spreads clients that
    were throttled together, so they do not come back in lockstep.
    """

    max_attempts: int = 6
    base_delay: float = 0.5
    max_delay: float = 20.0
    max_elapsed: float = 120.0
    rng: random.Random = field(default_factory=random.Random, compare=False, repr=False)

    def delay(self, attempt: int, retry_after: float | None = None) -> float:
        """Seconds to wait before attempt number ``attempt + 1`` (``attempt`` counts from 1)."""
        ceiling = min(self.max_delay, self.base_delay * 2 ** (attempt - 1))
        jittered = self.rng.uniform(0.0, ceiling)
        if retry_after is not None:
            return max(jittered, min(retry_after, self.max_delay))
        return jittered

    def gives_up(self, attempt: int, elapsed: float, next_delay: float) -> bool:
        """True when ``attempt`` was the last one allowed."""
        return attempt >= self.max_attempts or elapsed + next_delay > self.max_elapsed


def parse_retry_after(value: str | None) -> float | None:
    """Seconds from a ``Retry-After`` header given in seconds; None when absent or a date."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None
