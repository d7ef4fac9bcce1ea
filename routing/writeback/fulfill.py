"""Telling Amazon what happened: a visit log's actual times, with setAppointmentFulfillmentData.

Each visit-log row with times becomes one call for its appointment: ``fulfillmentTime``
from the actual start (``started_at``, else ``arrived_at``) to ``finished_at``, and
``appointmentResources`` = the row's technician (left out when the row names none).
Amazon's rules are checked here first, so a row that breaks them gets a reason instead of
a 422: both times given, neither in the future, the end after the start, the job known to
Amazon and the appointment one of its ACTIVE appointments, one row per appointment. A row
without any time (a customer no-show, say) or not finished yet is skipped, not refused.

Every call is journalled write-ahead in the same journal as ``assign``
(:mod:`routing.writeback.journal`, kind ``fulfill``). A row's journal key is the identity
of its own content (job, appointment, technician, start, end; :func:`visit_identity`),
not of the whole file as for a plan: a visit log grows through the day and is sent again,
and a row already taken must not be re-sent because other rows were added. A row whose
times or technician are corrected has a new identity and is sent again (new data).

Resuming, per row:

* ``ok`` / ``warning``: never re-sent.
* ``failed``: re-sent.
* ``started`` without an outcome (the run died mid-call): **re-sent**. Amazon never
  returns ``fulfillmentTime``, so whether the cut-off call took effect cannot be read
  back; setAppointmentFulfillmentData is idempotent in effect (the same times and
  technician again leave the appointment as they were), so re-sending is harmless while
  skipping could lose the visit. Amazon may so see one call twice, at most once per
  interrupted run, and the result says so (``note``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from routing.spapi import ServicesClient
from routing.writeback.actions import (
    Action,
    ActionKind,
    Target,
    appointment_problem,
    identity_of,
    job_reader,
    wire_time,
)
from routing.writeback.apply import (
    ActionResult,
    ApplyProgress,
    NoProgress,
    ResultStatus,
    done_earlier,
    send_once,
)
from routing.writeback.journal import Journal

if TYPE_CHECKING:  # the audit imports the write-back (its journal): no cycle at run time
    from routing.audit.visitlog import VisitLog, VisitRow

__all__ = [
    "RESENT_FULFILLMENT_NOTE",
    "FulfillReport",
    "FulfillRow",
    "apply_fulfillment",
    "check_rows",
    "fulfillment_rows",
    "jobs_to_read",
    "sent_earlier",
    "visit_identity",
]

RESENT_FULFILLMENT_NOTE = ("re-sent: the previous run stopped during this call and "
                           "fulfillment data cannot be read back from Amazon")


@dataclass(frozen=True)
class FulfillRow:
    """One visit-log row: the call it makes (``action``), or why it makes none.

    ``refused``: the row breaks one of Amazon's rules (or cannot be read) and is not sent;
    ``skipped``: nothing to send yet (no times, not finished). The action's target carries
    the technician as ``""`` when the row names none.
    """

    line: int
    service_job_id: str
    appointment_id: str
    technician_id: str | None = None
    start: datetime | None = None
    end: datetime | None = None
    action: Action | None = None
    refused: str | None = None
    skipped: str | None = None

    @property
    def identity(self) -> str:
        return visit_identity(self.service_job_id, self.appointment_id, self.technician_id,
                              self.start, self.end)


def visit_identity(service_job_id: str, appointment_id: str, technician_id: str | None,
                   start: datetime | None, end: datetime | None) -> str:
    """The journal key of one visit's call: what it tells Amazon, nothing else."""
    return identity_of([service_job_id, appointment_id, technician_id,
                        None if start is None else wire_time(start),
                        None if end is None else wire_time(end)])


def fulfillment_rows(log: VisitLog, *, now: datetime | None = None) -> list[FulfillRow]:
    """Every row of ``log`` checked against Amazon's rules, in line order (reads nothing).

    The visit log's own bad rows (a naive time, a finish before the start, …) are refused
    with the reader's reason; so is every row of an appointment that appears twice (which
    visit to send is ambiguous).
    """
    moment = now or datetime.now(UTC)
    lines: dict[tuple[str, str], list[int]] = {}
    for row in log.rows:
        lines.setdefault((row.service_job_id, row.appointment_id), []).append(row.line)
    rows = [_checked(row, moment, lines[(row.service_job_id, row.appointment_id)])
            for row in log.rows]
    rows += [FulfillRow(problem.line, "", "", refused=problem.message)
             for problem in log.problems]
    return sorted(rows, key=lambda r: r.line)


def _checked(row: VisitRow, now: datetime, lines: list[int]) -> FulfillRow:
    """``lines``: the lines of the log with this row's appointment (its own included)."""
    start = row.started_at or row.arrived_at
    end = row.finished_at
    made = FulfillRow(row.line, row.service_job_id, row.appointment_id, row.technician_id,
                      start, end)
    if len(lines) > 1:
        where = ", ".join(str(line) for line in lines)
        return replace(made, refused=f"the appointment is on lines {where}: which visit to "
                                     "send is ambiguous")
    if start is None and end is None:
        return replace(made, skipped="no visit times (nothing to send)")
    if start is None:
        return replace(made, refused="finished_at without started_at or arrived_at: Amazon "
                                     "needs the start and the end")
    if end is None:
        return replace(made, skipped="not finished (no finished_at): sent once it is")
    future = [name for name, moment in (("start", start), ("end", end)) if moment > now]
    if future:
        return replace(made, refused=f"the {' and '.join(future)} "
                                     f"{'is' if len(future) == 1 else 'are'} in the future "
                                     f"(now {wire_time(now.replace(microsecond=0))}): Amazon "
                                     "refuses future times")
    if end == start:  # a finish before the start is refused by the visit log's reader
        return replace(made, refused=f"the end is the start ({wire_time(start)}): Amazon "
                                     "needs the end after the start")
    request: dict[str, object] = {"start": wire_time(start), "end": wire_time(end)}
    if row.technician_id:
        request["resources"] = [row.technician_id]
    target = Target(row.service_job_id, row.appointment_id, row.technician_id or "", start)
    return replace(made, action=Action(ActionKind.FULFILL, target, request))


def check_rows(rows: list[FulfillRow], client: ServicesClient, *,
               on_read: Callable[[], None] | None = None) -> list[FulfillRow]:
    """``rows`` with those to send checked against Amazon now (each job read once).

    An unknown job, an appointment the job does not have or one that is not ACTIVE is
    refused with the reason; login failures raise.
    """
    read = job_reader(client, on_read)
    checked = []
    for row in rows:
        problem = None if row.action is None else appointment_problem(
            read(row.service_job_id), row.appointment_id)
        checked.append(row if problem is None else replace(row, action=None, refused=problem))
    return checked


def jobs_to_read(rows: Iterable[FulfillRow]) -> int:
    """How many jobs :func:`check_rows` reads."""
    return len({row.service_job_id for row in rows if row.action is not None})


@dataclass
class FulfillReport:
    """What a run did: every row, and the results of the calls made for those sent."""

    rows: list[FulfillRow]
    results: dict[int, ActionResult] = field(default_factory=dict)
    """By the row's line."""

    @property
    def refused(self) -> int:
        return sum(1 for row in self.rows if row.refused is not None)

    @property
    def failed(self) -> int:
        return sum(1 for r in self.results.values() if r.status is ResultStatus.FAILED)

    def count(self, *statuses: ResultStatus) -> int:
        return sum(1 for r in self.results.values() if r.status in statuses)

    @property
    def succeeded(self) -> bool:
        """Every row with something to send was sent (now or earlier); none refused."""
        return self.refused == 0 and self.failed == 0


def apply_fulfillment(rows: list[FulfillRow], client: ServicesClient, *, journal: Journal,
                      progress: ApplyProgress | None = None) -> FulfillReport:
    """Check ``rows`` against Amazon and send each one's fulfillment data, once.

    Raises only when Amazon cannot be used at all (login refused) or the journal cannot be
    written; everything else is in the report.
    """
    steps = progress or NoProgress()
    steps.begin("reading jobs", jobs_to_read(rows))
    report = FulfillReport(check_rows(rows, client, on_read=steps.advance))
    sending = [(row, row.action) for row in report.rows if row.action is not None]
    steps.begin("writing", len(sending))
    for row, action in sending:
        report.results[row.line] = _send(row, action, client, journal)
        steps.advance()
    return report


def sent_earlier(rows: Iterable[FulfillRow], journal: Journal) -> dict[int, ActionResult]:
    """By line, the rows an earlier run had taken: what ``--apply`` would not send again."""
    earlier = {}
    for row in rows:
        result = None if row.action is None else done_earlier(journal, row.identity, row.action)
        if result is not None:
            earlier[row.line] = result
    return earlier


def _send(row: FulfillRow, action: Action, client: ServicesClient,
          journal: Journal) -> ActionResult:
    return send_once(
        journal, row.identity, action,
        lambda: client.set_appointment_fulfillment_data(
            row.service_job_id, row.appointment_id, fulfillment_time=(row.start, row.end),
            resource_ids=[row.technician_id] if row.technician_id else None),
        resent_note=RESENT_FULFILLMENT_NOTE)
