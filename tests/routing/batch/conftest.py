"""The example jobs served by a live emulator, and a seller profile that reads them."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from routing.spapi.emulator import Emulator
from tests.routing.batch.helpers import EXAMPLES


@pytest.fixture
def emulator() -> Iterator[Emulator]:
    with Emulator.from_file(EXAMPLES / "jobs.json") as running:
        yield running


@pytest.fixture
def seller(emulator: Emulator, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """A seller profile on the emulator, its credentials under the name TESTSELLER."""
    monkeypatch.setenv("TESTSELLER_SP_API_REFRESH_TOKEN", "emulator-refresh")
    monkeypatch.setenv("TESTSELLER_LWA_APP_ID", "emulator-client")
    monkeypatch.setenv("TESTSELLER_LWA_CLIENT_SECRET", "emulator-secret")
    return {"name": "acme", "source": "spapi", "credentials": "TESTSELLER",
            "endpoint": emulator.url, "token_url": emulator.token_url}
