"""Where partitions run: one fresh process per task, on this machine or on a Ray cluster.

Both executors answer the same small :class:`Executor` protocol: start a task, wait for
some to finish, collect one, kill one. Retries, time limits and the order of outcomes are
decided once, by :func:`routing.batch.schedule.run_tasks`, for both.

Why a process per task on this machine, and not ``ProcessPoolExecutor``: a pool cannot
kill one task past its hard limit (only the whole pool), and a task killed by the system
(the OOM killer, a SIGKILL) breaks the whole pool. A ``multiprocessing`` process per task,
started from a fork server that has already imported the planner, is as cheap to start and
can be killed alone.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from typing import Any, Protocol, TypeVar

from routing.batch.task import TaskResult, TaskSpec, run_task

__all__ = ["Executor", "LocalExecutor", "LocalTask", "RayExecutor", "TaskFunction", "WorkerLost"]

TaskFunction = Callable[[TaskSpec], TaskResult]
"""A module-level function (workers import it by name): :func:`run_task`, or a test's."""
Handle = TypeVar("Handle")


class WorkerLost(Exception):
    """The worker ended without an answer: killed, or crashed inside the solver."""


class Executor(Protocol[Handle]):
    """Runs tasks each in a fresh process; at most ``slots`` at a time are started.

    ``startup`` is how long a task's process may take to start, on top of its hard limit.
    """

    slots: int
    startup: float

    def start(self, spec: TaskSpec) -> Handle: ...

    def wait(self, handles: Sequence[Handle], timeout: float) -> list[Handle]:
        """The handles among ``handles`` that have finished, after at most ``timeout`` s."""

    def collect(self, handle: Handle) -> TaskResult:
        """The finished task's result; :class:`WorkerLost` when its worker died."""

    def kill(self, handle: Handle) -> None:
        """End the task now, whatever it is doing."""

    def close(self) -> None: ...


@dataclass(eq=False)  # a handle: hashed by identity
class LocalTask:
    process: BaseProcess
    answer: Connection


def _child(task: TaskFunction, spec: TaskSpec, answer: Connection) -> None:
    """A worker's life: one task, one answer."""
    try:
        result = task(spec)
    except BaseException as exc:  # a task function should not raise; say so, do not hang
        result = TaskResult("error", error=f"{type(exc).__name__}: {exc}", exit_code=1)
    answer.send(result)
    answer.close()


class LocalExecutor:
    """Tasks in processes of this machine, ``workers`` at a time (default: one per core)."""

    def __init__(self, workers: int | None = None, task: TaskFunction = run_task) -> None:
        self.slots = workers or os.cpu_count() or 1
        self.startup = 0.0  # a fork of the warm fork server
        self.task = task
        self._context = multiprocessing.get_context("forkserver")
        # The fork server imports the planner once; each task forks from it, ready to plan.
        self._context.set_forkserver_preload(["routing.batch.preload"])

    def start(self, spec: TaskSpec) -> LocalTask:
        answer, send = self._context.Pipe(duplex=False)
        process = self._context.Process(target=_child, args=(self.task, spec, send),
                                        name=f"routeplan {spec.label}", daemon=True)
        process.start()
        send.close()  # the child holds the only sending end: its death reads as EOF here
        return LocalTask(process, answer)

    def wait(self, handles: Sequence[LocalTask], timeout: float) -> list[LocalTask]:
        ready = set(wait([h.answer for h in handles], timeout=max(timeout, 0.0)))
        return [h for h in handles if h.answer in ready]

    def collect(self, handle: LocalTask) -> TaskResult:
        try:
            result: TaskResult = handle.answer.recv()
        except (EOFError, OSError):
            handle.process.join(5)
            raise WorkerLost(_death(handle.process.exitcode)) from None
        finally:
            handle.answer.close()
        handle.process.join(5)
        if handle.process.is_alive():  # answered, then stuck on its way out
            handle.process.kill()
            handle.process.join()
        return result

    def kill(self, handle: LocalTask) -> None:
        handle.process.kill()
        handle.process.join()
        handle.answer.close()

    def close(self) -> None:
        """Nothing to release: every task's process is joined when collected or killed."""


def _death(exitcode: int | None) -> str:
    if exitcode is not None and exitcode < 0:
        try:
            name = signal.Signals(-exitcode).name
        except ValueError:
            name = f"signal {-exitcode}"
        return f"the worker was killed by {name}"
    return f"the worker exited with code {exitcode} without an answer"


def _on_ray(task: TaskFunction, spec: TaskSpec) -> TaskResult:
    return task(spec)


class RayExecutor:
    """Tasks on a Ray cluster: ``address`` ``auto`` or ``ray://host:port`` joins one, None
    starts a local one with ``workers`` CPUs (dashboard off).

    Each task gets a fresh worker process (``max_calls=1``): one OR-Tools model per
    process. Starting one (a Python that imports the planner and reads the gazetteer) takes
    seconds, more on a loaded node: ``startup`` (default 60 s) is added to each task's hard
    limit. Ray's own retries are off (``max_retries=0``): they would repeat the same seed,
    and the scheduler retries a lost worker with the next one.
    """

    def __init__(self, workers: int | None = None, task: TaskFunction = run_task, *,
                 address: str | None = None, startup: float = 60.0) -> None:
        os.environ["RAY_USAGE_STATS_ENABLED"] = "0"  # nothing leaves the machine
        try:
            import ray
        except ImportError:
            from routing.batch.manifest import BatchError

            raise BatchError("--executor ray needs Ray: pip install 'routeplan[ray]'") from None
        self._ray = ray
        self._owned = not ray.is_initialized()
        if self._owned:
            options: dict[str, Any] = {"address": address, "log_to_driver": False,
                                       "logging_level": "ERROR"}
            if address is None:
                options.update(num_cpus=workers or os.cpu_count() or 1,
                               include_dashboard=False)
            ray.init(**options)
        cpus = int(ray.cluster_resources().get("CPU", 1))
        self.slots = workers or max(cpus, 1)
        self.startup = startup
        self.task = task
        self._remote = ray.remote(max_calls=1, max_retries=0, num_cpus=1)(_on_ray)

    def start(self, spec: TaskSpec) -> Any:
        return self._remote.remote(self.task, spec)

    def wait(self, handles: Sequence[Any], timeout: float) -> list[Any]:
        handles = list(handles)
        ready, _ = self._ray.wait(handles, num_returns=1, timeout=max(timeout, 0.0))
        if ready:  # and any others finished meanwhile
            ready, _ = self._ray.wait(handles, num_returns=len(handles), timeout=0)
        return list(ready)

    def collect(self, handle: Any) -> TaskResult:
        exceptions = self._ray.exceptions
        try:
            result: TaskResult = self._ray.get(handle)
        except (exceptions.WorkerCrashedError, exceptions.OutOfMemoryError,
                exceptions.NodeDiedError, exceptions.TaskCancelledError) as exc:
            raise WorkerLost(f"the Ray worker was lost: {type(exc).__name__}") from None
        except exceptions.RayTaskError as exc:
            return TaskResult("error", error=str(exc).strip().splitlines()[-1], exit_code=1)
        return result

    def kill(self, handle: Any) -> None:
        self._ray.cancel(handle, force=True)

    def close(self) -> None:
        if self._owned:
            self._ray.shutdown()
