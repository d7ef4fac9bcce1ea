"""Learn planning durations from what really happened on site (``routeplan durations learn``).

A sample is one completed visit of the visit log: its time on site (``finished_at −
started_at``, else ``finished_at − arrived_at``) divided by the job's quantity, because
the duration table is per unit and the planner multiplies by the quantity. Visits that
are not ``completed`` (no-shows, incomplete first visits) and visits without a finish are
no samples: they say nothing about how long the work takes.

A sample counts for its ASIN, and for its skill when the job requires exactly one: a
two-skill job (a dishwasher: appliance install and plumbing) takes longer than either
trade alone, so counting it under both would inflate both. The planner uses the ASIN entry
when there is one, else the longest of the job's skills, so a two-skill job is covered by
its ASIN once that has enough samples.

The planning duration of a skill or ASIN is a percentile of its samples, 75 by default.
The median would let every other visit overrun and push the next arrival late; the 75th
percentile covers three visits in four without padding every visit for the rare long one
(which a 2–4 h window absorbs). The percentile is computed by linear interpolation between
the closest ranks (numpy's default) and rounded to whole minutes. A skill or ASIN with fewer
than ``min_samples`` samples keeps its old value (an ASIN without an old entry gets none and
falls back to its skills); the default is always kept.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

import numpy as np

from routing.audit.visitlog import VisitOutcome, VisitRow
from routing.durations import DurationTable
from routing.spapi.models import ScopeOfWork, ServiceJob

__all__ = [
    "DEFAULT_MIN_SAMPLES",
    "DEFAULT_PERCENTILE",
    "Change",
    "Kind",
    "Learned",
    "Sample",
    "learn_durations",
    "samples_from_visits",
    "to_yaml",
]

DEFAULT_PERCENTILE = 75.0
DEFAULT_MIN_SAMPLES = 5


class Kind(StrEnum):
    SKILL = "skill"
    ASIN = "asin"


@dataclass(frozen=True, slots=True)
class Sample:
    """Minutes on site per unit of one completed visit, and what the job required."""

    minutes: float
    skills: tuple[str, ...]
    asin: str | None


@dataclass(frozen=True, slots=True)
class Change:
    """One skill or ASIN: its old and new planning duration and how many samples spoke."""

    kind: Kind
    key: str
    old: timedelta | None
    new: timedelta | None
    samples: int
    learned: bool  # False: too few samples, the old value (or none) is kept

    @property
    def changed(self) -> bool:
        return self.old != self.new

    def as_json(self) -> dict[str, object]:
        def minutes(value: timedelta | None) -> int | None:
            return None if value is None else round(value.total_seconds() / 60)

        return {"kind": self.kind.value, "key": self.key, "old_minutes": minutes(self.old),
                "new_minutes": minutes(self.new), "samples": self.samples,
                "learned": self.learned, "changed": self.changed}


@dataclass(frozen=True, slots=True)
class Learned:
    table: DurationTable
    changes: list[Change]
    percentile: float
    min_samples: int


def samples_from_visits(
    visits: Iterable[VisitRow], jobs: Iterable[ServiceJob]
) -> tuple[list[Sample], list[str]]:
    """The samples of the completed visits, and a sentence per visit left out for a reason
    the user should hear of (its job is unknown); visits that are simply no sample (not
    completed, no finish) are left out silently."""
    scopes: dict[str | None, ScopeOfWork | None] = {
        job.service_job_id: job.scope_of_work for job in jobs}
    samples: list[Sample] = []
    unknown: list[str] = []
    for row in visits:
        if row.outcome != VisitOutcome.COMPLETED or row.finished_at is None:
            continue
        begin = row.started_at or row.arrived_at
        if begin is None or row.finished_at <= begin:
            continue
        if row.service_job_id not in scopes:
            unknown.append(row.service_job_id)
            continue
        scope = scopes[row.service_job_id]
        minutes = (row.finished_at - begin).total_seconds() / 60
        quantity = scope.quantity if scope is not None and scope.quantity else 1
        samples.append(Sample(
            minutes / max(quantity, 1),
            tuple(scope.required_skills or ()) if scope is not None else (),
            scope.asin if scope is not None else None,
        ))
    problems = [f"{len(unknown)} completed visits are of jobs not in the jobs given "
                f"(first: {unknown[0]}); they are left out"] if unknown else []
    return samples, problems


def learn_durations(
    samples: Iterable[Sample],
    old: DurationTable,
    *,
    percentile: float = DEFAULT_PERCENTILE,
    min_samples: int = DEFAULT_MIN_SAMPLES,
) -> Learned:
    """The new table: per skill and per ASIN the ``percentile`` of their samples when
    they have at least ``min_samples``, else the old value (see the module docstring)."""
    if not 0 < percentile <= 100:
        raise ValueError(f"percentile must be in (0, 100], got {percentile}")
    if min_samples < 1:
        raise ValueError(f"min_samples must be at least 1, got {min_samples}")
    by_skill: dict[str, list[float]] = defaultdict(list)
    by_asin: dict[str, list[float]] = defaultdict(list)
    for sample in samples:
        if len(set(sample.skills)) == 1:
            by_skill[sample.skills[0]].append(sample.minutes)
        if sample.asin:
            by_asin[sample.asin].append(sample.minutes)
    changes = [
        *_learn(Kind.SKILL, by_skill, old.by_skill, percentile, min_samples),
        *_learn(Kind.ASIN, by_asin, old.by_asin, percentile, min_samples),
    ]

    def entries(kind: Kind) -> dict[str, timedelta]:
        return {c.key: c.new for c in changes if c.kind is kind and c.new is not None}

    table = DurationTable(default=old.default, by_skill=entries(Kind.SKILL),
                          by_asin=entries(Kind.ASIN))
    return Learned(table, changes, percentile, min_samples)


def _learn(
    kind: Kind,
    samples: Mapping[str, list[float]],
    old: Mapping[str, timedelta],
    percentile: float,
    min_samples: int,
) -> list[Change]:
    changes = []
    for key in sorted(samples.keys() | old.keys()):
        values = samples.get(key, [])
        before = old.get(key)
        if len(values) >= min_samples:
            minutes = max(1, round(float(np.percentile(values, percentile))))
            changes.append(Change(kind, key, before, timedelta(minutes=minutes), len(values),
                                  learned=True))
        else:
            changes.append(Change(kind, key, before, before, len(values), learned=False))
    return changes


def to_yaml(learned: Learned, header: str) -> str:
    """The table as a durations file :func:`routing.durations.load_durations` reads, whole
    minutes, with ``header`` (and the rule) as comments on top."""
    lines = [f"# {line}" if line else "#" for line in header.splitlines()]
    lines.append(f"default: {_minutes(learned.table.default)}")
    samples = {(c.kind, c.key): c for c in learned.changes}
    for title, kind, entries in (("by_skill", Kind.SKILL, learned.table.by_skill),
                                 ("by_asin", Kind.ASIN, learned.table.by_asin)):
        if not entries:
            continue
        lines += ["", f"{title}:"]
        for key, value in sorted(entries.items()):
            change = samples.get((kind, key))
            note = (f"P{learned.percentile:g} of {change.samples} visits"
                    if change is not None and change.learned else "kept: too few visits")
            lines.append(f"  {key}: {_minutes(value)}  # {note}")
    return "\n".join(lines) + "\n"


def _minutes(value: timedelta) -> str:
    return f"{round(value.total_seconds() / 60)}m"
