"""Exit codes, and which error earns which."""

from __future__ import annotations

import solver
from routing.errors import RoutingError
from routing.geo import GeoError
from routing.planner import PlanningError
from routing.spapi import SpApiError

OK = 0
INTERNAL = 1
USAGE = 2
BAD_INPUT = 3
SPAPI = 4
GEO = 5
PLANNING = 6
UNASSIGNED = 10
WRITEBACK_FAILED = 11
THRESHOLD_CROSSED = 12

EXIT_CODES_HELP = """\
exit codes:
  0   success
  1   internal error (a bug: please report it with --debug output)
  2   usage error: a bad option or argument, e.g. a --date that is not YYYY-MM-DD,
      today or tomorrow
  3   bad input: roster, jobs file, plan file, durations table, config, or an output
      path that cannot be written
  4   Services API failure (credentials, throttling that outlasted the retries, 5xx)
  5   geocoding or travel-time provider failure
  6   the day cannot be planned (e.g. a technician's home cannot be placed)
  10  plan written, but some jobs are unassigned (only with --strict)
  11  assign, fulfill, book, reschedule: some writes to Amazon failed (re-run to retry them)
  12  audit: a --fail-on threshold was crossed
"""


def exit_code_for(exc: BaseException) -> tuple[int, str]:
    """The exit code and the one-line message for an exception that ended a command."""
    message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    if isinstance(exc, SpApiError):
        return SPAPI, message
    if isinstance(exc, GeoError):
        return GEO, message
    if isinstance(exc, PlanningError | solver.SolverError):
        return PLANNING, message
    if isinstance(exc, RoutingError):
        return BAD_INPUT, message
    if isinstance(exc, OSError):
        return BAD_INPUT, f"{exc.filename or ''}: {exc.strerror or exc}".lstrip(": ")
    return INTERNAL, f"internal error: {type(exc).__name__}: {message} (run with --debug)"
