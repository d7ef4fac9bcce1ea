"""The job rules of issue #5: every job becomes a visit or a reason."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from routing.durations import DurationTable
from routing.reasons import ReasonCode
from routing.spapi.enums import ServiceLocationType
from routing.spapi.models import ServiceJob
from routing.visits import (
    JobRules,
    JobVisit,
    OnTime,
    Unassigned,
    Window,
    day_bounds,
    dedupe_jobs,
    is_rescheduled,
    job_to_visit,
    jobs_to_visits,
)
from tests.routing.planning_helpers import appointment, job, job_data

GUIDE_EXAMPLES = Path(__file__).resolve().parents[2] / ".." / "shared" / "spapi" / "guide-examples"
LA = ZoneInfo("America/Los_Angeles")
DAY = date(2026, 3, 10)  # a Tuesday, PDT (UTC-7)
TABLE = DurationTable(
    default=timedelta(minutes=60),
    by_skill={"TV_MOUNTING": timedelta(minutes=90), "PLUMBING": timedelta(minutes=120)},
    by_asin={"B0BIGTV": timedelta(minutes=150)},
)


def rules(**overrides: object) -> JobRules:
    settings: dict[str, object] = {
        "day": DAY, "tz": LA, "durations": TABLE,
        "roster": frozenset({"T1", "T2", "OFF"}), "on_shift": frozenset({"T1", "T2"}),
    }
    settings.update(overrides)
    return JobRules(**settings)  # type: ignore[arg-type]


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def visit_of(result: JobVisit | Unassigned) -> JobVisit:
    assert isinstance(result, JobVisit), result
    return result


def reason_of(result: JobVisit | Unassigned) -> ReasonCode:
    assert isinstance(result, Unassigned), result
    assert result.sentence.endswith("."), result.sentence
    return result.reason


@pytest.mark.parametrize(
    "status", ["CANCELLED", "COMPLETED", "HOLD", "NOT_FULFILLABLE", "PAYMENT_DECLINED", "NEW_ONE"]
)
def test_only_not_serviced_and_pending_are_plannable(status: str) -> None:
    appts = [appointment("A1", "2026-03-10T17:00:00Z")]
    result = job_to_visit(job("J1", status, appointments=appts), rules())
    assert reason_of(result) == ReasonCode.NOT_PLANNABLE_STATUS
    assert isinstance(result, Unassigned) and status in result.sentence


def test_active_appointment_on_the_date_gives_one_window() -> None:
    appts = [appointment("A1", "2026-03-10T17:00:00Z", 120)]
    visit = visit_of(job_to_visit(job("J1", appointments=appts), rules()))
    assert visit.appointment_id == "A1"
    assert visit.windows == (Window(utc("2026-03-10T17:00"), utc("2026-03-10T19:00")),)
    assert visit.start_windows == visit.windows
    assert visit.duration == timedelta(minutes=90)
    assert visit.skills == frozenset({"TV_MOUNTING"})
    assert visit.technicians is None
    assert not visit.pending


def test_appointment_on_another_day_is_no_window_on_date() -> None:
    appts = [appointment("A1", "2026-03-11T17:00:00Z")]
    assert reason_of(job_to_visit(job(appointments=appts), rules())) == ReasonCode.NO_WINDOW_ON_DATE


@pytest.mark.parametrize("status", ["CANCELLED", "COMPLETED", "SOMETHING_ELSE"])
def test_cancelled_and_completed_appointments_are_ignored(status: str) -> None:
    appts = [appointment("A1", "2026-03-10T17:00:00Z", status=status)]
    assert reason_of(job_to_visit(job(appointments=appts), rules())) == ReasonCode.NO_WINDOW_ON_DATE


def test_rescheduled_chain_is_followed_to_the_newest_appointment() -> None:
    appts = [
        appointment("A1", "2026-03-09T17:00:00Z"),  # the original, another day
        appointment("A2", "2026-03-10T16:00:00Z", rescheduled="A1"),
        appointment("A3", "2026-03-10T21:00:00Z", rescheduled="A2"),
    ]
    visit = visit_of(job_to_visit(job(appointments=appts), rules()))
    assert visit.appointment_id == "A3"
    assert visit.windows[0].start == utc("2026-03-10T21:00")


def test_appointment_moved_off_the_date_leaves_nothing_on_it() -> None:
    # A1 is still marked ACTIVE on the date, but A2 replaced it with a time the next day.
    appts = [
        appointment("A1", "2026-03-10T17:00:00Z"),
        appointment("A2", "2026-03-11T17:00:00Z", rescheduled="A1"),
    ]
    assert reason_of(job_to_visit(job(appointments=appts), rules())) == ReasonCode.NO_WINDOW_ON_DATE


def test_a_cancelled_appointment_does_not_hide_a_live_one() -> None:
    appts = [
        appointment("A1", "2026-03-10T15:00:00Z", status="CANCELLED"),
        appointment("A2", "2026-03-10T18:00:00Z"),
    ]
    assert visit_of(job_to_visit(job(appointments=appts), rules())).appointment_id == "A2"


def test_the_old_appointment_pointing_at_the_new_one_does_not_hide_it() -> None:
    # The user guide's direction: the CANCELLED original carries rescheduledAppointmentId.
    appts = [
        appointment("OLD", "2026-03-10T15:00:00Z", status="CANCELLED", rescheduled="NEW"),
        appointment("NEW", "2026-03-10T18:00:00Z"),
    ]
    visit = visit_of(job_to_visit(job(appointments=appts), rules()))
    assert visit.appointment_id == "NEW"
    assert visit.windows[0].start == utc("2026-03-10T18:00")


def test_the_new_appointment_pointing_at_the_old_one_is_live() -> None:
    appts = [
        appointment("OLD", "2026-03-10T15:00:00Z", status="CANCELLED"),
        appointment("NEW", "2026-03-10T18:00:00Z", rescheduled="OLD"),
    ]
    assert visit_of(job_to_visit(job(appointments=appts), rules())).appointment_id == "NEW"


@pytest.mark.parametrize("status", ["CANCELLED", "COMPLETED"])
@pytest.mark.parametrize("listed_first", ["active", "other"])
def test_an_active_appointment_is_never_superseded_by_a_dead_one(
    status: str, listed_first: str
) -> None:
    live = appointment("LIVE", "2026-03-10T18:00:00Z", rescheduled="DEAD")
    dead = appointment("DEAD", "2026-03-10T15:00:00Z", status=status, rescheduled="LIVE")
    appts = [live, dead] if listed_first == "active" else [dead, live]
    assert visit_of(job_to_visit(job(appointments=appts), rules())).appointment_id == "LIVE"


@pytest.mark.parametrize("direction", ["old_to_new", "new_to_old"])
def test_a_chain_of_three_reschedules_ends_at_the_active_one(direction: str) -> None:
    ids = ["A1", "A2", "A3"]
    starts = ["2026-03-10T15:00:00Z", "2026-03-11T16:00:00Z", "2026-03-10T21:00:00Z"]
    statuses = ["CANCELLED", "CANCELLED", "ACTIVE"]
    appts = []
    for position, (appointment_id, start, status) in enumerate(
        zip(ids, starts, statuses, strict=True)
    ):
        if direction == "old_to_new":
            target = ids[position + 1] if position + 1 < len(ids) else None
        else:
            target = ids[position - 1] if position else None
        appts.append(appointment(appointment_id, start, status=status, rescheduled=target))
    visit = visit_of(job_to_visit(job(appointments=appts), rules()))
    assert visit.appointment_id == "A3"
    assert visit.windows[0].start == utc("2026-03-10T21:00")


@pytest.mark.parametrize("pointer_on", ["old", "new"])
def test_a_rescheduled_appointment_is_recognised_from_either_end(pointer_on: str) -> None:
    old = appointment("OLD", "2026-03-10T15:00:00Z", status="CANCELLED",
                      rescheduled="NEW" if pointer_on == "old" else None)
    new = appointment("NEW", "2026-03-10T18:00:00Z",
                      rescheduled="OLD" if pointer_on == "new" else None)
    alone = appointment("ALONE", "2026-03-10T18:00:00Z")
    parsed = ServiceJob.model_validate(job_data(appointments=[old, new, alone]))
    assert parsed.appointments is not None
    assert [is_rescheduled(parsed, a) for a in parsed.appointments] == [True, True, False]


def test_a_stale_active_copy_in_a_chain_gives_way_to_the_newest() -> None:
    # A1 was never marked cancelled, but the chain A1 - A2 - A3 moved the visit on.
    appts = [
        appointment("A1", "2026-03-10T15:00:00Z", rescheduled="A2"),
        appointment("A2", "2026-03-10T16:00:00Z", status="CANCELLED", rescheduled="A3"),
        appointment("A3", "2026-03-10T21:00:00Z"),
    ]
    assert visit_of(job_to_visit(job(appointments=appts), rules())).appointment_id == "A3"


def test_the_guides_rescheduled_example_plans_its_active_appointment() -> None:
    path = GUIDE_EXAMPLES / "5-rescheduled-appointment.json"
    example = ServiceJob.model_validate(json.loads(path.read_text(encoding="utf-8"))["payload"])
    visit = visit_of(job_to_visit(example, rules(day=date(2020, 1, 1), tz=ZoneInfo("UTC"))))
    assert visit.windows[0].start == datetime(2020, 1, 1, 6, 38, 56, 961000, tzinfo=UTC)
    cancelled_day = rules(day=date(2020, 1, 31), tz=ZoneInfo("UTC"))
    assert reason_of(job_to_visit(example, cancelled_day)) == ReasonCode.NO_WINDOW_ON_DATE


def test_pending_job_with_preferred_times_becomes_one_visit_with_several_windows() -> None:
    preferred = [
        ("2026-03-10T16:00:00Z", 120),
        ("2026-03-11T16:00:00Z", 120),  # another day: left out
        ("2026-03-10T21:00:00Z", 180),
    ]
    visit = visit_of(job_to_visit(job("P1", "PENDING_SCHEDULE", preferred=preferred), rules()))
    assert visit.pending and visit.appointment_id is None
    assert visit.windows == (
        Window(utc("2026-03-10T16:00"), utc("2026-03-10T18:00")),
        Window(utc("2026-03-10T21:00"), utc("2026-03-11T00:00")),
    )
    assert visit.priority < visit_of(
        job_to_visit(job(appointments=[appointment("A", "2026-03-10T17:00:00Z")]), rules())
    ).priority


@pytest.mark.parametrize("preferred", [None, [("2026-03-12T16:00:00Z", 120)]])
def test_pending_job_without_a_preferred_time_on_the_date(
    preferred: list[tuple[str, int]] | None,
) -> None:
    result = job_to_visit(job("P1", "PENDING_SCHEDULE", preferred=preferred), rules())
    assert reason_of(result) == ReasonCode.NO_WINDOW_ON_DATE


def test_finish_mode_moves_the_latest_start_back_by_the_duration() -> None:
    appts = [appointment("A1", "2026-03-10T17:00:00Z", 120)]
    visit = visit_of(job_to_visit(job(appointments=appts), rules(on_time=OnTime.FINISH)))
    assert visit.windows == (Window(utc("2026-03-10T17:00"), utc("2026-03-10T19:00")),)
    assert visit.start_windows == (Window(utc("2026-03-10T17:00"), utc("2026-03-10T17:30")),)


def test_finish_mode_with_a_window_shorter_than_the_service() -> None:
    appts = [appointment("A1", "2026-03-10T17:00:00Z", 60)]
    result = job_to_visit(job(appointments=appts), rules(on_time=OnTime.FINISH))
    assert reason_of(result) == ReasonCode.UNREACHABLE_IN_WINDOW
    # the same job is fine when arriving in the window is enough
    assert visit_of(job_to_visit(job(appointments=appts), rules()))


def test_durations_come_from_the_table() -> None:
    appts = [appointment("A1", "2026-03-10T17:00:00Z")]
    by_asin = job(appointments=appts, asin="B0BIGTV")
    longest_skill = job(appointments=appts, skills=["TV_MOUNTING", "PLUMBING"])
    unknown = job(appointments=appts, skills=["GARDENING"], quantity=3)
    assert visit_of(job_to_visit(by_asin, rules())).duration == timedelta(minutes=150)
    assert visit_of(job_to_visit(longest_skill, rules())).duration == timedelta(minutes=120)
    assert visit_of(job_to_visit(unknown, rules())).duration == timedelta(minutes=180)


def test_assigned_technician_is_pinned_unless_reassigning() -> None:
    appts = [appointment("A1", "2026-03-10T17:00:00Z", technicians=["T2"])]
    assert visit_of(job_to_visit(job(appointments=appts), rules())).technicians == {"T2"}
    assert visit_of(job_to_visit(job(appointments=appts), rules(reassign=True))).technicians is None


@pytest.mark.parametrize(
    ("assigned", "words"), [("GONE", "not in the roster"), ("OFF", "does not work")]
)
def test_pinned_technician_unavailable(assigned: str, words: str) -> None:
    appts = [appointment("A1", "2026-03-10T17:00:00Z", technicians=[assigned])]
    result = job_to_visit(job(appointments=appts), rules())
    assert reason_of(result) == ReasonCode.PINNED_TECHNICIAN_UNAVAILABLE
    assert isinstance(result, Unassigned)
    assert words in result.sentence and assigned in result.sentence
    # --reassign frees the job
    assert visit_of(job_to_visit(job(appointments=appts), rules(reassign=True)))


def test_in_store_jobs_keep_their_address_and_are_flagged() -> None:
    appts = [appointment("A1", "2026-03-10T17:00:00Z")]
    visit = visit_of(job_to_visit(job(appointments=appts, location_type="IN_STORE"), rules()))
    assert visit.location_type == ServiceLocationType.IN_STORE
    assert visit.address is not None and visit.address.address_line1 == "400 Broad St"
    assert not visit.online


def test_online_jobs_need_no_address() -> None:
    appts = [appointment("A1", "2026-03-10T17:00:00Z")]
    visit = visit_of(
        job_to_visit(job(appointments=appts, location_type="ONLINE", line1=None), rules())
    )
    assert visit.online and visit.address is None


def test_a_job_without_an_address_is_not_geocoded() -> None:
    appts = [appointment("A1", "2026-03-10T17:00:00Z")]
    assert reason_of(job_to_visit(job(appointments=appts, line1=None), rules())) == (
        ReasonCode.NOT_GEOCODED
    )


def test_day_bounds_follow_the_local_day_across_dst() -> None:
    spring = day_bounds(date(2026, 3, 8), LA)  # clocks jump 02:00 -> 03:00
    autumn = day_bounds(date(2026, 11, 1), LA)  # clocks fall back 02:00 -> 01:00
    assert spring.end - spring.start == timedelta(hours=23)
    assert autumn.end - autumn.start == timedelta(hours=25)
    assert spring.start == utc("2026-03-08T08:00")  # midnight PST
    assert spring.end == utc("2026-03-09T07:00")  # midnight PDT


def test_late_evening_window_on_a_dst_day_belongs_to_that_day() -> None:
    day_rules = rules(day=date(2026, 3, 8))
    late = [appointment("A1", "2026-03-09T06:30:00Z", 30)]  # 23:30 PDT on the 8th
    next_day = [appointment("A1", "2026-03-09T07:30:00Z", 30)]  # 00:30 PDT on the 9th
    assert visit_of(job_to_visit(job(appointments=late), day_rules))
    assert reason_of(job_to_visit(job(appointments=next_day), day_rules)) == (
        ReasonCode.NO_WINDOW_ON_DATE
    )


def test_every_job_lands_in_exactly_one_list() -> None:
    appts = [appointment("A1", "2026-03-10T17:00:00Z")]
    jobs = [
        job("J1", appointments=appts),
        job("J2", "CANCELLED", appointments=appts),
        job("J1", appointments=[appointment("A9", "2026-03-10T22:00:00Z")]),  # newer copy
        job("J3", "PENDING_SCHEDULE"),
    ]
    nameless = job("X", appointments=appts).model_copy(update={"service_job_id": None})
    visits, unplanned = jobs_to_visits([*jobs, nameless], rules())
    assert [v.service_job_id for v in visits] == ["J1"]
    assert visits[0].appointment_id == "A9"
    assert {(u.service_job_id, u.reason) for u in unplanned} == {
        ("J2", ReasonCode.NOT_PLANNABLE_STATUS),
        ("J3", ReasonCode.NO_WINDOW_ON_DATE),
        ("job[4]", ReasonCode.INVALID_JOB),
    }


def test_duplicates_keep_the_last_copy_in_first_seen_order() -> None:
    first = job("J1", appointments=[appointment("A1", "2026-12-01T17:00:00Z")])
    other = job("J2")
    newer = job("J1", appointments=[appointment("A2", "2026-12-01T20:00:00Z")])
    result = dedupe_jobs([first, other, newer])
    assert [j.service_job_id for j in result] == ["J1", "J2"]
    assert result[0] is newer
