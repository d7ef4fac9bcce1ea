"""routeplan assign: write a plan back to Amazon (technicians, then arrival estimates).

Dry run by default: reads each job from Amazon and shows, per appointment, whether the
planned technician is new, changed (from whom) or unchanged there. With --apply it calls
assignAppointmentResources for each new or changed appointment, then
setAppointmentFulfillmentData with an arrival estimate (planned service start ± the margin,
in UTC; a technician early for the window waits, so the start is what the customer sees)
for every planned appointment, unchanged ones included (the time may have moved), at
Amazon's rate. A journal (SQLite, beside the plan) makes a re-run resume: calls that
succeeded are never repeated, failed ones are retried, and a call cut off by a crash is
settled from what Amazon shows (assignments) or sent again (estimates, harmless).
"""

from __future__ import annotations

import argparse
from datetime import timedelta
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from routing.cli.common import local_time, settings_from, spapi_client
from routing.cli.exits import OK, WRITEBACK_FAILED
from routing.cli.tables import stdout_console
from routing.cli.writeback_view import add_write_options, progress_bar, result_text
from routing.writeback import (
    DEFAULT_MARGIN,
    ActionKind,
    ApplyReport,
    Change,
    Comparison,
    Journal,
    ResultStatus,
    Skipped,
    WritebackError,
    apply_plan,
    compare_plan,
    default_journal_path,
    eta_window,
    load_plan,
    parse_margin,
)
from routing.writeback.actions import targets_of, technicians_text

EXAMPLES = """\
examples:
  routeplan assign plan.json                      # dry run: what would change at Amazon
  routeplan assign plan.json --apply              # assign, then send arrival estimates
  routeplan assign plan.json --apply --eta-margin 45m --journal /var/lib/rp/dec01.sqlite
  routeplan assign plan.json --apply --endpoint http://127.0.0.1:8800   # a local emulator

exit codes: 0 everything written (or nothing to write), 11 some appointments failed (see
the table; run the same command again to retry only those), 3 bad plan or option, 4 login
or Services API unusable.
"""


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "assign", help="write a plan's technicians and arrival estimates back to Amazon",
        description=__doc__, epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("plan", type=Path, metavar="PLAN",
                        help="a plan.json written by `routeplan plan --out`")
    parser.add_argument("--eta-margin", type=_margin, default=DEFAULT_MARGIN, metavar="M",
                        help="arrival estimate = planned service start ± M "
                             "(default 30m; e.g. 45m, 1h)")
    add_write_options(parser, "PLAN.journal.sqlite beside the plan")
    parser.set_defaults(run=run)


def _margin(text: str) -> timedelta:
    try:
        return parse_margin(text)
    except WritebackError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def run(args: argparse.Namespace) -> int:
    plan = load_plan(args.plan)
    journal_path = args.journal or default_journal_path(args.plan)
    console = stdout_console("table")
    with spapi_client(settings_from(args)) as client, progress_bar(args.quiet) as progress:
        if not args.apply:
            comparisons, skipped = compare_plan(plan, client, on_read=progress.advance_hook(
                "reading jobs", len({t.service_job_id for t in targets_of(plan)[0]})))
            progress.stop()
            _print_dry_run(console, comparisons, skipped, args.eta_margin)
            return WRITEBACK_FAILED if any(c.problem for c in comparisons) else OK
        with Journal(journal_path) as journal:
            report = apply_plan(plan, client, journal=journal, margin=args.eta_margin,
                                progress=progress)
        progress.stop()
    _print_report(console, report, args.eta_margin)
    console.print(f"journal: {escape(str(journal_path))} (plan {report.plan_id})",
                  style="dim", highlight=False)
    return OK if report.succeeded else WRITEBACK_FAILED


def _change_text(comparison: Comparison) -> str:
    if comparison.change is Change.CHANGED:
        return f"changed from {technicians_text(comparison.amazon_technicians)}"
    return comparison.change.value if comparison.change else "—"


def _eta_text(comparison: Comparison, margin: timedelta) -> str:
    service_start = comparison.target.service_start
    start, end = (t.astimezone(service_start.tzinfo) for t in eta_window(service_start, margin))
    return f"{local_time(start)}–{local_time(end)}"


def _print_dry_run(console: Console, comparisons: list[Comparison], skipped: list[Skipped],
                   margin: timedelta) -> None:
    table = Table(title="dry run: the plan against Amazon now")
    for header in ("job", "appointment", "technician", "Amazon now", "change", "ETA"):
        table.add_column(header, no_wrap=True)
    table.add_column("problem", ratio=1)
    for c in comparisons:
        target = c.target
        table.add_row(target.service_job_id, target.appointment_id, target.technician_id,
                      technicians_text(c.amazon_technicians), _change_text(c),
                      _eta_text(c, margin) if c.change else "—", escape(c.problem or ""))
    console.print(table)
    _print_skipped(console, skipped)
    counts = {change: sum(1 for c in comparisons if c.change is change) for change in Change}
    unreadable = sum(1 for c in comparisons if c.problem)
    console.print(
        f"dry run: {counts[Change.NEW]} new, {counts[Change.CHANGED]} changed, "
        f"{counts[Change.UNCHANGED]} unchanged, {unreadable} unreadable, {len(skipped)} "
        f"skipped; {len(comparisons) - unreadable} arrival estimates to send. Nothing was "
        "sent: add --apply.", highlight=False)


def _print_report(console: Console, report: ApplyReport, margin: timedelta) -> None:
    table = Table(title="write-back")
    for header in ("job", "appointment", "technician", "was", "assignment", "ETA"):
        table.add_column(header, no_wrap=True)
    table.add_column("Amazon said", ratio=1)
    for c in report.comparisons:
        results = report.results_for(c)
        details = [r.detail for r in results.values() if r.detail]
        table.add_row(
            c.target.service_job_id, c.target.appointment_id, c.target.technician_id,
            technicians_text(c.amazon_technicians),
            result_text(results.get(ActionKind.ASSIGN), "unchanged" if c.change else "—"),
            result_text(results.get(ActionKind.ETA), "—") + (
                f" {_eta_text(c, margin)}" if ActionKind.ETA in results else ""),
            escape("; ".join([c.problem] if c.problem else details)))
    console.print(table)
    _print_skipped(console, report.skipped)
    sent = sum(1 for r in report.results if r.sent)
    assigned = report.count(ActionKind.ASSIGN, ResultStatus.OK, ResultStatus.WARNING)
    warned = report.count(ActionKind.ASSIGN, ResultStatus.WARNING)
    etas = report.count(ActionKind.ETA, ResultStatus.OK, ResultStatus.WARNING)
    earlier = sum(1 for r in report.results if r.status is ResultStatus.DONE_EARLIER)
    style = "green" if report.succeeded else "bold red"
    console.print(
        f"[{style}]{'done' if report.succeeded else 'incomplete'}:[/] {assigned} assigned "
        f"({warned} with warnings), {etas} arrival estimates set, {earlier} done in an "
        f"earlier run, {report.problems} failed, {len(report.skipped)} skipped; {sent} calls "
        "sent." + ("" if report.succeeded else " Run the same command again to retry."),
        highlight=False)


def _print_skipped(console: Console, skipped: list[Skipped]) -> None:
    for item in skipped:
        console.print(f"skipped {escape(item.service_job_id)}: {escape(item.reason)}",
                      style="dim", highlight=False)
