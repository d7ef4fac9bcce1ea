"""The audit report: the JSON shape of issue #11, its committed schema, CSV."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import jsonschema  # type: ignore[import-untyped]
import pytest

from routing.audit import Grouping, Metric, csv_rows
from routing.audit.csv_out import COLUMNS
from routing.audit.report import AuditReport, schema_text, weekly
from routing.export.common import write_csv_table
from tests.routing.audit.sample import HOSTILE, sample_report

SCHEMA_FILE = Path(__file__).resolve().parents[3] / "routing" / "audit" / "audit.schema.json"


def report_json() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(sample_report().to_json())
    return data


def test_committed_schema_is_in_sync_with_the_model() -> None:
    assert SCHEMA_FILE.read_text(encoding="utf-8") == schema_text(), (
        "routing/audit/audit.schema.json is stale: run `python3 -m routing.audit.report > "
        "routing/audit/audit.schema.json`"
    )


def test_the_report_has_the_issues_shape_and_validates() -> None:
    data = report_json()
    jsonschema.validate(data, json.loads(SCHEMA_FILE.read_text(encoding="utf-8")))
    assert list(data)[:6] == ["period", "thresholds", "overall", "technicians", "days",
                              "appointments"]
    assert data["period"] == {"from": "2026-11-30", "to": "2026-12-13",
                              "timezone": "America/Los_Angeles"}
    assert data["thresholds"] == {"late_start": 0.1, "late_completion": 0.02,
                                  "cancellation_after_assignment": 0.05, "reschedule": 0.1}
    assert data["overall"]["on_time_arrival"] == {"numerator": 23, "denominator": 28,
                                                  "rate": 23 / 28}
    assert data["overall"]["eta_accuracy"] == {"numerator": 0, "denominator": 0, "rate": None}
    assert set(data["technicians"][0]) == {"technician_id", "name", "metrics"}
    assert set(data["days"][0]) == {"date", "metrics"}
    appointment = data["appointments"][0]
    assert set(appointment) == {"service_job_id", "appointment_id", "technician_id",
                                "window_start", "window_end", "arrived_at", "finished_at",
                                "findings"}
    assert appointment["window_start"] == "2026-11-30T09:00:00-08:00"
    assert AuditReport.model_validate_json(json.dumps(data)) == sample_report()


def test_schema_refuses_an_unknown_metric() -> None:
    data = report_json()
    data["overall"]["speed"] = {"numerator": 1, "denominator": 1, "rate": 1.0}
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(data, AuditReport.json_schema())


def test_technicians_worst_first_and_findings_named() -> None:
    report = sample_report()
    # T2 starts late on 5 of 14 days (36 % > 10 %): its alert puts it first
    assert [t.technician_id for t in report.technicians] == ["T2", "=EVIL", "T1"]  # tie: by id
    assert report.alerts(report.technicians[0].metrics) == [Metric.LATE_START]
    late = next(a for a in report.appointments if a.appointment_id == "A-T2-0")
    # arrived 11:30, done 12:30: window end + 90 planned minutes, the latest on-time finish
    assert late.findings == [Metric.ON_TIME_ARRIVAL, Metric.LATE_START]


def test_weeks_sum_the_days_counts() -> None:
    weeks = weekly(sample_report())
    assert list(weeks) == ["2026-W49", "2026-W50"]
    assert weeks["2026-W49"][Metric.LATE_START].numerator == 3  # days 0, 3, 6
    assert weeks["2026-W49"][Metric.LATE_START].denominator == 14


@pytest.mark.parametrize(("by", "groups"), [
    (Grouping.TECHNICIAN, ["T2", "T1"]),
    (Grouping.DAY, ["2026-11-30", "2026-12-13"]),
    (Grouping.WEEK, ["2026-W49", "2026-W50"]),
])
def test_csv_by_technician_day_week(by: Grouping, groups: list[str], tmp_path: Path) -> None:
    path = write_csv_table(tmp_path / "audit.csv", COLUMNS, csv_rows(sample_report(), by))
    rows = list(csv.DictReader(path.open(encoding="utf-8", newline="")))
    seen = list(dict.fromkeys(r["group"] for r in rows))
    assert seen[0] == groups[0] and seen[-1] == groups[-1]
    assert len(rows) == len(seen) * len(Metric)
    late = next(r for r in rows if r["group"] == groups[0] and r["metric"] == "late_start")
    assert late["threshold"] == "0.1"
    if by is Grouping.TECHNICIAN:
        assert late["alert"] == "yes" and late["rate"] == "0.3571"
        evil = next(r for r in rows if r["group"] == "'=EVIL")
        assert evil["name"] == HOSTILE  # starts with '<': harmless in a spreadsheet
