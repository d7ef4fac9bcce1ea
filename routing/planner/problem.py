"""A prepared day in solver integers: the travel matrix over the unique points, the
technicians' shifts and lunches, the visits' start windows (seconds from the origin)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import solver
from routing.geo import MatrixProvider
from routing.plan import GeoLocation
from routing.planner.options import PlanningError
from routing.planner.progress import ProgressCallback, ProgressEvent, Stage
from routing.visits import JobVisit

if TYPE_CHECKING:  # the prepared day is built by routing.planner.prepare, which calls here
    from routing.planner.prepare import PreparedDay, ShiftTechnician

__all__ = ["build_problem", "solver_windows"]


def build_problem(
    prepared: PreparedDay, provider: MatrixProvider, report: ProgressCallback
) -> tuple[solver.Problem, list[solver.Visit]]:
    """The field jobs' problem, and the ONLINE jobs (not anchored yet: see ``online``)."""
    index: dict[tuple[float, float], int] = {}

    def locate(point: GeoLocation) -> int:
        return index.setdefault((point.lat, point.lon), len(index))

    technician_locations = [(locate(t.start), locate(t.end)) for t in prepared.technicians]
    visit_locations = {job_id: locate(p) for job_id, p in prepared.points.items()}
    report(ProgressEvent(Stage.MATRIX, "start", f"{len(index)} points"))
    travel = provider.matrix(list(index))
    detail = f"{len(index)}×{len(index)}"
    if travel.fallback_cells:
        detail += f", {travel.fallback_cells} cells estimated"
        prepared.warnings.append(
            f"{travel.fallback_cells} travel-matrix cells were estimated by the fallback"
        )
    report(ProgressEvent(Stage.MATRIX, "done", detail))
    technicians = [
        _solver_technician(prepared, t, start, end)
        for t, (start, end) in zip(prepared.technicians, technician_locations, strict=True)
    ]
    on_shift = {t.spec.id for t in prepared.technicians}
    visits = [
        _solver_visit(prepared, v, visit_locations.get(job_id, 0), on_shift)
        for job_id, v in prepared.visits.items()
    ]
    online = [v for v in visits if prepared.visits[v.id].online]
    try:
        problem = solver.Problem(
            durations=travel.durations, distances=travel.distances, technicians=technicians,
            visits=[v for v in visits if not prepared.visits[v.id].online],
        )
    except solver.ProblemError as exc:
        raise PlanningError(f"cannot build the routing problem: {exc}") from exc
    return problem, online


def _solver_technician(
    prepared: PreparedDay, tech: ShiftTechnician, start: int, end: int
) -> solver.Technician:
    spec = tech.spec
    breaks: tuple[solver.Break, ...] = ()
    if tech.lunch is not None:
        earliest, latest, length = tech.lunch
        window = solver.TimeWindow(prepared.seconds(earliest), prepared.seconds(latest))
        breaks = (solver.Break(window, round(length.total_seconds())),)
    return solver.Technician(
        id=spec.id,
        shift=solver.TimeWindow(prepared.seconds(tech.shift[0]), prepared.seconds(tech.shift[1])),
        start_location=start,
        end_location=end,
        skills=spec.skills,
        max_visits=spec.max_jobs,
        breaks=breaks,
        fixed_cost=round(spec.fixed_cost),
        cost_per_hour=round(spec.cost_per_hour),
    )


def solver_windows(prepared: PreparedDay, visit: JobVisit) -> tuple[solver.TimeWindow, ...]:
    """The start windows in solver seconds, clipped to the origin (a window that ends
    before every shift starts is left out)."""
    windows = []
    for window in visit.start_windows:
        start, end = prepared.seconds(window.start), prepared.seconds(window.end)
        if end >= 0:
            windows.append(solver.TimeWindow(max(start, 0), end))
    return tuple(windows)


def _solver_visit(
    prepared: PreparedDay, visit: JobVisit, location: int, on_shift: set[str]
) -> solver.Visit:
    pinned = allowed = None
    if visit.technicians is not None:
        available = visit.technicians & on_shift
        if len(available) == 1:
            (pinned,) = available
        else:
            allowed = frozenset(available)
    return solver.Visit(
        id=visit.service_job_id,
        location=location,
        duration=round(visit.duration.total_seconds()),
        windows=solver_windows(prepared, visit),
        skills=visit.skills,
        priority=visit.priority,
        allowed_technicians=allowed,
        pinned_technician=pinned,
    )
