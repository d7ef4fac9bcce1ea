"""routeplan audit, end to end through routing.cli.main."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest

from routing.audit.visitlog import COLUMNS
from routing.cli import main
from routing.cli.common import EMULATOR_DATASETS
from routing.spapi.emulator.dataset import load_job_files
from routing.writeback import Journal, Outcome, State
from tests.routing.audit.builders import DAY, appt, at, job

HEADER = ",".join(COLUMNS)


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    jobs = [
        job("SJ1", appt("A1", at(DAY, 9), status="COMPLETED"), status="COMPLETED"),
        job("SJ2", appt("A2", at(DAY, 9), technician="T2")),
    ]
    jobs_path = tmp_path / "jobs.json"
    jobs_path.write_text(json.dumps([j.to_wire() for j in jobs]))
    visits = tmp_path / "visits.csv"
    visits.write_text("\n".join([
        HEADER,
        "A1,SJ1,T1,2026-12-01T11:30:00-08:00,,2026-12-01T12:00:00-08:00,completed,",
        "A2,SJ2,T2,2026-12-01T09:30:00,,,,",  # naive time: reported, left out
    ]) + "\n")
    return jobs_path, visits


def base(files: tuple[Path, Path]) -> list[str]:
    return ["audit", "--from", str(DAY), "--to", str(DAY), "--source", str(files[0]),
            "--visits", str(files[1]), "--timezone", "America/Los_Angeles"]


def test_audit_writes_every_form_and_warns_of_the_bad_row(
    files: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    code = main([*base(files), "--json", str(out / "a.json"), "--csv", str(out / "a.csv"),
                 "--by", "day", "--html", str(out / "a.html"), "--details"])
    captured = capsys.readouterr()
    assert code == 0
    assert "line 3: arrived_at '2026-12-01T09:30:00' has no UTC offset" in captured.err
    assert "worst first" in captured.out
    assert "SJ1 A1 T1 2026-12-01 09:00: on_time_arrival, late_start" in captured.out
    assert "SJ2 A2 T2 2026-12-01 09:00: technician_no_show" in captured.out
    report = json.loads((out / "a.json").read_text())
    assert report["overall"]["late_start"] == {"numerator": 1, "denominator": 1, "rate": 1.0}
    assert (out / "a.csv").read_text().splitlines()[1].startswith("2026-12-01,,on_time_arrival")
    assert (out / "a.html").read_text().startswith("<!DOCTYPE html>")


def test_the_table_is_whole_in_a_log_or_a_pipe(
    files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    """Captured stdout is not a terminal: no cell is cut to an 80-column screen."""
    assert main(base(files)) == 0
    out = capsys.readouterr().out
    assert "…" not in out
    header = next(line for line in out.splitlines() if "technician" in line)
    assert "cancellation_after_assignment" in header
    assert "fulfillment_break" in header
    assert any("(all)" in line and "100.0% (1/1)" in line for line in out.splitlines())


def test_a_crossed_fail_on_threshold_exits_12(
    files: tuple[Path, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([*base(files), "--fail-on", "technician_no_show>60%"]) == 0
    assert main([*base(files), "--fail-on", "late_start>10%,technician_no_show>40%"]) == 12
    assert "threshold crossed: late_start, technician_no_show" in capsys.readouterr().err


def test_mistakes_are_one_line_errors(
    files: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as caught:
        main([*base(files), "--fail-on", "late_start<10%"])
    assert caught.value.code == 2
    assert "write late_start>10%" in capsys.readouterr().err
    not_a_plan = tmp_path / "plan.json"
    not_a_plan.write_text("{}")
    assert main([*base(files), "--plans", str(not_a_plan)]) == 3
    assert "not a routeplan plan" in capsys.readouterr().err
    swapped = [*base(files)]
    swapped[2] = "2026-12-02"
    assert main(swapped) == 3
    assert "--to 2026-12-01 is before --from 2026-12-02" in capsys.readouterr().err


def test_emulator_audits_keep_a_history_and_fetch_only_what_is_new(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    history = tmp_path / "history.sqlite3"
    audit = ["audit", "--source", "emulator", "--from", "2026-11-27", "--to", "2026-12-01",
             "--history", str(history)]
    assert main(audit) == 0
    first = capsys.readouterr()
    served = len(load_job_files(EMULATOR_DATASETS))  # the example day and month
    assert f"history {history}: fetched {served} jobs updated" in first.err
    assert "Okafor" in first.out  # a technician of the example roster
    assert stat.S_IMODE(history.stat().st_mode) == 0o600
    assert main(audit) == 0  # a fresh emulator, but the store has the history already
    second = capsys.readouterr()
    assert f"history {history}: fetched 0 jobs updated" in second.err
    assert second.out == first.out


def test_a_missing_jobs_file_is_a_one_line_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["audit", "--source", str(tmp_path / "nope.json"), "--from", "2026-12-01",
                 "--to", "2026-12-01"])
    assert code == 3
    assert "no such file" in capsys.readouterr().err


def _journal(path: Path, plan_id: str, rows: list[tuple[str, str, str, dict[str, object], State]]
             ) -> None:
    with Journal(path) as journal:
        for job_id, appointment_id, kind, request, state in rows:
            key = (job_id, appointment_id, kind)
            journal.start(plan_id, key, json.dumps(request, sort_keys=True))
            journal.finish(plan_id, key, Outcome(state))


def test_journals_give_what_amazon_took_from_routeplan(
    files: tuple[Path, Path], tmp_path: Path
) -> None:
    """The arrival estimate and technician routeplan sent (the journal of `assign`) are what
    eta_accuracy is measured against; a call Amazon refused is not what it took, and the
    newer of two plans' calls wins."""
    eta = {"start": "2026-12-01T19:00:00Z", "end": "2026-12-01T20:00:00Z"}  # 11:00-12:00 PST
    early = {"start": "2026-12-01T16:00:00Z", "end": "2026-12-01T17:00:00Z"}  # missed
    _journal(tmp_path / "morning.sqlite", "morning", [
        ("SJ1", "A1", "eta", early, State.OK),
        ("SJ2", "A2", "eta", eta, State.FAILED),
    ])
    _journal(tmp_path / "replan.sqlite", "replan", [
        ("SJ1", "A1", "assign", {"resources": ["T1"]}, State.OK),
        ("SJ1", "A1", "eta", eta, State.WARNING),
    ])
    report = tmp_path / "a.json"
    without = main([*base(files), "--json", str(report)])
    assert without == 0
    assert json.loads(report.read_text())["overall"]["eta_accuracy"]["denominator"] == 0
    journals = [str(tmp_path / "morning.sqlite"), str(tmp_path / "replan.sqlite")]
    assert main([*base(files), "--journal", *journals, "--json", str(report)]) == 0
    overall = json.loads(report.read_text())["overall"]
    assert overall["eta_accuracy"] == {"numerator": 1, "denominator": 1, "rate": 1.0}


def test_a_missing_journal_is_a_one_line_error(
    files: tuple[Path, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main([*base(files), "--journal", str(tmp_path / "nope.sqlite")]) == 3
    assert "--journal" in capsys.readouterr().err
