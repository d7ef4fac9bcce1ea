"""Write-back per seller: one queue, one client, one journal, whatever the partitions.

Amazon's usage plans are per seller and application (``assignAppointmentResources``: one
request a second), so the plans of all of a seller's partitions are written back one after
the other by one thread of the driver, through one :class:`ServicesClient` whose rate
limiter paces every call, and one journal that makes a re-run resume. Workers never call
Amazon.
"""

from __future__ import annotations

import queue
import threading
from dataclasses import dataclass
from pathlib import Path

from routing.errors import RoutingError
from routing.plan import Plan
from routing.spapi import ServicesClient
from routing.writeback import Journal, ResultStatus, apply_plan

__all__ = ["SellerWriteback", "WritebackOutcome"]

_WRITTEN = (ResultStatus.OK, ResultStatus.WARNING)


@dataclass(frozen=True)
class WritebackOutcome:
    """What writing one partition's plan back did."""

    seller: str
    plan: str
    written: int = 0
    problems: int = 0
    error: str | None = None

    @property
    def succeeded(self) -> bool:
        return self.error is None and self.problems == 0


class SellerWriteback:
    """A queue of plan files, written back in order by a thread of its own."""

    def __init__(self, seller: str, client: ServicesClient, journal: Path) -> None:
        self.seller = seller
        self.client = client
        self.journal = journal
        self.outcomes: list[WritebackOutcome] = []
        self._plans: queue.Queue[str | None] = queue.Queue()
        self._thread = threading.Thread(target=self._work, name=f"write-back {seller}",
                                        daemon=True)
        self._thread.start()

    def submit(self, plan: str) -> None:
        self._plans.put(plan)

    def finish(self) -> list[WritebackOutcome]:
        """Wait until every submitted plan is written back; their outcomes."""
        self._plans.put(None)
        self._thread.join()
        return self.outcomes

    def _work(self) -> None:
        try:
            self.journal.parent.mkdir(parents=True, exist_ok=True)
            journal = Journal(self.journal)
        except OSError as exc:
            self._drain(f"{self.journal.parent}: cannot create: {exc.strerror or exc}")
            return
        except RoutingError as exc:
            self._drain(str(exc))
            return
        with journal:
            while (path := self._plans.get()) is not None:
                self.outcomes.append(self._apply(path, journal))

    def _apply(self, path: str, journal: Journal) -> WritebackOutcome:
        try:
            plan = Plan.from_json(Path(path).read_bytes())
            report = apply_plan(plan, self.client, journal=journal)
        except (RoutingError, OSError, ValueError) as exc:
            return WritebackOutcome(self.seller, path, error=str(exc).splitlines()[0])
        written = sum(1 for r in report.results if r.status in _WRITTEN)
        return WritebackOutcome(self.seller, path, written=written, problems=report.problems)

    def _drain(self, error: str) -> None:
        """The journal cannot be opened: every plan is reported, none written."""
        while (path := self._plans.get()) is not None:
            self.outcomes.append(WritebackOutcome(self.seller, path, error=error))
