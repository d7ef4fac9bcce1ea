"""Job sources: saved files in every accepted shape, and the Services API (emulator)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from routing.durations import DurationTable
from routing.reasons import ReasonCode
from routing.sources import FileSource, SourceError, SpApiSource
from routing.spapi import LwaCredentials, ServicesClient
from routing.spapi.emulator import Emulator, load_jobs
from routing.visits import JobRules, day_bounds, jobs_to_visits
from tests.routing.planning_helpers import appointment, job_data

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
LA = ZoneInfo("America/Los_Angeles")
DEMO_DAY = date(2026, 12, 1)


def write(tmp_path: Path, content: Any, name: str = "jobs.json") -> Path:
    path = tmp_path / name
    path.write_text(content if isinstance(content, str) else json.dumps(content), "utf-8")
    return path


def ids(source: FileSource) -> list[str | None]:
    return [j.service_job_id for j in source.fetch(DEMO_DAY, LA)]


def test_reads_the_example_get_service_jobs_response() -> None:
    source = FileSource(EXAMPLES / "jobs.json")
    jobs = source.fetch(DEMO_DAY, LA)
    raw = json.loads((EXAMPLES / "jobs.json").read_text("utf-8"))["payload"]["jobs"]
    assert [j.service_job_id for j in jobs] == [r["serviceJobId"] for r in raw]
    assert source.rejected == []
    assert "jobs.json" in source.label


@pytest.mark.parametrize(
    "shape",
    [
        lambda jobs: jobs,  # a bare list
        lambda jobs: {"payload": {"jobs": jobs, "totalResultSize": len(jobs)}},
        lambda jobs: {"jobs": jobs},  # just the payload
        lambda jobs: "\n".join(json.dumps(j) for j in jobs) + "\n",  # JSON Lines
    ],
)
def test_accepted_shapes(tmp_path: Path, shape: Any) -> None:
    path = write(tmp_path, shape([job_data("J1"), job_data("J2")]))
    assert ids(FileSource(path)) == ["J1", "J2"]


@pytest.mark.parametrize("wrap", [lambda j: j, lambda j: {"payload": j}])
def test_a_single_job(tmp_path: Path, wrap: Any) -> None:
    assert ids(FileSource(write(tmp_path, wrap(job_data("J7"))))) == ["J7"]


def test_malformed_json_names_the_file_and_line(tmp_path: Path) -> None:
    path = write(tmp_path, '{"payload": {"jobs": [\n{"serviceJobId": "J1",}\n]}}')
    with pytest.raises(SourceError, match=r"jobs\.json: invalid JSON: line 2"):
        FileSource(path).fetch(DEMO_DAY, LA)


@pytest.mark.parametrize(
    ("content", "words"),
    [
        ("", "empty"),
        ("42", "got a JSON int"),
        ('{"payload": null, "errors": [{"code": "InvalidInput", "message": "bad"}]}',
         "InvalidInput"),
        ('{"something": []}', "no jobs found"),
    ],
)
def test_files_that_hold_no_jobs(tmp_path: Path, content: str, words: str) -> None:
    with pytest.raises(SourceError, match=words):
        FileSource(write(tmp_path, content)).fetch(DEMO_DAY, LA)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="cannot read file"):
        FileSource(tmp_path / "nope.json").fetch(DEMO_DAY, LA)


def test_a_malformed_job_is_rejected_without_sinking_the_others(tmp_path: Path) -> None:
    bad = job_data("J2", appointments=[appointment("A", "not a time")])
    path = write(tmp_path, [job_data("J1"), bad, "oops", job_data("J3")])
    source = FileSource(path)
    assert ids(source) == ["J1", "J3"]
    assert [(r.service_job_id, r.reason) for r in source.rejected] == [
        ("J2", ReasonCode.INVALID_JOB), ("job[2]", ReasonCode.INVALID_JOB)
    ]
    assert "job[1] (J2)" in source.rejected[0].sentence
    assert "appointments[0].appointmentTime.startTime" in source.rejected[0].sentence
    assert str(path) in source.rejected[1].sentence


def test_strict_source_stops_at_the_first_malformed_job(tmp_path: Path) -> None:
    bad = job_data("J2", appointments=[appointment("A", "not a time")])
    path = write(tmp_path, [job_data("J1"), bad])
    with pytest.raises(SourceError, match=r"jobs\.json: job\[1\] \(J2\): appointments"):
        FileSource(path, strict=True).fetch(DEMO_DAY, LA)


def test_a_broken_json_line_is_one_rejected_job(tmp_path: Path) -> None:
    text = json.dumps(job_data("J1")) + "\n{broken\n" + json.dumps(job_data("J3")) + "\n"
    source = FileSource(write(tmp_path, text, "jobs.jsonl"))
    assert ids(source) == ["J1", "J3"]
    assert [r.service_job_id for r in source.rejected] == ["line 2"]


# -- the Services API, through the local emulator ------------------------------------------


@pytest.fixture
def client() -> Iterator[ServicesClient]:
    with Emulator(load_jobs(EXAMPLES / "jobs.json"), enforce_rate_limits=False) as emulator:
        credentials = LwaCredentials("emulator-refresh", "emulator-client", "emulator-secret")
        with ServicesClient(
            credentials=credentials, base_url=emulator.url, token_url=emulator.token_url
        ) as services:
            yield services


def test_spapi_source_fetches_the_days_jobs_in_every_status(client: ServicesClient) -> None:
    source = SpApiSource(client, "ATVPDKIKX0DER")
    fetched = source.fetch(DEMO_DAY, LA)
    fetched_ids = [j.service_job_id for j in fetched]
    assert len(fetched_ids) == len(set(fetched_ids))
    assert source.rejected == []

    everything = FileSource(EXAMPLES / "jobs.json").fetch(DEMO_DAY, LA)
    rules = JobRules(
        day=DEMO_DAY, tz=LA, durations=DurationTable.builtin(), roster=frozenset(),
        on_shift=frozenset(), reassign=True,
    )
    visits, _ = jobs_to_visits(everything, rules)
    # every job that could be planned on the day is fetched ...
    assert {v.service_job_id for v in visits} <= set(fetched_ids)
    # ... and so are jobs of the day that cannot be (cancelled, held, completed ...)
    day = day_bounds(DEMO_DAY, LA)
    statuses = {j.service_job_status for j in fetched}
    assert {"CANCELLED", "PAYMENT_DECLINED", "NOT_FULFILLABLE"} <= statuses
    assert "COMPLETED" not in statuses  # the example's completed jobs were done the day before
    # ... but not jobs whose every appointment is on another day
    elsewhere = [
        j for j in everything
        if j.appointments and all(
            a.appointment_time is None
            or not day.start <= a.appointment_time.start_time < day.end
            for a in j.appointments
        )
    ]
    assert elsewhere
    assert not {j.service_job_id for j in elsewhere} & set(fetched_ids)
