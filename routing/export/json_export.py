"""The plan as its own JSON (the public contract in ``routing/plan.schema.json``)."""

from __future__ import annotations

from pathlib import Path

from routing.export.common import write_text
from routing.plan import Plan

__all__ = ["write_plan_json"]


def write_plan_json(plan: Plan, path: Path | str) -> Path:
    """Write ``plan.to_json()`` to ``path``, like the other writers: UTF-8, never half a
    file, :class:`~routing.export.ExportError` when it cannot be written."""
    return write_text(path, plan.to_json() + "\n")
