"""The batch driver: fetch per seller, split into partitions, run them, write back per seller.

Only this process talks to Amazon. It fetches each seller's jobs once per date (and
timezone) for all its territories, hands each partition to a worker as plain data, and,
with ``apply``, queues every plan that lands for its seller's write-back thread.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from routing.batch.executors import Executor
from routing.batch.manifest import (
    BatchError,
    Manifest,
    Partition,
    SellerProfile,
    Territory,
    seller_settings,
    territories_of,
)
from routing.batch.schedule import Limits, Outcome, run_tasks
from routing.batch.split import split_jobs
from routing.batch.task import TaskSpec
from routing.batch.writeback import SellerWriteback, WritebackOutcome
from routing.config import Settings
from routing.sources import FileSource, JobSource, SpApiSource, touches_day
from routing.spapi import RetryPolicy, ServicesClient
from routing.visits import day_bounds

__all__ = ["BatchOptions", "BatchReport", "plan_batch"]


@dataclass(frozen=True)
class BatchOptions:
    """How a batch runs, besides its manifest and executor."""

    out: Path
    exports: tuple[str, ...] = ("csv",)
    limits: Limits = field(default_factory=Limits)
    apply: bool = False
    reassign: bool = False
    config: Path | None = None
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    timeout: float = 30.0


@dataclass
class BatchReport:
    """Every partition's outcome, the jobs no partition took, and the write-back."""

    outcomes: list[Outcome] = field(default_factory=list)
    unrouted: dict[str, list[str]] = field(default_factory=dict)
    rejected: dict[str, list[str]] = field(default_factory=dict)
    writeback: list[WritebackOutcome] = field(default_factory=list)
    wall_s: float = 0.0

    def to_json(self) -> str:
        return json.dumps({
            "wall_s": round(self.wall_s, 3),
            "outcomes": [o.as_dict() for o in self.outcomes],
            "unrouted": self.unrouted, "rejected": self.rejected,
            "writeback": [asdict(w) for w in self.writeback],
        }, indent=2) + "\n"


@dataclass
class _Seller:
    profile: SellerProfile
    settings: Settings
    source: JobSource
    client: ServicesClient | None


def plan_batch(manifest: Manifest, executor: Executor[Any], options: BatchOptions, *,
               on_ready: Callable[[list[TaskSpec]], None] | None = None,
               on_start: Callable[[TaskSpec], None] | None = None,
               on_outcome: Callable[[Outcome], None] | None = None) -> BatchReport:
    """Plan every partition of ``manifest`` on ``executor``; see the module docstring.

    ``on_ready`` is told the tasks once fetched, ``on_start`` each start (and restart),
    ``on_outcome`` each outcome as it lands.
    """
    started = time.monotonic()
    report = BatchReport()
    territories = {s.name: territories_of(s) for s in manifest.sellers}
    with ExitStack() as stack:
        sellers = {s.name: _open(s, manifest, options, stack) for s in manifest.sellers}
        specs = [spec for seller in sellers.values()
                 for spec in _fetch(seller, territories[seller.profile.name],
                                    manifest.all_dates(), options, report)]
        if on_ready is not None:
            on_ready(specs)
        queues = {name: SellerWriteback(name, seller.client,
                                        options.out / name / "journal.sqlite")
                  for name, seller in sellers.items()
                  if options.apply and seller.client is not None}
        try:
            for outcome in run_tasks(specs, executor, options.limits, on_start=on_start):
                report.outcomes.append(outcome)
                if on_outcome is not None:
                    on_outcome(outcome)
                if outcome.plan is not None and outcome.seller in queues:
                    queues[outcome.seller].submit(outcome.plan)
        finally:
            for queue in queues.values():
                report.writeback.extend(queue.finish())
    report.wall_s = time.monotonic() - started
    return report


def _open(profile: SellerProfile, manifest: Manifest, options: BatchOptions,
          stack: ExitStack) -> _Seller:
    settings = seller_settings(manifest, profile, options.config)
    if profile.reads_file:
        if options.apply:
            raise BatchError(f"seller {profile.name} reads its jobs from {profile.source}: "
                             "--apply needs the Services API (source: spapi)")
        if not Path(profile.source).is_file():
            raise BatchError(f"seller {profile.name}: source {profile.source}: no such file "
                             "(use spapi, sandbox or a saved jobs file)")
        return _Seller(profile, settings, FileSource(Path(profile.source)), None)
    extra: dict[str, Any] = {}
    if settings.endpoint:
        extra["base_url"] = settings.endpoint
    if settings.token_url:
        extra["token_url"] = settings.token_url
    client = stack.enter_context(ServicesClient(
        credentials=profile.credentials_from(), region=settings.region,
        sandbox=profile.source == "sandbox", retry=options.retry, timeout=options.timeout,
        **extra))
    return _Seller(profile, settings, SpApiSource(client, settings.marketplace_id), client)


def _fetch(seller: _Seller, territories: list[Territory], days: list[date],
           options: BatchOptions, report: BatchReport) -> list[TaskSpec]:
    """The seller's tasks: one fetch per date and timezone, split among its territories."""
    by_zone: dict[str, list[Territory]] = {}
    for territory in territories:
        by_zone.setdefault(territory.roster.tz.key, []).append(territory)
    settings = seller.settings.model_dump()
    specs = []
    for day in days:
        for zone, group in by_zone.items():
            tz = ZoneInfo(zone)
            bounds = day_bounds(day, tz)
            jobs = [job for job in seller.source.fetch(day, tz) if touches_day(job, bounds)]
            where = f"{seller.profile.name}/{day.isoformat()}"
            if seller.source.rejected:
                report.rejected.setdefault(where, []).extend(
                    u.service_job_id for u in seller.source.rejected)
            split = split_jobs(jobs, group)
            if split.unrouted:
                report.unrouted.setdefault(where, []).extend(split.unrouted)
            for territory in group:
                partition = Partition(territory, day)
                specs.append(TaskSpec(
                    *partition.key, roster=territory.roster.model_dump(),
                    jobs=[j.model_dump(mode="json", by_alias=True, exclude_none=True)
                          for j in split.jobs[territory.name]],
                    settings=settings, folder=str(options.out.joinpath(*partition.key)),
                    exports=options.exports, reassign=options.reassign))
    order = {(t.name, d.isoformat()): n for n, (t, d) in
             enumerate((t, d) for t in territories for d in days)}
    return sorted(specs, key=lambda s: order[(s.territory, s.date)])
