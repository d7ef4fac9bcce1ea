"""The manifest: partitions, territories split from rosters, and one-line errors."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import yaml

from routing.batch import (
    BatchError,
    load_manifest,
    manifest_from_roster,
    partitions_of,
    seller_settings,
)
from routing.roster import RosterError
from tests.routing.batch.helpers import EXAMPLES


def _roster_with_territories(path: Path, territories: list[str | None]) -> Path:
    """The example roster's first technicians, labelled with ``territories`` in order."""
    data = yaml.safe_load((EXAMPLES / "roster.yaml").read_text())
    techs = data["technicians"][:len(territories)]
    for tech, name in zip(techs, territories, strict=True):
        if name is not None:
            tech["territory"] = name
    path.write_text(yaml.safe_dump({**data, "technicians": techs}))
    return path


def test_the_example_manifest_has_six_partitions() -> None:
    manifest = load_manifest(EXAMPLES / "batch.yaml")
    keys = [p.key for p in partitions_of(manifest)]
    assert len(keys) == 6
    assert keys[0] == ("example", "seattle", "2026-12-01")
    assert {k[1] for k in keys} == {"seattle", "eastside", "south"}
    assert {k[2] for k in keys} == {"2026-12-01", "2026-12-02"}
    assert manifest.sellers[0].source == str(EXAMPLES / "jobs.json")  # relative to the file


def test_a_roster_splits_by_its_territory_field(tmp_path: Path) -> None:
    roster = _roster_with_territories(tmp_path / "r.yaml", ["north", "south", "north"])
    manifest = manifest_from_roster(roster, [date(2026, 12, 1)], source="jobs.json")
    parts = partitions_of(manifest)
    sizes = {p.territory.name: len(p.territory.roster.technicians) for p in parts}
    assert sizes == {"north": 2, "south": 1}


def test_a_technician_without_a_territory_is_named(tmp_path: Path) -> None:
    roster = _roster_with_territories(tmp_path / "r.yaml", ["north", None])
    manifest = manifest_from_roster(roster, [date(2026, 12, 1)])
    with pytest.raises(RosterError, match="technician 'A1B2C3D4E5TECH02' has no territory"):
        partitions_of(manifest)


def test_a_territory_name_must_be_a_folder_name(tmp_path: Path) -> None:
    _roster_with_territories(tmp_path / "r.yaml", ["../etc"])
    path = tmp_path / "m.yaml"
    path.write_text(yaml.safe_dump({"dates": ["2026-12-01"], "sellers": [
        {"name": "s", "territories": [{"roster": "r.yaml", "name": "../etc"}]}]}))
    with pytest.raises(BatchError, match=r"m.yaml: sellers\[0\].territories\[0\].name"):
        load_manifest(path)


ONE = {"name": "a", "territories": [{"roster": "r.yaml"}]}


@pytest.mark.parametrize(("document", "message"), [
    ({"dates": [], "sellers": [ONE]}, "dates: give at least one date"),
    ({"dates": ["2026-12-01"], "sellers": [{"name": "a", "territories": []}]},
     r"sellers\[0\].territories"),
    ({"dates": ["2026-12-01"], "setings": {}, "sellers": [ONE]}, "setings: unknown field"),
    ({"dates": ["2026-12-01"], "settings": {"time_limt": 5}, "sellers": [ONE]},
     "unknown setting.s.: time_limt"),
    ({"dates": ["2026-12-01"], "settings": {"endpoint": "http://x"}, "sellers": [ONE]},
     "endpoint: set per seller"),
    ({"dates": ["2026-12-01"], "sellers": [
        {"name": "a", "territories": [{"roster": "r.yaml"}]},
        {"name": "a", "territories": [{"roster": "r.yaml"}]}]}, "seller name.s. used twice: a"),
])
def test_a_bad_manifest_is_one_line_naming_the_field(tmp_path: Path, document: object,
                                                     message: str) -> None:
    path = tmp_path / "m.yaml"
    path.write_text(yaml.safe_dump(document))
    with pytest.raises(BatchError, match=message) as caught:
        load_manifest(path)
    assert "\n" not in str(caught.value)


def test_a_territory_given_twice_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "m.yaml"
    roster = str(EXAMPLES / "roster.yaml")
    path.write_text(yaml.safe_dump({"dates": ["2026-12-01"], "sellers": [{
        "name": "a", "territories": [{"roster": roster, "name": "x"},
                                     {"roster": roster, "name": "x"}]}]}))
    with pytest.raises(BatchError, match="territory 'x' is given twice"):
        partitions_of(load_manifest(path))


def test_credentials_are_read_by_name_and_missing_ones_named(
        monkeypatch: pytest.MonkeyPatch) -> None:
    manifest = manifest_from_roster(EXAMPLES / "roster.yaml", [date(2026, 12, 1)])
    seller = manifest.sellers[0].model_copy(update={"credentials": "acme"})
    monkeypatch.setenv("ACME_SP_API_REFRESH_TOKEN", "r")
    monkeypatch.setenv("ACME_LWA_APP_ID", "id")
    monkeypatch.delenv("ACME_LWA_CLIENT_SECRET", raising=False)
    with pytest.raises(BatchError, match=r"seller default: .* export ACME_LWA_CLIENT_SECRET$"):
        seller.credentials_from()
    monkeypatch.setenv("ACME_LWA_CLIENT_SECRET", "s3cret")
    credentials = seller.credentials_from()
    assert (credentials.client_id, credentials.client_secret) == ("id", "s3cret")


def test_a_seller_profile_beats_the_manifest_settings() -> None:
    manifest = manifest_from_roster(EXAMPLES / "roster.yaml", [date(2026, 12, 1)],
                                    marketplace_id="A1F83G8C2ARO7P", region="eu")
    manifest = manifest.model_copy(update={"settings": {"time_limit": 7.0}})
    settings = seller_settings(manifest, manifest.sellers[0])
    assert (settings.marketplace_id, settings.region, settings.time_limit) == \
        ("A1F83G8C2ARO7P", "eu", 7.0)
