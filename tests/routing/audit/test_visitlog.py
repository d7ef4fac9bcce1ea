"""Reading the visit log: CSV or JSON lines, bad rows reported with their line and left out."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from routing.audit import VisitLogError, VisitOutcome, parse_visit_log, read_visit_log
from routing.audit.visitlog import COLUMNS

HEADER = ",".join(COLUMNS)


def test_a_csv_with_bad_rows_keeps_the_good_ones() -> None:
    text = "\n".join([
        HEADER,
        "A1,SJ1,T1,2026-12-01T09:05:00-08:00,2026-12-01T09:10:00-08:00,"
        "2026-12-01T10:30:00-08:00,completed,\"door code 12, ring twice\"",
        "A2,SJ2,T1,2026-12-01T09:05:00,,,completed,",  # naive
        "A3,SJ3,T1,2026-12-01T09:05:00Z,,2026-12-01T09:00:00Z,completed,",  # finish < arrival
        "A4,SJ4,T1,,,,rained_off,",  # unknown outcome
        ",SJ5,T1,,,,,",  # no appointment id
        "A6,SJ6,,,,,,",  # nothing known: kept
    ])
    log = parse_visit_log(text)
    assert [r.appointment_id for r in log.rows] == ["A1", "A6"]
    first = log.rows[0]
    assert first.line == 2 and first.outcome is VisitOutcome.COMPLETED
    assert first.arrived_at == datetime(2026, 12, 1, 9, 5, tzinfo=timezone(timedelta(hours=-8)))
    assert first.note == "door code 12, ring twice"
    assert log.rows[1].technician_id is None and log.rows[1].outcome is None
    assert [p.line for p in log.problems] == [3, 4, 5, 6]
    messages = [str(p) for p in log.problems]
    assert "no UTC offset" in messages[0] and messages[0].startswith("line 3: arrived_at")
    assert "finished_at" in messages[1] and "before arrived_at" in messages[1]
    assert "rained_off" in messages[2]
    assert messages[3] == "line 6: appointment_id is empty"


def test_json_lines_with_a_broken_line(tmp_path: Path) -> None:
    good = {"appointment_id": "A1", "service_job_id": "SJ1", "technician_id": "T1",
            "arrived_at": "2026-12-01T17:05:00Z", "started_at": None, "finished_at": "",
            "outcome": "customer_no_show"}
    path = tmp_path / "visits.jsonl"
    path.write_text("\n".join([json.dumps(good), "{not json", "", "[1, 2]"]) + "\n")
    log = read_visit_log(path)
    assert len(log.rows) == 1 and log.rows[0].outcome is VisitOutcome.CUSTOMER_NO_SHOW
    assert log.rows[0].finished_at is None
    assert [(p.line, p.message.split(":")[0]) for p in log.problems] == [
        (2, "not JSON"), (4, "not a JSON object"),
    ]


@pytest.mark.parametrize("layout", ["array", "pretty object", "pretty array"])
def test_a_json_document_is_one_clear_error_not_a_warning_per_line(
    tmp_path: Path, layout: str
) -> None:
    row = {"appointment_id": "A1", "service_job_id": "SJ1", "outcome": "completed"}
    document = {"array": json.dumps([row]), "pretty object": json.dumps(row, indent=2),
                "pretty array": json.dumps([row, row], indent=2)}[layout]
    path = tmp_path / "visits.json"
    path.write_text(document)
    with pytest.raises(VisitLogError, match="a JSON document, not JSON lines") as caught:
        read_visit_log(path)
    assert str(path) in str(caught.value)


def test_a_csv_without_the_id_columns_cannot_be_read(tmp_path: Path) -> None:
    path = tmp_path / "visits.csv"
    path.write_text("appointment,arrived\nA1,2026-12-01T09:00:00Z\n")
    with pytest.raises(VisitLogError, match="lacks appointment_id, service_job_id") as caught:
        read_visit_log(path)
    assert str(path) in str(caught.value)


def test_a_multiline_note_keeps_the_line_numbers_of_its_row() -> None:
    text = HEADER + '\nA1,SJ1,T1,,,,,"two\nlines"\nA2,SJ2,T1,noon,,,,\n'
    log = parse_visit_log(text)
    assert [p.line for p in log.problems] == [4]
    assert "not an ISO 8601 time" in log.problems[0].message


def test_a_csv_is_read_by_its_header_whatever_the_column_order_or_row_length() -> None:
    text = "\n".join([
        "note,service_job_id,appointment_id,outcome,arrived_at,extra,appointment_id",
        "hi, SJ1 ,ignored,completed,2026-12-01T09:05:00Z,x,A1",  # the repeated name: last
        "",  # a blank line: skipped, line numbers still count it
        ",SJ2,,,,,A2,surplus",  # a cell beyond the header: ignored
        ",SJ3",  # short: the missing cells are empty
    ])
    log = parse_visit_log(text)
    assert [(r.line, r.appointment_id, r.service_job_id) for r in log.rows] == [
        (2, "A1", "SJ1"), (4, "A2", "SJ2")]
    first = log.rows[0]
    assert first.note == "hi" and first.outcome is VisitOutcome.COMPLETED
    assert first.technician_id is None and first.finished_at is None
    assert first.arrived_at == datetime(2026, 12, 1, 9, 5, tzinfo=UTC)
    assert [str(p) for p in log.problems] == ["line 5: appointment_id is empty"]
