"""Plans and job lists as terminal tables."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from routing.cli.common import duration_text, local_time
from routing.durations import BUILTIN
from routing.plan import Plan, PlanStop, TechnicianRoute, TimeSpan


def _span(span: TimeSpan) -> str:
    return f"{local_time(span.start)}–{local_time(span.end)}"


def _window(stop: PlanStop) -> str:
    """The window the service starts in, and how many other windows the buyer offered."""
    used = [w for w in stop.windows if w.start <= stop.service_start <= w.end]
    if not stop.windows:
        return "any time"
    shown = _span((used or stop.windows)[0])
    others = len(stop.windows) - 1
    return f"{shown} (+{others})" if others else shown


def _place(stop: PlanStop) -> str:
    """Street and city: the state, ZIP and country add nothing on a one-metro screen."""
    if stop.address is None:
        return "online"
    return ", ".join(stop.address.split(", ")[:2])


def _km(metres: int | None) -> str:
    return "—" if metres is None else f"{metres / 1000:.1f} km"


def route_title(route: TechnicianRoute) -> str:
    totals = route.totals
    title = (f"{route.name} ({route.technician_id}) · shift {local_time(route.shift.start)}–"
             f"{local_time(route.shift.end)} · {totals.stops} stops · drive "
             f"{duration_text(totals.travel_time_s)}, {_km(totals.distance_m)} · "
             f"utilisation {totals.utilisation:.0%}")
    return f"[bold]{escape(title)}[/]"


def route_table(route: TechnicianRoute) -> Table:
    table = Table(expand=False)
    for header in ("#", "arrive", "service", "window", "job", "drive", "wait"):
        table.add_column(header, no_wrap=header != "window")
    table.add_column("address", min_width=16, ratio=1)
    rows: list[tuple[tuple[int, int], list[str]]] = []  # (after stop, 0 stop | 1 break)
    for stop in route.stops:
        flag = "*" if stop.pinned else ""
        rows.append(((stop.sequence, 0), [
            str(stop.sequence), local_time(stop.arrival),
            f"{local_time(stop.service_start)}–{local_time(stop.service_end)}",
            _window(stop), stop.service_job_id + flag, duration_text(stop.travel_time_s),
            duration_text(stop.wait_s) if stop.wait_s else "", escape(_place(stop)),
        ]))
    for pause in route.breaks:
        rows.append(((pause.after_stop, 1), [
            "", "", f"{local_time(pause.start)}–{local_time(pause.end)}", "", "[i]break[/]",
            "", "", ""]))
    rows.sort(key=lambda item: item[0])
    for _, cells in rows:
        table.add_row(*cells)
    notes = [f"back home {local_time(route.end)}"] if route.end is not None else []
    if any(stop.pinned for stop in route.stops):
        notes.append("* already assigned to this technician on Amazon")
    if notes:
        table.caption = " · ".join(notes)
        table.caption_justify = "left"
    return table


def print_plan(plan: Plan, console: Console) -> None:
    summary = plan.summary
    console.print(f"[bold]Plan for {plan.date:%A %d %B %Y}[/] ({plan.timezone}) — "
                  f"{summary.assigned} of {summary.jobs} jobs assigned to "
                  f"{summary.technicians_used} of {summary.technicians_on_shift} technicians "
                  f"on shift · drive {duration_text(summary.travel_time_s)}, "
                  f"{_km(summary.distance_m)}", highlight=False)
    inputs = plan.settings.inputs
    durations = inputs.durations if inputs is not None else None
    if durations is not None:
        source = "the built-in table" if durations.path == BUILTIN else durations.path
        console.print(f"Service durations: {escape(source)}", highlight=False)
    for route in plan.routes:
        if route.stops:
            console.print(route_title(route), highlight=False)
            console.print(route_table(route))
    idle = [r.name for r in plan.routes if not r.stops]
    if idle:
        console.print(f"On shift with no stops: {', '.join(idle)}", highlight=False)
    if plan.unassigned:
        table = Table(title=f"Unassigned ({len(plan.unassigned)})", title_justify="left")
        for header in ("job", "status", "reason", "why"):
            table.add_column(header, overflow="fold")
        for job in plan.unassigned:
            table.add_row(job.service_job_id, job.status or "—", job.reason.value,
                          escape(job.sentence))
        console.print(table)
    for warning in plan.warnings:
        console.print(f"[yellow]warning:[/] {warning}", highlight=False)
