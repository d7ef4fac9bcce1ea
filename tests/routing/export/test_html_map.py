"""The HTML map: one page that parses, embeds every stop and unassigned job, leaks nothing."""

from __future__ import annotations

import base64
import hashlib
import json
from html.parser import HTMLParser
from importlib.resources import files
from pathlib import Path
from typing import Any

from routing.export import technician_colours, write_html_map
from routing.export.html_map import TILE_URL, leaflet_assets
from routing.plan import Plan
from tests.routing.export.conftest import BUYER, HOSTILE


class Page(HTMLParser):
    """What the tests look at: external resources, script blocks, visible text."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.resources: list[dict[str, str | None]] = []
        self.layer_switches: list[str | None] = []
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self.text: list[str] = []
        self._script: dict[str, str | None] | None = None
        self.feed(text)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag in ("script", "link") and (attributes.get("src") or attributes.get("href")):
            self.resources.append(attributes)
        if tag == "input":
            self.layer_switches.append(attributes.get("data-layer"))
        if tag == "script":
            self._script = attributes
            self.scripts.append((attributes, ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._script = None

    def handle_data(self, data: str) -> None:
        if self._script is not None:
            attributes, text = self.scripts[-1]
            self.scripts[-1] = (attributes, text + data)
        else:
            self.text.append(data)

    def data(self) -> dict[str, Any]:
        [block] = [text for attrs, text in self.scripts if attrs.get("id") == "plan-data"]
        loaded: dict[str, Any] = json.loads(block)
        return loaded


def render(plan: Plan, tmp_path: Path) -> str:
    return write_html_map(plan, tmp_path / "map.html").read_text(encoding="utf-8")


PUBLISHED_SRI = {
    "leaflet.js": "sha256-20nQCchB9co0qIjJZRGuk2/Z9VM+kNiyxNV1lvTlZBo=",
    "leaflet.css": "sha256-p4NxAoJBhIIN+hmNHrzRCf9tD/miZyoHS5obTRR9BMY=",
}
"""Leaflet 1.9.4's Subresource Integrity hashes, as published on leafletjs.com/download."""


def sri(text: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()


def test_leaflet_is_vendored_unchanged_with_its_licence() -> None:
    leaflet_js, leaflet_css = leaflet_assets()
    assert {"leaflet.js": sri(leaflet_js), "leaflet.css": sri(leaflet_css)} == PUBLISHED_SRI
    licence = (files("routing.export") / "assets" / "leaflet" / "LICENSE").read_text()
    assert licence.startswith("BSD 2-Clause License")


def test_the_page_loads_nothing_but_tiles(plan: Plan, tmp_path: Path) -> None:
    html = render(plan, tmp_path)
    page = Page(html)
    leaflet_js, leaflet_css = leaflet_assets()

    assert page.resources == []  # no <script src>, no <link href>
    assert leaflet_js in html and leaflet_css.replace("\r\n", "\n") in html  # read_text: LF
    assert TILE_URL in html
    assert "openstreetmap.org/copyright" in html  # the tiles' attribution
    assert "except the background map tiles, which load from tile.openstreetmap.org" in (
        " ".join(" ".join(page.text).split()))
    assert "fitBounds" in html


def test_embeds_every_stop_and_placed_unassigned_job(plan: Plan, tmp_path: Path) -> None:
    data = Page(render(plan, tmp_path)).data()

    kinds: dict[str, list[str]] = {}
    for feature in data["features"]:
        properties = feature["properties"]
        kinds.setdefault(properties["kind"], []).append(properties.get("service_job_id"))
    assert kinds["stop"] == [s.service_job_id for r in plan.routes for s in r.stops]
    assert kinds["unassigned"] == [j.service_job_id for j in plan.unassigned if j.location]
    assert len(kinds["route"]) == sum(1 for r in plan.routes if r.stops)


def test_legend_and_unassigned_list(plan: Plan, tmp_path: Path) -> None:
    html = render(plan, tmp_path)
    text = " ".join(Page(html).text)

    for route in plan.routes:
        assert route.name in text
        assert technician_colours(plan)[route.technician_id] in html
    for job in plan.unassigned:  # with or without a place on the map
        assert job.service_job_id in text
        assert job.reason.value in text
    assert f"{len(plan.unassigned)} unassigned" in text
    assert Page(html).layer_switches == [r.technician_id for r in plan.routes] + ["unassigned"]


def test_no_buyer_name_or_phone(plan: Plan, tmp_path: Path) -> None:
    html = render(plan, tmp_path)

    assert BUYER not in html
    assert "206-555-0100" not in html


def test_text_cannot_break_out_of_the_page(hostile_plan: Plan, tmp_path: Path) -> None:
    html = render(hostile_plan, tmp_path)
    page = Page(html)

    # Only the page's own script elements exist (Leaflet, the data, the page's code), and
    # the data survives intact.
    assert len(page.scripts) == 3
    assert html.count("</script>") == 3
    [block] = [text for attrs, text in page.scripts if attrs.get("id") == "plan-data"]
    assert "\u2028" not in block and "\\u2028" in block
    assert "<!--" not in html
    data = page.data()
    first_stop = next(f for f in data["features"] if f["properties"]["kind"] == "stop")
    assert first_stop["properties"]["address"] == HOSTILE
    assert first_stop["properties"]["technician"] == HOSTILE
    assert HOSTILE in " ".join(page.text)  # the legend, escaped and read back as text
