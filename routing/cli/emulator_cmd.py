"""routeplan emulator: run the local Services API emulator until Ctrl-C.

Point the other commands at it with --endpoint URL and ROUTEPLAN_TOKEN_URL; its LWA
endpoint accepts the credentials emulator-client / emulator-secret / emulator-refresh.
GET URL/_emulator/calls lists every call it received (method, path, operation, status,
fault, time) as JSON.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from routing.cli.common import EMULATOR_DATASETS
from routing.spapi.emulator import EmulatorError, FaultPlan, serve_forever

EXAMPLES_TEXT = """\
faults (--fault KIND:N[@OPERATION], repeatable, served in order):
  429:5            the next 5 calls are throttled (any 4xx/5xx status works: 503:3, 500:1)
  html:2           the next 2 calls get a proxy's HTML 502 page
  delay:35         the next call is answered 35 s late (beyond routeplan's 30 s deadline)
  expire-token:1   the next call finds its access token expired
  slot-taken:1     the next booking finds its slot taken since it was read (422)
  @OPERATION       aims a fault at getServiceJobs, getServiceJobByServiceJobId,
                   assignAppointmentResources, setAppointmentFulfillmentData,
                   getAppointmmentSlotsByJobId (Amazon's spelling), getAppointmentSlots,
                   addAppointmentForServiceJobByServiceJobId,
                   rescheduleAppointmentForServiceJobByServiceJobId or lwaToken

examples:
  routeplan emulator --port 8800
  routeplan emulator --jobs saved-jobs.json --no-rate-limits
  routeplan emulator --port 8800 --fault 429:3@getServiceJobs --fault html:1
"""


def fault_spec(text: str) -> str:
    """A --fault spec, checked now so that a typo is a usage error, not a late surprise."""
    try:
        FaultPlan().inject_spec(text)
    except EmulatorError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return text


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "emulator", help="run the local Services API emulator", description=__doc__,
        epilog=EXAMPLES_TEXT, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--jobs", type=Path, action="append", metavar="FILE",
                        help="a getServiceJobs JSON file to serve (repeatable; default: the "
                        "example day and its month of history, as --source emulator)")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=0, help="port (default: any free one)")
    parser.add_argument("--no-rate-limits", action="store_true",
                        help="do not answer 429 when Amazon's usage plans are exceeded")
    parser.add_argument("--fault", dest="faults", action="append", default=[], type=fault_spec,
                        metavar="KIND:N[@OP]",
                        help="inject a fault (repeatable; see below), e.g. 429:5 or delay:35")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    serve_forever(args.jobs or EMULATOR_DATASETS, args.host, args.port, faults=args.faults,
                  enforce_rate_limits=not args.no_rate_limits)
    return 0
