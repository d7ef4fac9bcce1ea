"""What the CLI says is true: output formats, the day's timezone, exit codes, early checks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import pytest

from routing.cli import main
from routing.cli.app import build_parser
from routing.cli.exits import BAD_INPUT, EXIT_CODES_HELP, SPAPI, USAGE
from routing.cli.tables import stderr_console

REPO = Path(__file__).resolve().parents[3]
EXAMPLES = REPO / "examples"
ROSTER = str(EXAMPLES / "roster.yaml")
JOBS = str(EXAMPLES / "jobs.json")
DAY = "2026-12-01"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def usage_error(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    """Runs a command that argparse must refuse; returns its stderr."""
    with pytest.raises(SystemExit) as caught:
        main(list(argv))
    assert caught.value.code == USAGE
    return capsys.readouterr().err


def test_jobs_json_is_json_lines_with_iso_windows(capsys: pytest.CaptureFixture[str]) -> None:
    """The shape `jq -c 'select(.flags != []) | …'` (the --help example) relies on."""
    code, out, _ = run(capsys, "jobs", "--date", DAY, "--source", JOBS, "--roster", ROSTER,
                       "--no-cache", "--json")
    assert code == 0
    with pytest.raises(json.JSONDecodeError):
        json.loads(out)  # not one document: one object per line
    rows = [json.loads(line) for line in out.splitlines()]
    assert len(rows) == 72 and all(isinstance(row, dict) for row in rows)
    flagged = [row["service_job_id"] for row in rows if row["flags"] != []]
    assert 0 < len(flagged) < len(rows)
    timed = [row for row in rows if row["window_start"] is not None]
    assert timed and any(row["window_start"] is None for row in rows)
    for row in timed:
        start = datetime.fromisoformat(row["window_start"])
        end = datetime.fromisoformat(row["window_end"])
        assert start.utcoffset() is not None and start < end
        assert row["window"].startswith(f"{start:%H:%M}–{end:%H:%M}")
        assert row["windows"][0] == {"start": row["window_start"], "end": row["window_end"]}
        assert len(row["windows"]) == len(row["window"].split(", "))


def test_tables_piped_to_a_file_are_not_cut(capsys: pytest.CaptureFixture[str],
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")  # what a narrow terminal or a cron shell would say
    code, out, _ = run(capsys, "jobs", "--date", DAY, "--source", "emulator", "--no-cache")
    assert code == 0
    assert "…" not in out
    assert out.count("NOT_SERVICED") > 10
    jobs = json.loads((EXAMPLES / "jobs.json").read_text(encoding="utf-8"))["payload"]["jobs"]
    ids = [line.split("│")[1].strip() for line in out.splitlines() if line.startswith("│ SJ-")]
    assert set(ids) <= {job["serviceJobId"] for job in jobs} and len(ids) == 64
    assert "2737 Roosevelt Way NE, Seattle 98105" in out
    assert ("not_plannable_status: Status NOT_FULFILLABLE is not plannable (only NOT_SERVICED "
            "and PENDING_SCHEDULE are).") in out


def test_jobs_plain_format_is_one_tab_separated_line_per_job(
        capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "jobs", "--date", DAY, "--source", JOBS, "--roster", ROSTER,
                       "--no-cache", "--format", "plain")
    assert code == 0
    title, header, *rows = out.splitlines()
    assert title == "Jobs on 2026-12-01 (America/Los_Angeles, the roster's): 72"
    assert header.split("\t") == ["job", "status", "window", "technician", "address", "flags",
                                  "reason"]
    assert len(rows) == 72 and all(row.count("\t") == 6 for row in rows)
    assert "┃" not in out and "\x1b" not in out and "…" not in out
    serviced = [row.split("\t") for row in rows if "\tNOT_SERVICED\t" in row]
    assert ["SJ-2271616155", "NOT_SERVICED", "12:00–14:00", "—",
            "2737 Roosevelt Way NE, Seattle 98105", "needs_technician", ""] in serviced


@pytest.mark.slow
def test_plan_plain_format_prints_whole_cells(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "plan", "--date", DAY, "--roster", ROSTER, "--source", JOBS,
                       "--no-cache", "--workers", "1", "--solution-limit", "5",
                       "--time-limit", "60", "--seed", "1", "-q", "--format", "plain")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith("Plan for Tuesday 01 December 2026 (America/Los_Angeles)")
    assert "#\tarrive\tservice\twindow\tjob\tdrive\twait\taddress" in lines
    assert "job\tstatus\treason\twhy" in lines
    assert any("\tnot_plannable_status\t" in line for line in lines)
    assert "┃" not in out and "…" not in out and "[bold]" not in out


@pytest.mark.parametrize("command", ["jobs", "geocode"])
def test_the_day_timezone_is_one_rule_and_the_header_names_it(
        capsys: pytest.CaptureFixture[str], tmp_path: Path, command: str) -> None:
    """The emulator's day in Seattle has 64 jobs; read in UTC it had 62."""
    extra = ["--no-cache"] if command == "jobs" else [
        "--geocode-cache", str(tmp_path / "cache.sqlite")]
    base = [command, "--date", DAY, "--source", "emulator", *extra]
    headers = {}
    for origin, flags in {"the example roster's": [], "the roster's": ["--roster", ROSTER],
                          "--timezone": ["--timezone", "America/Los_Angeles"]}.items():
        code, out, err = run(capsys, *base, *flags)
        assert code == 0, err
        assert "✓ fetch    64 jobs" in err
        headers[origin] = out.splitlines()[0]
        assert headers[origin] == f"Jobs on {DAY} (America/Los_Angeles, {origin}): 64"
    code, out, err = run(capsys, *base, "--timezone", "UTC")
    assert "✓ fetch    62 jobs" in err and "(UTC, --timezone): 62" in out


def test_a_file_source_without_roster_says_it_read_the_day_in_utc(
        capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "jobs", "--date", DAY, "--source", JOBS, "--no-cache")
    assert code == 0
    assert out.splitlines()[0].startswith(
        "Jobs on 2026-12-01 (UTC, default: pass --timezone or --roster)")


@pytest.mark.parametrize("kind", ["directory", "under a file"])
def test_an_output_that_cannot_be_written_is_refused_before_fetching(
        capsys: pytest.CaptureFixture[str], tmp_path: Path, kind: str) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("", encoding="utf-8")
    target = tmp_path if kind == "directory" else blocker / "plan.html"
    started = time.perf_counter()
    code, out, err = run(capsys, "plan", "--date", DAY, "--roster", ROSTER, "--source", JOBS,
                         "--out", str(tmp_path / "plan.json"), "--map", str(target))
    seconds = time.perf_counter() - started
    assert code == BAD_INPUT
    assert err.startswith(f"routeplan: error: --map {target}: ") and err.count("\n") == 1
    assert "fetch" not in err and out == "" and seconds < 2
    assert not (tmp_path / "plan.json").exists()


def test_an_invalid_date_is_a_usage_error_as_the_help_says(
        capsys: pytest.CaptureFixture[str]) -> None:
    for command in ("plan", "jobs", "geocode"):
        assert "not a date: '2026-13-01'" in usage_error(
            capsys, command, "--date", "2026-13-01", "--source", JOBS)
    codes = {line[:5].strip(): line[5:] for line in EXIT_CODES_HELP.splitlines()
             if line[:5].strip().isdigit()}
    assert "--date" in codes[str(USAGE)] and "date" not in codes[str(BAD_INPUT)]
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    exit_codes = readme[readme.index("**Exit codes**"):].split("\n\n")[0]
    usage_text = exit_codes[exit_codes.index("2 usage"):exit_codes.index("3 bad input")]
    assert "--date" in usage_text
    assert "date" not in exit_codes[exit_codes.index("3 bad input"):]


@pytest.mark.parametrize("command", ["jobs", "geocode"])
@pytest.mark.parametrize("option", [["--matrix", "osrm"], ["--osrm-url", "http://127.0.0.1:1"],
                                    ["--speed-kmh", "30"]])
def test_travel_time_options_belong_to_plan_only(capsys: pytest.CaptureFixture[str],
                                                 command: str, option: list[str]) -> None:
    err = usage_error(capsys, command, "--date", DAY, "--source", JOBS, *option)
    assert f"unrecognized arguments: {option[0]}" in err
    parsed = build_parser().parse_args(["plan", "--date", DAY, *option])
    assert getattr(parsed, option[0][2:].replace("-", "_")) is not None


def test_missing_credentials_say_what_to_do(capsys: pytest.CaptureFixture[str],
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("SP_API_REFRESH_TOKEN", "LWA_APP_ID", "LWA_CLIENT_SECRET"):
        monkeypatch.delenv(name, raising=False)
    code, _, err = run(capsys, "jobs", "--date", DAY, "--source", "spapi")
    assert code == SPAPI
    assert err.startswith("routeplan: error: SP-API credentials missing: export "
                          "SP_API_REFRESH_TOKEN, LWA_APP_ID, LWA_CLIENT_SECRET")
    assert "pass credentials" not in err
    assert "--source emulator" in err and err.count("\n") == 1


@pytest.mark.slow
def test_a_reader_that_stops_early_is_not_an_error() -> None:
    """`routeplan jobs --json | head -1`: no 'Broken pipe' error, the shell's SIGPIPE code.

    The pipe's reading end is closed before the command starts, so its first write fails
    every time (with `head` that depends on who is faster).
    """
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        result = subprocess.run(
            [sys.executable, "-m", "routing.cli", "jobs", "--date", DAY, "--source", JOBS,
             "--no-cache", "--json"], stdout=write_end, stderr=subprocess.PIPE, text=True,
            env={**os.environ, "PYTHONPATH": str(REPO)}, timeout=120, check=False)
    finally:
        os.close(write_end)
    assert result.returncode == 141
    assert "error" not in result.stderr and "Traceback" not in result.stderr


def test_notes_on_stderr_are_not_wrapped_in_a_log(capsys: pytest.CaptureFixture[str]) -> None:
    """A path in a note must stay whole in a log: it was cut at column 80 ("plan.js\\non")."""
    path = "/tmp/" + "a-long-folder-name/" * 8 + "plan.json"
    stderr_console().print(f"reusing from {path}: seed 0", highlight=False)
    assert capsys.readouterr().err == f"reusing from {path}: seed 0\n"
