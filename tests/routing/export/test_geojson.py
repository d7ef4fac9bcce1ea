"""GeoJSON: a valid RFC 7946 FeatureCollection with routes, stops, homes, unassigned jobs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from routing.export import technician_colours, to_geojson, write_geojson
from routing.plan import GeoLocation, Plan
from tests.routing.export.conftest import METRO


def of_kind(collection: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [f for f in collection["features"] if f["properties"]["kind"] == kind]


def lon_lat(location: GeoLocation) -> list[float]:
    return [round(location.lon, 6), round(location.lat, 6)]


def positions(collection: dict[str, Any]) -> list[list[float]]:
    found = []
    for feature in collection["features"]:
        geometry = feature["geometry"]
        if geometry is None:
            continue
        if geometry["type"] == "Point":
            found.append(geometry["coordinates"])
        else:
            assert geometry["type"] == "LineString"
            assert len(geometry["coordinates"]) >= 2
            found += geometry["coordinates"]
    return found


def test_structure_and_coordinate_order(plan: Plan) -> None:
    collection = to_geojson(plan)

    assert collection["type"] == "FeatureCollection"
    assert all(f["type"] == "Feature" and "properties" in f for f in collection["features"])
    points = positions(collection)
    assert points
    for lon, lat in points:  # [lon, lat]: swapped, they would fall outside the box
        assert METRO["lon"][0] < lon < METRO["lon"][1]
        assert METRO["lat"][0] < lat < METRO["lat"][1]


def test_one_line_per_used_technician_through_its_stops(plan: Plan) -> None:
    collection = to_geojson(plan)
    lines = {f["properties"]["technician_id"]: f for f in of_kind(collection, "route")}
    colours = technician_colours(plan)

    used = [route for route in plan.routes if route.stops]
    assert sorted(lines) == sorted(route.technician_id for route in used)
    for route in used:
        line = lines[route.technician_id]
        expected = [lon_lat(route.start_location)]
        expected += [lon_lat(stop.location) for stop in route.stops if stop.location]
        expected.append(lon_lat(route.end_location))
        assert line["geometry"]["coordinates"] == expected
        properties = line["properties"]
        assert properties["colour"] == colours[route.technician_id]
        assert properties["technician"] == route.name
        assert properties["stops"] == len(route.stops)
        assert properties["travel_time_s"] == route.totals.travel_time_s
        assert len(properties["breaks"]) == len(route.breaks)


def test_stops_are_points_with_their_schedule(plan: Plan) -> None:
    stops = of_kind(to_geojson(plan), "stop")

    expected = [(r.technician_id, s) for r in plan.routes for s in r.stops]
    assert len(stops) == len(expected)
    for feature, (technician_id, stop) in zip(stops, expected, strict=True):
        properties = feature["properties"]
        assert properties["technician_id"] == technician_id
        assert properties["sequence"] == stop.sequence
        assert properties["service_job_id"] == stop.service_job_id
        assert properties["arrival"] == stop.arrival.isoformat()
        assert properties["service_start"] == stop.service_start.isoformat()
        assert properties["window_start"] is not None
        if stop.location is None:  # ONLINE: an unlocated feature
            assert feature["geometry"] is None
        else:
            assert feature["geometry"] == {"type": "Point", "coordinates": lon_lat(stop.location)}
            assert properties["precision"] == stop.location.precision


def test_unassigned_with_a_place_and_homes(plan: Plan) -> None:
    collection = to_geojson(plan)

    unassigned = of_kind(collection, "unassigned")
    placed = [job for job in plan.unassigned if job.location]
    assert [f["properties"]["service_job_id"] for f in unassigned] == [
        job.service_job_id for job in placed
    ]
    for feature, job in zip(unassigned, placed, strict=True):
        assert feature["properties"]["reason"] == job.reason.value
        assert feature["properties"]["sentence"] == job.sentence
        assert feature["geometry"]["type"] == "Point"
    homes = of_kind(collection, "home")
    assert [f["properties"]["technician_id"] for f in homes] == [
        route.technician_id for route in plan.routes
    ]
    # Everyone in this plan ends the day at home: no separate end points.
    assert of_kind(collection, "route_end") == []


def test_written_file_is_the_same_json(plan: Plan, tmp_path: Path) -> None:
    path = write_geojson(plan, tmp_path / "plan.geojson")

    assert json.loads(path.read_text(encoding="utf-8")) == to_geojson(plan)
    assert "Pat Buyer" not in path.read_text(encoding="utf-8")


def test_a_route_ending_elsewhere_has_an_end_point(plan: Plan) -> None:
    route = plan.routes[0]
    store = GeoLocation(lat=47.62, lon=-122.15, precision="street", source="roster")
    moved = plan.model_copy(update={"routes": [route.model_copy(update={"end_location": store})]})

    collection = to_geojson(moved)

    ends = of_kind(collection, "route_end")
    assert [f["geometry"]["coordinates"] for f in ends] == [lon_lat(store)]
    assert of_kind(collection, "route")[0]["geometry"]["coordinates"][-1] == lon_lat(store)
