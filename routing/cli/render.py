"""Plans and job lists as terminal tables."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from routing.cli.common import duration_text, local_time
from routing.plan import Plan, TechnicianRoute, TimeSpan


def _windows(spans: list[TimeSpan]) -> str:
    return ", ".join(f"{local_time(s.start)}–{local_time(s.end)}" for s in spans) or "any time"


def _km(metres: int | None) -> str:
    return "—" if metres is None else f"{metres / 1000:.1f} km"


def route_table(route: TechnicianRoute) -> Table:
    totals = route.totals
    title = (f"{route.name} ({route.technician_id}) · shift {local_time(route.shift.start)}–"
             f"{local_time(route.shift.end)} · {totals.stops} stops · drive "
             f"{duration_text(totals.travel_time_s)}, {_km(totals.distance_m)} · "
             f"utilisation {totals.utilisation:.0%}")
    table = Table(title=title, title_justify="left", expand=False)
    for header in ("#", "arrive", "service", "window", "job", "address", "drive", "wait"):
        table.add_column(header, no_wrap=header != "address")
    rows: list[tuple[tuple[int, int], list[str]]] = []  # (after stop, 0 stop | 1 break)
    for stop in route.stops:
        flag = " 📌" if stop.pinned else ""
        rows.append(((stop.sequence, 0), [
            str(stop.sequence), local_time(stop.arrival),
            f"{local_time(stop.service_start)}–{local_time(stop.service_end)}",
            _windows(stop.windows), stop.service_job_id + flag,
            stop.address or "online", duration_text(stop.travel_time_s),
            duration_text(stop.wait_s) if stop.wait_s else "",
        ]))
    for pause in route.breaks:
        rows.append(((pause.after_stop, 1), [
            "", "", f"{local_time(pause.start)}–{local_time(pause.end)}", "", "[i]lunch[/]",
            "", "", ""]))
    rows.sort(key=lambda item: item[0])
    for _, cells in rows:
        table.add_row(*cells)
    if route.end is not None:
        table.caption = f"back home {local_time(route.end)}"
        table.caption_justify = "left"
    return table


def print_plan(plan: Plan, console: Console) -> None:
    summary = plan.summary
    console.print(f"[bold]Plan for {plan.date:%A %d %B %Y}[/] ({plan.timezone}) — "
                  f"{summary.assigned} of {summary.jobs} jobs assigned to "
                  f"{summary.technicians_used} of {summary.technicians_on_shift} technicians "
                  f"on shift · drive {duration_text(summary.travel_time_s)}, "
                  f"{_km(summary.distance_m)}", highlight=False)
    for route in plan.routes:
        if route.stops:
            console.print(route_table(route))
    idle = [r.name for r in plan.routes if not r.stops]
    if idle:
        console.print(f"On shift with no stops: {', '.join(idle)}", highlight=False)
    if plan.unassigned:
        table = Table(title=f"Unassigned ({len(plan.unassigned)})", title_justify="left")
        for header in ("job", "status", "reason", "why"):
            table.add_column(header, overflow="fold")
        for job in plan.unassigned:
            table.add_row(job.service_job_id, job.status or "—", job.reason.value, job.sentence)
        console.print(table)
    for warning in plan.warnings:
        console.print(f"[yellow]warning:[/] {warning}", highlight=False)
