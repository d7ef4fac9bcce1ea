"""Options and plumbing shared by the subcommands: dates, job sources, settings, progress."""

from __future__ import annotations

import argparse
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from rich.console import Console
from rich.progress_bar import ProgressBar
from rich.status import Status
from rich.table import Table

from routing.config import ConfigError, Settings, load_settings
from routing.planner import ProgressEvent, Stage
from routing.sources import FileSource, JobSource, SpApiSource
from routing.spapi import LwaCredentials, ServicesClient
from routing.spapi.emulator import Emulator

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
EMULATOR_CREDENTIALS = LwaCredentials("emulator-refresh", "emulator-client", "emulator-secret")
SOURCES_HELP = (
    "where jobs come from: 'spapi' (Amazon, credentials from the environment), 'sandbox' "
    "(Amazon's sandbox), 'emulator' (the local emulator with examples/jobs.json), or a saved "
    "getServiceJobs JSON file (default: spapi, or the endpoint set in the config)"
)


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


def add_geo_options(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("geocoding and travel times")
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
    group.add_argument("--matrix", choices=("haversine", "osrm"),
                       help="travel times: haversine (offline default) or an OSRM server")
    group.add_argument("--osrm-url", metavar="URL", help="OSRM base URL, e.g. http://host:5000")
    group.add_argument("--speed-kmh", type=float, help="haversine average speed (default 40)")


def settings_from(args: argparse.Namespace, **forced: Any) -> Settings:
    """Flags > environment > config file > defaults; ``forced`` beats them all."""
    flags = {name: getattr(args, name, None) for name in Settings.model_fields}
    return load_settings({**flags, **forced}, config=getattr(args, "config", None))


@contextmanager
def job_source(args: argparse.Namespace, settings: Settings) -> Iterator[JobSource]:
    """The source named by ``--source``; starts the local emulator for ``emulator``."""
    choice = args.source
    if choice == "emulator":
        with Emulator.from_file(EXAMPLES / "jobs.json") as emulator, ServicesClient(
            credentials=EMULATOR_CREDENTIALS, base_url=emulator.url,
            token_url=emulator.token_url,
        ) as client:
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


def spapi_client(settings: Settings, *, sandbox: bool = False) -> ServicesClient:
    """A client with credentials from the environment and the configured endpoint."""
    options: dict[str, Any] = {"region": settings.region, "sandbox": sandbox}
    if settings.endpoint:
        options["base_url"] = settings.endpoint
    if settings.token_url:
        options["token_url"] = settings.token_url
    return ServicesClient(**options)


class StageReporter:
    """Shows each planning stage on stderr: a spinner while it runs, a line when done."""

    def __init__(self, console: Console, *, quiet: bool = False) -> None:
        self.console = console
        self.quiet = quiet
        self._status: Status | None = None
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
            self._status = self.console.status(f"{event.stage.value}: {event.detail} …")
            self._status.start()
            return
        self._stop()
        seconds = time.perf_counter() - self._started.get(event.stage, time.perf_counter())
        self.console.print(f"[green]✓[/] {event.stage.value:<8} {event.detail} "
                           f"[dim]({seconds:.1f} s)[/]", highlight=False)

    def _stop(self) -> None:
        if self._status is not None:
            self._status.stop()
            self._status = None


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
