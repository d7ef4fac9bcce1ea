"""How a day is planned: :class:`PlanOptions`, the one place for the planner's settings and
their defaults, and the error for a day that cannot be planned at all."""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import get_args

import solver
from routing.errors import RoutingError
from routing.plan import PlanInputs, PlanSettings
from routing.visits import OnTime

__all__ = ["OBJECTIVES", "PlanOptions", "PlanningError"]

OBJECTIVES: tuple[str, ...] = get_args(solver.Objective)
"""What the optimiser can minimise, in the solver's order."""


class PlanningError(RoutingError):
    """The day cannot be planned at all (bad settings, roster locations, solver failure)."""


@dataclass(frozen=True, kw_only=True)
class PlanOptions:
    """The settings of a plan (values, not collaborators: the geocoder, travel matrix,
    duration table and progress callback are handed to ``plan_day`` beside them).

    The command line builds them from its settings (``routing.config.Settings.plan_options``:
    flag > environment > config file > these defaults). Invalid values raise
    :class:`PlanningError` when the options are made.
    """

    time_limit: float = 10.0
    """Seconds the optimiser may search in all: every search round of a plan or a re-plan
    shares them (see ``routing.planner.solve``)."""
    on_time: OnTime = OnTime.ARRIVE
    """ARRIVE: service starts inside the window; FINISH: it ends inside it."""
    objective: solver.Objective = "travel_time"
    """What the optimiser minimises once it has placed all it can (one of OBJECTIVES)."""
    reassign: bool = False
    """True: technicians already assigned on Amazon are not kept (jobs are not pinned)."""
    seed: int = 0
    """Chooses each search's configuration and random steps."""
    workers: int = 2
    """Parallel searches (``solver.solve``); 1 on a single core."""
    solution_limit: int | None = None
    """Each search stops after this many solutions. With ``workers=1`` and a limit reached
    before ``time_limit`` the same input gives the same plan (a search stopped by the clock
    depends on the machine's speed, whatever the seed)."""

    def __post_init__(self) -> None:
        try:
            object.__setattr__(self, "on_time", OnTime(self.on_time))
        except ValueError:
            raise PlanningError(
                f"unknown on-time mode {self.on_time!r}; use 'arrive' or 'finish'") from None
        if self.objective not in OBJECTIVES:
            raise PlanningError(
                f"unknown objective {self.objective!r}; use one of {', '.join(OBJECTIVES)}")
        if not self.time_limit > 0:
            raise PlanningError(f"time limit must be positive, got {self.time_limit}")
        if self.workers < 1:
            raise PlanningError(f"workers must be at least 1, got {self.workers}")
        if self.solution_limit is not None and self.solution_limit < 1:
            raise PlanningError(f"solution limit must be at least 1, got {self.solution_limit}")

    def record(self, *, geocoder: str, matrix: str, inputs: PlanInputs) -> PlanSettings:
        """What a plan made with these options records of them (``Plan.settings``)."""
        values = asdict(self)
        return PlanSettings(
            on_time=self.on_time.value, time_limit_s=values.pop("time_limit"),
            **{k: v for k, v in values.items() if k != "on_time"},
            geocoder=geocoder, matrix=matrix, inputs=inputs,
        )

    def ruled_by(self, recorded: PlanSettings) -> PlanOptions:
        """These options with the planning rules of a recorded plan: a re-plan changes what
        happened, not how jobs are planned (on-time mode, objective, reassign)."""
        return replace(self, on_time=OnTime(recorded.on_time),
                       objective=recorded.objective,  # type: ignore[arg-type]  # checked
                       reassign=recorded.reassign)
