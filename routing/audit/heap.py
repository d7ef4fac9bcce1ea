"""Building many long-lived records without the cycle collector rescanning them."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["without_cycle_collection"]


@contextmanager
def without_cycle_collection() -> Iterator[None]:
    """Pause the cycle collector while building records that form no reference cycles.

    The audit keeps a record per appointment (100,000 in the benchmark): while they pile
    up, every collection of the oldest generation rescans all of them for nothing, which
    took about half the time of reading a visit log or building a report.

    On the way out the records are moved, unscanned, to the oldest generation
    (:func:`gc.freeze` then :func:`gc.unfreeze`): left in the youngest, the first
    collection after this would still scan every one of them (about a second for the
    100,000-appointment benchmark). They are collected as usual from then on.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        gc.unfreeze()
        if enabled:
            gc.enable()
