"""routeplan fulfill: tell Amazon when each visit really happened and who did it.

Reads a visit log (CSV or JSON lines from the technician app: appointment_id,
service_job_id, technician_id, arrived_at, started_at, finished_at, outcome, note) and,
for each finished visit, calls setAppointmentFulfillmentData with the actual start
(started_at, else arrived_at) and end (finished_at) and the row's technician. Amazon's rules
are checked first and a row that breaks one is refused with the reason, not sent: both
times needed, none in the future, the end after the start, one row per appointment, and the
appointment one of its job's ACTIVE appointments at Amazon (each job is read once). Rows
without times or not finished yet are skipped.

Dry run by default: shows what would be sent (and, from the journal, what was sent
before). With --apply the calls go out at Amazon's
rate, journalled write-ahead (SQLite, beside the visit log, like assign's): a re-run sends
only rows not taken yet (failed ones again; a row whose times were corrected is new), and a
call cut off by a crash is sent again (Amazon never returns fulfillment data, so it cannot
be checked, and the same data twice is harmless). `routeplan audit --journal` reads the
journal back: the times sent stand in for a visit log.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from routing.audit.visitlog import read_visit_log
from routing.cli.common import settings_from, spapi_client
from routing.cli.exits import OK, WRITEBACK_FAILED
from routing.cli.tables import add_format_options, stdout_console
from routing.cli.writeback_view import STATUS_STYLE, add_write_options, progress_bar
from routing.writeback import (
    FulfillReport,
    FulfillRow,
    Journal,
    ResultStatus,
    apply_fulfillment,
    default_journal_path,
    fulfillment_rows,
)
from routing.writeback.fulfill import check_rows, jobs_to_read, sent_earlier

EXAMPLES = """\
examples:
  routeplan fulfill --visits visits.csv                  # dry run: what would be sent
  routeplan fulfill --visits visits.csv --apply          # send it (journalled, resumable)
  routeplan fulfill --visits visits.jsonl --apply --json --journal /var/lib/rp/visits.sqlite
  routeplan fulfill --visits visits.csv --apply --endpoint http://127.0.0.1:8800  # emulator

exit codes: 0 every finished visit sent (or nothing to send), 11 some rows were refused
(see the reason) or Amazon refused a call (run the same command again to retry only those),
3 unreadable visit log or bad option, 4 login or Services API unusable.
"""
WOULD_SEND = "would send"
REFUSED = "refused"
SKIPPED = "skipped"


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "fulfill", help="send a visit log's actual start, end and technician to Amazon",
        description=__doc__, epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--visits", type=Path, required=True, metavar="FILE",
                        help="the visit log: CSV or JSON lines")
    add_write_options(parser, "FILE.journal.sqlite beside the visit log")
    add_format_options(parser, "one JSON object per row (JSON lines), for scripts")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    rows = fulfillment_rows(read_visit_log(args.visits))
    journal_path = args.journal or default_journal_path(args.visits)
    with spapi_client(settings_from(args)) as client, progress_bar(args.quiet) as progress:
        if args.apply:
            with Journal(journal_path) as journal:
                report = apply_fulfillment(rows, client, journal=journal, progress=progress)
        else:
            report = FulfillReport(check_rows(rows, client, on_read=progress.advance_hook(
                "reading jobs", jobs_to_read(rows))))
            if journal_path.exists():  # what an earlier --apply sent is not sent again
                with Journal(journal_path) as journal:
                    report.results = sent_earlier(report.rows, journal)
    if args.format == "json":
        for line in _json_rows(report):
            sys.stdout.write(json.dumps(line) + "\n")
    else:
        _print(stdout_console(args.format), report, args.apply, journal_path)
    return OK if report.succeeded else WRITEBACK_FAILED


def _status(row: FulfillRow, report: FulfillReport) -> tuple[str, str]:
    """The row's status word and its reason (or what Amazon said)."""
    if row.refused is not None:
        return REFUSED, row.refused
    if row.skipped is not None:
        return SKIPPED, row.skipped
    result = report.results.get(row.line)
    if result is None:
        return WOULD_SEND, ""
    return result.status.value, result.detail


def _time(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def _json_rows(report: FulfillReport) -> list[dict[str, object]]:
    lines: list[dict[str, object]] = []
    for row in report.rows:
        status, reason = _status(row, report)
        result = report.results.get(row.line)
        lines.append({
            "line": row.line, "service_job_id": row.service_job_id or None,
            "appointment_id": row.appointment_id or None, "technician_id": row.technician_id,
            "start": _time(row.start), "end": _time(row.end), "status": status,
            "reason": reason or None, "sent": result is not None and result.sent,
        })
    return lines


def _print(console: Console, report: FulfillReport, applied: bool, journal: Path) -> None:
    table = Table(title="fulfillment data" if applied else "dry run: fulfillment data to send")
    for header in ("line", "job", "appointment", "technician", "start", "end", "result"):
        table.add_column(header, no_wrap=True)
    table.add_column("reason / Amazon said", ratio=1)
    styles = {REFUSED: "bold red", SKIPPED: "dim", WOULD_SEND: "cyan",
              **{status.value: style for status, style in STATUS_STYLE.items()}}
    for row in report.rows:
        status, reason = _status(row, report)
        table.add_row(str(row.line), row.service_job_id or "—", row.appointment_id or "—",
                      row.technician_id or "—", _short(row.start), _short(row.end),
                      f"[{styles[status]}]{status}[/]", escape(reason))
    console.print(table)
    counts = {name: sum(1 for row in report.rows if _status(row, report)[0] == name)
              for name in (WOULD_SEND, REFUSED, SKIPPED)}
    refused = f"{counts[REFUSED]} refused, {counts[SKIPPED]} skipped"
    earlier = report.count(ResultStatus.DONE_EARLIER)
    if not applied:
        console.print(f"dry run: {counts[WOULD_SEND]} to send, {earlier} sent in an earlier "
                      f"run, {refused}. Nothing was sent: add --apply.", highlight=False)
        return
    sent = sum(1 for r in report.results.values() if r.sent)
    taken = report.count(ResultStatus.OK, ResultStatus.WARNING)
    style = "green" if report.succeeded else "bold red"
    console.print(
        f"[{style}]{'done' if report.succeeded else 'incomplete'}:[/] {taken} sent and taken, "
        f"{earlier} sent in an earlier run, {report.failed} failed, {refused}; {sent} calls "
        "sent." + ("" if report.failed == 0 else " Run the same command again to retry."),
        highlight=False)
    console.print(f"journal: {escape(str(journal))}", style="dim", highlight=False)


def _short(moment: datetime | None) -> str:
    return "—" if moment is None else moment.isoformat(sep=" ", timespec="minutes")
