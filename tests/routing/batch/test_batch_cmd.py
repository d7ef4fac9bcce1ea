"""routeplan plan-batch: outputs, exit codes, one-line errors, and a write-back that keeps
Amazon's pace per seller across partitions."""

from __future__ import annotations

import json
import re
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from routing.batch import BatchReport
from routing.cli import main
from routing.cli.batch_cmd import _exit_code, _warn_left_out
from routing.spapi.emulator import Emulator
from tests.routing.batch.helpers import EXAMPLES, TERRITORIES, write_manifest

ASSIGN = "assignAppointmentResources"
BURST = 2  # assignAppointmentResources: 1 request a second, bursts of 2 (Amazon's plan)


@pytest.mark.slow  # plans two partitions, then writes back at Amazon's pace
def test_apply_writes_back_at_most_one_assignment_a_second(
        tmp_path: Path, seller: dict[str, Any], emulator: Emulator,
        capsys: pytest.CaptureFixture[str]) -> None:
    manifest = write_manifest(tmp_path / "m.yaml", seller, days=1, territories={
        "south": TERRITORIES["south"], "north": ["A1B2C3D4E5TECH07", "A1B2C3D4E5TECH04"]})
    out = tmp_path / "out"
    code = main(["plan-batch", str(manifest), "--out", str(out), "--workers", "2", "--apply",
                 "--strict", "-q"])
    captured = capsys.readouterr()
    assert code == 10, captured.err  # written back, but jobs are left unassigned
    # -q: no progress; the two example jobs the gazetteer cannot place are named
    assert captured.err == ("routeplan: warning: 2 job(s) in no territory (acme/2026-12-01: "
                            "SJ-7213746324, SJ-3403315163); see batch-report.json\n")
    assert "Batch: 2 partitions" in captured.out
    report = json.loads((out / "batch-report.json").read_text())
    assert {o["territory"] for o in report["outcomes"]} == {"south", "north"}
    assert (out / "acme" / "south" / "2026-12-01" / "plan.csv").is_file()
    assert all(w["error"] is None for w in report["writeback"])
    assert (out / "acme" / "journal.sqlite").is_file()

    calls = httpx.get(f"{emulator.url}/_emulator/calls").json()["calls"]
    assigns = [c for c in calls if c["operation"] == ASSIGN]  # every attempt, answered or not
    assert sum(c["status"] == 200 for c in assigns) >= 4, "both partitions' were written"
    times = sorted(datetime.fromisoformat(c["received"].replace("Z", "+00:00"))
                   for c in assigns)
    for i, first in enumerate(times):
        for j in range(i + 1, len(times)):
            seconds = (times[j] - first).total_seconds()
            # j - i + 1 calls in `seconds`: at most a burst plus one a second (the margin:
            # what the loopback adds between the client's clock and the emulator's)
            assert j - i + 1 <= BURST + seconds + 0.05, (i, j, seconds)


@pytest.mark.parametrize(("argv", "message"), [
    ([], r"give a MANIFEST \(see examples/batch.yaml\) or --territories ROSTER$"),
    (["--territories", str(EXAMPLES / "roster.yaml")], "--territories needs --date D"),
    ([str(EXAMPLES / "batch.yaml"), "--territories", "r.yaml"],
     "give a MANIFEST or --territories ROSTER, not both"),
    ([str(EXAMPLES / "batch.yaml"), "--ray-address", "auto"], "--ray-address needs --executor ray"),
    ([str(EXAMPLES / "batch.yaml"), "--apply"],
     "seller example reads its jobs from .*jobs.json: --apply needs the Services API"),
    (["nowhere.yaml"], "nowhere.yaml"),
    (["--territories", str(EXAMPLES / "roster.yaml"), "--date", "2026-12-01", "--source",
      str(EXAMPLES / "jobs.json")], "technician 'A1B2C3D4E5TECH01' has no territory"),
])
def test_a_mistake_is_one_line_and_exit_3(tmp_path: Path, argv: list[str], message: str,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["plan-batch", *argv, "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 3, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("routeplan: error: "), err
    assert re.search(message, lines[0]), lines[0]


def test_jobs_in_no_partition_are_named_on_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    report = BatchReport(unrouted={"acme/2026-12-01": ["SJ-1", "SJ-2", "SJ-3", "SJ-4"]},
                         rejected={"acme/2026-12-02": ["SJ-9"]})
    _warn_left_out(report)
    assert capsys.readouterr().err.splitlines() == [
        "routeplan: warning: 4 job(s) in no territory (acme/2026-12-01: SJ-1, SJ-2, SJ-3 …); "
        "see batch-report.json",
        "routeplan: warning: 1 job(s) unreadable (acme/2026-12-02: SJ-9); see batch-report.json",
    ]
    assert _exit_code(report, strict=True) == 10
    assert _exit_code(report, strict=False) == 0
