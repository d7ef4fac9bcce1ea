"""What every export shares: technician colours, the window a stop was served in, times
as text, and writing a file without leaving half of it behind."""

from __future__ import annotations

import contextlib
import os
from datetime import datetime
from pathlib import Path

from routing.export.errors import ExportError
from routing.plan import Plan, PlanStop, TimeSpan

__all__ = [
    "PALETTE",
    "UNASSIGNED_COLOUR",
    "clock",
    "iso",
    "served_window",
    "technician_colours",
    "write_text",
]

PALETTE = (
    "#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b", "#e377c2",
    "#17becf", "#bcbd22", "#393b79", "#637939", "#8c6d31", "#7b4173",
)
"""Route colours, one per technician in roster order, repeating after twelve. No red and
no grey: those mark unassigned jobs."""

UNASSIGNED_COLOUR = "#d62728"


def technician_colours(plan: Plan) -> dict[str, str]:
    """Technician id -> colour. Every export uses this, so a technician has the same
    colour on the map, in the GeoJSON and on the timeline."""
    return {
        route.technician_id: PALETTE[index % len(PALETTE)]
        for index, route in enumerate(plan.routes)
    }


def served_window(stop: PlanStop) -> TimeSpan | None:
    """The customer window the stop was scheduled in.

    A pending job can have several windows; the one that holds the service start wins,
    then the one that holds the service end (the "finish within" rule), then the first.
    None only for a stop without any window.
    """
    for window in stop.windows:
        if window.start <= stop.service_start <= window.end:
            return window
    for window in stop.windows:
        if window.start <= stop.service_end <= window.end:
            return window
    return stop.windows[0] if stop.windows else None


def iso(moment: datetime | None) -> str:
    """ISO 8601 with the local offset, to the second; '' for no time."""
    return moment.isoformat(timespec="seconds") if moment is not None else ""


def clock(moment: datetime) -> str:
    """HH:MM in the moment's own (local) timezone."""
    return moment.strftime("%H:%M")


def write_text(path: Path | str, text: str, *, newline: str | None = None) -> Path:
    """Write UTF-8 ``text`` to ``path`` through a temporary file in the same folder, so
    a reader (or a failed run) never sees half a file. Returns the path written."""
    target = Path(path)
    temporary = target.with_name(f".{target.name}.tmp-{os.getpid()}")
    try:
        with temporary.open("w", encoding="utf-8", newline=newline) as handle:
            handle.write(text)
        temporary.replace(target)
    except OSError as exc:
        with contextlib.suppress(OSError):
            temporary.unlink(missing_ok=True)
        reason = exc.strerror or str(exc)
        raise ExportError(f"cannot write {target}: {reason}") from exc
    return target
