"""One partition's work, as a worker process does it: plan from plain data, write the files.

Everything that crosses into a worker is a :class:`TaskSpec` of plain values (JSON-like
dicts and strings), and everything that comes back a :class:`TaskResult`: the roster,
settings and jobs are rebuilt inside the worker, and the OR-Tools model lives and dies
there (a ``RoutingModel`` cannot be pickled, and two in one process are not safe).
"""

from __future__ import annotations

import resource
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any, Literal

from routing.config import Settings
from routing.export import (
    write_csv,
    write_geojson,
    write_html_map,
    write_plan_json,
    write_timeline_svg,
)
from routing.plan import Plan
from routing.planner import plan_day
from routing.roster import Roster
from routing.spapi.models import ServiceJob

__all__ = ["EXPORTS", "TaskResult", "TaskSpec", "run_task"]

#: export name -> (writer, file name in the partition's folder); plan.json is always written.
EXPORTS: dict[str, tuple[Callable[[Plan, Path], Path], str]] = {
    "csv": (write_csv, "plan.csv"),
    "geojson": (write_geojson, "plan.geojson"),
    "map": (write_html_map, "map.html"),
    "timeline": (write_timeline_svg, "timeline.svg"),
}

Status = Literal["ok", "unassigned", "timeout", "error"]


@dataclass(frozen=True)
class TaskSpec:
    """What a worker needs to plan one partition, as plain picklable data."""

    seller: str
    territory: str
    date: str
    roster: dict[str, Any]
    jobs: list[dict[str, Any]]
    settings: dict[str, Any]
    folder: str
    exports: tuple[str, ...] = ()
    reassign: bool = False
    attempt: int = 0

    @property
    def label(self) -> str:
        return f"{self.seller}/{self.territory}/{self.date}"

    def retry(self) -> TaskSpec:
        """The next attempt, with the next seed: a crash that a search path provoked is not
        met again."""
        settings = {**self.settings, "seed": int(self.settings.get("seed", 0)) + 1}
        return replace(self, settings=settings, attempt=self.attempt + 1)


@dataclass(frozen=True)
class TaskResult:
    """What a worker sends back (the plan itself is on disk, at ``plan``)."""

    status: Literal["ok", "unassigned", "error"]
    plan: str | None = None
    jobs: int = 0
    placed: int = 0
    unassigned: int = 0
    solve_s: float = 0.0
    peak_rss_kb: int = 0
    error: str | None = None
    exit_code: int = 0
    exports: list[str] = field(default_factory=list)


def run_task(spec: TaskSpec) -> TaskResult:
    """Plan ``spec`` and write its files; any failure becomes an ``error`` result (the
    batch goes on), never an exception out of the worker."""
    started = time.perf_counter()
    try:
        plan = _plan(spec)
        folder = Path(spec.folder)
        folder.mkdir(parents=True, exist_ok=True)
        written = [str(write_plan_json(plan, folder / "plan.json"))]
        for name in spec.exports:
            writer, filename = EXPORTS[name]
            written.append(str(writer(plan, folder / filename)))
    except Exception as exc:
        # Here, not at the top: routing.cli imports this package (plan-batch).
        from routing.cli.exits import exit_code_for

        code, line = exit_code_for(exc)  # the code `plan` would exit with, and its one line
        return TaskResult("error", solve_s=time.perf_counter() - started, error=line,
                          exit_code=code, peak_rss_kb=_peak_rss_kb())
    summary = plan.summary
    return TaskResult(
        "unassigned" if summary.unassigned else "ok", plan=written[0], jobs=summary.jobs,
        placed=summary.assigned, unassigned=summary.unassigned,
        solve_s=time.perf_counter() - started, peak_rss_kb=_peak_rss_kb(), exports=written[1:],
    )


def _plan(spec: TaskSpec) -> Plan:
    settings = Settings.model_validate(spec.settings)
    roster = Roster.model_validate(spec.roster)
    jobs = [ServiceJob.model_validate(job) for job in spec.jobs]
    return plan_day(jobs, roster, date.fromisoformat(spec.date),
                    settings.plan_options(reassign=spec.reassign), settings.plan_context())


def _peak_rss_kb() -> int:
    """This worker's peak resident memory (Linux reports kilobytes)."""
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
