"""The HTML map: one page that parses, embeds every stop and unassigned job, leaks nothing."""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from routing.export import technician_colours, write_html_map
from routing.export.html_map import LEAFLET_CSS, LEAFLET_JS
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


def test_leaflet_pinned_with_integrity_and_osm_attribution(plan: Plan, tmp_path: Path) -> None:
    html = render(plan, tmp_path)
    page = Page(html)

    urls = {(r.get("src") or r.get("href")): r.get("integrity") for r in page.resources}
    assert urls == {LEAFLET_CSS[0]: LEAFLET_CSS[1], LEAFLET_JS[0]: LEAFLET_JS[1]}
    assert "openstreetmap.org/copyright" in html
    assert "tile.openstreetmap.org/{z}/{x}/{y}.png" in html
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

    # Only the page's own three script elements exist, and the data survives intact.
    assert len(page.scripts) == 3
    assert html.count("</script>") == 3
    assert "<!--" not in html
    data = page.data()
    first_stop = next(f for f in data["features"] if f["properties"]["kind"] == "stop")
    assert first_stop["properties"]["address"] == HOSTILE
    assert first_stop["properties"]["technician"] == HOSTILE
    assert HOSTILE in " ".join(page.text)  # the legend, escaped and read back as text
