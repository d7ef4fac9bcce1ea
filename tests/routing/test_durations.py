"""The service-duration table: parsing, the lookup rule, files and their errors."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path

import pytest
from rich.console import Console

from routing.cli.app import build_parser
from routing.cli.render import print_plan
from routing.durations import (
    BUILTIN,
    DurationsError,
    DurationTable,
    load_durations,
    parse_duration,
)
from routing.errors import RoutingError
from routing.plan import Plan, PlanInputs, RecordedFile
from routing.spapi.models import ScopeOfWork
from tests.routing.test_plan import small_plan

MIN = timedelta(minutes=1)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("90m", 90 * MIN),
        ("1h30m", 90 * MIN),
        ("2h 15m", 135 * MIN),
        ("45s", timedelta(seconds=45)),
        ("1h", 60 * MIN),
        ("1.5h", 90 * MIN),
        ("25 min", 25 * MIN),
        ("40", 40 * MIN),
        (75, 75 * MIN),
        (7.5, timedelta(minutes=7.5)),
        (timedelta(hours=2), 120 * MIN),
    ],
)
def test_parse_duration_accepts_the_documented_spellings(text: object, expected: timedelta) -> None:
    assert parse_duration(text) == expected


@pytest.mark.parametrize("bad", ["", "ninety", "90x", "m", "0m", -5, 0, True, None, [90]])
def test_parse_duration_rejects_nonsense_and_non_positive(bad: object) -> None:
    with pytest.raises(ValueError):
        parse_duration(bad)


@pytest.fixture
def table() -> DurationTable:
    return DurationTable.model_validate(
        {
            "default": "50m",
            "by_skill": {"TV_MOUNTING": "1h", "PLUMBING": "1h30m", "SMART_HOME": 30},
            "by_asin": {"B0BIGTV001": "2h"},
        }
    )


def scope(
    asin: str | None = None, skills: list[str] | None = None, qty: int | None = None
) -> ScopeOfWork:
    return ScopeOfWork(asin=asin, required_skills=skills, quantity=qty)


def test_asin_entry_wins_over_skills(table: DurationTable) -> None:
    assert table.duration_for(scope("B0BIGTV001", ["PLUMBING"])) == 120 * MIN


def test_longest_required_skill_counts(table: DurationTable) -> None:
    assert table.duration_for(scope("B0OTHER001", ["SMART_HOME", "PLUMBING"])) == 90 * MIN
    assert table.duration_for(scope(None, ["SMART_HOME", "UNKNOWN"])) == 30 * MIN


def test_default_when_nothing_matches(table: DurationTable) -> None:
    assert table.duration_for(scope("B0OTHER001", ["UNKNOWN"])) == 50 * MIN
    assert table.duration_for(scope()) == 50 * MIN
    assert table.duration_for(None) == 50 * MIN


@pytest.mark.parametrize(("qty", "factor"), [(None, 1), (0, 1), (1, 1), (3, 3)])
def test_quantity_multiplies(table: DurationTable, qty: int | None, factor: int) -> None:
    assert table.duration_for(scope(None, ["TV_MOUNTING"], qty)) == factor * 60 * MIN


def test_builtin_table_has_a_60_minute_default() -> None:
    builtin = DurationTable.builtin()
    assert builtin.default == 60 * MIN
    assert builtin.by_skill and all(d > timedelta(0) for d in builtin.by_skill.values())


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("d.yaml", "default: 50m\nby_skill:\n  PLUMBING: 1h30m\nby_asin: {B0BIGTV001: 2h}\n"),
        ("d.yml", "default: 50\nby_skill: {PLUMBING: 90}\nby_asin: {B0BIGTV001: 120}\n"),
        ("d.toml", 'default = "50m"\n[by_skill]\nPLUMBING = "90m"\n[by_asin]\nB0BIGTV001 = 120\n'),
        ("d.json", '{"default": "50m", "by_skill": {"PLUMBING": "1h30m"},'
                   ' "by_asin": {"B0BIGTV001": "2h"}}'),
    ],
)
def test_load_durations_in_every_format(tmp_path: Path, name: str, text: str) -> None:
    path = tmp_path / name
    path.write_text(text)
    loaded = load_durations(path)
    assert loaded.default == 50 * MIN
    assert loaded.by_skill == {"PLUMBING": 90 * MIN}
    assert loaded.by_asin == {"B0BIGTV001": 120 * MIN}


@pytest.mark.parametrize(
    ("name", "text", "fragments"),
    [
        ("d.yaml", "default: soon\n", ["default", "soon"]),
        ("d.yaml", "by_skill:\n  PLUMBING: -3\n", ["by_skill", "PLUMBING", "positive"]),
        ("d.yaml", "defualt: 60m\n", ["defualt", "unknown field"]),
        ("d.yaml", "default: 60m\nby_skill: [PLUMBING]\n", ["by_skill", "mapping"]),
        ("d.yaml", "default: 60m\nby_skill: {a: 1\n", ["invalid YAML", "line 3"]),
        ("d.toml", "default = \n", ["invalid TOML", "line 1"]),
        ("d.json", '{"default": "60m",\n}', ["invalid JSON", "line 2"]),
        ("d.yaml", "- 60m\n", ["mapping"]),
        ("d.ini", "default=60m\n", ["unsupported file type"]),
    ],
)
def test_bad_files_give_one_line_naming_file_and_field(
    tmp_path: Path, name: str, text: str, fragments: list[str]
) -> None:
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(DurationsError) as caught:
        load_durations(path)
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(str(path))
    for fragment in fragments:
        assert fragment in message


def test_missing_file_is_a_routing_error(tmp_path: Path) -> None:
    with pytest.raises(RoutingError, match="cannot read file"):
        load_durations(tmp_path / "nope.yaml")


def test_plan_help_prints_the_built_in_table_from_the_code(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """The help once said "(default: 60 min)" while the built-in table gives 90–120 min to
    most trades; it is now generated from ``DurationTable.builtin()``."""
    monkeypatch.setenv("COLUMNS", "400")
    with pytest.raises(SystemExit):
        build_parser().parse_args(["plan", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "default: the built-in table: 60 min; by skill:" in text
    assert "PLUMBING 120 min" in text and "TV_MOUNTING 90 min" in text
    monkeypatch.setattr(DurationTable, "builtin",
                        classmethod(lambda cls: cls(default=timedelta(minutes=42))))
    with pytest.raises(SystemExit):
        build_parser().parse_args(["plan", "--help"])
    assert "default: the built-in table: 42 min)" in " ".join(capsys.readouterr().out.split())


def header(plan: Plan) -> str:
    buffer = io.StringIO()
    print_plan(plan, Console(file=buffer, width=300))
    return buffer.getvalue()


def test_the_plan_header_names_the_durations_table() -> None:
    plan = small_plan()
    assert "Service durations" not in header(plan)  # an older plan: not recorded
    for recorded, shown in ((DurationTable.builtin_record(), "the built-in table"),
                            (RecordedFile(path="examples/durations.yaml", sha256="0" * 64),
                             "examples/durations.yaml")):
        settings = plan.settings.model_copy(update={"inputs": PlanInputs(durations=recorded)})
        assert f"Service durations: {shown}\n" in header(
            plan.model_copy(update={"settings": settings}))


def test_the_built_in_record_is_stable_and_named() -> None:
    record = DurationTable.builtin_record()
    assert record.path == BUILTIN == "built-in"
    assert record == DurationTable.builtin_record() and len(record.sha256) == 64
