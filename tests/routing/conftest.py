"""The headless browser shared by every test that opens a page the project writes.

One Playwright driver per test process: a second ``sync_playwright()`` in the same
process fails ("Sync API inside the asyncio loop"), so pages share this session fixture.
"""

from __future__ import annotations

import importlib.util
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
"""Debian's browser (``apt-get install chromium``; ``.ci/run`` installs it). Playwright's
own browser download is never used."""
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """A headless Chromium context with a fresh profile, for the pages the exports write.
    Only ``file:`` URLs load: every other request (the map tiles) fails, as offline.
    Skips, saying why, where Chromium or Playwright is missing."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: install Debian's browser with "
                    "`apt-get install -y chromium` (.ci/run does)")
    if importlib.util.find_spec("playwright") is None:
        pytest.skip("playwright is missing: pip install -e '.[test]'")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright, tempfile.TemporaryDirectory() as profile:
        context = playwright.chromium.launch_persistent_context(
            profile, executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS,
            viewport={"width": 1280, "height": 800})
        context.route("**/*", lambda route: route.continue_()
                      if route.request.url.startswith("file:") else route.abort())
        yield context
        context.close()
