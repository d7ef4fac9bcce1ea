"""map.html in a real browser: Debian's headless Chromium, driven by Playwright.

The page is loaded from disk with every network request refused (the tiles fail, as they
do offline), every tooltip and popup is opened, and the test checks that hostile text in
every field of the plan shows as text and never becomes an element or runs.

The ``browser`` fixture (conftest) skips, saying why, where Chromium or Playwright is
missing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from routing.export import to_geojson, write_html_map
from routing.export.html_map import TILE_URL
from routing.plan import Plan

TILE_HOST = TILE_URL.split("/{z}")[0]

pytestmark = pytest.mark.slow  # the browser starts in about 4 s, a page loads in about 1 s


def hostile(field: str) -> str:
    """Text that becomes live markup wherever it is used as HTML: an image whose error
    handler sets ``window.__pwned``, a script element, a comment and a raw U+2028."""
    return (f"{field} <img src=x onerror=\"window.__pwned='{field}'\">"
            f"</script><script id=injected>window.__pwned='{field}'</script><!-- \u2028 &amp;")


def hostile_everywhere(plan: Plan) -> Plan:
    """The plan with :func:`hostile` text in every text field of every route, stop and
    unassigned job (the reason is a code from a fixed list)."""
    routes = []
    for number, route in enumerate(plan.routes):
        stops = [stop.model_copy(update={
            "service_job_id": hostile(f"job {number}.{stop.sequence}"),
            "appointment_id": hostile("appointment"),
            "status": hostile("status"),
            "address": hostile("address") if stop.address else None,
            "location": stop.location.model_copy(update={"precision": hostile("precision")})
            if stop.location else None,
        }) for stop in route.stops]
        routes.append(route.model_copy(update={
            "technician_id": hostile(f"id {number}"), "name": hostile(f"name {number}"),
            "stops": stops}))
    unassigned = [job.model_copy(update={
        "service_job_id": hostile(f"unassigned {number}"),
        "status": hostile("status"),
        "sentence": hostile("sentence"),
        "address": hostile("address") if job.address else None,
    }) for number, job in enumerate(plan.unassigned)]
    return plan.model_copy(update={"routes": routes, "unassigned": unassigned})


class Loaded:
    """A page opened from disk, with what it logged."""

    def __init__(self, browser: Any, path: Path) -> None:
        self.page = browser.new_page()
        self.errors: list[str] = []
        self.page.on("pageerror", lambda error: self.errors.append(f"page error: {error}"))
        self.page.on("console", self._console)
        self.page.goto(path.as_uri(), wait_until="load")

    def _console(self, message: Any) -> None:
        failed_tile = str(message.location.get("url", "")).startswith(TILE_HOST)
        if message.type == "error" and not failed_tile:
            self.errors.append(f"console: {message.text} ({message.location})")


OPEN_EVERYTHING = """() => {
  const fire = (element, type) => element.dispatchEvent(
    new MouseEvent(type, {bubbles: true, cancelable: true, clientX: 1, clientY: 1}));
  const shown = (selector) => {  // the newest: a closed one fades out for 200 ms
    const boxes = document.querySelectorAll(selector);
    return boxes.length ? boxes[boxes.length - 1].textContent : null;
  };
  const seen = {tooltips: [], popups: []};
  document.querySelectorAll(".leaflet-marker-icon").forEach((icon) => {
    fire(icon, "mouseover");
    seen.tooltips.push(shown(".leaflet-tooltip"));
    fire(icon, "mouseout");
    fire(icon, "click");
    seen.popups.push(shown(".leaflet-popup-content"));
  });
  document.querySelectorAll("path.leaflet-interactive").forEach((line) => {
    const box = line.getBoundingClientRect();
    line.dispatchEvent(new MouseEvent("mouseover", {bubbles: true,
      clientX: box.x + box.width / 2, clientY: box.y + box.height / 2}));
    seen.tooltips.push(shown(".leaflet-tooltip"));
    line.dispatchEvent(new MouseEvent("mouseout", {bubbles: true}));
  });
  return seen;
}"""


def test_hostile_text_shows_as_text_and_never_runs(
    plan: Plan, browser: Any, tmp_path: Path
) -> None:
    bad = hostile_everywhere(plan)
    loaded = Loaded(browser, write_html_map(bad, tmp_path / "map.html"))
    page = loaded.page

    seen = page.evaluate(OPEN_EVERYTHING)
    page.wait_for_timeout(100)  # room for an image's error handler, were there one

    geometries = [f["geometry"]["type"] for f in to_geojson(bad)["features"] if f["geometry"]]
    markers, lines = geometries.count("Point"), geometries.count("LineString")
    assert len(seen["popups"]) == markers and all(seen["popups"])
    assert len(seen["tooltips"]) == markers + lines and all(seen["tooltips"])
    assert page.evaluate("document.querySelectorAll('img[src=\"x\"], script#injected').length") == 0
    assert page.evaluate("window.__pwned") is None
    # The hostile text is shown, character for character, where it belongs.
    first = bad.routes[0]
    assert hostile("name 0") in seen["tooltips"][-lines]  # the first route line
    stop = next(stop for stop in first.stops if stop.location)
    stop_popup = next(p for p in seen["popups"] if stop.service_job_id in p)
    for text in (first.name, stop.appointment_id, stop.location.precision if stop.location
                 else None):
        assert text is None or text in stop_popup
    placed = [job for job in bad.unassigned if job.location]
    assert placed and any(placed[0].sentence in p for p in seen["popups"])
    legend = page.inner_text("#panel")
    assert all(route.name.replace("\u2028", " ") in legend.replace("\u2028", " ")
               for route in bad.routes)
    assert loaded.errors == []


def test_the_map_works_without_tiles(plan: Plan, browser: Any, tmp_path: Path) -> None:
    loaded = Loaded(browser, write_html_map(plan, tmp_path / "map.html"))
    page = loaded.page

    stops = sum(1 for route in plan.routes for stop in route.stops if stop.location)
    assert page.locator(".leaflet-marker-icon div.stop").count() == stops
    lines = sum(1 for route in plan.routes if route.stops)
    assert page.locator("path.leaflet-interactive").count() == lines
    assert page.locator("img.leaflet-tile").count() > 0  # asked for, refused
    # The legend's switch hides a technician's route and stops.
    page.uncheck(f"input[data-layer='{plan.routes[0].technician_id}']")
    assert page.locator(".leaflet-marker-icon div.stop").count() == (
        stops - sum(1 for stop in plan.routes[0].stops if stop.location))
    assert page.locator("path.leaflet-interactive").count() == lines - 1
    assert loaded.errors == []
