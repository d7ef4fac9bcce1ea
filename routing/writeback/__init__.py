"""Writing back to Amazon, resumably: a plan's technicians and arrival estimates, and
a visit log's actual times.

``plan_assignments(plan, client)`` lists the calls a write-back would make (a dry run);
``apply_plan(plan, client, journal=Journal(path))`` makes them, journalled so that a run
killed at any instant can be re-run without repeating a call that succeeded.
``fulfillment_rows(visit_log)`` and ``apply_fulfillment(rows, client, journal=…)`` do the
same for setAppointmentFulfillmentData after the visits.
"""

from routing.writeback.actions import (
    DEFAULT_MARGIN,
    Action,
    ActionKind,
    Change,
    Comparison,
    Skipped,
    Target,
    compare_plan,
    eta_window,
    load_plan,
    parse_margin,
    plan_assignments,
    plan_identity,
)
from routing.writeback.apply import (
    ActionResult,
    ApplyProgress,
    ApplyReport,
    ResultStatus,
    apply_plan,
)
from routing.writeback.errors import JournalError, WritebackError
from routing.writeback.fulfill import (
    FulfillReport,
    FulfillRow,
    apply_fulfillment,
    fulfillment_rows,
)
from routing.writeback.journal import Entry, Journal, Outcome, State, default_journal_path

__all__ = [
    "DEFAULT_MARGIN",
    "Action",
    "ActionKind",
    "ActionResult",
    "ApplyProgress",
    "ApplyReport",
    "Change",
    "Comparison",
    "Entry",
    "FulfillReport",
    "FulfillRow",
    "Journal",
    "JournalError",
    "Outcome",
    "ResultStatus",
    "Skipped",
    "State",
    "Target",
    "WritebackError",
    "apply_fulfillment",
    "apply_plan",
    "compare_plan",
    "default_journal_path",
    "eta_window",
    "fulfillment_rows",
    "load_plan",
    "parse_margin",
    "plan_assignments",
    "plan_identity",
]
