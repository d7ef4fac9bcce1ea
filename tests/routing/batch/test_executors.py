"""The local executor and a real single-node Ray cluster give the same plans."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from routing.batch import (
    BatchOptions,
    BatchReport,
    Executor,
    LocalExecutor,
    RayExecutor,
    load_manifest,
    plan_batch,
)
from tests.routing.batch.helpers import write_manifest

pytest.importorskip("ray", reason="Ray is missing: pip install -e '.[ray]'")


def _plans(report: BatchReport) -> dict[str, Any]:
    """Each partition's routes and unassigned jobs (what a seed decides)."""
    plans = {}
    for outcome in report.outcomes:
        plan = json.loads(Path(outcome.plan or "").read_text())
        plans[outcome.label] = {"routes": plan["routes"], "unassigned": plan["unassigned"]}
    return plans


def _run(executor: Executor[Any], manifest_path: Path, out: Path) -> BatchReport:
    try:
        return plan_batch(load_manifest(manifest_path), executor, BatchOptions(out=out))
    finally:
        executor.close()


@pytest.mark.slow  # a Ray cluster starts and stops; twelve plans
def test_six_partitions_plan_the_same_locally_and_on_ray(
        tmp_path: Path, seller: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RAY_USAGE_STATS_ENABLED", "0")
    manifest = write_manifest(tmp_path / "m.yaml", seller)
    local = _run(LocalExecutor(2), manifest, tmp_path / "local")
    on_ray = _run(RayExecutor(2), manifest, tmp_path / "ray")
    assert len(local.outcomes) == 6
    assert {o.status for o in local.outcomes + on_ray.outcomes} <= {"ok", "unassigned"}
    assert sum(o.placed for o in local.outcomes) > 20
    assert _plans(local) == _plans(on_ray)
