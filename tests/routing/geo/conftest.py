"""Loopback peers for the geo tests: a fake Nominatim, a real osrm-routed over Monaco, and a
scripted OSRM for the answers a real one will not give on demand (nulls, 503s)."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from tests.routing.geo.osrm_server import OsrmInstall, OsrmSetupError, ensure_osrm, running_osrm
from tests.routing.geo.scripted_server import ScriptedServer, scripted_server


@pytest.fixture
def nominatim() -> Iterator[ScriptedServer]:
    """A fake Nominatim; script its answers with ``replies`` / ``default``."""
    with scripted_server() as server:
        yield server


@pytest.fixture
def closed_port() -> int:
    """A loopback port nothing listens on: connecting to it is refused at once."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def fake_osrm() -> Iterator[ScriptedServer]:
    """A scripted stand-in for OSRM, for answers a real server will not give on demand."""
    with scripted_server() as server:
        yield server


@pytest.fixture(scope="session")
def osrm_install() -> OsrmInstall:
    try:
        return ensure_osrm()
    except OsrmSetupError as error:  # CI must run these tests: fail loudly, never skip
        pytest.fail(f"cannot set up osrm-routed for the OSRM tests: {error}", pytrace=False)


@pytest.fixture(scope="session")
def osrm_url(osrm_install: OsrmInstall) -> Iterator[str]:
    """Base URL of osrm-routed on 127.0.0.1 (--max-table-size 1000), up for the session."""
    try:
        with running_osrm(osrm_install, max_table_size=1000) as url:
            yield url
    except OsrmSetupError as error:
        pytest.fail(f"cannot start osrm-routed: {error}", pytrace=False)
