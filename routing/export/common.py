"""What every export shares: technician colours, the window a stop was served in, times
as text, CSV cells a spreadsheet cannot run, and writing a file without leaving half of it
behind."""

from __future__ import annotations

import contextlib
import csv
import io
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime
from pathlib import Path

from routing.export.errors import ExportError
from routing.plan import Plan, PlanStop, TimeSpan

__all__ = [
    "FORMULA_STARTS",
    "PALETTE",
    "UNASSIGNED_COLOUR",
    "clock",
    "csv_cell",
    "iso",
    "served_window",
    "technician_colours",
    "write_csv_table",
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


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
"""Leading characters that make a spreadsheet read a cell as a formula (OWASP, "CSV
Injection")."""

_PLAIN_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?")


def csv_cell(value: str) -> str:
    """``value`` as a CSV cell no spreadsheet runs as a formula.

    The OWASP rule: a cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
    return gets a leading single quote, which spreadsheets read as "this is text"
    (``=HYPERLINK(...)`` becomes ``'=HYPERLINK(...)``). The csv module then quotes the
    cell where CSV needs it (a CR, a comma, a double quote).

    One exception, so that numbers stay numbers: a plain decimal number (``-122.335167``,
    ``-300``) is left as it is, whoever wrote it. It cannot be a formula, and a
    spreadsheet reads it as the number it is. Anything else that starts with ``-``
    (``-1+1``, ``-2e5``, ``-cmd``) is quoted.
    """
    if value.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def write_csv_table(
    path: Path | str, columns: Sequence[str], rows: Iterable[Mapping[str, str]]
) -> Path:
    """Write a header and ``rows`` (keys ``columns``, values text) to ``path`` as UTF-8
    CSV with ``\\r\\n`` line ends, every cell passed through :func:`csv_cell`. Every CSV
    the project writes goes through here. Raises :class:`ExportError` like
    :func:`write_text`."""
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=columns)
    writer.writeheader()
    writer.writerows({key: csv_cell(value) for key, value in row.items()} for row in rows)
    return write_text(path, buffer.getvalue(), newline="")
