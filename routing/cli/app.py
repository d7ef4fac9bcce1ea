"""The ``routeplan`` parser and entry point; each subcommand lives in its own module."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence

from routing.cli import (
    assign_cmd,
    audit_cmd,
    batch_cmd,
    booking_cmd,
    demo_cmd,
    durations_cmd,
    emulator_cmd,
    fulfill_cmd,
    geocode_cmd,
    jobs_cmd,
    plan_cmd,
)
from routing.cli.exits import EXIT_CODES_HELP, exit_code_for

_COMMANDS = (plan_cmd, demo_cmd, jobs_cmd, geocode_cmd, emulator_cmd, assign_cmd, fulfill_cmd,
             audit_cmd, durations_cmd, batch_cmd, booking_cmd)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="routeplan",
        description="Daily technician routes for Amazon Services API jobs.",
        epilog=EXIT_CODES_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--debug", action="store_true", help="show tracebacks and debug logs")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for module in _COMMANDS:
        module.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run ``routeplan`` with ``argv``; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.debug else logging.ERROR,
                        format="%(levelname)s %(name)s: %(message)s")
    try:
        return int(args.run(args))
    except KeyboardInterrupt:
        print("routeplan: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (`routeplan jobs ... | head`): not an error of ours. Point
        # stdout at /dev/null so that flushing it at exit does not raise again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141  # 128 + SIGPIPE, what a shell reports for a command killed by it
    except Exception as exc:
        if args.debug:
            raise
        code, message = exit_code_for(exc)
        print(f"routeplan: error: {message}", file=sys.stderr)
        return code
