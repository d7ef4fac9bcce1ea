"""The audit of many jobs on every core: shards of the jobs audited in forked processes.

:func:`audit_shards` gives what :func:`~routing.audit.audit_jobs` gives over the shards'
jobs one after the other, byte for byte in the report: the first shard is audited in this
process while each other one is, at the same time, in a child forked from it (so the
inputs — visit log, sent records, plans — are shared, not sent), which sends back only
what its :class:`~routing.audit.engine.Auditor` found, as plain data
(:class:`~routing.audit.engine.Part`). Reading and validating the jobs is most of an
audit's time, and it is what the shards split.
"""

from __future__ import annotations

import multiprocessing
import signal
from collections.abc import Callable, Iterable, Iterator, Sequence
from multiprocessing.connection import Connection
from typing import Protocol
from zoneinfo import ZoneInfo

from routing.audit.engine import Audit, Auditor, AuditSettings, Part
from routing.audit.heap import without_cycle_collection
from routing.audit.inputs import PlanIndex, SentRecord
from routing.audit.visitlog import VisitRow
from routing.errors import RoutingError
from routing.plan import Plan
from routing.spapi.models import ServiceJob
from routing.visits import Unassigned

__all__ = ["JobShard", "audit_shards"]


class JobShard(Protocol):
    """A share of the jobs (:meth:`routing.sources.FileSource.shards`): streamed where it
    is audited, with the jobs it could not read in ``rejected`` once streamed."""

    rejected: list[Unassigned]

    def stream(self) -> Iterator[ServiceJob]: ...


def audit_shards(
    shards: Sequence[JobShard],
    settings: AuditSettings,
    *,
    visits: Iterable[VisitRow] = (),
    sent: Iterable[SentRecord] = (),
    plans: Iterable[Plan] = (),
    zones: Callable[[ServiceJob], ZoneInfo] | None = None,
) -> Audit:
    """Audit the shards' jobs, in order, each shard but the first in a forked child
    (all of them here where processes cannot be forked: on Windows).

    Every shard's ``rejected`` is set as if it had been streamed here. A child that fails
    raises its error here (a :class:`RoutingError` as it was); one that dies without an
    answer is a :class:`RoutingError` naming its exit code.
    """
    auditor = Auditor(settings, visits, sent, PlanIndex.from_plans(plans), zones)
    forked = shards[1:] if "fork" in multiprocessing.get_all_start_methods() else []
    with without_cycle_collection():
        children = [_Child(auditor, shard) for shard in forked]
        try:
            for shard in shards[: len(shards) - len(forked)]:
                for job in shard.stream():
                    auditor.job(job)
            for child, shard in zip(children, forked, strict=True):
                part, shard.rejected = child.answer()
                auditor.absorb(part)
        finally:
            for child in children:
                child.end()
        return auditor.finish()


class _Child:
    """One shard audited in a forked process; its answer comes back through a pipe."""

    def __init__(self, auditor: Auditor, shard: JobShard) -> None:
        receiving, sending = multiprocessing.Pipe(duplex=False)
        context = multiprocessing.get_context("fork")
        self.process = context.Process(
            target=_audit_shard, args=(auditor, shard, sending), daemon=True,
            name="routeplan-audit-shard",
        )
        self.process.start()
        sending.close()  # the child's end: without it here, a dead child would not be seen
        self.receiving = receiving

    def answer(self) -> tuple[Part, list[Unassigned]]:
        try:
            answer = self.receiving.recv()
        except EOFError:
            self.process.join()
            raise RoutingError(
                f"an audit worker process ended without an answer (exit code "
                f"{self.process.exitcode})"
            ) from None
        except Exception as exc:  # an error whose class cannot be rebuilt here
            raise RoutingError(f"an audit worker's answer could not be read: {exc}") from None
        if isinstance(answer, BaseException):
            raise answer
        part, rejected = answer
        return part, rejected

    def end(self) -> None:
        self.receiving.close()
        if self.process.is_alive():
            self.process.terminate()
        self.process.join()


def _audit_shard(auditor: Auditor, shard: JobShard, sending: Connection) -> None:
    """In the child: audit the shard, send the part and the rejected jobs (or the error)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    try:
        for job in shard.stream():
            auditor.job(job)
        answer: object = (auditor.part(), shard.rejected)
    except Exception as exc:  # sent to the parent, which raises it
        answer = exc
    try:
        sending.send(answer)
    except OSError:  # the parent is gone: nobody to answer
        return
    except Exception:  # an error that cannot be pickled: send what it said
        sending.send(RoutingError(f"an audit worker process failed: {answer}"))
