"""Options and plumbing shared by the subcommands: dates, job sources, settings, progress."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

from rich.console import Console
from rich.markup import escape
from rich.progress_bar import ProgressBar
from rich.status import Status
from rich.table import Table

from routing.cli.exits import GEO
from routing.config import ConfigError, Settings, load_settings
from routing.planner import ProgressEvent, Stage
from routing.roster import Roster, load_roster
from routing.sources import FileSource, JobSource, SpApiSource
from routing.spapi import LwaCredentials, RetryEvent, RetryPolicy, ServicesClient
from routing.spapi.emulator import Emulator, load_job_files

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
#: What ``--source emulator`` serves: the example day and the month of history before it.
EMULATOR_DATASETS = (EXAMPLES / "jobs.json", EXAMPLES / "history.json")
EMULATOR_CREDENTIALS = LwaCredentials("emulator-refresh", "emulator-client", "emulator-secret")
SOURCES_HELP = (
    "where jobs come from: 'spapi' (Amazon, credentials from the environment), 'sandbox' "
    "(Amazon's sandbox), 'emulator' (the local emulator with examples/jobs.json and "
    "history.json), or a saved getServiceJobs JSON file (default: spapi, or the endpoint "
    "set in the config)"
)
#: How the commands retry the Services API (6 attempts, up to 20 s apart, 120 s in all) and
#: the total deadline of one request. Tests swap in fast ones with ``monkeypatch.setattr``.
SPAPI_RETRY = RetryPolicy()
SPAPI_TIMEOUT = 30.0


def parse_day(text: str) -> date:
    """YYYY-MM-DD, 'today' or 'tomorrow' (local to this machine)."""
    lowered = text.strip().lower()
    if lowered in ("today", "tomorrow"):
        return date.today() + timedelta(days=lowered == "tomorrow")
    try:
        return date.fromisoformat(lowered)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"not a date: {text!r} (use YYYY-MM-DD, today or tomorrow)") from None


def zone(text: str) -> ZoneInfo:
    """An IANA timezone name such as America/Los_Angeles."""
    try:
        return ZoneInfo(text)
    except (ValueError, KeyError):
        raise argparse.ArgumentTypeError(
            f"unknown timezone {text!r} (use an IANA name such as America/Chicago)") from None


def positive_seconds(text: str) -> float:
    try:
        value = float(text.rstrip("s"))
    except ValueError:
        value = -1.0
    if value <= 0:
        raise argparse.ArgumentTypeError(f"not a positive number of seconds: {text!r}")
    return value


def add_source_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("jobs")
    group.add_argument("--date", type=parse_day, required=True, metavar="D",
                       help="the day to plan: YYYY-MM-DD, today or tomorrow")
    group.add_argument("--source", default="spapi", metavar="SOURCE", help=SOURCES_HELP)
    group.add_argument("--marketplace-id", help="Amazon marketplace id (default: US)")
    group.add_argument("--region", choices=("na", "eu", "fe"), help="SP-API region")
    group.add_argument("--endpoint", metavar="URL",
                       help="any SP-API base URL, e.g. a running `routeplan emulator`")
    group.add_argument("--config", type=Path, metavar="FILE", help="a routeplan.toml")


def add_geocoding_options(parser: argparse.ArgumentParser) -> None:
    """Where addresses are placed: every command that geocodes (plan, jobs, geocode)."""
    group = parser.add_argument_group("geocoding")
    group.add_argument("--geocoder", dest="geocoders", action="append", metavar="NAME",
                       help="provider, repeatable, in order: gazetteer (offline default) or a "
                            "geopy name such as nominatim, arcgis, googlev3")
    group.add_argument("--overrides", type=Path, metavar="FILE",
                       help="CSV/JSON of coordinates by service job id or address; they win")
    group.add_argument("--postal-file", type=Path, metavar="FILE",
                       help="a GeoNames postal-code file for countries other than the US")
    group.add_argument("--geocode-cache", type=Path, metavar="FILE", help="SQLite cache path")
    group.add_argument("--no-cache", action="store_true", default=None,
                       help="do not read or write the geocode cache")


def add_travel_options(parser: argparse.ArgumentParser) -> None:
    """How travel times are measured: only commands that build a matrix (plan)."""
    group = parser.add_argument_group("travel times")
    group.add_argument("--matrix", choices=("haversine", "osrm"),
                       help="travel times: haversine (offline default) or an OSRM server")
    group.add_argument("--osrm-url", metavar="URL", help="OSRM base URL, e.g. http://host:5000")
    group.add_argument("--speed-kmh", type=float, help="haversine average speed (default 40)")


def add_geo_options(parser: argparse.ArgumentParser) -> None:
    """Geocoding and travel-time options, for commands that plan."""
    add_geocoding_options(parser)
    add_travel_options(parser)


class DayZone(NamedTuple):
    """The timezone a command reads the day in, and where it came from (shown to the user)."""

    tz: ZoneInfo
    origin: str

    def __str__(self) -> str:
        return f"{self.tz.key}, {self.origin}"


def add_timezone_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--timezone", type=zone, metavar="TZ",
                        help="IANA timezone of the day, which decides the jobs on it (default: "
                             "the roster's (--roster or the config's), else for --source "
                             "emulator the example roster's, else UTC)")


def day_timezone(args: argparse.Namespace, roster: Roster | None) -> DayZone:
    """The one rule every command uses for the day's timezone: ``--timezone``, else the
    roster's, else for ``--source emulator`` the example roster's, else UTC.

    The day's jobs are fetched between local midnights, so the zone decides which jobs are
    on the day: it must be known before fetching, and it must be the same for every command.
    """
    explicit: ZoneInfo | None = getattr(args, "timezone", None)
    if explicit is not None:
        return DayZone(explicit, "--timezone")
    if roster is not None:
        return DayZone(roster.tz, "the roster's")
    if getattr(args, "source", None) == "emulator":
        return DayZone(load_roster(EXAMPLES / "roster.yaml").tz, "the example roster's")
    return DayZone(ZoneInfo("UTC"), "default: pass --timezone or --roster")


def settings_from(args: argparse.Namespace, **forced: Any) -> Settings:
    """Flags > environment > config file > defaults; ``forced`` beats them all."""
    flags = {name: getattr(args, name, None) for name in Settings.model_fields}
    return load_settings({**flags, **forced}, config=getattr(args, "config", None))


@contextmanager
def job_source(args: argparse.Namespace, settings: Settings) -> Iterator[JobSource]:
    """The source named by ``--source``; starts the local emulator for ``emulator``."""
    choice = args.source
    _PROGRESS.set(None)  # retries show on the reporter of this command only
    if choice == "emulator":
        with Emulator(load_job_files(EMULATOR_DATASETS)) as emulator, \
                emulator_client(emulator) as client:
            yield SpApiSource(client, settings.marketplace_id)
        return
    if choice in ("spapi", "sandbox"):
        with spapi_client(settings, sandbox=choice == "sandbox") as client:
            yield SpApiSource(client, settings.marketplace_id)
        return
    path = Path(choice)
    if not path.exists():
        raise ConfigError(
            f"--source {choice}: no such file (use spapi, sandbox, emulator or a JSON file)")
    yield FileSource(path)


def emulator_client(emulator: Emulator,
                    clock: Callable[[], datetime] | None = None) -> ServicesClient:
    """A client of the local emulator (its fixed credentials), with the CLI's retries."""
    return ServicesClient(
        credentials=EMULATOR_CREDENTIALS, base_url=emulator.url, token_url=emulator.token_url,
        retry=retry_policy(), timeout=SPAPI_TIMEOUT, clock=clock,
    )


def spapi_client(settings: Settings, *, sandbox: bool = False) -> ServicesClient:
    """A client with credentials from the environment and the configured endpoint.

    Its retries show on the progress line of the running :class:`StageReporter`.
    """
    options: dict[str, Any] = {"region": settings.region, "sandbox": sandbox,
                               "retry": retry_policy(), "timeout": SPAPI_TIMEOUT}
    if settings.endpoint:
        options["base_url"] = settings.endpoint
    if settings.token_url:
        options["token_url"] = settings.token_url
    return ServicesClient(**options)


def retry_policy() -> RetryPolicy:
    """The CLI's Services API retry policy: Amazon's waits shown on the stderr progress line."""
    return replace(SPAPI_RETRY, listener=_show_retry)


def _show_retry(event: RetryEvent) -> None:
    """Put a Services API retry on the progress line of the stage now running, if any."""
    reporter = _PROGRESS.get()
    if reporter is not None:
        reporter.note(str(event))


class StageReporter:
    """Shows each planning stage on stderr: a spinner while it runs, a line when done.

    :meth:`note` shows a passing remark on the running stage's line (a retry, a wait).
    """

    def __init__(self, console: Console, *, quiet: bool = False) -> None:
        self.console = console
        self.quiet = quiet
        self._status: Status | None = None
        self._running = ""
        self._started: dict[Stage, float] = {}

    def __call__(self, event: ProgressEvent) -> None:
        if self.quiet:
            return
        if event.state == "advance":  # the spinner becomes a progress bar
            if self._status is not None:
                line = Table.grid(padding=1)
                line.add_row(f"{event.stage.value}:", event.detail,
                             ProgressBar(total=event.total, completed=event.done, width=30))
                self._status.update(line)
            return
        if event.state == "start":
            self._started[event.stage] = time.perf_counter()
            self._stop()
            self._running = f"{event.stage.value}: {event.detail} …"
            self._status = self.console.status(self._running)
            self._status.start()
            _PROGRESS.set(self)
            return
        self._stop()
        seconds = time.perf_counter() - self._started.get(event.stage, time.perf_counter())
        self.console.print(f"[green]✓[/] {event.stage.value:<8} {event.detail} "
                           f"[dim]({seconds:.1f} s)[/]", highlight=False)

    def note(self, text: str) -> None:
        """Show ``text`` beside the running stage: on its spinner on a terminal, else as a
        line of its own (a cron log keeps it). Nothing when quiet or no stage runs."""
        if self.quiet or self._status is None:
            return
        if self.console.is_terminal:
            self._status.update(f"{self._running} [yellow]{escape(text)}[/]")
        else:
            self.console.print(f"  … {text}", highlight=False, markup=False, soft_wrap=True)

    def _stop(self) -> None:
        if self._status is not None:
            self._status.stop()
            self._status = None


#: The reporter whose stage is running in this command, for notes from deep inside (retries).
_PROGRESS: ContextVar[StageReporter | None] = ContextVar("routeplan_progress", default=None)


def fetch_jobs(source: JobSource, day: date, tz: ZoneInfo, report: StageReporter) -> list[Any]:
    report(ProgressEvent(Stage.FETCH, "start", source.label))
    jobs = source.fetch(day, tz)
    rejected = f", {len(source.rejected)} unreadable" if source.rejected else ""
    report(ProgressEvent(Stage.FETCH, "done", f"{len(jobs)} jobs from {source.label}{rejected}"))
    return jobs


def local_time(moment: datetime | None) -> str:
    return "—" if moment is None else moment.strftime("%H:%M")


def duration_text(seconds: int | float | None) -> str:
    if seconds is None:
        return "—"
    minutes = round(seconds / 60)
    return f"{minutes // 60}h{minutes % 60:02d}" if minutes >= 60 else f"{minutes} min"


def provider_outage(unreachable: Mapping[str, str], not_geocoded: int, code: int) -> int:
    """``code``, unless a geocoding provider was given up on: then a one-line summary on
    stderr and exit 5, once whatever could be written has been (``plan`` shares this)."""
    if not unreachable:
        return code
    print(f"routeplan: error: {'; '.join(unreachable.values())}: "
          f"{not_geocoded} job(s) not geocoded", file=sys.stderr)
    return GEO


def positive_int(text: str) -> int:
    """An argparse type: a whole number of at least 1."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"not a positive whole number: {text!r}")
    return value
