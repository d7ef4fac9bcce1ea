"""A geocoding provider that cannot be reached: given up on in seconds, exit 5, plan written."""

from __future__ import annotations

import io
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from rich.console import Console

from routing.cli import main
from routing.cli.common import StageReporter
from routing.cli.exits import GEO
from routing.plan import Plan
from routing.planner import ProgressEvent, Stage

REPO = Path(__file__).resolve().parents[3]
EXAMPLES = REPO / "examples"
DAY = "2026-12-01"


@pytest.fixture
def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def outage_config(tmp_path: Path, port: int, *extra: str,
                  geocoders: str = '"nominatim"') -> Path:
    """Nominatim on a loopback port nothing listens on; ``extra`` lines go on top."""
    config = tmp_path / "routeplan.toml"
    config.write_text("\n".join([
        f"geocoders = [{geocoders}]",
        f'geocode_cache = "{tmp_path / "cache.sqlite3"}"',
        *extra,
        "[geocoder_options.nominatim]",
        f'domain = "127.0.0.1:{port}"',
        'scheme = "http"',
    ]) + "\n")
    return config


def roster_with_coordinates(tmp_path: Path) -> Path:
    """The example roster with Jamal's home placed by lat/lon, so no home needs geocoding."""
    text = (EXAMPLES / "roster.yaml").read_text(encoding="utf-8")
    home = '    start:\n      address: {line1: "5230 Delridge Way SW"'
    assert home in text
    roster = tmp_path / "roster.yaml"
    roster.write_text(text.replace(
        home, '    start:\n      lat: 47.5535\n      lon: -122.3631\n'
              '      address: {line1: "5230 Delridge Way SW"'))
    return roster


@pytest.mark.slow
def test_geocode_gives_up_on_a_refused_provider_in_seconds_and_exits_5(
    tmp_path: Path, closed_port: int
) -> None:
    """With the default retries and threshold, as a user runs it (before: 502 s, exit 0)."""
    config = outage_config(tmp_path, closed_port)
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "routing.cli", "geocode", "--date", DAY, "--source", "emulator",
         "--config", str(config)],
        capture_output=True, text=True, timeout=120, cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
    )
    elapsed = time.monotonic() - started
    assert done.returncode == GEO, done.stderr
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("routeplan: error: provider nominatim unreachable (3 failures in a row")
    assert last.endswith("job(s) not geocoded")
    assert "Geocoded 0 of" in done.stdout
    # 3 attempts 1 s and 2 s apart, plus start-up and the emulator (slow on a busy machine).
    assert elapsed < 40, elapsed


def test_plan_with_the_provider_down_writes_the_plan_and_exits_5(
    tmp_path: Path, closed_port: int, capsys: pytest.CaptureFixture[str]
) -> None:
    config = outage_config(tmp_path, closed_port, "geocode_max_failures = 1")
    out = tmp_path / "plan.json"
    code = main(["plan", "--date", DAY, "--source", "emulator", "--config", str(config),
                 "--roster", str(roster_with_coordinates(tmp_path)), "--workers", "1",
                 "--solution-limit", "5", "--time-limit", "60", "--out", str(out),
                 "-q", "--strict"])
    err = capsys.readouterr().err
    assert code == GEO  # not 10 (--strict): the outage is the cause
    plan = Plan.model_validate_json(out.read_text(encoding="utf-8"))
    not_geocoded = [job for job in plan.unassigned if job.reason == "not_geocoded"]
    assert len(not_geocoded) > 40
    assert all("provider nominatim unreachable" in job.sentence for job in not_geocoded)
    assert any(w.startswith("Geocoding: provider nominatim unreachable") for w in plan.warnings)
    assert err.strip().splitlines()[-1] == (
        "routeplan: error: provider nominatim unreachable (1 failures in a row, the last: "
        "[Errno 111] Connection refused); not asked again in this run: "
        f"{len(not_geocoded)} job(s) not geocoded"
    )


@pytest.mark.slow  # the gazetteer's first load
def test_a_fallback_provider_places_the_jobs_yet_the_outage_exits_5(
    tmp_path: Path, closed_port: int, capsys: pytest.CaptureFixture[str]
) -> None:
    config = outage_config(tmp_path, closed_port, "geocode_max_failures = 1",
                           geocoders='"nominatim", "gazetteer"')
    code = main(["geocode", "--date", DAY, "--source", "emulator", "--config", str(config)])
    captured = capsys.readouterr()
    assert code == GEO
    sources = captured.out.split("By source:")[1].split("Not geocoded")[0].split()
    assert sources[0] == "gazetteer" and "nominatim" not in sources
    counts = re.search(r"Geocoded (\d+) of (\d+) jobs", captured.out)
    assert counts is not None and int(counts[1]) >= int(counts[2]) - 2
    assert captured.err.strip().splitlines()[-1].startswith(
        "routeplan: error: provider nominatim unreachable")


def reporter_output(*, terminal: bool) -> str:
    buffer = io.StringIO()
    report = StageReporter(Console(file=buffer, force_terminal=terminal, width=100))
    report(ProgressEvent(Stage.GEOCODE, "start", "10 addresses"))
    report(ProgressEvent(Stage.GEOCODE, "advance", "4 of 10 addresses", 4, 10))
    report(ProgressEvent(Stage.GEOCODE, "done", "10 placed, 0 not found"))
    return buffer.getvalue()


def test_geocoding_shows_a_progress_bar_on_a_terminal_only() -> None:
    shown = reporter_output(terminal=True)
    assert "4 of 10 addresses" in shown and "━" in shown
    quiet = reporter_output(terminal=False)
    assert "4 of 10 addresses" not in quiet and "━" not in quiet
    assert "10 placed, 0 not found" in quiet  # the stage's line, for logs
