"""Planning many territories × days at once, each in a process of its own, here or on Ray.

A :class:`Manifest` lists sellers, their territories and the dates; :func:`plan_batch`
fetches each seller's jobs once in this process, splits them into partitions, runs one
task per partition on an :class:`Executor` (:class:`LocalExecutor` or
:class:`RayExecutor`) and writes each seller's plans back through one rate-limited,
journaled queue. See ``routeplan plan-batch --help``.
"""

from routing.batch.driver import BatchOptions, BatchReport, plan_batch
from routing.batch.executors import (
    Executor,
    LocalExecutor,
    RayExecutor,
    TaskFunction,
    WorkerLost,
)
from routing.batch.manifest import (
    BatchError,
    DateRange,
    Manifest,
    Partition,
    SellerProfile,
    Territory,
    TerritorySpec,
    load_manifest,
    manifest_from_roster,
    partitions_of,
    seller_settings,
    territories_of,
)
from routing.batch.schedule import Limits, Outcome, run_tasks
from routing.batch.split import Split, split_jobs
from routing.batch.task import EXPORTS, TaskResult, TaskSpec, run_task
from routing.batch.writeback import SellerWriteback, WritebackOutcome

__all__ = [
    "EXPORTS",
    "BatchError",
    "BatchOptions",
    "BatchReport",
    "DateRange",
    "Executor",
    "Limits",
    "LocalExecutor",
    "Manifest",
    "Outcome",
    "Partition",
    "RayExecutor",
    "SellerProfile",
    "SellerWriteback",
    "Split",
    "TaskFunction",
    "TaskResult",
    "TaskSpec",
    "Territory",
    "TerritorySpec",
    "WorkerLost",
    "WritebackOutcome",
    "load_manifest",
    "manifest_from_roster",
    "partitions_of",
    "plan_batch",
    "run_task",
    "run_tasks",
    "seller_settings",
    "split_jobs",
    "territories_of",
]
