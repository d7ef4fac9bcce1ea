"""Settings precedence: flag > environment > config file > default."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from routing.config import ConfigError, load_settings
from routing.durations import DurationTable
from routing.geo import HaversineMatrix, OsrmMatrix
from routing.plan import RecordedFile


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_need_no_file_and_no_environment(tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    settings = load_settings(environ={})
    assert settings.geocoders == ["gazetteer"]
    assert isinstance(settings.travel_matrix(), HaversineMatrix)


def test_flag_beats_environment_beats_file(tmp_path: Path) -> None:
    config = write(tmp_path / "routeplan.toml",
                   'time_limit = 30\nregion = "eu"\nmarketplace_id = "FILE"\nroster = "r.yaml"\n')
    env = {"ROUTEPLAN_TIME_LIMIT": "20", "ROUTEPLAN_REGION": "fe"}
    settings = load_settings({"time_limit": 5.0, "region": None}, config=config, environ=env)
    assert settings.time_limit == 5.0  # flag
    assert settings.region == "fe"  # environment, the flag was not given
    assert settings.marketplace_id == "FILE"  # file
    assert settings.roster == tmp_path / "r.yaml"  # relative to the config file
    assert settings.on_time == "arrive"  # default


def test_environment_lists_are_comma_separated(tmp_path: Path) -> None:
    env = {"ROUTEPLAN_GEOCODERS": "nominatim, gazetteer", "ROUTEPLAN_NO_CACHE": "yes"}
    settings = load_settings(environ=env, config=write(tmp_path / "c.toml", ""))
    assert settings.geocoders == ["nominatim", "gazetteer"]
    assert settings.no_cache is True


def test_the_config_file_is_found_in_the_working_directory(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(tmp_path / "routeplan.toml", 'matrix = "osrm"\nosrm_url = "http://127.0.0.1:5000"\n')
    monkeypatch.chdir(tmp_path)
    settings = load_settings(environ={})
    assert isinstance(settings.travel_matrix(), OsrmMatrix)


@pytest.mark.parametrize(("text", "message"), [
    ("time_limit = [", "invalid TOML"),
    ('timelimit = 3\n', "unknown setting(s): timelimit"),
    ('time_limit = -1\n', "setting time_limit"),
    ('on_time = "soon"\n', "setting on_time"),
])
def test_a_bad_config_file_is_a_clear_error(tmp_path: Path, text: str, message: str) -> None:
    config = write(tmp_path / "routeplan.toml", text)
    with pytest.raises(ConfigError) as caught:
        load_settings(config=config, environ={})
    assert message in str(caught.value)


def test_osrm_without_a_url_is_refused(tmp_path: Path) -> None:
    settings = load_settings({"matrix": "osrm"}, config=write(tmp_path / "c.toml", ""),
                             environ={})
    with pytest.raises(ConfigError, match="osrm_url"):
        settings.travel_matrix()


def test_search_settings_come_from_the_environment_and_the_file(tmp_path: Path) -> None:
    config = write(tmp_path / "routeplan.toml", "workers = 3\nsolution_limit = 50\n")
    env = {"ROUTEPLAN_SEED": "7", "ROUTEPLAN_WORKERS": "1"}
    settings = load_settings({"solution_limit": None}, config=config, environ=env)
    assert (settings.seed, settings.workers, settings.solution_limit) == (7, 1, 50)
    defaults = load_settings(config=write(tmp_path / "c.toml", ""), environ={})
    assert (defaults.seed, defaults.workers, defaults.solution_limit) == (0, 2, None)
    with pytest.raises(ConfigError, match="setting workers"):
        load_settings(config=config, environ={"ROUTEPLAN_WORKERS": "0"})


def test_plan_inputs_record_files_by_content(tmp_path: Path) -> None:
    table = write(tmp_path / "durations.yaml", "default: 45m\n")
    overrides = write(tmp_path / "coordinates.csv", "service_job_id,lat,lon\nJ1,47.6,-122.3\n")
    settings = load_settings({"durations": table, "overrides": overrides, "matrix": "osrm",
                              "osrm_url": "http://127.0.0.1:5000"},
                             config=write(tmp_path / "c.toml", ""), environ={})
    inputs = settings.plan_inputs()
    assert inputs.durations == RecordedFile(
        path=str(table), sha256=hashlib.sha256(table.read_bytes()).hexdigest())
    assert inputs.overrides is not None and inputs.overrides.path == str(overrides)
    assert inputs.geocoders == ["gazetteer"]
    assert inputs.travel is not None
    assert (inputs.travel.provider, inputs.travel.osrm_url) == ("osrm", "http://127.0.0.1:5000")
    bare = load_settings(config=write(tmp_path / "c.toml", ""), environ={}).plan_inputs()
    assert bare.durations == DurationTable.builtin_record() and bare.overrides is None
    assert bare.travel is not None and bare.travel.osrm_url is None
