"""routeplan emulator: run the local Services API emulator until Ctrl-C.

Point the other commands at it with --endpoint URL and ROUTEPLAN_TOKEN_URL; its LWA
endpoint accepts the credentials emulator-client / emulator-secret / emulator-refresh.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from routing.cli.common import EXAMPLES
from routing.spapi.emulator import serve_forever

EXAMPLES_TEXT = """\
examples:
  routeplan emulator --port 8800
  routeplan emulator --jobs saved-jobs.json --no-rate-limits
"""


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "emulator", help="run the local Services API emulator", description=__doc__,
        epilog=EXAMPLES_TEXT, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--jobs", type=Path, default=EXAMPLES / "jobs.json", metavar="FILE",
                        help="a getServiceJobs JSON file to serve (default: the examples)")
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=0, help="port (default: any free one)")
    parser.add_argument("--no-rate-limits", action="store_true",
                        help="do not answer 429 when Amazon's usage plans are exceeded")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    serve_forever(args.jobs, args.host, args.port,
                  enforce_rate_limits=not args.no_rate_limits)
    return 0
