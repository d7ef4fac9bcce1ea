"""The columnar counting on a few hand-made rows of facts, checked against hand counts."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from routing.audit.facts import NO_TIME, Causes, Fact, Facts, Outcome, count, micros
from routing.audit.metrics import Metric

NOW = datetime(2026, 12, 2, tzinfo=UTC)
NINE = datetime(2026, 12, 1, 9, tzinfo=UTC)
MINUTE = 60_000_000


def _row(facts: Facts, group: int, *, arrival: int | None, completion: int | None,
         completed: bool = True, replaced: bool = False, outcome: Outcome = Outcome.NONE,
         evidence: bool = True, causes: int = -1) -> None:
    """A two-hour window from 09:00, 60 planned minutes, no estimate or plan; ``causes``
    -1 for an appointment that carries no fulfillment-break verdict."""
    start, end = micros(NINE), micros(NINE + timedelta(hours=2))

    def at(minutes: int | None) -> int:
        return NO_TIME if minutes is None else start + minutes * MINUTE

    row = len(facts)
    facts.rows.append(Fact(
        group=group, window_start=start, window_end=end, arrival=at(arrival),
        start=at(arrival), completion=at(completion), eta_start=NO_TIME, eta_end=NO_TIME,
        planned_arrival=NO_TIME, latest_finish=end + 60 * MINUTE, planned_minutes=60.0,
        completed=completed, replaced=replaced, by_provider=False,
        no_show_candidate=not replaced, evidence=evidence, outcome=outcome, skills=0,
    ))
    if causes != -1:
        facts.break_causes[row] = causes


def test_counts_and_findings_match_a_hand_count() -> None:
    facts = Facts(skill_sets=[("TV_MOUNTING",)])
    # technician-day 0: on time, done in 90 min; arrived 150 min in (late), done at 200
    _row(facts, 0, arrival=30, completion=120)
    _row(facts, 0, arrival=150, completion=200,
         causes=Causes.SEVERAL_APPOINTMENTS | Causes.RESCHEDULED)
    # technician-day 1: nobody came, nothing recorded; a replaced appointment
    _row(facts, 1, arrival=None, completion=None, completed=False, evidence=False)
    _row(facts, 1, arrival=None, completion=None, completed=False, replaced=True)
    counts = count(facts, 2, now=NOW, early_tolerance=timedelta(0),
                   adherence_tolerance=timedelta(minutes=15))

    def per_group(metric: Metric) -> list[tuple[int, int]]:
        return list(zip(counts.numerators[metric], counts.denominators[metric], strict=True))

    assert per_group(Metric.ON_TIME_ARRIVAL) == [(1, 2), (0, 0)]
    assert per_group(Metric.LATE_START) == [(1, 2), (0, 0)]
    # latest finish = window end (120) + 60 planned minutes = 180
    assert per_group(Metric.COMPLETION_IN_WINDOW) == [(1, 2), (0, 0)]
    assert per_group(Metric.TECHNICIAN_NO_SHOW) == [(0, 2), (1, 1)]
    assert per_group(Metric.RESCHEDULE) == [(0, 2), (1, 2)]
    assert per_group(Metric.FULFILLMENT_BREAK) == [(1, 1), (0, 0)]
    assert per_group(Metric.BREAK_SEVERAL_APPOINTMENTS) == [(1, 1), (0, 0)]
    assert per_group(Metric.BREAK_CANCELLED) == [(0, 1), (0, 0)]
    assert per_group(Metric.DURATION_RATIO) == [(90 + 50, 60 + 60), (0, 0)]
    assert counts.onsite_minutes == [90 + 50, 0]
    assert counts.duration_samples == {"TV_MOUNTING": [1.5, 50 / 60]}
    assert counts.findings == [
        [],
        [Metric.ON_TIME_ARRIVAL, Metric.LATE_START, Metric.COMPLETION_IN_WINDOW,
         Metric.FULFILLMENT_BREAK, Metric.BREAK_RESCHEDULED,
         Metric.BREAK_SEVERAL_APPOINTMENTS],
        [Metric.TECHNICIAN_NO_SHOW],
        [Metric.RESCHEDULE, Metric.RESCHEDULE_UNATTRIBUTED],
    ]


def test_no_rows_count_nothing() -> None:
    counts = count(Facts(), 0, now=NOW, early_tolerance=timedelta(0),
                   adherence_tolerance=timedelta(0))
    assert counts.findings == [] and counts.duration_samples == {}
    assert all(values == [] for values in counts.denominators.values())
