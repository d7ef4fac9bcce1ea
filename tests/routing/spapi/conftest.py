"""Fixtures for the Services API client: a live emulator and a client pointed at it."""

from __future__ import annotations

import random
from collections.abc import Iterator

import pytest

from routing.spapi import LwaCredentials, RetryPolicy, ServicesClient
from routing.spapi.emulator import Emulator
from tests.routing.spapi.jobdata import make_jobs

#: Fast retries, so fault tests take milliseconds; still bounded in attempts.
FAST_RETRY = RetryPolicy(max_attempts=5, base_delay=0.01, max_delay=0.05, max_elapsed=10.0,
                         rng=random.Random(7))


def client_for(emulator: Emulator, **options: object) -> ServicesClient:
    credentials = LwaCredentials("emulator-refresh", "emulator-client", "emulator-secret")
    settings: dict[str, object] = {"retry": FAST_RETRY, **options}
    return ServicesClient(credentials=credentials, base_url=emulator.url,
                          token_url=emulator.token_url, **settings)  # type: ignore[arg-type]


@pytest.fixture
def emulator() -> Iterator[Emulator]:
    """65 jobs: four pages of twenty. Rate limits off unless a test turns them on."""
    with Emulator(make_jobs(65), enforce_rate_limits=False) as server:
        yield server


@pytest.fixture
def client(emulator: Emulator) -> Iterator[ServicesClient]:
    with client_for(emulator) as services:
        yield services
