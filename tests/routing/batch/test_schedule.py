"""Running partitions: a killed worker is retried with the next seed, a hung one times out
without holding up the others (the local executor, real processes)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from routing.batch import (
    BatchOptions,
    Limits,
    LocalExecutor,
    Outcome,
    load_manifest,
    plan_batch,
)
from routing.plan import Plan
from tests.routing.batch.helpers import hangs_in_south, killed_mid_solve, write_manifest


@pytest.mark.slow  # two solves, the first cut short
def test_a_worker_killed_mid_solve_is_retried_and_its_partition_lands(
        tmp_path: Path, seller: dict[str, Any]) -> None:
    manifest = load_manifest(write_manifest(
        tmp_path / "m.yaml", seller, days=1, territories={"seattle": [
            "A1B2C3D4E5TECH03", "A1B2C3D4E5TECH05", "A1B2C3D4E5TECH07", "A1B2C3D4E5TECH11"]},
        settings={"solution_limit": None, "time_limit": 2}))
    report = plan_batch(manifest, LocalExecutor(1, task=killed_mid_solve),
                        BatchOptions(out=tmp_path / "out", limits=Limits(grace=60)))
    [outcome] = report.outcomes
    assert (outcome.status, outcome.attempts) == ("unassigned", 2), outcome
    assert outcome.placed > 0
    plan = Plan.from_json(Path(outcome.plan or "").read_bytes())
    assert plan.settings.seed == 1  # the retry ran with the next seed


@pytest.mark.slow  # the fork server's first start, when this test runs alone
def test_a_partition_past_its_hard_limit_times_out_alone(
        tmp_path: Path, seller: dict[str, Any]) -> None:
    manifest = load_manifest(write_manifest(tmp_path / "m.yaml", seller, days=1,
                                            settings={"time_limit": 0.5}))
    landed: list[Outcome] = []
    report = plan_batch(
        manifest, LocalExecutor(2, task=hangs_in_south),
        BatchOptions(out=tmp_path / "out", limits=Limits(grace=1.0)),
        on_outcome=landed.append)
    statuses = {o.territory: o.status for o in report.outcomes}
    assert statuses == {"seattle": "ok", "eastside": "ok", "south": "timeout"}
    south = next(o for o in report.outcomes if o.territory == "south")
    assert south.error == "killed after 1.5 s (time limit + grace)"
    assert 1.5 <= south.wall_s < 5
    # the others landed as they finished, well before the hung one was given up on
    assert [o.territory for o in landed][-1] == "south"
    assert all(o.wall_s < 1.0 for o in report.outcomes if o.territory != "south")
