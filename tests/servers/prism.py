"""Prism, the mock server built from the official Services API model, on 127.0.0.1.

Prism validates every request against ``services.json`` (answering 422 to one that breaks it)
and, in dynamic mode, answers with random schema-valid responses. It is installed with npm
into ``.cache/prism`` on first use.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from tests.servers.ports import free_port

REPO = Path(__file__).resolve().parents[2]
SERVICES_MODEL = REPO.parent / "shared" / "spapi" / "services.json"
PRISM_HOME = REPO / ".cache" / "prism"
PRISM_BIN = PRISM_HOME / "node_modules" / ".bin" / "prism"
PRISM_PACKAGE = "@stoplight/prism-cli@5"


def ensure_prism() -> Path:
    """The prism executable, installed with npm when missing."""
    if PRISM_BIN.exists():
        return PRISM_BIN
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError("npm is needed to install Prism for the contract tests")
    PRISM_HOME.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [npm, "install", "--silent", "--no-audit", "--no-fund", "--prefix", str(PRISM_HOME),
         PRISM_PACKAGE],
        check=True, timeout=600,
    )
    return PRISM_BIN


@contextmanager
def prism_mock(*, dynamic: bool = True) -> Iterator[str]:
    """Run ``prism mock`` on a free loopback port; yields its base URL."""
    port = free_port()
    command = [str(ensure_prism()), "mock", "-h", "127.0.0.1", "-p", str(port),
               str(SERVICES_MODEL)]
    if dynamic:
        command.insert(2, "-d")
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(url, process)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def _wait_until_up(url: str, process: subprocess.Popen[bytes], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"prism exited with code {process.returncode} before serving")
        try:
            httpx.get(url + "/service/v1/serviceJobs/x", timeout=1.0)
            return
        except httpx.TransportError:
            time.sleep(0.2)
    raise RuntimeError(f"prism did not answer on {url} within {timeout} s")
