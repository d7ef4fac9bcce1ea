"""Learning planning durations from the visit log: the rule, then the command."""

from __future__ import annotations

import json
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from routing.audit.visitlog import VisitOutcome, VisitRow
from routing.cli import main
from routing.cli.exits import BAD_INPUT, USAGE
from routing.durations import DurationTable, load_durations
from routing.durations_learn import Kind, Sample, learn_durations, samples_from_visits
from routing.plan import Plan
from routing.spapi.models import ScopeOfWork, ServiceJob
from tests.routing.test_replan import REPRODUCIBLE

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"
T0 = datetime(2026, 11, 3, 17, tzinfo=UTC)
OLD = DurationTable(
    default=timedelta(minutes=60),
    by_skill={"PLUMBING": timedelta(minutes=75), "SMART_HOME": timedelta(minutes=45)},
    by_asin={"B0DOORBELL": timedelta(minutes=30)},
)


def minutes(value: timedelta | None) -> float | None:
    return None if value is None else value.total_seconds() / 60


def sample(minutes_on_site: float, *skills: str, asin: str | None = None) -> Sample:
    return Sample(minutes_on_site, skills, asin)


def test_a_skill_gets_the_stated_percentile_of_its_visits() -> None:
    # 10, 20, ..., 100 minutes: P75 by linear interpolation is 77.5 -> 78; P50 is 55.
    samples = [sample(10.0 * i, "PLUMBING") for i in range(1, 11)]
    assert minutes(learn_durations(samples, OLD).table.by_skill["PLUMBING"]) == 78
    learned = learn_durations(samples, OLD, percentile=50)
    assert minutes(learned.table.by_skill["PLUMBING"]) == 55
    (change,) = [c for c in learned.changes if c.key == "PLUMBING"]
    assert (minutes(change.old), minutes(change.new), change.samples, change.learned) == (
        75, 55, 10, True)


def test_too_few_visits_keep_the_old_value_and_the_default_is_kept() -> None:
    samples = [sample(200, "PLUMBING")] * 4 + [sample(20, "TV_MOUNTING")] * 4
    learned = learn_durations(samples, OLD, min_samples=5)
    assert learned.table.by_skill == OLD.by_skill  # PLUMBING kept; TV_MOUNTING gets no entry
    assert learned.table.default == OLD.default
    changes = {c.key: c for c in learned.changes}
    assert not changes["PLUMBING"].learned and not changes["PLUMBING"].changed
    assert changes["TV_MOUNTING"].new is None and changes["TV_MOUNTING"].samples == 4
    # Lower the bar and the same visits do change the table.
    assert minutes(learn_durations(samples, OLD, min_samples=4).table.by_skill["PLUMBING"]) == 200


def test_an_asin_with_enough_visits_beats_its_skill_one_without_falls_back() -> None:
    samples = ([sample(25, "SMART_HOME", asin="B0DOORBELL")] * 6
               + [sample(50, "SMART_HOME", asin="B0SMARTLCK")] * 6
               + [sample(90, "SMART_HOME", asin="B0THERMOST")] * 2)
    table = learn_durations(samples, OLD).table
    assert minutes(table.by_asin["B0DOORBELL"]) == 25
    assert minutes(table.by_asin["B0SMARTLCK"]) == 50
    assert "B0THERMOST" not in table.by_asin  # two visits, no old entry: none
    # The skill learns from all 14 of its single-skill visits: P75 of them is 50.
    assert minutes(table.by_skill["SMART_HOME"]) == 50
    # What the planner then uses: the ASIN entry first, else the skill.
    assert minutes(table.duration_for(ScopeOfWork(asin="B0DOORBELL",
                                                  required_skills=["SMART_HOME"]))) == 25
    assert minutes(table.duration_for(ScopeOfWork(asin="B0THERMOST",
                                                  required_skills=["SMART_HOME"]))) == 50


def test_a_two_skill_job_teaches_its_asin_not_its_skills() -> None:
    samples = [sample(120, "APPLIANCE_INSTALL", "PLUMBING", asin="B0DISHWASH")] * 5
    learned = learn_durations(samples, OLD)
    assert minutes(learned.table.by_asin["B0DISHWASH"]) == 120
    assert learned.table.by_skill == OLD.by_skill


def row(job: str, *, arrived: int | None = 0, started: int | None = 5,
        finished: int | None = 65, outcome: VisitOutcome | None = VisitOutcome.COMPLETED,
        line: int = 2) -> VisitRow:
    def at(offset: int | None) -> datetime | None:
        return None if offset is None else T0 + timedelta(minutes=offset)

    return VisitRow(line, f"APPT-{job}", job, "TECH1", at(arrived), at(started), at(finished),
                    outcome, None)


def job(job_id: str, quantity: int = 1) -> ServiceJob:
    return ServiceJob(service_job_id=job_id, scope_of_work=ScopeOfWork(
        asin="B0FAUCET01", quantity=quantity, required_skills=["PLUMBING"]))


def test_samples_are_completed_visits_on_site_time_per_unit() -> None:
    rows = [
        row("SJ-1"),  # started 5, finished 65: 60 min
        row("SJ-2", started=None, finished=50),  # no start: from the arrival, 50 min
        row("SJ-3", finished=125),  # quantity 2: 120 min on site, 60 per unit
        row("SJ-4", outcome=VisitOutcome.INCOMPLETE),
        row("SJ-5", started=None, finished=None, outcome=VisitOutcome.CUSTOMER_NO_SHOW),
        row("SJ-6", finished=None),  # the finish was not logged
        row("SJ-404"),  # a job not given
    ]
    jobs = [job("SJ-1"), job("SJ-2"), job("SJ-3", quantity=2), job("SJ-4"), job("SJ-5"),
            job("SJ-6")]
    samples, problems = samples_from_visits(rows, jobs)
    assert [s.minutes for s in samples] == [60, 50, 60]
    assert {(s.skills, s.asin) for s in samples} == {(("PLUMBING",), "B0FAUCET01")}
    assert problems == ["1 completed visits are of jobs not in the jobs given (first: SJ-404); "
                        "they are left out"]


def test_nonsense_settings_are_refused() -> None:
    with pytest.raises(ValueError, match="percentile"):
        learn_durations([], OLD, percentile=0)
    with pytest.raises(ValueError, match="min_samples"):
        learn_durations([], OLD, min_samples=0)


# --- the command ------------------------------------------------------------------------

def learn(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["durations", "learn", "--visits", str(EXAMPLES / "visits.csv"), *argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_learn_from_the_example_month(capsys: pytest.CaptureFixture[str],
                                      tmp_path: Path) -> None:
    out = tmp_path / "learned.yaml"
    code, stdout, err = learn(capsys, "--jobs", str(EXAMPLES / "history.json"), "--durations",
                              str(EXAMPLES / "durations.yaml"), "--out", str(out), "--json")
    assert code == 0
    assert "line " in err and "is before started_at" in err  # the example's bad row
    report = json.loads(stdout)
    assert report["percentile"] == 75 and report["min_samples"] == 5
    assert report["samples"] > 400
    changes = {(c["kind"], c["key"]): c for c in report["changes"]}
    # The example month's appliance installs take longer than the example table says.
    appliance = changes[(Kind.SKILL.value, "APPLIANCE_INSTALL")]
    assert appliance["old_minutes"] == 75 and appliance["new_minutes"] > 90
    assert appliance["learned"] and appliance["changed"]
    # The in-store bike assembly has no visits in the month: kept as it was.
    bike = changes[(Kind.ASIN.value, "B0AFURNBK1")]
    assert bike == {"kind": "asin", "key": "B0AFURNBK1", "old_minutes": 45, "new_minutes": 45,
                    "samples": 0, "learned": False, "changed": False}
    table = load_durations(out)
    assert minutes(table.by_skill["APPLIANCE_INSTALL"]) == appliance["new_minutes"]
    assert table.default == load_durations(EXAMPLES / "durations.yaml").default
    assert all(minutes(v) == round(minutes(v) or 0) for v in table.by_asin.values())


@pytest.mark.slow
def test_learn_with_the_emulator_as_source_prints_a_table(capsys: pytest.CaptureFixture[str],
                                                          tmp_path: Path) -> None:
    out = tmp_path / "learned.yaml"
    code, stdout, _ = learn(capsys, "--source", "emulator", "--out", str(out))
    assert code == 0
    assert "APPLIANCE_INSTALL" in stdout and "changed" in stdout
    # No --durations: the built-in table is the old one.
    assert minutes(load_durations(out).default) == 60


def test_out_may_not_replace_the_durations_it_learns_from(
        capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    durations = tmp_path / "durations.yaml"
    shutil.copy(EXAMPLES / "durations.yaml", durations)
    before = durations.read_bytes()
    code, _, err = learn(capsys, "--jobs", str(EXAMPLES / "history.json"),
                         "--durations", str(durations), "--out", str(durations))
    assert code == BAD_INPUT
    assert err.startswith("routeplan: error: --out") and "--force" in err
    assert durations.read_bytes() == before
    code, _, _ = learn(capsys, "--jobs", str(EXAMPLES / "history.json"),
                       "--durations", str(durations), "--out", str(durations), "--force")
    assert code == 0 and durations.read_bytes() != before


@pytest.mark.parametrize(("lines", "says"), [
    (None, "a JSON document, not JSON lines"),  # the jobs file itself
    ('{"serviceJobId": "SJ1"}\n{"serviceJobId": "SJ2"}\n', "is it the visit log?"),
])
def test_a_file_that_is_no_visit_log_is_one_error(capsys: pytest.CaptureFixture[str],
                                                   tmp_path: Path, lines: str | None,
                                                   says: str) -> None:
    visits = EXAMPLES / "jobs.json"
    if lines is not None:
        visits = tmp_path / "jobs.jsonl"
        visits.write_text(lines)
    code = main(["durations", "learn", "--visits", str(visits), "--jobs",
                 str(EXAMPLES / "history.json"), "--out", str(tmp_path / "x.yaml")])
    err = capsys.readouterr().err
    assert code == BAD_INPUT
    assert err.startswith("routeplan: error: ") and err.count("\n") == 1
    assert says in err and not (tmp_path / "x.yaml").exists()


@pytest.mark.parametrize("flag", [("--percentile", "0"), ("--percentile", "x"),
                                  ("--min-samples", "0")])
def test_bad_settings_are_usage_errors(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                       flag: tuple[str, str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        learn(capsys, "--jobs", str(EXAMPLES / "history.json"), "--out",
              str(tmp_path / "x.yaml"), *flag)
    assert exit_.value.code == USAGE


@pytest.mark.slow
def test_a_plan_reads_the_learned_durations(capsys: pytest.CaptureFixture[str],
                                            tmp_path: Path) -> None:
    learned = tmp_path / "learned.yaml"
    assert learn(capsys, "--jobs", str(EXAMPLES / "history.json"), "--durations",
                 str(EXAMPLES / "durations.yaml"), "--out", str(learned))[0] == 0
    code = main(["plan", "--date", "2026-12-01", "--roster", str(EXAMPLES / "roster.yaml"),
                 "--source", str(EXAMPLES / "jobs.json"), "--durations", str(learned),
                 *REPRODUCIBLE, "--no-cache", "--json", "-q"])
    plan = Plan.model_validate_json(capsys.readouterr().out)
    assert code == 0
    recorded = plan.settings.inputs.durations if plan.settings.inputs else None
    assert recorded is not None and recorded.path == str(learned)
    table = load_durations(learned)
    jobs = {j["serviceJobId"]: j for j in json.loads(
        (EXAMPLES / "jobs.json").read_text(encoding="utf-8"))["payload"]["jobs"]}
    stops = [stop for route in plan.routes for stop in route.stops]
    assert stops
    for stop in stops:
        scope = ScopeOfWork.model_validate(jobs[stop.service_job_id]["scopeOfWork"])
        assert (stop.service_end - stop.service_start) == table.duration_for(scope)
