"""The plan as GeoJSON (RFC 7946): routes, stops, technician homes and unassigned jobs.

Every feature carries a ``kind`` property so a GIS tool (or the HTML map) can style and
filter them: ``route`` (LineString: start location -> stops -> end location),
``stop``, ``home`` (a technician's start location), ``route_end`` (only when it differs
from the start) and ``unassigned`` (only jobs with a location). Positions are
``[longitude, latitude]`` rounded to 6 decimals (about 0.1 m); times are ISO 8601 local
with offset, as in the plan JSON. ONLINE stops have no place: they are Points without
geometry (``"geometry": null``, allowed by RFC 7946) and are not on the route line.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from routing.export.common import iso, served_window, technician_colours, write_text
from routing.plan import (
    GeoLocation,
    Plan,
    PlanStop,
    TechnicianRoute,
    TimeSpan,
    UnassignedJob,
)

__all__ = ["to_geojson", "write_geojson"]

Feature = dict[str, Any]


def to_geojson(plan: Plan) -> dict[str, Any]:
    """A GeoJSON FeatureCollection of the plan (see the module docstring)."""
    colours = technician_colours(plan)
    features: list[Feature] = []
    for route in plan.routes:
        colour = colours[route.technician_id]
        features.extend(_place_features(route, colour))
        if route.stops:
            features.append(_route_feature(route, colour))
        features.extend(_stop_feature(route, stop, colour) for stop in route.stops)
    features.extend(_unassigned_feature(job) for job in plan.unassigned if job.location)
    return {"type": "FeatureCollection", "features": features}


def write_geojson(plan: Plan, path: Path | str) -> Path:
    """Write :func:`to_geojson` to ``path`` (UTF-8 JSON, ``.geojson`` by convention).

    Raises :class:`~routing.export.ExportError` when the file cannot be written.
    """
    text = json.dumps(to_geojson(plan), ensure_ascii=False, indent=1) + "\n"
    return write_text(path, text)


def _position(location: GeoLocation) -> list[float]:
    """``[lon, lat]``: GeoJSON's order, not the usual spoken one."""
    return [round(location.lon, 6), round(location.lat, 6)]


def _point(location: GeoLocation | None, properties: dict[str, Any]) -> Feature:
    geometry = {"type": "Point", "coordinates": _position(location)} if location else None
    return {"type": "Feature", "geometry": geometry, "properties": properties}


def _technician(route: TechnicianRoute, colour: str) -> dict[str, Any]:
    return {"technician_id": route.technician_id, "technician": route.name, "colour": colour}


def _place_features(route: TechnicianRoute, colour: str) -> list[Feature]:
    places = [_point(route.start_location, {"kind": "home", **_technician(route, colour)})]
    if _position(route.end_location) != _position(route.start_location):
        end = {"kind": "route_end", **_technician(route, colour)}
        places.append(_point(route.end_location, end))
    return places


def _route_feature(route: TechnicianRoute, colour: str) -> Feature:
    line = [_position(route.start_location)]
    line += [_position(stop.location) for stop in route.stops if stop.location]
    line.append(_position(route.end_location))
    totals = route.totals
    properties = {
        "kind": "route",
        **_technician(route, colour),
        "start": iso(route.start),
        "end": iso(route.end),
        "stops": totals.stops,
        "travel_time_s": totals.travel_time_s,
        "distance_m": totals.distance_m,
        "service_time_s": totals.service_time_s,
        "wait_time_s": totals.wait_time_s,
        "break_time_s": totals.break_time_s,
        "utilisation": totals.utilisation,
        "breaks": [{"start": iso(b.start), "end": iso(b.end)} for b in route.breaks],
    }
    return {
        "type": "Feature",
        "geometry": {"type": "LineString", "coordinates": line},
        "properties": properties,
    }


def _windows(windows: list[TimeSpan]) -> list[dict[str, str]]:
    return [{"start": iso(w.start), "end": iso(w.end)} for w in windows]


def _stop_feature(route: TechnicianRoute, stop: PlanStop, colour: str) -> Feature:
    window = served_window(stop)
    location = stop.location
    return _point(location, {
        "kind": "stop",
        **_technician(route, colour),
        "sequence": stop.sequence,
        "service_job_id": stop.service_job_id,
        "appointment_id": stop.appointment_id,
        "status": stop.status,
        "location_type": stop.location_type,
        "address": stop.address,
        "precision": location.precision if location else None,
        "window_start": iso(window.start) if window else None,
        "window_end": iso(window.end) if window else None,
        "windows": _windows(stop.windows),
        "arrival": iso(stop.arrival),
        "service_start": iso(stop.service_start),
        "service_end": iso(stop.service_end),
        "travel_time_s": stop.travel_time_s,
        "distance_m": stop.distance_m,
        "wait_s": stop.wait_s,
        "pinned": stop.pinned,
    })


def _unassigned_feature(job: UnassignedJob) -> Feature:
    return _point(job.location, {
        "kind": "unassigned",
        "service_job_id": job.service_job_id,
        "status": job.status,
        "reason": str(job.reason),
        "sentence": job.sentence,
        "address": job.address,
        "precision": job.location.precision if job.location else None,
        "windows": _windows(job.windows),
    })
