"""The plan as CSV: one row per stop, for spreadsheets and scripts.

Breaks get no rows: a row is a job, so counting, filtering and joining on
``service_job_id`` stay simple. Breaks are in the plan JSON, on the timeline chart and
in the route totals; unassigned jobs are in the plan JSON and on the map.
"""

from __future__ import annotations

from pathlib import Path

from routing.export.common import iso, served_window, write_csv_table
from routing.plan import Plan, PlanStop, TechnicianRoute

__all__ = ["CSV_COLUMNS", "csv_rows", "write_csv"]

CSV_COLUMNS = (
    "technician_id",
    "technician_name",
    "sequence",
    "service_job_id",
    "appointment_id",
    "status",
    "location_type",
    "address",
    "lat",
    "lon",
    "precision",
    "window_start",
    "window_end",
    "all_windows",
    "arrival",
    "service_start",
    "service_end",
    "travel_time_s",
    "distance_m",
    "wait_s",
    "pinned",
)
"""The header, in this order; new columns are only ever added at the end."""


def csv_rows(plan: Plan) -> list[dict[str, str]]:
    """One dict per stop (keys :data:`CSV_COLUMNS`), routes in roster order, stops in
    driving order. Empty strings stand for "none" (an ONLINE job has no address)."""
    return [_row(route, stop) for route in plan.routes for stop in route.stops]


def write_csv(plan: Plan, path: Path | str) -> Path:
    """Write one row per stop (no break rows, see the module docstring) to ``path``.

    UTF-8, a header row, ``\\r\\n`` line ends as the csv module writes them. Times are ISO
    8601 in the technician's local time with its offset (``2026-12-01T09:30:00-08:00``),
    durations whole seconds, distances whole metres. ``window_start``/``window_end`` are
    the window the stop is scheduled in; ``all_windows`` lists every window of the job
    (a pending job can have several) as ``start/end`` intervals joined by ``"; "``.
    A text cell that a spreadsheet would run as a formula (an address
    ``=HYPERLINK(...)``) starts with a single quote: see
    :func:`~routing.export.common.csv_cell`.
    Raises :class:`~routing.export.ExportError` when the file cannot be written.
    """
    return write_csv_table(path, CSV_COLUMNS, csv_rows(plan))


def _row(route: TechnicianRoute, stop: PlanStop) -> dict[str, str]:
    window = served_window(stop)
    location = stop.location
    return {
        "technician_id": route.technician_id,
        "technician_name": route.name,
        "sequence": str(stop.sequence),
        "service_job_id": stop.service_job_id,
        "appointment_id": stop.appointment_id or "",
        "status": stop.status,
        "location_type": stop.location_type,
        "address": stop.address or "",
        "lat": f"{location.lat:.6f}" if location else "",
        "lon": f"{location.lon:.6f}" if location else "",
        "precision": (location.precision or "") if location else "",
        "window_start": iso(window.start if window else None),
        "window_end": iso(window.end if window else None),
        "all_windows": "; ".join(f"{iso(w.start)}/{iso(w.end)}" for w in stop.windows),
        "arrival": iso(stop.arrival),
        "service_start": iso(stop.service_start),
        "service_end": iso(stop.service_end),
        "travel_time_s": str(stop.travel_time_s),
        "distance_m": "" if stop.distance_m is None else str(stop.distance_m),
        "wait_s": str(stop.wait_s),
        "pinned": "true" if stop.pinned else "false",
    }
