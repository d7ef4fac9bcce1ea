"""A per-technician timeline of the day as a hand-written SVG chart.

One row per technician on shift: the shift as a pale band, then bars for travel, waiting,
service and breaks, and under each service bar the customer's window(s) as a thin
bracket (the one the stop was scheduled in solid, other preferred windows dashed), so an
arrival early or late against the window shows at a glance. Every bar has a ``<title>``
tooltip; job ids label the service bars where they fit. The hour grid is in the plan's
timezone; tooltips give each technician's own local times.

The plan gives arrivals, service times, breaks and travel durations but not when each
drive starts, so the chart places each drive as early as possible after the previous
stop, around breaks (as the optimiser's time model does), and shows the rest of the gap
before a service as waiting. The drive home is the route's travel total minus its legs.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from html import escape
from pathlib import Path
from zoneinfo import ZoneInfo

from routing.export.common import clock, served_window, technician_colours, write_text
from routing.plan import Plan, PlanStop, TechnicianRoute

__all__ = [
    "SEGMENT_COLOURS",
    "Segment",
    "route_segments",
    "text_width",
    "timeline_svg",
    "write_timeline_svg",
]

SEGMENT_COLOURS = {
    "travel": "#8da0cb",
    "wait": "#f2cf5b",
    "service": "#2b6cb0",
    "break": "#66a61e",
}

WIDTH = 1200
LABEL_WIDTH = 200
RIGHT_MARGIN = 24
HEADER = 96
EMPTY_ROW = 48
LANE = 7
"""Vertical distance between two lanes of window brackets."""
BAR_TOP = 8
BAR_HEIGHT = 20
FOOTER = 28
FONT_SIZE = 11
LEGEND_GAP = 18
EM_PER_CHARACTER = 0.65
"""A generous average character width, in em, of the chart's sans-serif font: Arial's
(and Liberation Sans') is about 0.5 em for lower case and digits, DejaVu Sans' (a common
fallback) about 0.55, so texts laid out with it never run into what follows them."""


@dataclass(frozen=True)
class Segment:
    """A stretch of a technician's day: ``kind`` is a key of :data:`SEGMENT_COLOURS`."""

    kind: str
    start: datetime
    end: datetime
    title: str
    job_id: str | None = None


def route_segments(route: TechnicianRoute) -> list[Segment]:
    """The route's bars in time order, without overlaps (see the module docstring)."""
    breaks = sorted(route.breaks, key=lambda item: item.start)
    spans = [(b.start, b.end) for b in breaks]
    segments = [
        Segment("break", b.start, b.end, f"Break {clock(b.start)}–{clock(b.end)}")
        for b in breaks
    ]
    if route.start is None or route.end is None:
        return segments
    # An ONLINE stop has no drive of its own: the drive made around it counts on the next
    # stop with a place (or the drive home), drawn in the free time since the last one.
    cursor, busy = route.start, spans
    for stop in route.stops:
        service = Segment("service", stop.service_start, stop.service_end,
                          _service_title(route, stop), stop.service_job_id)
        if stop.location is None:
            segments.append(service)
            busy = sorted([*busy, (stop.service_start, stop.service_end)])
            continue
        travel = _travel_title(f"to {stop.service_job_id}", stop.travel_time_s, stop.distance_m)
        segments += _fill(cursor, stop.service_start, stop.travel_time_s, busy, travel,
                          f"Waiting at {stop.service_job_id}")
        segments.append(service)
        cursor, busy = max(cursor, stop.service_end), spans
    home_s = route.totals.travel_time_s - sum(stop.travel_time_s for stop in route.stops)
    if route.stops and home_s > 0:
        segments += _fill(cursor, route.end, home_s, busy, _travel_title("back", home_s, None))
    return sorted(segments, key=lambda segment: (segment.start, segment.end))


def timeline_svg(plan: Plan) -> str:
    """The chart as SVG text (``WIDTH`` px wide, one row per technician on shift)."""
    tz = ZoneInfo(plan.timezone)
    rows = [_Row.of(route) for route in plan.routes]
    scale = _Scale(*_day_span(plan, rows))
    height = HEADER + sum(row.height for row in rows) + (0 if rows else EMPTY_ROW) + FOOTER
    colours = technician_colours(plan)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
        f'viewBox="0 0 {WIDTH} {height}" font-family="Helvetica, Arial, sans-serif" '
        f'font-size="{FONT_SIZE}">',
        f"<title>{escape(_heading(plan))}</title>",
        f'<rect width="{WIDTH}" height="{height}" fill="#ffffff"/>',
        f'<text x="12" y="22" font-size="15" font-weight="bold">{escape(_heading(plan))}</text>',
        *_legend(),
        *_hour_grid(scale, tz, height),
    ]
    top = HEADER
    for row in rows:
        parts += row.draw(scale, top, colours[row.route.technician_id])
        top += row.height
    if not rows:
        parts.append(f'<text x="{LABEL_WIDTH}" y="{HEADER + 28}">No technician on shift.</text>')
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def write_timeline_svg(plan: Plan, path: Path | str) -> Path:
    """Write :func:`timeline_svg` to ``path``. Raises
    :class:`~routing.export.ExportError` when the file cannot be written."""
    return write_text(path, timeline_svg(plan))


# -- segments ------------------------------------------------------------------------------


def _fill(
    start: datetime,
    end: datetime,
    travel_s: int,
    breaks: list[tuple[datetime, datetime]],
    travel_title: str,
    wait_title: str | None = None,
) -> Iterator[Segment]:
    """Drive first, then wait (if ``wait_title``), in the free time of [start, end]."""
    travel_left = timedelta(seconds=travel_s)
    for free_start, free_end in _free(start, end, breaks):
        driving_end = min(free_end, free_start + travel_left)
        if driving_end > free_start:
            yield Segment("travel", free_start, driving_end, travel_title)
            travel_left -= driving_end - free_start
        if wait_title is not None and free_end > driving_end:
            yield Segment("wait", driving_end, free_end, f"{wait_title}: "
                          f"{_duration((free_end - driving_end).total_seconds())}")


def _free(
    start: datetime, end: datetime, breaks: Iterable[tuple[datetime, datetime]]
) -> Iterator[tuple[datetime, datetime]]:
    """[start, end] minus the (sorted) breaks."""
    cursor = start
    for break_start, break_end in breaks:
        if break_end <= cursor or break_start >= end:
            continue
        if break_start > cursor:
            yield cursor, break_start
        cursor = max(cursor, break_end)
    if end > cursor:
        yield cursor, end


def _duration(seconds: float) -> str:
    minutes = round(seconds / 60)
    return f"{minutes // 60} h {minutes % 60:02d} min" if minutes >= 60 else f"{minutes} min"


def _travel_title(where: str, seconds: int, metres: int | None) -> str:
    distance = f", {metres / 1000:.1f} km" if metres is not None else ""
    return f"Travel {where}: {_duration(seconds)}{distance}"


def _service_title(route: TechnicianRoute, stop: PlanStop) -> str:
    window = served_window(stop)
    lines = [
        f"#{stop.sequence} {stop.service_job_id} ({route.name})",
        f"Service {clock(stop.service_start)}–{clock(stop.service_end)}, "
        f"arrival {clock(stop.arrival)}",
    ]
    if window is not None:
        lines.append(f"Window {clock(window.start)}–{clock(window.end)}")
    if stop.address:
        lines.append(stop.address)
    return "\n".join(lines)


# -- drawing -------------------------------------------------------------------------------


class _Scale:
    """Instants -> x pixels over the plotting area."""

    def __init__(self, first: datetime, last: datetime) -> None:
        # In UTC: arithmetic between datetimes sharing one ZoneInfo is wall-clock time,
        # which is wrong across a daylight-saving change.
        self.first = first.astimezone(UTC)
        self.last = last.astimezone(UTC)
        self.seconds = max((self.last - self.first).total_seconds(), 1.0)
        self.width = WIDTH - LABEL_WIDTH - RIGHT_MARGIN

    def x(self, moment: datetime) -> float:
        return LABEL_WIDTH + (moment - self.first).total_seconds() / self.seconds * self.width


def _day_span(plan: Plan, rows: list[_Row]) -> tuple[datetime, datetime]:
    """Whole local hours around every shift, bar and window of the day."""
    moments: list[datetime] = []
    for row in rows:
        route = row.route
        moments += [route.shift.start, route.shift.end]
        moments += [moment for s in row.segments for moment in (s.start, s.end)]
        moments += [m for stop in route.stops for w in stop.windows for m in (w.start, w.end)]
    tz = ZoneInfo(plan.timezone)
    if not moments:
        midnight = datetime.combine(plan.date, datetime.min.time(), tzinfo=tz)
        return midnight + timedelta(hours=8), midnight + timedelta(hours=18)
    first = min(moments).astimezone(tz).replace(minute=0, second=0, microsecond=0)
    last = max(moments).astimezone(tz)
    rounded = last.replace(minute=0, second=0, microsecond=0)
    return first, rounded if rounded == last else rounded + timedelta(hours=1)


def _heading(plan: Plan) -> str:
    summary = plan.summary
    return (f"Routes for {plan.date:%a %Y-%m-%d} ({plan.timezone}): "
            f"{summary.assigned} of {summary.jobs} jobs assigned, "
            f"{summary.technicians_used} of {summary.technicians_on_shift} technicians used")


def _legend() -> list[str]:
    """One ``<g class="legend-item">`` per key (a swatch, then its text), laid out left to
    right from the texts' :func:`text_width`, so no text runs under the next swatch."""
    bracket = '<path d="M {x} 38 V 46 H {right} V 38" fill="none" stroke="#333"/>'
    items = [
        *((14, f'<rect x="{{x}}" y="36" width="14" height="12" fill="{colour}"/>',
           kind.capitalize()) for kind, colour in SEGMENT_COLOURS.items()),
        (22, bracket, "Customer window, service marked on it (dashed: other preferred)"),
        (22, '<rect x="{x}" y="36" width="22" height="12" fill="#f1f3f5" stroke="#ced4da"/>',
         "Shift"),
    ]
    parts = ['<g class="legend">']
    x = 12.0
    for swatch_width, swatch, label in items:
        text_x = x + swatch_width + 6
        parts += ['<g class="legend-item">',
                  swatch.format(x=f"{x:.1f}", right=f"{x + swatch_width:.1f}"),
                  f'<text x="{text_x:.1f}" y="46">{escape(label)}</text>', "</g>"]
        x = text_x + text_width(label, FONT_SIZE) + LEGEND_GAP
    parts.append("</g>")
    return parts


def _hour_grid(scale: _Scale, tz: ZoneInfo, height: int) -> list[str]:
    hours = int(scale.seconds // 3600)
    step = 1 if hours <= 20 else 2
    parts = ['<g class="grid">']
    for hour in range(0, hours + 1, step):
        moment = scale.first + timedelta(hours=hour)
        x = round(scale.x(moment), 1)
        label = moment.astimezone(tz)
        parts.append(f'<line x1="{x}" y1="{HEADER - 12}" x2="{x}" y2="{height - FOOTER}" '
                     f'stroke="#e3e6ea"/>')
        parts.append(f'<text x="{x}" y="{HEADER - 16}" text-anchor="middle" fill="#555">'
                     f"{label:%H:%M}</text>")
    parts.append("</g>")
    return parts


@dataclass(frozen=True)
class _Row:
    """A technician's row: the bars, and a lane per stop for its window bracket(s)."""

    route: TechnicianRoute
    segments: list[Segment]
    lanes: list[int]
    """Per stop (in route order): the lane of its brackets, 0 just under the bars."""

    @classmethod
    def of(cls, route: TechnicianRoute) -> _Row:
        return cls(route, route_segments(route), _window_lanes(route.stops))

    @property
    def height(self) -> int:
        lanes = max(self.lanes, default=-1) + 1
        return max(EMPTY_ROW, BAR_TOP + BAR_HEIGHT + 8 + lanes * LANE + 8)

    def draw(self, scale: _Scale, top: int, colour: str) -> list[str]:
        route = self.route
        name = route.name if len(route.name) <= 26 else route.name[:25] + "…"
        totals = route.totals
        detail = (f"{totals.stops} stops · travel {_duration(totals.travel_time_s)}"
                  if route.stops else "no stops")
        shift = f"Shift {clock(route.shift.start)}–{clock(route.shift.end)}"
        parts = [
            f'<g class="row" data-technician="{escape(route.technician_id)}">',
            f"<title>{escape(route.name)} ({escape(route.technician_id)}), {shift}</title>",
            f'<rect x="12" y="{top + BAR_TOP + 4}" width="12" height="12" rx="2" '
            f'fill="{colour}"/>',
            f'<text x="30" y="{top + BAR_TOP + 14}" font-weight="bold">{escape(name)}</text>',
            f'<text x="30" y="{top + BAR_TOP + 28}" fill="#555" font-size="10">{detail}</text>',
            _rect("shift", scale.x(route.shift.start), scale.x(route.shift.end),
                  top + BAR_TOP - 4, BAR_HEIGHT + 8, 'fill="#f1f3f5" stroke="#ced4da"', shift),
        ]
        for segment in self.segments:
            parts += _bar(segment, scale, top + BAR_TOP)
        for stop, lane in zip(route.stops, self.lanes, strict=True):
            parts += _windows(stop, scale, top + BAR_TOP + BAR_HEIGHT + 10 + lane * LANE)
        parts.append("</g>")
        return parts


def _window_lanes(stops: list[PlanStop]) -> list[int]:
    """Greedy interval colouring: the brackets of stops whose windows overlap (or touch)
    go to different lanes, so each stays readable."""
    lanes = [0] * len(stops)
    lane_ends: list[datetime] = []
    spans = [(min(w.start for w in s.windows), max(w.end for w in s.windows), i)
             for i, s in enumerate(stops) if s.windows]
    for start, end, index in sorted(spans):
        lane = next((n for n, last in enumerate(lane_ends) if last < start), len(lane_ends))
        if lane == len(lane_ends):
            lane_ends.append(end)
        lane_ends[lane] = end
        lanes[index] = lane
    return lanes


def _bar(segment: Segment, scale: _Scale, y: int) -> list[str]:
    x1, x2 = scale.x(segment.start), scale.x(segment.end)
    attributes = f'fill="{SEGMENT_COLOURS[segment.kind]}"'
    if segment.job_id is not None:
        attributes += f' data-job="{escape(segment.job_id)}"'
    parts = [_rect(f"seg {segment.kind}", x1, x2, y, BAR_HEIGHT, attributes, segment.title)]
    if segment.job_id is not None and (label := _fitting_label(segment.job_id, x2 - x1)):
        parts.append(f'<text x="{(x1 + x2) / 2:.1f}" y="{y + 14}" text-anchor="middle" '
                     f'fill="#fff" font-size="10" pointer-events="none">{escape(label)}</text>')
    return parts


def _rect(kind: str, x1: float, x2: float, y: int, height: int, attributes: str,
          title: str) -> str:
    width = max(x2 - x1, 1.0)
    return (f'<rect class="{kind}" x="{x1:.1f}" y="{y}" width="{width:.1f}" height="{height}" '
            f"{attributes}><title>{escape(title)}</title></rect>")


def text_width(text: str, size: float) -> float:
    """The width in px that ``text`` at ``size`` px takes at most, in practice (see
    :data:`EM_PER_CHARACTER`); the chart has no font metrics, it is drawn by the viewer."""
    return len(text) * size * EM_PER_CHARACTER


def _fitting_label(job_id: str, width: float) -> str | None:
    """The job id if it fits the bar, else its last four characters, else nothing."""
    for label in (job_id, "…" + job_id[-4:]):
        if text_width(label, 10) + 6 <= width:
            return label
    return None


def _windows(stop: PlanStop, scale: _Scale, y: int) -> list[str]:
    """The stop's window brackets on one lane, with the service time marked on it."""
    served = served_window(stop)
    start, end = scale.x(stop.service_start), scale.x(stop.service_end)
    parts = [f'<rect class="window-service" x="{start:.1f}" y="{y - 2}" '
             f'width="{max(end - start, 1.0):.1f}" height="3" '
             f'fill="{SEGMENT_COLOURS["service"]}"/>']
    for window in stop.windows:
        x1, x2 = scale.x(window.start), scale.x(window.end)
        style = 'stroke="#333"' if window == served else 'stroke="#888" stroke-dasharray="3 2"'
        parts.append(
            f'<path class="window" data-job="{escape(stop.service_job_id)}" '
            f'd="M {x1:.1f} {y - 4} V {y} H {x2:.1f} V {y - 4}" fill="none" {style}>'
            f"<title>{escape(stop.service_job_id)}: window {clock(window.start)}–"
            f"{clock(window.end)}</title></path>"
        )
    return parts
