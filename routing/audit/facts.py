"""The audit's counting, done on columns: one row of facts per audited appointment.

The pass over the jobs (:mod:`routing.audit.engine`) works out, in plain Python, what each
appointment *is* (its window, arrival, start, completion as integer microseconds; whether
it is completed, replaced, due; its job's verdicts). Everything after that is arithmetic on
whole columns with numpy: each metric is a pair of boolean columns (counted, hit), the
tallies are their sums grouped by technician-day (:func:`numpy.bincount`), and an
appointment's findings are the metrics it fails, in the order of :data:`RULE_ORDER`.
Done one appointment at a time in Python this was most of a 100,000-appointment audit.

Times are integer microseconds since the Unix epoch (exact, as ``datetime`` compares);
:data:`NO_TIME` stands for "unknown".
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import IntEnum
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt

from routing.audit.metrics import Metric, Polarity

__all__ = [
    "NO_TIME", "ROW", "RULE_ORDER", "VERDICTS", "Causes", "Counts", "Fact", "Facts", "Outcome",
    "Verdict", "count", "micros",
]

NO_TIME = -(2**63)
"""An unknown time in a time column."""

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)

Bools = npt.NDArray[np.bool_]
Ints = npt.NDArray[np.int64]


def micros(moment: datetime | None) -> int:
    """Microseconds since the epoch (exact, unlike ``timestamp()``), or :data:`NO_TIME`."""
    return NO_TIME if moment is None else (moment - _EPOCH) // _MICROSECOND


class Outcome(IntEnum):
    """The visit log's outcome, as a small integer column."""

    NONE = 0
    COMPLETED = 1
    INCOMPLETE = 2
    CUSTOMER_NO_SHOW = 3


class Verdict(IntEnum):
    """A job-level metric's value on the appointment that carries it."""

    NOT_COUNTED = -1
    MISS = 0
    HIT = 1


class Causes(IntEnum):
    """Bits of the fulfillment-break causes column (-1: not counted on this appointment)."""

    RESCHEDULED = 1
    CANCELLED = 2
    SEVERAL_APPOINTMENTS = 4
    LATE_COMPLETION = 8
    INCOMPLETE_FIRST_VISIT = 16


_CAUSE_METRICS = {
    Causes.RESCHEDULED: Metric.BREAK_RESCHEDULED,
    Causes.CANCELLED: Metric.BREAK_CANCELLED,
    Causes.SEVERAL_APPOINTMENTS: Metric.BREAK_SEVERAL_APPOINTMENTS,
    Causes.LATE_COMPLETION: Metric.BREAK_LATE_COMPLETION,
    Causes.INCOMPLETE_FIRST_VISIT: Metric.BREAK_INCOMPLETE_FIRST_VISIT,
}

RULE_ORDER = (
    Metric.ON_TIME_ARRIVAL,
    Metric.EARLY_ARRIVAL,
    Metric.ETA_ACCURACY,
    Metric.SCHEDULE_ADHERENCE,
    Metric.LATE_START,
    Metric.COMPLETION_IN_WINDOW,
    Metric.CUSTOMER_NO_SHOW,
    Metric.TECHNICIAN_NO_SHOW,
    Metric.RESCHEDULE,
    Metric.RESCHEDULE_PROVIDER,
    Metric.RESCHEDULE_UNATTRIBUTED,
    Metric.LATE_COMPLETION,
    Metric.FIRST_VISIT_COMPLETION,
    Metric.CANCELLATION_AFTER_ASSIGNMENT,
    Metric.FULFILLMENT_BREAK,
    *_CAUSE_METRICS.values(),
)
"""The counted metrics, in the order an appointment's findings list them: its own, then
those of its job it carries."""


class Fact(NamedTuple):
    """One audited appointment's row of facts (see the module doc)."""

    group: int
    """Index of the appointment's technician-day."""
    window_start: int
    window_end: int
    arrival: int
    start: int
    completion: int
    eta_start: int
    """The arrival estimate routeplan sent, or :data:`NO_TIME`."""
    eta_end: int
    planned_arrival: int
    latest_finish: int
    """Window end + the planned service duration."""
    planned_minutes: float
    completed: bool
    replaced: bool
    by_provider: bool
    """Replaced by a reschedule routeplan sent with a provider reason."""
    no_show_candidate: bool
    """Attributed to a technician and live at its window: not replaced and live or
    completed, or with a visit-log row (a visit proves it was live, even when a reschedule
    or cancellation came after it); due once its window has ended."""
    evidence: bool
    """Of a visit: a visit-log row, fulfillment data sent, a POA or COMPLETED."""
    outcome: Outcome
    skills: int
    """Index into :attr:`Facts.skill_sets`."""


_DTYPES: dict[str, type[np.generic]] = {
    "planned_minutes": np.float64,
    **dict.fromkeys(("completed", "replaced", "by_provider", "no_show_candidate", "evidence"),
                    np.bool_),
}

ROW = np.dtype([(name, _DTYPES.get(name, np.int64)) for name in Fact._fields])
"""A row of facts as a numpy record."""

VERDICTS = ("late_completion", "first_visit_completion", "cancellation", "break_causes")
"""The job-level verdicts :class:`Facts` keeps by row."""


@dataclass
class Facts:
    """The rows, and the job-level verdicts of the few rows that carry one."""

    rows: list[Fact] = field(default_factory=list)
    late_completion: dict[int, Verdict] = field(default_factory=dict)
    """By row; a row not listed does not count in the metric. Likewise the next two."""
    first_visit_completion: dict[int, Verdict] = field(default_factory=dict)
    cancellation: dict[int, Verdict] = field(default_factory=dict)
    break_causes: dict[int, int] = field(default_factory=dict)
    """By row: a sum of :class:`Causes`."""
    skill_sets: list[tuple[str, ...]] = field(default_factory=list)
    """The distinct required-skill tuples."""
    _table: npt.NDArray[np.void] = field(
        init=False, repr=False, default_factory=lambda: np.array([], dtype=ROW))
    """The rows before :attr:`rows`, as numpy records."""

    def __len__(self) -> int:
        return len(self._table) + len(self.rows)

    def table(self) -> npt.NDArray[np.void]:
        """Every row as a numpy record (:data:`ROW`), in order; they are kept so from then
        on (a second call copies nothing)."""
        if self.rows:
            # numpy reads the rows into one structured array in C, several times faster
            # than transposing them in Python and converting each column
            self._table = np.concatenate([self._table, np.array(self.rows, dtype=ROW)])
            self.rows = []
        return self._table

    def extend(self, table: npt.NDArray[np.void]) -> None:
        """Add rows given as numpy records, after those so far."""
        self._table = np.concatenate([self.table(), table])

    def arrays(self) -> _Arrays:
        """The columns as numpy arrays, typed even when empty; -1 where no verdict."""
        table = self.table()
        arrays = {name: np.ascontiguousarray(table[name]) for name in Fact._fields}
        for name in VERDICTS:
            verdicts: dict[int, int] = getattr(self, name)
            column = arrays[name] = np.full(len(table), -1, dtype=np.int64)
            column[list(verdicts)] = list(verdicts.values())
        return _Arrays(arrays)


@dataclass
class Counts:
    """Per technician-day sums: ``numerators[metric][group]`` over ``denominators[...]``."""

    numerators: dict[Metric, list[int]]
    denominators: dict[Metric, list[int]]
    findings: list[list[Metric]]
    """Per appointment."""
    onsite_minutes: list[int]
    """Per technician-day: from arrival to completion, of the appointments with both."""
    duration_samples: dict[str, list[float]]


@dataclass
class _Arrays:
    column: dict[str, npt.NDArray[Any]]
    """Typed per column by :data:`_DTYPES` (int64 unless named there)."""

    def __getitem__(self, name: str) -> npt.NDArray[Any]:
        return self.column[name]

    def has(self, name: str) -> Bools:
        return self.column[name] != NO_TIME


def count(
    facts: Facts, groups: int, *, now: datetime, early_tolerance: timedelta,
    adherence_tolerance: timedelta,
) -> Counts:
    """Every metric's numerator and denominator per technician-day, and the findings."""
    a = facts.arrays()
    rules = _rules(a, micros(now), early_tolerance // _MICROSECOND,
                   adherence_tolerance // _MICROSECOND)
    group = a["group"]
    numerators: dict[Metric, list[int]] = {}
    denominators: dict[Metric, list[int]] = {}
    finding_bits = np.zeros(len(facts), dtype=np.int64)
    for bit, (metric, counted, hit) in enumerate(rules):
        denominators[metric] = np.bincount(group[counted], minlength=groups).tolist()
        numerators[metric] = np.bincount(group[counted & hit], minlength=groups).tolist()
        polarity = metric.polarity
        if polarity is not Polarity.INFO:
            failed = counted & (hit if polarity is Polarity.FAULT else ~hit)
            finding_bits |= failed.astype(np.int64) << bit
    ratio_numerators, ratio_denominators, samples = _durations(a, facts.skill_sets, groups)
    numerators[Metric.DURATION_RATIO] = ratio_numerators
    denominators[Metric.DURATION_RATIO] = ratio_denominators
    return Counts(numerators, denominators, _findings(finding_bits, [r[0] for r in rules]),
                  _onsite(a, groups), samples)


def _rules(a: _Arrays, now: int, early: int, adherence: int) -> list[tuple[Metric, Bools, Bools]]:
    """(metric, counted, hit) for every counted metric, in :data:`RULE_ORDER`."""
    start, end = a["window_start"], a["window_end"]
    arrival, begun, completion = a["arrival"], a["start"], a["completion"]
    arrived, completed = a.has("arrival"), a["completed"]
    earliest = start - early
    replaced, provider = a["replaced"], a["by_provider"]
    due = a["no_show_candidate"] & (end <= now)
    rules = [
        (Metric.ON_TIME_ARRIVAL, arrived, (earliest <= arrival) & (arrival <= end)),
        (Metric.EARLY_ARRIVAL, arrived, arrival < earliest),
        (Metric.ETA_ACCURACY, arrived & a.has("eta_start"),
         (a["eta_start"] <= arrival) & (arrival <= a["eta_end"])),
        # the planned arrival's column holds NO_TIME where there is none: subtracting it
        # would overflow, so compare only where both are known
        (Metric.SCHEDULE_ADHERENCE, arrived & a.has("planned_arrival"),
         np.abs(np.where(a.has("planned_arrival"), arrival - a["planned_arrival"], 0))
         <= adherence),
        (Metric.LATE_START, completed & a.has("start"), ~((start <= begun) & (begun < end))),
        (Metric.COMPLETION_IN_WINDOW, completed & a.has("completion"),
         completion <= a["latest_finish"]),
        (Metric.CUSTOMER_NO_SHOW, due, a["outcome"] == Outcome.CUSTOMER_NO_SHOW),
        (Metric.TECHNICIAN_NO_SHOW, due, ~a["evidence"]),
        (Metric.RESCHEDULE, np.ones_like(replaced), replaced),
        (Metric.RESCHEDULE_PROVIDER, np.ones_like(replaced), provider),
        (Metric.RESCHEDULE_UNATTRIBUTED, np.ones_like(replaced), replaced & ~provider),
    ]
    for metric, column in ((Metric.LATE_COMPLETION, "late_completion"),
                           (Metric.FIRST_VISIT_COMPLETION, "first_visit_completion"),
                           (Metric.CANCELLATION_AFTER_ASSIGNMENT, "cancellation")):
        verdict = a[column]
        rules.append((metric, verdict != Verdict.NOT_COUNTED, verdict == Verdict.HIT))
    causes = a["break_causes"]
    broken = causes != -1
    rules.append((Metric.FULFILLMENT_BREAK, broken, causes > 0))
    rules.extend(
        (metric, broken, (causes & cause) != 0) for cause, metric in _CAUSE_METRICS.items()
    )
    assert tuple(r[0] for r in rules) == RULE_ORDER
    return rules


def _minutes(micro_span: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """Whole minutes, rounded half to even like :func:`routing.audit.inputs.minutes`
    (same float steps as ``round(timedelta.total_seconds() / 60)``)."""
    return np.rint(micro_span / 1e6 / 60).astype(np.int64)


def _onsite(a: _Arrays, groups: int) -> list[int]:
    arrival, completion = a["arrival"], a["completion"]
    both = a.has("arrival") & a.has("completion")
    both &= np.where(both, completion >= arrival, False)
    spans = _minutes(completion[both] - arrival[both])
    return np.bincount(a["group"][both], weights=spans, minlength=groups).astype(np.int64).tolist()


def _durations(
    a: _Arrays, skill_sets: list[tuple[str, ...]], groups: int
) -> tuple[list[int], list[int], dict[str, list[float]]]:
    """Actual ÷ planned service minutes of completed appointments: sums per technician-day
    and samples per skill (in appointment order)."""
    start, completion, planned = a["start"], a["completion"], a["planned_minutes"]
    sampled = (a["completed"] & a.has("start") & a.has("completion")
               & (planned > 0))
    sampled &= np.where(sampled, completion >= start, False)
    actual = _minutes(completion[sampled] - start[sampled])
    group = a["group"][sampled]
    numerators = np.bincount(group, weights=actual, minlength=groups)
    denominators = np.bincount(group, weights=np.rint(planned[sampled]), minlength=groups)
    ratios = actual / planned[sampled]
    return (numerators.astype(np.int64).tolist(), denominators.astype(np.int64).tolist(),
            _per_skill(ratios, a["skills"][sampled], skill_sets))


def _per_skill(
    ratios: npt.NDArray[np.float64], skill_of: Ints, skill_sets: list[tuple[str, ...]]
) -> dict[str, list[float]]:
    """Per skill, the ratio of every appointment needing it, in appointment order (once
    per time a job lists the skill, as the samples were always kept)."""
    samples: dict[str, list[float]] = {}
    for skill in dict.fromkeys(s for skills in skill_sets for s in skills):
        times = np.array([skills.count(skill) for skills in skill_sets])[skill_of]
        chosen = np.repeat(ratios, times)
        if chosen.size:
            samples[skill] = chosen.tolist()
    return samples


def _findings(bits: Ints, metrics: list[Metric]) -> list[list[Metric]]:
    """Each appointment's failed metrics, from its bit mask (bit i = ``metrics[i]``)."""
    named: dict[int, list[Metric]] = {}
    findings = []
    for mask in bits.tolist():
        listed = named.get(mask)
        if listed is None:
            listed = named[mask] = [m for i, m in enumerate(metrics) if mask >> i & 1]
        findings.append(list(listed))
    return findings
