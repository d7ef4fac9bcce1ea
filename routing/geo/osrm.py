"""Road travel matrices from an OSRM server's ``/table`` service, chunked and retried."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

import httpx
import numpy as np

from routing.geo.errors import MatrixError
from routing.geo.haversine import HaversineMatrix, unit_vectors
from routing.geo.matrix import TravelMatrix, as_lat_lon_array

__all__ = ["OsrmMatrix"]

_RETRY_STATUS = frozenset({429, 500, 502, 503, 504})


class OsrmMatrix:
    """Durations and distances from ``{base_url}/table/v1/{profile}/…``.

    OSRM refuses tables with more than ``max_table_size``² cells (osrm-routed's
    ``--max-table-size``, 100 by default), so larger matrices are asked block by block:
    up to ``max_table_size`` sources × ``max_table_size`` destinations a request. A cell
    OSRM cannot route (null) is filled from ``fallback`` and counted in ``fallback_cells``.
    """

    name = "osrm"

    def __init__(
        self,
        base_url: str,
        *,
        profile: str = "driving",
        max_table_size: int = 100,
        timeout: float = 30,
        retries: int = 3,
        retry_wait: float = 0.5,
        fallback: HaversineMatrix | None = None,
    ) -> None:
        if max_table_size < 1:
            raise MatrixError(f"max_table_size must be at least 1, got {max_table_size}")
        self.base_url = base_url.rstrip("/")
        self.profile = profile
        self.max_table_size = max_table_size
        self.timeout = timeout
        self.retries = retries
        self.retry_wait = retry_wait
        self.fallback = fallback or HaversineMatrix()

    def matrix(self, points: Sequence[tuple[float, float]]) -> TravelMatrix:
        coords = as_lat_lon_array(points)
        n = len(coords)
        durations = np.zeros((n, n), dtype=np.int64)
        distances = np.zeros((n, n), dtype=np.int64)
        fallback_cells = 0
        size = self.max_table_size
        blocks = [slice(start, start + size) for start in range(0, n, size)]
        with httpx.Client(timeout=self.timeout) as client:
            for rows in blocks:
                for cols in blocks:
                    seconds, metres = self._table(client, coords, rows, cols)
                    missing = np.isnan(seconds) | np.isnan(metres)
                    if missing.any():
                        fallback_cells += int(missing.sum())
                        est_s, est_m = self.fallback.between(
                            unit_vectors(coords[rows]), unit_vectors(coords[cols])
                        )
                        seconds[missing], metres[missing] = est_s[missing], est_m[missing]
                    durations[rows, cols] = np.rint(seconds)
                    distances[rows, cols] = np.rint(metres)
        np.fill_diagonal(durations, 0)
        np.fill_diagonal(distances, 0)
        return TravelMatrix(durations, distances, fallback_cells)

    def _table(
        self, client: httpx.Client, coords: np.ndarray, rows: slice, cols: slice
    ) -> tuple[np.ndarray, np.ndarray]:
        """One ``/table`` request for sources ``rows`` × destinations ``cols`` (NaN = null)."""
        sources = range(*rows.indices(len(coords)))
        destinations = range(*cols.indices(len(coords)))
        wanted = list(dict.fromkeys([*sources, *destinations]))  # the union, sources first
        if len(wanted) == 1:  # a lone diagonal cell; OSRM wants two coordinates at least
            return np.zeros((1, 1)), np.zeros((1, 1))
        position = {index: at for at, index in enumerate(wanted)}
        locations = ";".join(f"{coords[i, 1]:.6f},{coords[i, 0]:.6f}" for i in wanted)
        params = {
            "sources": ";".join(str(position[i]) for i in sources),
            "destinations": ";".join(str(position[i]) for i in destinations),
            "annotations": "duration,distance",
        }
        url = f"{self.base_url}/table/v1/{self.profile}/{locations}"
        answer = self._get(client, url, params)
        shape = (len(sources), len(destinations))
        try:
            seconds = np.array(answer["durations"], dtype=np.float64)
            metres = np.array(answer["distances"], dtype=np.float64)
        except (KeyError, TypeError, ValueError) as error:
            raise MatrixError(
                f"OSRM answered a table without durations/distances: {error!r}"
            ) from None
        if seconds.shape != shape or metres.shape != shape:
            raise MatrixError(f"OSRM answered a {seconds.shape} table for a {shape} request")
        return seconds, metres

    def _get(self, client: httpx.Client, url: str, params: dict[str, str]) -> dict[str, Any]:
        problem = ""
        for attempt in range(self.retries + 1):
            if attempt:
                time.sleep(self.retry_wait * 2 ** (attempt - 1))
            try:
                response = client.get(url, params=params)
            except httpx.HTTPError as error:
                problem = f"OSRM at {self.base_url} is unreachable: {error}"
                continue
            if response.status_code in _RETRY_STATUS:
                problem = f"OSRM at {self.base_url} answered HTTP {response.status_code}"
                continue
            return self._parse(response)
        raise MatrixError(f"{problem} (after {self.retries + 1} attempts)")

    def _parse(self, response: httpx.Response) -> dict[str, Any]:
        try:
            answer = response.json()
        except ValueError:
            answer = None
        if not isinstance(answer, dict):
            raise MatrixError(
                f"OSRM at {self.base_url} answered HTTP {response.status_code} without JSON"
            )
        if answer.get("code") != "Ok":
            hint = (
                f" (is the server's --max-table-size below {self.max_table_size}?)"
                if answer.get("code") == "TooBig" else ""
            )
            raise MatrixError(
                f"OSRM refused the table: {answer.get('code')}: {answer.get('message')}{hint}"
            )
        return answer
