"""Writing a plan back to Amazon, resumably: :func:`apply_plan`.

Per planned appointment, in route order: the assignment (when Amazon shows another
technician or none), then the arrival estimate. Every call is journalled write-ahead
(:mod:`routing.writeback.journal`); one failure never stops the others.

Resuming is decided per action from its journal row (same plan identity, same request):

* ``ok`` / ``warning``: never repeated, whatever Amazon shows now.
* ``failed``: retried.
* ``started`` without an outcome (the process died mid-call):

  - an **assignment** is resolved from Amazon: the jobs are read at the start of every run,
    after the crash, so if Amazon already shows the planned technician the interrupted call
    took effect and the row becomes ``ok`` without a call; otherwise it did not, and the
    call is made. (Assignments replace the technicians, so re-reading is exact.)
  - an **arrival estimate** cannot be read back (a job carries no estimate), so it is sent
    again: skipping it could leave a customer without an estimate, while re-sending the
    same window is harmless. This is the one case where Amazon may see a call twice, at most
    once per interrupted run, and the result says so (``note``).

A row whose request differs from today's (the same plan re-run with another
``--eta-margin``) is a new action and is sent. A plan that moves a time or a technician has
a new identity, so all its calls are new. An estimate is not sent for an appointment whose
assignment failed in this run (it would announce a technician Amazon refused); it goes out
on the run that assigns it.

Assumption: a call cut off by a crash has been applied or dropped by Amazon by the time the
next run reads the job (seconds later at the least).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Protocol

from routing.plan import Plan
from routing.spapi import AuthError, ServicesClient, SpApiError, SpApiRequestError, WriteResult
from routing.writeback.actions import (
    DEFAULT_MARGIN,
    Action,
    ActionKind,
    Change,
    Comparison,
    Skipped,
    actions_for,
    compare_plan,
    plan_identity,
    targets_of,
)
from routing.writeback.journal import Journal, Outcome, State

__all__ = [
    "RESENT_NOTE",
    "RESOLVED_NOTE",
    "ActionResult",
    "ActionRun",
    "ApplyProgress",
    "ApplyReport",
    "NoProgress",
    "ResultStatus",
    "Send",
    "apply_plan",
    "done_earlier",
    "failure_outcome",
    "send_journalled",
    "send_once",
    "success_outcome",
]

RESENT_NOTE = ("re-sent: the previous run stopped during this call and an arrival estimate "
               "cannot be read back from Amazon")
RESOLVED_NOTE = ("not re-sent: Amazon already shows {technician} (the previous run stopped "
                 "during this call, which took effect)")


class ResultStatus(StrEnum):
    OK = "ok"
    WARNING = "warning"
    FAILED = "failed"
    DONE_EARLIER = "done earlier"
    BLOCKED = "blocked"


class ApplyProgress(Protocol):
    """Told about each stage (reading jobs, writing) and each step done."""

    def begin(self, stage: str, total: int) -> None: ...

    def advance(self) -> None: ...


@dataclass(frozen=True)
class ActionResult:
    """One action of this run. ``sent``: a call went out to Amazon in this run."""

    action: Action
    status: ResultStatus
    outcome: Outcome | None = None
    sent: bool = False

    @property
    def detail(self) -> str:
        """Amazon's codes and message, and any note, in one line."""
        if self.outcome is None:
            return ""
        parts = [", ".join(self.outcome.codes), self.outcome.message or "", self.outcome.note or ""]
        return "; ".join(part for part in parts if part)


@dataclass
class ApplyReport:
    """What a run did: per appointment, the comparison and the results of its actions."""

    plan_id: str
    comparisons: list[Comparison]
    skipped: list[Skipped]
    results: list[ActionResult] = field(default_factory=list)

    def results_for(self, comparison: Comparison) -> dict[ActionKind, ActionResult]:
        target = comparison.target
        return {r.action.kind: r for r in self.results
                if r.action.target.service_job_id == target.service_job_id
                and r.action.target.appointment_id == target.appointment_id}

    def count(self, kind: ActionKind, *statuses: ResultStatus) -> int:
        return sum(1 for r in self.results if r.action.kind is kind and r.status in statuses)

    @property
    def problems(self) -> int:
        """Appointments Amazon could not be read for, plus actions that failed."""
        unreadable = sum(1 for c in self.comparisons if c.problem is not None)
        return unreadable + sum(1 for r in self.results if r.status is ResultStatus.FAILED)

    @property
    def succeeded(self) -> bool:
        return self.problems == 0


def apply_plan(
    plan: Plan,
    client: ServicesClient,
    *,
    journal: Journal,
    margin: timedelta = DEFAULT_MARGIN,
    progress: ApplyProgress | None = None,
) -> ApplyReport:
    """Assign the plan's technicians and send its arrival estimates, resuming from ``journal``.

    Raises only when Amazon cannot be used at all (login refused) or the journal cannot be
    written; everything else is in the report.
    """
    plan_id = plan_identity(plan)
    steps = progress or NoProgress()
    targets, _ = targets_of(plan)
    steps.begin("reading jobs", len({t.service_job_id for t in targets}))
    comparisons, skipped = compare_plan(plan, client, on_read=steps.advance)
    report = ApplyReport(plan_id, comparisons, skipped)
    planned = [(c, actions_for(c, margin)) for c in comparisons]
    steps.begin("writing", sum(len(actions) for _, actions in planned))
    run = ActionRun(plan_id, client, journal)
    for comparison, actions in planned:
        for result in run.appointment(comparison, actions):
            report.results.append(result)
            steps.advance()
    return report


class NoProgress:
    """An :class:`ApplyProgress` that shows nothing."""

    def begin(self, stage: str, total: int) -> None:
        pass

    def advance(self) -> None:
        pass


@dataclass
class ActionRun:
    """One run's journalled calls under one plan identity (shared by assign and booking)."""

    plan_id: str
    client: ServicesClient
    journal: Journal

    def appointment(self, comparison: Comparison,
                    actions: list[Action]) -> Iterator[ActionResult]:
        assigned_ok = True
        if comparison.change is Change.UNCHANGED:
            resolved = self._resolve_unchanged(comparison)
            if resolved is not None:
                yield resolved
        for action in actions:
            if action.kind is ActionKind.ASSIGN:
                result = self._assign(action)
                assigned_ok = result.status is not ResultStatus.FAILED
            elif not assigned_ok:
                result = ActionResult(action, ResultStatus.BLOCKED, Outcome(
                    State.FAILED, note="not sent: the assignment failed"))
            else:
                result = self._eta(action)
            yield result

    def _resolve_unchanged(self, comparison: Comparison) -> ActionResult | None:
        """Amazon shows the planned technician: settle an assignment journalled earlier."""
        target = comparison.target
        action = Action(ActionKind.ASSIGN, target, {"resources": [target.technician_id]})
        entry = self.journal.entry(self.plan_id, action.key)
        if entry is None:
            return None
        if entry.state.succeeded:
            return ActionResult(action, ResultStatus.DONE_EARLIER, entry.outcome)
        outcome = Outcome(State.OK, note=RESOLVED_NOTE.format(technician=target.technician_id))
        self.journal.finish(self.plan_id, action.key, outcome)
        return ActionResult(action, ResultStatus.OK, outcome)

    def _assign(self, action: Action) -> ActionResult:
        entry = self.journal.entry(self.plan_id, action.key)
        if entry is not None and entry.state.succeeded:
            return ActionResult(action, ResultStatus.DONE_EARLIER, entry.outcome)
        target = action.target
        return send_journalled(
            self.journal, self.plan_id, action,
            lambda: self.client.assign_appointment_resources(
                target.service_job_id, target.appointment_id, [target.technician_id]))

    def _eta(self, action: Action) -> ActionResult:
        target = action.target
        window = (datetime.fromisoformat(action.request["start"]),
                  datetime.fromisoformat(action.request["end"]))
        return send_once(self.journal, self.plan_id, action,
                         lambda: self.client.set_appointment_fulfillment_data(
                             target.service_job_id, target.appointment_id,
                             estimated_arrival=window),
                         resent_note=RESENT_NOTE)


class Send(Protocol):
    """The call an action makes."""

    def __call__(self) -> WriteResult: ...


def send_once(journal: Journal, plan_id: str, action: Action, send: Send, *,
              resent_note: str) -> ActionResult:
    """Send an action that cannot be read back from Amazon, unless it succeeded before.

    The same request journalled ``ok`` or ``warning`` is not sent again; one left
    ``started`` (the run died mid-call) is sent again with ``resent_note`` on its result:
    for a call whose repetition is harmless, resending is the only way not to lose it.
    """
    earlier = done_earlier(journal, plan_id, action)
    if earlier is not None:
        return earlier
    entry = journal.entry(plan_id, action.key)
    cut_off = entry is not None and entry.request == action.request_text \
        and entry.state is State.STARTED
    return send_journalled(journal, plan_id, action, send,
                           resent_note if cut_off else None)


def done_earlier(journal: Journal, plan_id: str, action: Action) -> ActionResult | None:
    """The result of this very request when an earlier run had it taken (ok or warning)."""
    entry = journal.entry(plan_id, action.key)
    if entry is None or entry.request != action.request_text or not entry.state.succeeded:
        return None
    return ActionResult(action, ResultStatus.DONE_EARLIER, entry.outcome)


def send_journalled(journal: Journal, plan_id: str, action: Action, send: Send,
                    note: str | None = None) -> ActionResult:
    """Journal ``started``, send, journal the answer: the write-ahead protocol.

    Amazon's refusal is a ``failed`` result; a refused login is journalled and raised
    (every later call would fail the same way).
    """
    journal.start(plan_id, action.key, action.request_text)
    try:
        answer = send()
    except SpApiError as exc:
        outcome = failure_outcome(exc, note)
        journal.finish(plan_id, action.key, outcome)
        if isinstance(exc, AuthError):
            raise
        return ActionResult(action, ResultStatus.FAILED, outcome, sent=True)
    outcome = success_outcome(answer, note)
    journal.finish(plan_id, action.key, outcome)
    return ActionResult(action, ResultStatus(outcome.state.value), outcome, sent=True)


def success_outcome(answer: WriteResult, note: str | None) -> Outcome:
    """The journal outcome of an answered call: ok, or warning when Amazon said something."""
    said: list[tuple[str, str]] = [(w.code, w.message) for w in answer.warnings]
    said += [(e.code, e.message) for e in answer.errors]
    return Outcome(
        State.WARNING if said else State.OK,
        tuple(code for code, _ in said),
        "; ".join(message for _, message in said) or None,
        answer.request_id, None, note,
    )


def failure_outcome(exc: SpApiError, note: str | None) -> Outcome:
    """The journal outcome of a refused or unanswered call, with Amazon's codes."""
    if isinstance(exc, SpApiRequestError):
        messages = "; ".join(e.message for e in exc.errors)
        return Outcome(State.FAILED, tuple(e.code for e in exc.errors),
                       messages or str(exc), exc.request_id, exc.status, note)
    return Outcome(State.FAILED, ("RequestValidation",), str(exc), note=note)

