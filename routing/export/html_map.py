"""The plan as one self-contained HTML page with a Leaflet map.

One file, nothing to install: Leaflet 1.9.4 comes from unpkg (pinned, with Subresource
Integrity hashes, as folium does) and the tiles from OpenStreetMap, so the map needs the
internet when *viewed*; the legend and the list of unassigned jobs are plain HTML and
read fine offline. Each technician's route and the unassigned jobs can be switched off
from the legend. The plan is embedded as the GeoJSON of :mod:`routing.export.geojson`
in a ``<script type="application/json">`` block, with ``<``, ``>`` and ``&`` written as
JSON escapes so no address can close the block. Popups are built with ``textContent``,
never as HTML. Buyer names and phone numbers cannot appear: the plan does not carry them.
"""

from __future__ import annotations

import json
from html import escape
from pathlib import Path
from string import Template

from routing.export.common import UNASSIGNED_COLOUR, technician_colours, write_text
from routing.export.geojson import to_geojson
from routing.plan import Plan

__all__ = ["LEAFLET_CSS", "LEAFLET_JS", "html_map", "write_html_map"]

LEAFLET_CSS = (
    "https://unpkg.com/leaflet@1.9.4/dist/leaflet.css",
    "sha256-p4NxAoJBhIIN+hmNHrzRCf9tD/miZyoHS5obTRR9BMY=",
)
LEAFLET_JS = (
    "https://unpkg.com/leaflet@1.9.4/dist/leaflet.js",
    "sha256-20nQCchB9co0qIjJZRGuk2/Z9VM+kNiyxNV1lvTlZBo=",
)
"""(URL, SRI hash) of Leaflet 1.9.4, as published on leafletjs.com/download."""


def html_map(plan: Plan) -> str:
    """The page as text (see the module docstring)."""
    title = f"routeplan — {plan.date.isoformat()} ({plan.timezone})"
    return _PAGE.substitute(
        title=escape(title),
        css_url=LEAFLET_CSS[0],
        css_sri=LEAFLET_CSS[1],
        js_url=LEAFLET_JS[0],
        js_sri=LEAFLET_JS[1],
        unassigned_colour=UNASSIGNED_COLOUR,
        panel=_panel(plan, title),
        data=embedded_json(to_geojson(plan)),
        script=_SCRIPT,
    )


def write_html_map(plan: Plan, path: Path | str) -> Path:
    """Write :func:`html_map` to ``path``. Raises :class:`~routing.export.ExportError`
    when the file cannot be written."""
    return write_text(path, html_map(plan))


def embedded_json(value: object) -> str:
    """JSON that is safe inside a ``<script>`` element: no ``</script>``, no ``<!--``."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


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
        f'<ul class="unassigned-list">\n{unassigned}\n</ul></details>'
    )


_SCRIPT = """
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("plan-data").textContent);
  var mapBox = document.getElementById("map");
  if (typeof L === "undefined") {
    mapBox.style.padding = "12px";
    mapBox.textContent = "The map needs Leaflet from unpkg.com and tiles from " +
      "openstreetmap.org: open this page with an internet connection.";
    return;
  }
  var map = L.map(mapBox);
  L.tileLayer("https://tile.openstreetmap.org/{z}/{x}/{y}.png", {
    maxZoom: 19,
    attribution: '&copy; <a href="https://www.openstreetmap.org/copyright">' +
      "OpenStreetMap</a> contributors"
  }).addTo(map);

  function clock(iso) { return iso ? iso.slice(11, 16) : "–"; }
  function span(start, end) { return clock(start) + "–" + clock(end); }
  function windows(list) {
    return list.map(function (w) { return span(w.start, w.end); }).join(", ") || "–";
  }
  function popup(heading, rows) {
    var box = document.createElement("div");
    var head = document.createElement("b");
    head.textContent = heading;
    box.appendChild(head);
    rows.forEach(function (row) {
      if (row[1] === null || row[1] === undefined || row[1] === "") { return; }
      var line = document.createElement("div");
      var label = document.createElement("span");
      label.className = "label";
      label.textContent = row[0] + ": ";
      line.appendChild(label);
      line.appendChild(document.createTextNode(String(row[1])));
      box.appendChild(line);
    });
    return box;
  }
  function icon(className, text, colour) {
    var element = document.createElement("div");
    element.className = className;
    element.textContent = text;
    if (colour) { element.style.background = colour; }
    return L.divIcon({html: element, className: "", iconSize: [24, 24], iconAnchor: [12, 12],
                      popupAnchor: [0, -12]});
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
        .bindTooltip(p.technician).addTo(group(p.technician_id));
      return;
    }
    var c = feature.geometry.coordinates, at = [c[1], c[0]];
    bounds.push(at);
    var marker;
    if (p.kind === "stop") {
      marker = L.marker(at, {icon: icon("stop", String(p.sequence), p.colour),
                             zIndexOffset: 100});
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
<link rel="stylesheet" href="$css_url" integrity="$css_sri" crossorigin="">
<script src="$js_url" integrity="$js_sri" crossorigin=""></script>
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
