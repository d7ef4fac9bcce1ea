"""Manifests over the example data, and task functions a test swaps in for ``run_task``.

Task functions are module-level: a worker process imports them by name.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path
from typing import Any

import yaml

from routing.batch import TaskResult, TaskSpec, run_task

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
#: The same plan on every run (see REPRODUCIBLE in tests/routing/test_replan.py).
REPRODUCIBLE_SETTINGS = {"workers": 1, "seed": 0, "solution_limit": 5, "time_limit": 5,
                         "no_cache": True}
#: The example roster in three territories (examples/batch.yaml's split).
TERRITORIES = {
    "seattle": ["A1B2C3D4E5TECH03", "A1B2C3D4E5TECH05", "A1B2C3D4E5TECH07", "A1B2C3D4E5TECH11"],
    "eastside": ["A1B2C3D4E5TECH01", "A1B2C3D4E5TECH04", "A1B2C3D4E5TECH06",
                 "A1B2C3D4E5TECH08", "A1B2C3D4E5TECH10"],
    "south": ["A1B2C3D4E5TECH02", "A1B2C3D4E5TECH09"],
}


def write_manifest(path: Path, seller: dict[str, Any], *, days: int = 2,
                   territories: dict[str, list[str]] | None = None,
                   settings: dict[str, Any] | None = None) -> Path:
    """A manifest of the example roster's territories × ``days`` from 2026-12-01."""
    chosen = TERRITORIES if territories is None else territories
    document = {
        "dates": {"start": "2026-12-01", "days": days},
        "settings": {**REPRODUCIBLE_SETTINGS, **(settings or {})},
        "sellers": [{**seller, "territories": [
            {"roster": str(EXAMPLES / "roster.yaml"), "name": name, "technicians": ids}
            for name, ids in chosen.items()]}],
    }
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    return path


def killed_mid_solve(spec: TaskSpec) -> TaskResult:
    """The first attempt of the ``seattle`` partitions is SIGKILLed while it plans."""
    if spec.territory == "seattle" and spec.attempt == 0:
        timer = threading.Timer(0.3, os.kill, (os.getpid(), signal.SIGKILL))
        timer.start()
    return run_task(spec)


def hangs_in_south(spec: TaskSpec) -> TaskResult:
    """``south`` never answers; the others answer at once."""
    if spec.territory == "south":
        time.sleep(3600)
    return TaskResult("ok", jobs=len(spec.jobs))
