"""Spacing calls to a provider: per process, or across processes through the geocode cache."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Protocol

__all__ = ["CallSlots", "LocalSlots", "claim"]


class CallSlots(Protocol):
    """Hands out a provider's call times, ``min_delay`` seconds apart.

    :class:`LocalSlots` spaces the calls of one process; :class:`~routing.geo.cache.GeocodeCache`
    spaces those of every process sharing the cache file.
    """

    def reserve(self, provider: str, min_delay: float) -> float:
        """Claim ``provider``'s next call slot; the seconds to wait before calling."""
        ...


def claim(now: float, next_free: float | None, min_delay: float) -> tuple[float, float]:
    """``(seconds to wait, the next free slot after this one)`` for a claim made at ``now``."""
    slot = now if next_free is None else max(now, next_free)
    return slot - now, slot + min_delay


class LocalSlots:
    """Call slots for this process only (threads included): used without a cache."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._next: dict[str, float] = {}
        self._lock = threading.Lock()

    def reserve(self, provider: str, min_delay: float) -> float:
        with self._lock:
            wait, self._next[provider] = claim(self._clock(), self._next.get(provider), min_delay)
        return wait
