"""The job history store against the real emulator on loopback: only new windows are asked."""

from __future__ import annotations

import stat
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from routing.audit import AuditSettings, audit_jobs, audit_shards, build_report
from routing.audit.history import HistoryError, JobHistory
from routing.spapi.emulator import Emulator
from routing.visits import Window
from tests.routing.spapi.conftest import client_for
from tests.routing.spapi.jobdata import DAY, make_jobs

UPDATED = DAY - timedelta(days=3)
"""Job i of make_jobs was last updated i minutes before this."""


def minutes_before(n: int) -> datetime:
    return UPDATED - timedelta(minutes=n)


@pytest.fixture
def emulator() -> Iterator[Emulator]:
    with Emulator(make_jobs(30), enforce_rate_limits=False) as server:
        yield server


def _asked(emulator: Emulator) -> list[tuple[datetime, datetime]]:
    """The lastUpdated windows of every getServiceJobs call so far."""
    return [
        (datetime.fromisoformat(call.query["lastUpdatedAfter"]),
         datetime.fromisoformat(call.query["lastUpdatedBefore"]))
        for call in emulator.calls if call.operation == "getServiceJobs"
    ]


def test_a_second_refresh_over_an_overlapping_period_asks_only_the_new_window(
    emulator: Emulator, tmp_path: Path
) -> None:
    history = JobHistory(tmp_path / "history.sqlite3", seller="emulator",
                         marketplace_id="ATVPDKIKX0DER")
    with client_for(emulator) as client:
        first = history.refresh(client, minutes_before(20), minutes_before(10))
        assert first.jobs == 11  # jobs 10..20: both bounds are inclusive
        assert _asked(emulator) == [(minutes_before(20), minutes_before(10))]

        second = history.refresh(client, minutes_before(15), UPDATED)
        assert second.windows == [Window(minutes_before(10), UPDATED)]
        assert _asked(emulator)[1:] == [(minutes_before(10), UPDATED)]

        inside = history.refresh(client, minutes_before(12), minutes_before(2))
        assert inside.windows == [] and inside.jobs == 0
        assert len(_asked(emulator)) == 2

        earlier = history.refresh(client, minutes_before(25), UPDATED)
        assert _asked(emulator)[2:] == [(minutes_before(25), minutes_before(20))]
    assert earlier.jobs == 6
    assert [job.service_job_id for job in history.jobs()] == [
        f"SJ-{i:05d}" for i in range(26)
    ]
    assert history.fetched() == Window(minutes_before(25), UPDATED)


def test_sellers_and_marketplaces_keep_their_own_history(
    emulator: Emulator, tmp_path: Path
) -> None:
    path = tmp_path / "history.sqlite3"
    ours = JobHistory(path, seller="us", marketplace_id="ATVPDKIKX0DER")
    with client_for(emulator) as client:
        ours.refresh(client, minutes_before(5), UPDATED)
    theirs = JobHistory(path, seller="them", marketplace_id="ATVPDKIKX0DER")
    assert theirs.fetched() is None and list(theirs.jobs()) == []
    assert theirs.missing(minutes_before(5), UPDATED) == [Window(minutes_before(5), UPDATED)]
    assert len(list(ours.jobs())) == 6


def test_the_file_is_private(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    JobHistory(path, seller="s", marketplace_id="m")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_file_that_is_not_a_database_is_a_one_line_error(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    path.write_text("not a database, " * 100)
    with pytest.raises(HistoryError, match=r"history\.sqlite3: file is not a database"):
        JobHistory(path, seller="s", marketplace_id="m")


def test_the_store_in_shards_gives_its_jobs_once_each_and_audits_on_two_cores(
    emulator: Emulator, tmp_path: Path
) -> None:
    path = tmp_path / "history.sqlite3"
    history = JobHistory(path, seller="us", marketplace_id="ATVPDKIKX0DER")
    theirs = JobHistory(path, seller="them", marketplace_id="ATVPDKIKX0DER")
    with client_for(emulator) as client:
        history.refresh(client, minutes_before(30), UPDATED)
        theirs.refresh(client, minutes_before(10), UPDATED)  # 11 jobs of theirs beside ours
    everything = [job.service_job_id for job in history.jobs()]
    assert len(everything) == 30
    for count in (1, 2, 3, 9):  # 9: ours make 7 runs of 4; counted with theirs, 9
        shards = history.shards(count, smallest=4)
        assert len(shards) == min(count, 30 // 4)
        assert [j.service_job_id for s in shards for j in s.stream()] == everything
    assert len(history.shards(2)) == 1  # fewer than 5,000 jobs a shard: one

    settings = AuditSettings(start=(DAY - timedelta(days=3)).date(),
                             end=(DAY + timedelta(days=3)).date(),
                             timezone=ZoneInfo("UTC"), now=DAY + timedelta(days=30))
    alone = audit_jobs(history.jobs(), settings)
    both = audit_shards(history.shards(2, smallest=4), settings)
    assert alone.appointments and build_report(both).to_json() == build_report(alone).to_json()
