"""Shared pieces: the window a stop was served in, colours, and safe file writing."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

import routing
from routing.export import (
    PALETTE,
    ExportError,
    csv_cell,
    technician_colours,
    write_plan_json,
)
from routing.export.common import served_window, write_text
from routing.plan import Plan, PlanStop, TimeSpan

LA = ZoneInfo("America/Los_Angeles")


def at(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, 1, hour, minute, tzinfo=LA)


def stop_at(plan: Plan, start: datetime, windows: list[tuple[int, int]]) -> PlanStop:
    stop = plan.routes[0].stops[0]
    return stop.model_copy(update={
        "service_start": start,
        "service_end": start + timedelta(hours=1),
        "windows": [TimeSpan(start=at(a), end=at(b)) for a, b in windows],
    })


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        (at(13), (12, 15)),  # starts inside the second window
        (at(8, 30), (8, 9)),  # "finish within": it ends inside the first one
        (at(6), (8, 9)),  # in none: the first
    ],
)
def test_served_window(plan: Plan, start: datetime, expected: tuple[int, int]) -> None:
    window = served_window(stop_at(plan, start, [(8, 9), (12, 15)]))

    assert window is not None
    assert (window.start, window.end) == (at(expected[0]), at(expected[1]))


def test_served_window_of_a_stop_without_windows(plan: Plan) -> None:
    assert served_window(stop_at(plan, at(9), [])) is None


def test_every_technician_has_a_distinct_palette_colour(plan: Plan) -> None:
    colours = technician_colours(plan)

    assert list(colours) == [route.technician_id for route in plan.routes]
    assert len(set(colours.values())) == len(colours)
    assert set(colours.values()) <= set(PALETTE)


def test_write_text_replaces_the_file_and_leaves_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "out.txt"
    target.write_text("old", encoding="utf-8")

    assert write_text(target, "néw\n") == target
    assert target.read_text(encoding="utf-8") == "néw\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]


def test_write_text_into_a_folder_that_is_a_file(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")

    with pytest.raises(ExportError, match=re.escape(str(blocker / "out.txt"))):
        write_text(blocker / "out.txt", "text")


def test_plan_json_round_trips(plan: Plan, tmp_path: Path) -> None:
    path = write_plan_json(plan, tmp_path / "plan.json")

    assert Plan.from_json(path.read_bytes()) == plan


@pytest.mark.parametrize(("value", "cell"), [
    ("=1+1", "'=1+1"),
    ("+1 206 555 0100", "'+1 206 555 0100"),
    ("-1+1", "'-1+1"),
    ("-2e5", "'-2e5"),
    ("@SUM(A1)", "'@SUM(A1)"),
    ("\tx", "'\tx"),
    ("\rx", "'\rx"),
    ("-122.335167", "-122.335167"),
    ("-300", "-300"),
    ("1 Main St = here", "1 Main St = here"),
    ("", ""),
])
def test_csv_cell_follows_owasp_and_keeps_plain_numbers(value: str, cell: str) -> None:
    assert csv_cell(value) == cell


def test_every_csv_goes_through_the_shared_writer() -> None:
    """A CSV writer outside write_csv_table would bypass csv_cell."""
    package = Path(routing.__file__).parent
    writers = [
        path.relative_to(package).as_posix()
        for path in package.rglob("*.py")
        if re.search(r"csv\.(writer|DictWriter)\(", path.read_text(encoding="utf-8"))
    ]
    assert writers == ["export/common.py"]
