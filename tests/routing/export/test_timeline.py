"""The timeline SVG: well-formed XML, a row per technician, bars in time order."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import date, datetime
from itertools import pairwise
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from routing.export import timeline_svg, write_timeline_svg
from routing.export.timeline import FONT_SIZE, SEGMENT_COLOURS, WIDTH, route_segments, text_width
from routing.plan import Plan, TechnicianRoute, TimeSpan
from tests.routing.export.conftest import BUYER, HOSTILE

SVG = "{http://www.w3.org/2000/svg}"


def parse(plan: Plan) -> ET.Element:
    return ET.fromstring(timeline_svg(plan))


def rows(root: ET.Element) -> dict[str, ET.Element]:
    return {
        g.get("data-technician", ""): g for g in root.iter(f"{SVG}g") if g.get("class") == "row"
    }


def bars(row: ET.Element, kind: str | None = None) -> list[ET.Element]:
    found = [r for r in row.iter(f"{SVG}rect") if (r.get("class") or "").startswith("seg ")]
    return [r for r in found if kind is None or r.get("class") == f"seg {kind}"]


def test_a_row_per_technician_and_a_bar_per_stop_and_break(plan: Plan, tmp_path: Path) -> None:
    root = ET.parse(write_timeline_svg(plan, tmp_path / "timeline.svg")).getroot()

    assert root.tag == f"{SVG}svg" and root.get("width") == "1200"
    by_id = rows(root)
    assert list(by_id) == [route.technician_id for route in plan.routes]
    for route in plan.routes:
        row = by_id[route.technician_id]
        services = bars(row, "service")
        assert [r.get("data-job") for r in services] == [s.service_job_id for s in route.stops]
        assert len(bars(row, "break")) == len(route.breaks)
        assert bars(row, "travel")
        windows = [p for p in row.iter(f"{SVG}path") if p.get("class") == "window"]
        assert len(windows) == sum(len(stop.windows) for stop in route.stops)


def test_bars_are_in_time_order_without_overlap(plan: Plan) -> None:
    for row in rows(parse(plan)).values():
        spans = [(float(r.get("x", "")), float(r.get("width", ""))) for r in bars(row)]
        starts = [x for x, _ in spans]
        assert starts == sorted(starts)
        for (x, width), (next_x, _) in pairwise(spans):
            # Each bar is at least 1 px wide, so a 1 s bar may touch the next one.
            assert x + width <= next_x + 1.05


def test_every_bar_has_a_colour_and_a_tooltip(plan: Plan) -> None:
    for row in rows(parse(plan)).values():
        for rect in bars(row):
            kind = (rect.get("class") or "").split()[1]
            assert rect.get("fill") == SEGMENT_COLOURS[kind]
            title = rect.find(f"{SVG}title")
            assert title is not None and title.text


def test_hour_grid_is_labelled_in_local_time(plan: Plan) -> None:
    labels = [t.text or "" for t in parse(plan).iter(f"{SVG}text")]
    hours = [label for label in labels if re.fullmatch(r"\d\d:00", label)]

    first_shift = min(route.shift.start for route in plan.routes)
    assert hours[0] == first_shift.strftime("%H:00")
    assert hours == sorted(hours) and len(hours) >= 8


def test_segments_follow_the_plan(plan: Plan) -> None:
    for route in plan.routes:
        segments = route_segments(route)
        assert [(s.start, s.end) for s in segments if s.kind == "service"] == [
            (stop.service_start, stop.service_end) for stop in route.stops
        ]
        assert [(s.start, s.end) for s in segments if s.kind == "break"] == [
            (b.start, b.end) for b in route.breaks
        ]
        travel = sum((s.end - s.start).total_seconds() for s in segments if s.kind == "travel")
        assert travel == pytest.approx(route.totals.travel_time_s, abs=2)
        for before, after in pairwise(segments):
            assert before.end <= after.start
        assert segments[0].start >= route.shift.start
        assert segments[-1].end <= route.shift.end


def test_escapes_text_and_leaves_the_buyer_out(hostile_plan: Plan) -> None:
    text = timeline_svg(hostile_plan)
    root = ET.fromstring(text)  # would fail on an unescaped "<"

    assert BUYER not in text
    assert any(HOSTILE[:20] in (t.text or "") for t in root.iter(f"{SVG}text"))


def test_hours_across_a_daylight_saving_change(plan: Plan) -> None:
    """On 2026-11-01 Los Angeles falls back at 02:00: the grid says 01:00 twice."""
    la = ZoneInfo("America/Los_Angeles")
    start = datetime(2026, 11, 1, 0, 0, tzinfo=la)
    end = datetime(2026, 11, 1, 5, 0, tzinfo=la)  # 6 real hours: 00:00 PDT .. 05:00 PST
    empty = plan.routes[1].model_copy(update={
        "shift": TimeSpan(start=start, end=end), "stops": [], "breaks": [],
        "start": None, "end": None,
    })
    day = plan.model_copy(update={"date": date(2026, 11, 1), "routes": [empty]})

    root = parse(day)

    hours = [t for t in root.iter(f"{SVG}text") if re.fullmatch(r"\d\d:00", t.text or "")]
    assert [t.text for t in hours] == ["00:00", "01:00", "01:00", "02:00", "03:00", "04:00",
                                       "05:00"]
    xs = [float(t.get("x", "")) for t in hours]
    steps = [b - a for a, b in pairwise(xs)]
    assert max(steps) - min(steps) < 0.2  # an hour is an hour, even the repeated one
    [shift] = [r for r in root.iter(f"{SVG}rect") if r.get("class") == "shift"]
    assert float(shift.get("x", "")) == pytest.approx(xs[0], abs=0.1)
    assert float(shift.get("width", "")) == pytest.approx(xs[-1] - xs[0], abs=0.2)


def test_an_unused_technician_has_an_empty_row(plan: Plan) -> None:
    route: TechnicianRoute = plan.routes[0].model_copy(
        update={"stops": [], "breaks": [], "start": None, "end": None}
    )
    root = parse(plan.model_copy(update={"routes": [route]}))

    [row] = rows(root).values()
    assert bars(row) == []
    assert "no stops" in [t.text for t in row.iter(f"{SVG}text")]


def legend_items(root: ET.Element) -> list[tuple[float, float, float, float]]:
    """Per legend item: (swatch left, swatch right, text left, text right), the text's
    width estimated generously."""
    items = []
    for item in root.iter(f"{SVG}g"):
        if item.get("class") != "legend-item":
            continue
        swatch, text = item[0], item.find(f"{SVG}text")
        assert text is not None and text.text
        if swatch.tag == f"{SVG}rect":
            left = float(swatch.get("x", "nan"))
            right = left + float(swatch.get("width", "nan"))
        else:  # the window bracket: M x y V y H x V y
            xs = [float(n) for n in re.findall(r"[MH] ([\d.]+)", swatch.get("d", ""))]
            left, right = min(xs), max(xs)
        text_left = float(text.get("x", "nan"))
        items.append((left, right, text_left, text_left + text_width(text.text, FONT_SIZE)))
    return items


def test_legend_texts_never_run_under_a_swatch(plan: Plan) -> None:
    items = legend_items(parse(plan))

    assert len(items) == len(SEGMENT_COLOURS) + 2  # the bars, the window, the shift
    for swatch_left, swatch_right, text_left, text_right in items:
        assert swatch_left < swatch_right < text_left < text_right
    for (*_, text_right), (next_left, *_) in pairwise(items):
        assert text_right < next_left
    assert items[-1][3] <= WIDTH


LEGEND_BOXES = """() => Array.from(document.querySelectorAll("g.legend-item"), (item) => {
  const box = (element) => { const b = element.getBBox(); return [b.x, b.x + b.width]; };
  return [box(item.firstElementChild), box(item.querySelector("text"))];
})"""


@pytest.mark.slow  # a browser start (shared with the map's tests): about 4 s
def test_legend_as_the_browser_draws_it(plan: Plan, browser: Any, tmp_path: Path) -> None:
    page = browser.new_page()
    page.goto(write_timeline_svg(plan, tmp_path / "timeline.svg").as_uri())
    items = page.evaluate(LEGEND_BOXES)

    assert len(items) == len(SEGMENT_COLOURS) + 2
    for (swatch_left, swatch_right), (text_left, text_right) in items:
        assert swatch_left < swatch_right < text_left < text_right
    for (_, (_, text_right)), ((next_left, _), _) in pairwise(items):
        assert text_right < next_left
    assert items[-1][1][1] <= WIDTH
    # The estimate is generous: every text drawn is narrower than estimated.
    estimates = legend_items(parse(plan))
    for (_, (text_left, text_right)), estimate in zip(items, estimates, strict=True):
        assert text_right - text_left <= estimate[3] - estimate[2]
