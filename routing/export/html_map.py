"""The plan as one self-contained HTML page with a Leaflet map.

One file, nothing to install, nothing fetched but the map tiles: Leaflet 1.9.4 (BSD-2-Clause,
vendored in ``routing/export/assets/leaflet/``) is inlined into the page, and only the
background tiles come from OpenStreetMap (``tile.openstreetmap.org``) when the page is
*viewed*, as the page itself says. Without the internet the background stays grey and
everything else works: routes, numbered stops, tooltips, popups, the legend and the list
of unassigned jobs. Each technician's route and the unassigned jobs can be switched off
from the legend.

Customer and roster text never becomes markup. The plan is embedded as the GeoJSON of
:mod:`routing.export.geojson` in a ``<script type="application/json">`` block, with ``<``,
``>``, ``&``, U+2028 and U+2029 written as JSON escapes so no address can close the
block; the page's script builds every tooltip and popup with ``textContent``; the legend is
written with every text escaped. Buyer names and phone numbers cannot appear: the plan
does not carry them.
"""

from __future__ import annotations

import json
from functools import cache
from html import escape
from importlib.resources import files
from pathlib import Path
from string import Template

from routing.export.common import UNASSIGNED_COLOUR, technician_colours, write_text
from routing.export.geojson import to_geojson
from routing.plan import Plan

__all__ = ["LEAFLET_VERSION", "TILE_URL", "html_map", "leaflet_assets", "write_html_map"]

LEAFLET_VERSION = "1.9.4"
TILE_URL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
"""The one thing the page loads from the network: OpenStreetMap's standard tiles."""


@cache
def leaflet_assets() -> tuple[str, str]:
    """(leaflet.js, leaflet.css) as shipped in the package, byte for byte (leaflet.css
    has CRLF line ends)."""
    folder = files("routing.export") / "assets" / "leaflet"
    js, css = ((folder / name).read_bytes().decode() for name in ("leaflet.js", "leaflet.css"))
    return js, css


def html_map(plan: Plan) -> str:
    """The page as text (see the module docstring)."""
    title = f"routeplan — {plan.date.isoformat()} ({plan.timezone})"
    leaflet_js, leaflet_css = leaflet_assets()
    return _PAGE.substitute(
        title=escape(title),
        leaflet_version=LEAFLET_VERSION,
        leaflet_css=leaflet_css,
        leaflet_js=leaflet_js,
        unassigned_colour=UNASSIGNED_COLOUR,
        panel=_panel(plan, title),
        data=_embedded_json(to_geojson(plan)),
        script=_SCRIPT.replace("$tile_url", TILE_URL),
    )


def write_html_map(plan: Plan, path: Path | str) -> Path:
    """Write :func:`html_map` to ``path``. Raises :class:`~routing.export.ExportError`
    when the file cannot be written."""
    return write_text(path, html_map(plan))


_SCRIPT_SAFE = str.maketrans({
    "<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029",
})


def _embedded_json(value: object) -> str:
    """JSON that is safe inside a ``<script>`` element: no ``</script>``, no ``<!--``, and
    no raw U+2028/U+2029 (line terminators to a JavaScript parser before ES2019)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).translate(_SCRIPT_SAFE)


def _hours(seconds: int) -> str:
    minutes = round(seconds / 60)
    return f"{minutes // 60} h {minutes % 60:02d}" if minutes >= 60 else f"{minutes} min"


def _km(metres: int | None) -> str:
    return "–" if metres is None else f"{metres / 1000:.1f} km"


def _panel(plan: Plan, title: str) -> str:
    """The legend (one line per technician) and the unassigned jobs, as HTML."""
    colours = technician_colours(plan)
    summary = plan.summary
    rows = "\n".join(
        f'<tr><td><label><input type="checkbox" checked '
        f'data-layer="{escape(r.technician_id)}" title="show on the map">'
        f'<span class="swatch" style="background:{colours[r.technician_id]}"></span>'
        f"</label></td><td>{escape(r.name)}</td><td class=\"num\">{r.totals.stops}</td>"
        f'<td class="num">{_hours(r.totals.travel_time_s)}</td>'
        f'<td class="num">{_km(r.totals.distance_m)}</td></tr>'
        for r in plan.routes
    )
    unassigned = "\n".join(
        f"<li><b>{escape(job.service_job_id)}</b> <code>{escape(job.reason)}</code>"
        f"{'' if job.location else ' (not on the map)'}<br>{escape(job.sentence)}</li>"
        for job in plan.unassigned
    )
    tiles = TILE_URL.split("/")[2]
    return (
        f"<h1>{escape(title)}</h1>\n"
        f"<p>{summary.assigned} of {summary.jobs} jobs on {summary.technicians_used} "
        f"routes; travel {_hours(summary.travel_time_s)}, {_km(summary.distance_m)}.</p>\n"
        '<table class="legend"><thead><tr><th></th><th>Technician</th><th>Stops</th>'
        f"<th>Travel</th><th>Distance</th></tr></thead><tbody>\n{rows}\n</tbody></table>\n"
        f'<p><label><input type="checkbox" checked data-layer="unassigned"> '
        f'<span class="cross">✕</span> unassigned jobs on the map</label></p>\n'
        f'<details{" open" if len(plan.unassigned) <= 12 else ""}><summary>'
        f"{len(plan.unassigned)} unassigned</summary>"
        f'<ul class="unassigned-list">\n{unassigned}\n</ul></details>\n'
        f'<p class="note">Everything is in this file except the background map tiles, '
        f"which load from {tiles} (OpenStreetMap) when online.</p>"
    )


_SCRIPT = """
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("plan-data").textContent);
  var mapBox = document.getElementById("map");
  var map = L.map(mapBox);
  L.tileLayer("$tile_url", {
    maxZoom: 19,
    attribution: '&copy; <a href="https://www.openstreetmap.org/copyright">' +
      "OpenStreetMap</a> contributors"
  }).addTo(map);

  function clock(iso) { return iso ? iso.slice(11, 16) : "–"; }
  function span(start, end) { return clock(start) + "–" + clock(end); }
  function windows(list) {
    return list.map(function (w) { return span(w.start, w.end); }).join(", ") || "–";
  }
  // Tooltips and popups get DOM nodes, never strings: Leaflet reads a string as HTML.
  function text(value, tag) {
    var element = document.createElement(tag || "span");
    element.textContent = value;
    return element;
  }
  function popup(heading, rows) {
    var box = document.createElement("div");
    box.appendChild(text(heading, "b"));
    rows.forEach(function (row) {
      if (row[1] === null || row[1] === undefined || row[1] === "") { return; }
      var line = document.createElement("div");
      if (row[0]) { line.appendChild(text(row[0] + ": ")).className = "label"; }
      line.appendChild(document.createTextNode(String(row[1])));
      box.appendChild(line);
    });
    return box;
  }
  function icon(className, label, colour) {
    var element = text(label, "div");
    element.className = className;
    if (colour) { element.style.background = colour; }
    return L.divIcon({html: element, className: "", iconSize: [24, 24], iconAnchor: [12, 12],
                      popupAnchor: [0, -12], tooltipAnchor: [12, 0]});
  }

  var groups = {};
  function group(key) {
    if (!groups[key]) { groups[key] = L.layerGroup().addTo(map); }
    return groups[key];
  }
  var bounds = [];
  data.features.forEach(function (feature) {
    var p = feature.properties;
    if (!feature.geometry) { return; }
    if (feature.geometry.type === "LineString") {
      var line = feature.geometry.coordinates.map(function (c) { return [c[1], c[0]]; });
      L.polyline(line, {color: p.colour, weight: 4, opacity: 0.75})
        .bindTooltip(text(p.technician), {sticky: true}).addTo(group(p.technician_id));
      return;
    }
    var c = feature.geometry.coordinates, at = [c[1], c[0]];
    bounds.push(at);
    var marker;
    if (p.kind === "stop") {
      marker = L.marker(at, {icon: icon("stop", String(p.sequence), p.colour),
                             zIndexOffset: 100});
      marker.bindTooltip(text("#" + p.sequence + " " + p.service_job_id + " · " +
                              p.technician));
      marker.bindPopup(popup("#" + p.sequence + " " + p.service_job_id, [
        ["Technician", p.technician],
        ["Address", p.address],
        ["Window", p.window_start ? span(p.window_start, p.window_end) : null],
        ["Arrival", clock(p.arrival)],
        ["Service", span(p.service_start, p.service_end)],
        ["Appointment", p.appointment_id],
        ["Location", p.precision]
      ]));
    } else if (p.kind === "unassigned") {
      marker = L.marker(at, {icon: icon("unassigned", "\\u2715"), zIndexOffset: 200});
      marker.bindTooltip(text(p.service_job_id + " — not planned"));
      marker.bindPopup(popup(p.service_job_id + " — not planned", [
        ["Reason", p.reason],
        ["Why", p.sentence],
        ["Address", p.address],
        ["Windows", windows(p.windows)],
        ["Location", p.precision]
      ]));
    } else {
      marker = L.marker(at, {icon: icon("home", p.kind === "home" ? "\\u2302" : "\\u2691",
                                        p.colour)});
      marker.bindTooltip(text(p.technician));
      marker.bindPopup(popup(p.technician, [
        ["", p.kind === "home" ? "start of the day" : "end of the day"]
      ]));
    }
    marker.addTo(group(p.kind === "unassigned" ? "unassigned" : p.technician_id));
  });
  document.querySelectorAll("input[data-layer]").forEach(function (box) {
    box.addEventListener("change", function () {
      var layer = groups[box.getAttribute("data-layer")];
      if (!layer) { return; }
      if (box.checked) { layer.addTo(map); } else { map.removeLayer(layer); }
    });
  });
  if (bounds.length) {
    var panel = document.getElementById("panel");
    var right = Math.min(panel.offsetWidth, mapBox.clientWidth / 2) + 30;
    map.fitBounds(bounds, {paddingTopLeft: [30, 30], paddingBottomRight: [right, 30],
                           maxZoom: 15});
  } else {
    map.setView([39.8, -98.6], 4);
  }
})();
"""

_PAGE = Template("""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>$title</title>
<style>/* Leaflet $leaflet_version, BSD-2-Clause, (c) Volodymyr Agafonkin, CloudMade */
$leaflet_css</style>
<script>$leaflet_js</script>
<style>
html, body { height: 100%; margin: 0; font: 13px/1.4 Helvetica, Arial, sans-serif; }
#map { position: absolute; inset: 0; background: #e8eaed; }
#panel { position: absolute; top: 10px; right: 10px; z-index: 1000; max-width: 380px;
  max-height: calc(100% - 40px); overflow: auto; background: rgba(255, 255, 255, 0.95);
  padding: 8px 12px; border-radius: 6px; box-shadow: 0 1px 5px rgba(0, 0, 0, 0.4); }
#panel h1 { font-size: 15px; margin: 2px 0 4px; }
#panel p { margin: 0 0 6px; }
.legend { border-collapse: collapse; width: 100%; }
.legend th, .legend td { padding: 2px 5px; text-align: left; }
.legend .num { text-align: right; white-space: nowrap; }
.swatch { display: inline-block; width: 14px; height: 14px; border-radius: 3px; }
.unassigned-list { padding-left: 18px; margin: 4px 0; }
.unassigned-list li { margin-bottom: 3px; }
.cross { color: $unassigned_colour; font-weight: bold; }
div.stop, div.unassigned, div.home { box-sizing: border-box; }
div.stop { width: 24px; height: 24px; border-radius: 50%; border: 2px solid #fff;
  color: #fff; font-weight: bold; font-size: 12px; line-height: 20px; text-align: center;
  box-shadow: 0 0 3px rgba(0, 0, 0, 0.6); }
div.unassigned { width: 22px; height: 22px; border-radius: 50%;
  border: 2px solid $unassigned_colour; background: #fff; color: $unassigned_colour;
  font-weight: bold; line-height: 18px;
  text-align: center; box-shadow: 0 0 3px rgba(0, 0, 0, 0.5); }
div.home { width: 22px; height: 22px; border-radius: 4px; border: 2px solid #fff; color: #fff;
  font-size: 14px; line-height: 18px; text-align: center;
  box-shadow: 0 0 3px rgba(0, 0, 0, 0.6); }
.label { color: #555; }
#panel .note { color: #666; font-size: 11px; margin: 6px 0 0; }
</style>
</head>
<body>
<div id="map"></div>
<div id="panel">
$panel
</div>
<script type="application/json" id="plan-data">$data</script>
<script>$script</script>
</body>
</html>
""")
