"""Settings: command-line flag > environment variable > config file > default.

The config file is TOML, found at ``--config``, ``$ROUTEPLAN_CONFIG``, ``./routeplan.toml`` or
``<user config dir>/routeplan/config.toml``, in that order. Every key can also be given as
``ROUTEPLAN_<KEY>`` in the environment (lists comma-separated). SP-API credentials are not
settings: they come from the environment (``SP_API_REFRESH_TOKEN``, ``LWA_APP_ID``,
``LWA_CLIENT_SECRET``) and are never written to a file by routeplan.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

import platformdirs
from pydantic import BaseModel, ConfigDict, Field, ValidationError

import solver
from routing.datafile import describe_validation_error, dotted_path, read_data_file
from routing.durations import DurationTable, load_durations
from routing.errors import RoutingError
from routing.geo import (
    Gazetteer,
    GeocodeCache,
    Geocoder,
    GeocoderChain,
    GeopyGeocoder,
    HaversineMatrix,
    MatrixProvider,
    OsrmMatrix,
    OverrideGeocoder,
)
from routing.plan import PlanInputs, RecordedFile, TravelSettings
from routing.planner import PlanContext, PlanOptions
from routing.visits import OnTime

_PLAN = PlanOptions()
"""The planner's defaults, which the settings of a plan start from."""

ENV_PREFIX = "ROUTEPLAN_"
CONFIG_NAME = "routeplan.toml"


class ConfigError(RoutingError):
    """A config file or environment variable that cannot be used."""


class Settings(BaseModel):
    """Everything routeplan can be told, with its default."""

    model_config = ConfigDict(extra="forbid")

    marketplace_id: str = Field("ATVPDKIKX0DER", description="Amazon marketplace (US default)")
    region: Literal["na", "eu", "fe"] = "na"
    endpoint: str | None = Field(None, description="any SP-API base URL, e.g. a local emulator")
    token_url: str | None = Field(None, description="LWA token URL (tests, emulator)")
    roster: Path | None = None
    durations: Path | None = None
    time_limit: float = Field(_PLAN.time_limit, gt=0,
                              description="seconds the optimiser may search")
    on_time: Literal["arrive", "finish"] = _PLAN.on_time.value
    objective: solver.Objective = _PLAN.objective
    seed: int = Field(_PLAN.seed,
                      description="chooses each search's configuration and random steps")
    workers: int = Field(_PLAN.workers, ge=1,
                         description="parallel searches; 1 on a single core")
    solution_limit: int | None = Field(
        _PLAN.solution_limit, ge=1, description="stop each search after this many solutions; "
        "with workers = 1 and a limit reached before time_limit, the same input gives the same "
        "plan")
    geocoders: list[str] = Field(
        default_factory=lambda: ["gazetteer"],
        description="providers in order: gazetteer, or any geopy name (nominatim, arcgis, …)",
    )
    geocoder_options: dict[str, dict[str, Any]] = Field(
        default_factory=dict, description="per geopy provider: constructor options"
    )
    geocode_min_delay: float = Field(
        1.0, ge=0, description="seconds between calls to a provider, across every process "
        "sharing the geocode cache (per process with no_cache)",
    )
    geocode_max_failures: int = Field(
        3, ge=1, description="transport failures in a row (refused, timeout, 5xx) after which "
        "a provider is not asked again in this run",
    )
    overrides: Path | None = Field(None, description="CSV/JSON of coordinates that win")
    postal_file: Path | None = Field(None, description="GeoNames postal-code file")
    geocode_cache: Path | None = Field(None, description="SQLite cache; default: user cache")
    no_cache: bool = False
    matrix: Literal["haversine", "osrm"] = "haversine"
    osrm_url: str | None = None
    osrm_profile: str = "driving"
    osrm_max_table_size: int = Field(100, ge=1)
    speed_kmh: float = Field(40.0, gt=0)
    circuity: float = Field(1.3, ge=1)
    reschedule_reason_code: str | None = Field(
        None, min_length=1, description="the code sent with every reschedule: one of the "
        "reschedule reason codes Amazon agreed with the seller (the Services API model lists "
        "none, so there is no default and rescheduling needs it set)")

    def geocoder(self) -> Geocoder:
        """The provider chain these settings describe, behind overrides and the cache.

        The cache also spaces provider calls across processes; without it, each process
        spaces only its own.
        """
        cache = None if self.no_cache else GeocodeCache(self.geocode_cache)
        providers: list[Geocoder] = []
        for name in self.geocoders:
            if name == "gazetteer":
                providers.append(Gazetteer(self.postal_file))
            else:
                providers.append(GeopyGeocoder(
                    name, options=self.geocoder_options.get(name, {}),
                    min_delay=self.geocode_min_delay, max_failures=self.geocode_max_failures,
                    slots=cache,
                ))
        return GeocoderChain(
            providers,
            overrides=OverrideGeocoder.from_file(self.overrides) if self.overrides else None,
            cache=cache,
        )

    def plan_options(self, *, reassign: bool = False) -> PlanOptions:
        """The planner's options these settings give (``reassign`` is a command's flag,
        not a setting: keeping Amazon's assignments is the rule)."""
        return PlanOptions(
            time_limit=self.time_limit, on_time=OnTime(self.on_time), objective=self.objective,
            reassign=reassign, seed=self.seed, workers=self.workers,
            solution_limit=self.solution_limit,
        )

    def plan_inputs(self) -> PlanInputs:
        """What a plan records of these settings' files and providers (files by content)."""
        osrm = self.matrix == "osrm"
        return PlanInputs(
            durations=record_file(self.durations) if self.durations is not None
            else DurationTable.builtin_record(),
            overrides=record_file(self.overrides) if self.overrides is not None else None,
            geocoders=list(self.geocoders),
            travel=TravelSettings(
                provider=self.matrix, speed_kmh=self.speed_kmh, circuity=self.circuity,
                osrm_url=self.osrm_url if osrm else None,
                osrm_profile=self.osrm_profile if osrm else None,
            ),
        )

    def plan_context(self, geocoder: Geocoder | None = None) -> PlanContext:
        """The planning collaborators these settings describe (the durations file is read
        now); ``geocoder`` replaces the settings' own chain, e.g. one the caller keeps to
        ask afterwards which providers it gave up on."""
        return PlanContext(
            geocoder=geocoder if geocoder is not None else self.geocoder(),
            matrix=self.travel_matrix(),
            durations=load_durations(self.durations) if self.durations else None,
            inputs=self.plan_inputs(),
        )

    def travel_matrix(self) -> MatrixProvider:
        fallback = HaversineMatrix(self.speed_kmh, self.circuity)
        if self.matrix == "haversine":
            return fallback
        if not self.osrm_url:
            raise ConfigError("matrix = osrm needs osrm_url (--osrm-url or ROUTEPLAN_OSRM_URL)")
        return OsrmMatrix(self.osrm_url, profile=self.osrm_profile,
                          max_table_size=self.osrm_max_table_size, fallback=fallback)


def record_file(path: Path) -> RecordedFile:
    """``path`` as given and the SHA-256 of its content."""
    try:
        content = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from None
    return RecordedFile(path=str(path), sha256=hashlib.sha256(content).hexdigest())


def config_path(explicit: Path | None, environ: Mapping[str, str]) -> Path | None:
    """The config file to read, or None when there is none."""
    if explicit is not None:
        if not explicit.is_file():
            raise ConfigError(f"{explicit}: config file not found")
        return explicit
    if env := environ.get(ENV_PREFIX + "CONFIG"):
        return config_path(Path(env), {})
    for candidate in (Path(CONFIG_NAME),
                      Path(platformdirs.user_config_dir("routeplan")) / "config.toml"):
        if candidate.is_file():
            return candidate
    return None


def load_settings(
    flags: Mapping[str, Any] | None = None,
    *,
    config: Path | None = None,
    environ: Mapping[str, str] | None = None,
) -> Settings:
    """Merge defaults, the config file, the environment and ``flags`` (None = not given)."""
    env = os.environ if environ is None else environ
    merged: dict[str, Any] = {}
    path = config_path(config, env)
    if path is not None:
        merged.update(_read_file(path))
    merged.update(_from_env(env))
    merged.update({k: v for k, v in (flags or {}).items() if v is not None})
    try:
        return Settings.model_validate(merged)
    except ValidationError as exc:
        origin = f" (config file {path})" if path else ""
        line = describe_validation_error(exc, lambda loc: f"setting {dotted_path(loc)}")
        raise ConfigError(line + origin) from None


def _read_file(path: Path) -> dict[str, Any]:
    data = read_data_file(path, ConfigError)
    unknown = sorted(set(data) - set(Settings.model_fields))
    if unknown:
        raise ConfigError(f"{path}: unknown setting(s): {', '.join(unknown)}")
    base = path.parent
    for key in ("roster", "durations", "overrides", "postal_file", "geocode_cache"):
        if isinstance(data.get(key), str):
            data[key] = base / Path(data[key]).expanduser()
    return data


def _from_env(environ: Mapping[str, str]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name, field in Settings.model_fields.items():
        raw = environ.get(ENV_PREFIX + name.upper())
        if raw is None or name == "geocoder_options":
            continue
        if field.annotation == list[str]:
            values[name] = [part.strip() for part in raw.split(",") if part.strip()]
        elif field.annotation is bool:
            values[name] = raw.strip().lower() in ("1", "true", "yes", "on")
        else:
            values[name] = raw
    return values
