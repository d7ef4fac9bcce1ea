"""What the write-back commands (assign, fulfill) share: their options, the progress bar
on stderr and the style of a call's result."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeRemainingColumn,
)

from routing.cli.tables import stderr_console
from routing.writeback import ActionResult, ResultStatus

__all__ = ["STATUS_STYLE", "ProgressBar", "add_write_options", "progress_bar", "result_text"]

STATUS_STYLE = {ResultStatus.OK: "green", ResultStatus.WARNING: "yellow",
                 ResultStatus.FAILED: "bold red", ResultStatus.BLOCKED: "red",
                 ResultStatus.DONE_EARLIER: "dim"}


def add_write_options(parser: argparse.ArgumentParser, default_journal: str) -> None:
    """--apply, --journal, where the Services API is, --quiet."""
    parser.add_argument("--apply", action="store_true",
                        help="make the calls (default: dry run, nothing is sent)")
    parser.add_argument("--journal", type=Path, metavar="FILE",
                        help=f"SQLite journal (default: {default_journal})")
    group = parser.add_argument_group("Services API")
    group.add_argument("--region", choices=("na", "eu", "fe"), help="SP-API region")
    group.add_argument("--endpoint", metavar="URL",
                       help="any SP-API base URL, e.g. a running `routeplan emulator`")
    group.add_argument("--config", type=Path, metavar="FILE", help="a routeplan.toml")
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress bar")


class ProgressBar:
    """A rich progress bar with an ETA on stderr; silent when stderr is not a terminal."""

    def __init__(self, quiet: bool) -> None:
        console = stderr_console()
        self._progress = Progress(
            TextColumn("{task.description:<13}"), BarColumn(), MofNCompleteColumn(),
            TimeRemainingColumn(), console=console, transient=True,
            disable=quiet or not console.is_terminal)
        self._task: TaskID | None = None

    def begin(self, stage: str, total: int) -> None:
        if self._task is not None:
            self._progress.remove_task(self._task)
        self._task = self._progress.add_task(stage, total=total)

    def advance(self) -> None:
        if self._task is not None:
            self._progress.advance(self._task)

    def advance_hook(self, stage: str, total: int) -> Callable[[], None]:
        """Begin ``stage`` and return the callable that advances it."""
        self.begin(stage, total)
        return self.advance

    def start(self) -> None:
        self._progress.start()

    def stop(self) -> None:
        self._progress.stop()


@contextmanager
def progress_bar(quiet: bool) -> Iterator[ProgressBar]:
    bar = ProgressBar(quiet)
    bar.start()
    try:
        yield bar
    finally:
        bar.stop()


def result_text(result: ActionResult | None, fallback: str) -> str:
    if result is None:
        return fallback
    return f"[{STATUS_STYLE[result.status]}]{result.status.value}[/]"
