"""The journal: durable settings, the write-ahead states, and rows that survive a reopen."""

from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path

import pytest

from routing.writeback import Journal, JournalError, Outcome, State, default_journal_path

KEY = ("SJ-1", "AP-1", "assign")


def test_the_journal_is_in_wal_mode_with_full_sync(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite"
    with Journal(path) as journal:
        journal.start("P", KEY, "{}")
        assert journal._db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    with sqlite3.connect(path) as other:
        assert other.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_started_then_finished_rows_survive_a_reopen(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite"
    with Journal(path) as journal:
        journal.start("P", KEY, '{"resources": ["T1"]}')
        journal.start("P", ("SJ-2", "AP-2", "eta"), "{}")
        journal.finish("P", KEY, Outcome(State.FAILED, ("RESOURCES_NOT_AVAILABLE_IN_TIME_WINDOW",),
                                         "no capacity", "req-1", 422))
        journal.start("P", KEY, '{"resources": ["T1"]}')  # the retry
    with Journal(path) as journal:
        row = journal.entry("P", KEY)
        interrupted = journal.entry("P", ("SJ-2", "AP-2", "eta"))
        assert journal.entry("OTHER-PLAN", KEY) is None
        assert len(journal.entries()) == 2 and journal.entries("OTHER-PLAN") == []
    assert row is not None and row.state is State.STARTED and row.attempts == 2
    assert row.outcome.codes == () and row.outcome.message is None  # the old answer is gone
    assert interrupted is not None and interrupted.state is State.STARTED


def test_an_outcome_without_a_call_creates_its_row(tmp_path: Path) -> None:
    with Journal(tmp_path / "j.sqlite") as journal:
        journal.finish("P", KEY, Outcome(State.OK, note="settled"), request="{}")
        row = journal.entry("P", KEY)
    assert row is not None and row.state is State.OK and row.attempts == 0
    assert row.outcome.note == "settled"


def test_a_file_that_is_not_a_journal_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "plan.json"
    path.write_text("not sqlite at all " * 100, encoding="utf-8")
    with pytest.raises(JournalError, match="cannot open the journal"):
        Journal(path)


def test_the_default_journal_sits_beside_the_plan() -> None:
    assert default_journal_path(Path("/x/plan.json")) == Path("/x/plan.json.journal.sqlite")


def test_a_second_run_on_the_same_journal_is_refused_until_the_first_ends(
        tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite"
    with Journal(path), pytest.raises(JournalError, match="another run is using this journal"):
        Journal(path)
    with Journal(path) as again:
        assert again.entries() == []


def test_a_new_journal_and_its_wal_files_are_private(tmp_path: Path) -> None:
    path = tmp_path / "j.sqlite"
    old_umask = os.umask(0o022)  # the usual umask, which would give 0644
    try:
        with Journal(path) as journal:
            journal.start("P", KEY, '{"address": "1 Main St"}')
            companions = [Path(f"{path}-wal"), Path(f"{path}-shm")]
            assert all(companion.exists() for companion in companions)
            modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in [path, *companions]}
    finally:
        os.umask(old_umask)
    assert modes == {"j.sqlite": 0o600, "j.sqlite-wal": 0o600, "j.sqlite-shm": 0o600}


def test_a_folder_in_the_journal_s_place_is_a_clear_error(tmp_path: Path) -> None:
    (tmp_path / "j.sqlite").mkdir()
    with pytest.raises(JournalError, match="cannot open the journal: Is a directory"):
        Journal(tmp_path / "j.sqlite")
