"""Running tasks on an executor: time limits, hard kills, retries, outcomes as they land."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass
from typing import Any

from routing.batch.executors import Executor, WorkerLost
from routing.batch.task import Status, TaskResult, TaskSpec

__all__ = ["Limits", "Outcome", "run_tasks"]


@dataclass(frozen=True)
class Limits:
    """How long a task may take, and how often a lost worker is replaced.

    A task is killed ``grace`` seconds after its search's ``time_limit`` (the settings'):
    fetching nothing, the rest of its work (reading, geocoding, the travel matrix, writing)
    fits in the grace unless something hangs.
    """

    grace: float = 30.0
    retries: int = 2


@dataclass(frozen=True)
class Outcome:
    """How one partition ended."""

    seller: str
    territory: str
    date: str
    status: Status
    wall_s: float
    attempts: int
    plan: str | None = None
    error: str | None = None
    jobs: int = 0
    placed: int = 0
    unassigned: int = 0
    solve_s: float = 0.0
    peak_rss_kb: int = 0
    exit_code: int = 0

    @property
    def label(self) -> str:
        return f"{self.seller}/{self.territory}/{self.date}"

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class _Running:
    spec: TaskSpec
    started: float
    first_started: float


def run_tasks(specs: Iterable[TaskSpec], executor: Executor[Any], limits: Limits, *,
              on_start: Callable[[TaskSpec], None] | None = None,
              clock: Callable[[], float] = time.monotonic) -> Iterator[Outcome]:
    """Run every spec, ``executor.slots`` at a time; yield each outcome when it is known.

    A worker that dies (SIGKILL, a crash in the solver) is replaced by a new one with the
    next seed, at most ``limits.retries`` times; a task past its hard limit is killed and
    ends as ``timeout``, while the others go on.
    """
    pending: deque[tuple[TaskSpec, float | None]] = deque((spec, None) for spec in specs)
    running: dict[Any, _Running] = {}
    while pending or running:
        while pending and len(running) < executor.slots:
            spec, first = pending.popleft()
            handle = executor.start(spec)  # the clock starts once it has a process
            now = clock()
            running[handle] = _Running(spec, now, now if first is None else first)
            if on_start is not None:
                on_start(spec)
        deadline = min(r.started + _hard_limit(r.spec, limits, executor)
                       for r in running.values())
        for handle in executor.wait(list(running), timeout=deadline - clock()):
            task = running.pop(handle)
            try:
                result = executor.collect(handle)
            except WorkerLost as lost:
                if task.spec.attempt < limits.retries:
                    pending.appendleft((task.spec.retry(), task.first_started))
                    continue
                yield _outcome(task, clock(), "error", error=f"{lost} "
                               f"({task.spec.attempt + 1} attempts)", exit_code=1)
                continue
            yield _outcome(task, clock(), result.status, result)
        now = clock()
        for handle, task in list(running.items()):
            limit = _hard_limit(task.spec, limits, executor)
            if now >= task.started + limit:
                executor.kill(handle)
                del running[handle]
                yield _outcome(task, now, "timeout",
                               error=f"killed after {limit:g} s (time limit + grace"
                                     f"{' + startup' if executor.startup else ''})")


def _hard_limit(spec: TaskSpec, limits: Limits, executor: Executor[Any]) -> float:
    return float(spec.settings.get("time_limit", 0.0)) + limits.grace + executor.startup


def _outcome(task: _Running, now: float, status: Status, result: TaskResult | None = None,
             **fields: Any) -> Outcome:
    spec = task.spec
    values: dict[str, Any] = {}
    if result is not None:
        values = {"plan": result.plan, "error": result.error, "jobs": result.jobs,
                  "placed": result.placed, "unassigned": result.unassigned,
                  "solve_s": round(result.solve_s, 3), "peak_rss_kb": result.peak_rss_kb,
                  "exit_code": result.exit_code}
    values.update(fields)
    return Outcome(spec.seller, spec.territory, spec.date, status,
                   wall_s=round(now - task.first_started, 3), attempts=spec.attempt + 1,
                   **values)
