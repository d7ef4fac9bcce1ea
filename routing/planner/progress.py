"""What the planner tells a progress callback while it works (the CLI draws it)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

__all__ = ["ProgressCallback", "ProgressEvent", "Stage", "ignore"]


class Stage(StrEnum):
    FETCH = "fetch"
    """Reserved for callers that fetch jobs (the CLI); ``plan_day`` never sends it."""
    GEOCODE = "geocode"
    MATRIX = "matrix"
    SOLVE = "solve"


@dataclass(frozen=True)
class ProgressEvent:
    stage: Stage
    state: Literal["start", "advance", "done"]
    detail: str
    """e.g. "42 addresses" at start, "40 placed, 2 not found" when done."""
    done: int = 0
    total: int = 0
    """How far a stage that counts its items has got ("advance" events, e.g. geocoding)."""


ProgressCallback = Callable[[ProgressEvent], None]


def ignore(event: ProgressEvent) -> None:
    """The callback of a caller that did not ask for progress."""
