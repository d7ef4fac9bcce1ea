"""Settings precedence: flag > environment > config file > default."""

from __future__ import annotations

from pathlib import Path

import pytest

from routing.config import ConfigError, load_settings
from routing.geo import HaversineMatrix, OsrmMatrix


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
