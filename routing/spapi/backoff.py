"""Retry timing: exponential backoff with full jitter, capped in attempts and total time.

A policy can also carry a *listener*: it is told about every retry before the wait begins
(:class:`RetryEvent`), so that a command line can show "waiting 20 s: Amazon throttled
getServiceJobs (attempt 3 of 6)" while the client sleeps.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field

__all__ = [
    "RetryEvent",
    "RetryListener",
    "RetryPolicy",
    "parse_retry_after",
]


@dataclass(frozen=True)
class RetryEvent:
    """A call failed and will be tried again after ``delay`` seconds.

    ``attempt`` is the attempt about to be made (2 after the first failure) out of
    ``max_attempts``; ``status`` is the HTTP status that caused the retry, None when no
    complete answer arrived (``problem`` then names what happened, e.g. ``ReadTimeout``).
    """

    operation: str
    attempt: int
    max_attempts: int
    delay: float
    status: int | None = None
    problem: str = ""

    def __str__(self) -> str:
        return f"waiting {_seconds(self.delay)}: {self.cause} " \
               f"(attempt {self.attempt} of {self.max_attempts})"

    @property
    def cause(self) -> str:
        """What went wrong, as a sentence for the progress line."""
        if self.status == 429:
            return f"Amazon throttled {self.operation}"
        if self.status is not None:
            return f"Amazon answered HTTP {self.status} to {self.operation}"
        return f"no answer from Amazon to {self.operation}" + \
            (f" ({self.problem})" if self.problem else "")


RetryListener = Callable[[RetryEvent], None]


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long to retry a throttled or failed call, and whom to tell.

    Full jitter (a uniform draw in ``[0, min(cap, base * 2**attempt)]``) spreads clients that
    were throttled together, so they do not come back in lockstep. ``listener`` (if any) is
    called with a :class:`RetryEvent` before each wait.
    """

    max_attempts: int = 6
    base_delay: float = 0.5
    max_delay: float = 20.0
    max_elapsed: float = 120.0
    rng: random.Random = field(default_factory=random.Random, compare=False, repr=False)
    listener: RetryListener | None = field(default=None, compare=False, repr=False)

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

    def announce(self, operation: str, failed_attempt: int, delay: float, *,
                 status: int | None = None, problem: str = "") -> None:
        """Tell the listener that ``failed_attempt`` will be followed by another."""
        if self.listener is not None:
            self.listener(RetryEvent(operation, failed_attempt + 1, self.max_attempts, delay,
                                     status, problem))


def parse_retry_after(value: str | None) -> float | None:
    """Seconds from a ``Retry-After`` header given in seconds; None when absent or a date."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        return None


def _seconds(delay: float) -> str:
    return f"{delay:.0f} s" if delay >= 9.5 else f"{delay:.1f} s"
