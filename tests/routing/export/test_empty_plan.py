"""A day with nobody on shift still gives every output, each saying so."""

from __future__ import annotations

import csv
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from routing.export import write_csv, write_geojson, write_html_map, write_timeline_svg
from routing.plan import Plan


@pytest.fixture
def empty(plan: Plan) -> Plan:
    """No routes; the unassigned jobs of the real plan stay."""
    return plan.model_copy(update={"routes": []})


def test_csv_has_only_the_header(empty: Plan, tmp_path: Path) -> None:
    with write_csv(empty, tmp_path / "p.csv").open(encoding="utf-8", newline="") as handle:
        assert len(list(csv.reader(handle))) == 1


def test_geojson_has_only_the_placed_unassigned_jobs(empty: Plan, tmp_path: Path) -> None:
    data = json.loads(write_geojson(empty, tmp_path / "p.geojson").read_text(encoding="utf-8"))

    assert [f["properties"]["kind"] for f in data["features"]] == [
        "unassigned" for job in empty.unassigned if job.location
    ]


def test_map_and_timeline_still_render(empty: Plan, tmp_path: Path) -> None:
    html = write_html_map(empty, tmp_path / "p.html").read_text(encoding="utf-8")
    svg = ET.parse(write_timeline_svg(empty, tmp_path / "p.svg")).getroot()

    assert all(job.service_job_id in html for job in empty.unassigned)
    texts = [t.text for t in svg.iter("{http://www.w3.org/2000/svg}text")]
    assert "No technician on shift." in texts
