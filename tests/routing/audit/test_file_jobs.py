"""What `routeplan audit --source FILE` reads fast: the file's jobs one at a time, the zones
of their ZIPs without the whole gazetteer index."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from routing.cli import main
from routing.geo.gazetteer import _us_postal_index, _UsZips
from routing.sources import FileSource
from routing.spapi.models import ServiceJob
from routing.visits import dedupe_jobs
from tests.routing.audit.builders import DAY, appt, at, job


def _wire(job_id: str, hour: int = 9, **extra: object) -> dict[str, object]:
    return {**job(job_id, appt(f"{job_id}-A", at(DAY, hour), status="COMPLETED"),
                  status="COMPLETED").to_wire(), **extra}


def test_a_file_streams_the_jobs_fetch_returns_duplicates_and_bad_lines_included(
    tmp_path: Path,
) -> None:
    broken = _wire("SJ1", 11)
    broken["appointments"][0]["appointmentTime"]["startTime"] = "soon"  # type: ignore[index]
    lines = [
        json.dumps(_wire("SJ0", 8, serviceJobId=None)),  # no id: kept as it is
        "{not json",  # line 2: rejected
        json.dumps(_wire("SJ2", 8)),  # line 3: unreadable first copy of SJ2 (below)
        json.dumps(_wire("SJ1", 9)),  # SJ1's first copy: its place
        json.dumps(_wire("SJ2", 10)),  # SJ2's first readable copy: its place
        json.dumps(_wire("SJ1", 10)),  # SJ1's last readable copy: its content
        json.dumps(broken),  # line 7: SJ1's last copy, unreadable: rejected
        json.dumps([1, 2]),  # line 8: not an object: rejected
    ]
    lines[2] = lines[2].replace('"durationInMinutes": 120', '"durationInMinutes": "long"')
    path = tmp_path / "jobs.jsonl"
    path.write_text("\n".join(lines) + "\n")
    source = FileSource(path)

    streamed = list(source.stream())
    rejected = source.rejected
    read = source.fetch(DAY, ZoneInfo("UTC"))
    # what the old whole-file path gave: every readable job, then the last copy of each id
    readable = [ServiceJob.model_validate_json(line) for line in (lines[0], lines[3], lines[4],
                                                                  lines[5])]
    assert read == dedupe_jobs(readable)
    assert streamed == read and source.rejected == rejected
    assert [j.service_job_id for j in streamed] == [None, "SJ1", "SJ2"]
    first = (streamed[1].appointments or [])[0].appointment_time
    assert first is not None and first.start_time == at(DAY, 10)
    assert [r.sentence.split(":")[0] for r in rejected] == [
        f"Unreadable in {path} (line 2)", f"Unreadable in {path} (line 3 (SJ2))",
        f"Unreadable in {path} (line 7 (SJ1))", f"Unreadable in {path} (line 8)",
    ]


def test_the_audit_of_a_file_with_a_broken_job_warns_and_audits_the_rest(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture,
) -> None:
    path = tmp_path / "jobs.jsonl"
    path.write_text(json.dumps(_wire("SJ1")) + "\n" + json.dumps(
        {"serviceJobId": "SJ2", "appointments": [{"appointmentTime": {"startTime": "x"}}]}
    ) + "\n")
    out = tmp_path / "a.json"
    with caplog.at_level(logging.WARNING):
        code = main(["audit", "--from", str(DAY), "--to", str(DAY), "--source", str(path),
                     "--timezone", "America/Los_Angeles", "--json", str(out)])
    assert code == 0
    assert "skipped SJ2" in caplog.text
    assert "appointments[0].appointmentTime.startTime" in caplog.text
    report = json.loads(out.read_text())
    assert [a["service_job_id"] for a in report["appointments"]] == ["SJ1"]
    capsys.readouterr()


def test_zips_looked_up_one_by_one_have_the_whole_index_centroids() -> None:
    zips = _UsZips()
    zips.FEW = 3
    asked = ["98109", "96813", "00000", "10001", "02108"]  # the last two: past FEW
    assert [zips.centroid(z) for z in asked] == [_us_postal_index().postal(z) for z in asked]
    assert zips.centroid("98109") is not None and zips.centroid("00000") is None
