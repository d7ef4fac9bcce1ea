"""The batch manifest: which sellers, territories and dates to plan, and with what settings.

A manifest is a YAML, TOML or JSON file (paths in it are relative to it)::

    dates: ["2026-12-01", "2026-12-02"]     # or {start: 2026-12-01, days: 7}
    settings: {time_limit: 5, seed: 0}      # any routeplan setting, for every partition
    sellers:
      - name: acme                          # names the output folder: DIR/acme/...
        source: spapi                       # spapi (default), sandbox, or a saved jobs file
        credentials: ACME                   # ACME_SP_API_REFRESH_TOKEN, ACME_LWA_APP_ID, ...
        marketplace_id: ATVPDKIKX0DER
        region: na                          # or endpoint: URL (and token_url: URL)
        territories:
          - roster: rosters/west.yaml       # split by the technicians' `territory` field
          - roster: rosters/boston.yaml
            name: boston                    # the whole roster is one territory
            postal_codes: ["021", "022"]    # jobs there go to boston first
          - roster: rosters/east.yaml
            name: worcester                 # these technicians of the roster only
            technicians: [TECH01, TECH02]

One partition is a seller × a territory × a date. Credentials are never in the manifest:
``credentials: NAME`` names the environment variables to read (``NAME_`` + the usual
``SP_API_REFRESH_TOKEN``, ``LWA_APP_ID``, ``LWA_CLIENT_SECRET``); without it, the usual
variables are read.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from routing.config import ConfigError, Settings, load_settings
from routing.datafile import describe_validation_error, dotted_path, read_data_file
from routing.errors import RoutingError
from routing.roster import Roster, RosterError, load_roster
from routing.spapi import LwaCredentials
from routing.spapi.auth import ENV_CLIENT_ID, ENV_CLIENT_SECRET, ENV_REFRESH_TOKEN

__all__ = [
    "BatchError",
    "DateRange",
    "Manifest",
    "Partition",
    "SellerProfile",
    "Territory",
    "TerritorySpec",
    "load_manifest",
    "manifest_from_roster",
    "partitions_of",
    "seller_settings",
    "territories_of",
]

_NAME = r"^[A-Za-z0-9][\w.-]*$"
"""Seller and territory names become folder names: no slashes, no leading dot."""
SELLER_FIELDS = ("marketplace_id", "region", "endpoint", "token_url")
"""Settings a seller profile sets for its own partitions (and the manifest's settings not)."""


class BatchError(RoutingError):
    """A manifest, or a batch run, that cannot be used."""


class DateRange(BaseModel):
    """``{start: 2026-12-01, days: 7}``: a week from the start."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    start: date
    days: int = Field(1, ge=1, le=366)

    def dates(self) -> list[date]:
        return [self.start + timedelta(days=n) for n in range(self.days)]


class TerritorySpec(BaseModel):
    """One ``territories`` entry: a roster, whole (``name``) or split by ``territory``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    roster: Path
    name: str | None = Field(None, pattern=_NAME)
    technicians: tuple[str, ...] = Field(
        (), description="with name: only these technician ids of the roster")
    postal_codes: tuple[str, ...] = Field(
        (), description="postal-code prefixes whose jobs go to this territory first")


class SellerProfile(BaseModel):
    """A seller account on one marketplace: where its jobs come from, whose credentials."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(pattern=_NAME)
    source: str = Field("spapi", description="spapi, sandbox or a saved jobs file")
    credentials: str | None = Field(None, pattern=r"^[A-Za-z_][A-Za-z0-9_]*$",
                                    description="prefix of this seller's credential variables")
    marketplace_id: str | None = None
    region: Literal["na", "eu", "fe"] | None = None
    endpoint: str | None = None
    token_url: str | None = None
    territories: list[TerritorySpec] = Field(min_length=1)

    @property
    def reads_file(self) -> bool:
        return self.source not in ("spapi", "sandbox")

    def credentials_from(self, environ: Mapping[str, str] | None = None) -> LwaCredentials:
        """The seller's LWA credentials from the environment (prefixed by ``credentials``)."""
        env = os.environ if environ is None else environ
        prefix = f"{self.credentials.upper()}_" if self.credentials else ""
        names = [prefix + name for name in (ENV_REFRESH_TOKEN, ENV_CLIENT_ID, ENV_CLIENT_SECRET)]
        missing = [name for name in names if not env.get(name)]
        if missing:
            raise BatchError(f"seller {self.name}: SP-API credentials missing: export "
                             + ", ".join(missing))
        return LwaCredentials(*(env[name] for name in names))


class Manifest(BaseModel):
    """Every partition of a batch, and the settings they share."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    dates: list[date] | DateRange
    settings: dict[str, Any] = Field(default_factory=dict)
    sellers: list[SellerProfile] = Field(min_length=1)

    @field_validator("dates")
    @classmethod
    def _some_dates(cls, value: list[date] | DateRange) -> list[date] | DateRange:
        if isinstance(value, list) and not value:
            raise ValueError("give at least one date")
        return value

    @field_validator("settings")
    @classmethod
    def _planning_settings(cls, value: dict[str, Any]) -> dict[str, Any]:
        unknown = sorted(set(value) - set(Settings.model_fields))
        if unknown:
            raise ValueError(f"unknown setting(s): {', '.join(unknown)}")
        per_seller = sorted(set(value) & {*SELLER_FIELDS, "roster"})
        if per_seller:
            raise ValueError(f"{', '.join(per_seller)}: set per seller (or per territory), "
                             "not for the whole batch")
        return value

    @field_validator("sellers")
    @classmethod
    def _unique_sellers(cls, sellers: list[SellerProfile]) -> list[SellerProfile]:
        names = [s.name for s in sellers]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise ValueError(f"seller name(s) used twice: {', '.join(twice)}")
        return sellers

    def all_dates(self) -> list[date]:
        days = self.dates.dates() if isinstance(self.dates, DateRange) else self.dates
        return sorted(set(days))


@dataclass(frozen=True)
class Territory:
    """A named group of technicians of one seller, and the postal codes it claims."""

    seller: str
    name: str
    roster: Roster
    postal_codes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Partition:
    """One planning problem: a seller's territory on a date."""

    territory: Territory
    date: date

    @property
    def key(self) -> tuple[str, str, str]:
        """(seller, territory, ISO date): its folder under the output directory."""
        return self.territory.seller, self.territory.name, self.date.isoformat()

    @property
    def label(self) -> str:
        return "/".join(self.key)


def load_manifest(path: Path) -> Manifest:
    """Read and validate a manifest; relative paths in it are made relative to it."""
    data = read_data_file(path, BatchError)
    try:
        manifest = Manifest.model_validate(data)
    except ValidationError as exc:
        raise BatchError(describe_validation_error(
            exc, lambda loc: f"{path}: {dotted_path(loc)}")) from None
    return _rebased(manifest, path.parent)


def _rebased(manifest: Manifest, base: Path) -> Manifest:
    def at(value: Path) -> Path:
        return value if value.is_absolute() else base / value.expanduser()

    settings = dict(manifest.settings)
    for key in ("durations", "overrides", "postal_file", "geocode_cache"):
        if isinstance(settings.get(key), str):
            settings[key] = str(at(Path(settings[key])))
    sellers = [
        seller.model_copy(update={
            "source": str(at(Path(seller.source))) if seller.reads_file else seller.source,
            "territories": [t.model_copy(update={"roster": at(t.roster)})
                            for t in seller.territories],
        })
        for seller in manifest.sellers
    ]
    return manifest.model_copy(update={"settings": settings, "sellers": sellers})


def manifest_from_roster(roster: Path, dates: list[date], *, source: str = "spapi",
                         seller: str = "default", **profile: Any) -> Manifest:
    """One seller whose territories are the ``territory`` fields of one roster
    (``plan-batch --territories ROSTER``)."""
    try:
        return Manifest(dates=dates, sellers=[SellerProfile(
            name=seller, source=source,
            territories=[TerritorySpec(roster=roster)],
            **{k: v for k, v in profile.items() if v is not None})])
    except ValidationError as exc:
        raise BatchError(describe_validation_error(exc, dotted_path)) from None


def territories_of(seller: SellerProfile) -> list[Territory]:
    """The seller's territories, its split rosters read and checked: names unique."""
    found: dict[str, Territory] = {}
    for spec in seller.territories:
        roster = load_roster(spec.roster)
        for name, part in _split(spec, roster).items():
            if name in found:
                raise BatchError(f"seller {seller.name}: territory {name!r} is given twice "
                                 f"(again in {spec.roster})")
            found[name] = Territory(seller.name, name, part, spec.postal_codes)
    return list(found.values())


def _split(spec: TerritorySpec, roster: Roster) -> dict[str, Roster]:
    labelled = [t for t in roster.technicians if t.territory is not None]
    if spec.technicians and spec.name is None:
        raise RosterError(f"{spec.roster}: `technicians` picks a territory's technicians: "
                          "name the territory too (name: ...)")
    if spec.technicians:
        unknown = sorted(set(spec.technicians) - {t.id for t in roster.technicians})
        if unknown:
            raise RosterError(f"{spec.roster}: territory {spec.name}: no technician "
                              f"{unknown[0]!r} in the roster")
        chosen = [t for t in roster.technicians if t.id in spec.technicians]
    elif spec.name is not None:
        chosen = [t for t in roster.technicians if t.territory == spec.name] if labelled \
            else roster.technicians
        if not chosen:
            raise RosterError(f"{spec.roster}: no technician has territory {spec.name!r}")
    if spec.name is not None:
        return {spec.name: roster.model_copy(update={"technicians": chosen})}
    unlabelled = [t.id for t in roster.technicians if t.territory is None]
    if unlabelled:
        raise RosterError(
            f"{spec.roster}: technician {unlabelled[0]!r} has no territory; give every "
            "technician a `territory`, or name the territory in the manifest (name: ...)")
    names = dict.fromkeys(t.territory for t in labelled if t.territory is not None)
    return {name: roster.model_copy(update={
        "technicians": [t for t in labelled if t.territory == name]}) for name in names}


def partitions_of(manifest: Manifest) -> list[Partition]:
    """Every seller × territory × date of the manifest, in that order."""
    days = manifest.all_dates()
    return [Partition(territory, day)
            for seller in manifest.sellers
            for territory in territories_of(seller)
            for day in days]


def seller_settings(manifest: Manifest, seller: SellerProfile,
                    config: Path | None = None) -> Settings:
    """The settings of the seller's partitions: its profile > the manifest's settings >
    environment > config file > defaults."""
    profile = {name: getattr(seller, name) for name in SELLER_FIELDS}
    try:
        base = load_settings(manifest.settings, config=config)
    except ConfigError as exc:
        raise BatchError(f"manifest settings: {exc}") from None
    return Settings.model_validate(
        {**base.model_dump(), **{k: v for k, v in profile.items() if v is not None}})
