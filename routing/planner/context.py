"""``PlanContext``: what a day is planned with, besides its jobs, roster and options."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from routing.durations import DurationTable
from routing.geo import Geocoder, MatrixProvider
from routing.plan import PlanInputs
from routing.planner.progress import ProgressCallback
from routing.visits import Unassigned

__all__ = ["PlanContext"]


@dataclass(frozen=True)
class PlanContext:
    """The collaborators ``plan_day``, ``prepare_day``, ``replan_day`` and
    ``routing.booking.plan_horizon`` share, every one optional.

    ``Settings.plan_context()`` builds the one a configuration describes.
    """

    geocoder: Geocoder | None = None
    """Default: the offline chain, ``routing.geo.default_geocoder()``."""
    matrix: MatrixProvider | None = None
    """Default: haversine travel times."""
    durations: DurationTable | None = None
    """Default: the built-in table (recorded as such in the plan, whatever ``inputs`` says)."""
    inputs: PlanInputs | None = None
    """What the caller records of the files and providers behind them, in ``Plan.settings``."""
    progress: ProgressCallback | None = None
    """Called at each stage (:mod:`routing.planner.progress`)."""
    rejected: Sequence[Unassigned] = ()
    """Jobs a source could not read (see ``routing.sources``), reported as unassigned too."""
