"""Hand-entered coordinates that win over every provider, by job id or by address."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from routing.geo.errors import GeoError
from routing.geo.point import AddressLike, GeoPoint, Precision, normalize_address, normalize_text

__all__ = ["OverrideGeocoder"]


class OverrideGeocoder:
    """Explicit points keyed by service job id or by normalised address (job id wins).

    File rows (CSV with a header, or a JSON list of objects) carry ``lat``, ``lon``, a
    ``job_id`` or an ``address`` (free text, matched after normalisation, e.g.
    "12 Main St, Seattle, WA 98109, US"; a row with both applies to that job only), and
    optionally a ``precision`` (default rooftop).
    """

    name = "override"
    best_precision = Precision.ROOFTOP
    cacheable = False

    def __init__(
        self,
        by_job_id: Mapping[str, GeoPoint] | None = None,
        by_address: Mapping[str, GeoPoint] | None = None,
    ) -> None:
        self.by_job_id = dict(by_job_id or {})
        self.by_address = {normalize_text(key): point for key, point in (by_address or {}).items()}

    @classmethod
    def from_file(cls, path: Path) -> OverrideGeocoder:
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as error:
            raise GeoError(f"cannot read overrides file {path}: {error}") from error
        rows: Iterable[Any]
        if path.suffix.lower() == ".json":
            try:
                rows = json.loads(text)
            except json.JSONDecodeError as error:
                raise GeoError(f"overrides file {path} is not valid JSON: {error}") from error
            if not isinstance(rows, list):
                raise GeoError(f"overrides file {path}: expected a JSON list of objects")
        else:
            rows = csv.DictReader(text.splitlines())
        overrides = cls()
        for number, row in enumerate(rows, start=1):
            overrides._add(row, f"{path}, entry {number}")
        return overrides

    def _add(self, row: Any, where: str) -> None:
        if not isinstance(row, Mapping):
            raise GeoError(f"{where}: expected an object with lat, lon and job_id or address")
        job_id = str(row.get("job_id") or "").strip()
        address = normalize_text(str(row.get("address") or ""))
        if not job_id and not address:
            raise GeoError(f"{where}: give a job_id or an address")
        try:
            precision = Precision(str(row.get("precision") or Precision.ROOFTOP).strip().lower())
            point = GeoPoint(float(row["lat"]), float(row["lon"]), precision, self.name)
        except (KeyError, TypeError, ValueError, GeoError) as error:
            raise GeoError(
                f"{where}: needs numeric lat and lon (and a precision among "
                f"{', '.join(Precision)}): {error}"
            ) from None
        if job_id:
            self.by_job_id[job_id] = point
        else:
            self.by_address[address] = point

    def geocode(self, address: AddressLike, *, job_id: str | None = None) -> GeoPoint | None:
        if job_id is not None and job_id in self.by_job_id:
            return self.by_job_id[job_id]
        return self.by_address.get(normalize_address(address))
