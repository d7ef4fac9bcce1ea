"""Prism, the mock server built from the official Services API model, on 127.0.0.1.

Prism validates every request against ``services.json`` (answering 422 to one that breaks it)
and, in dynamic mode, answers with random schema-valid responses. It is installed with npm
into ``.cache/prism`` on first use.
"""

from __future__ import annotations

import fcntl
import shutil
import subprocess
from contextlib import AbstractContextManager
from pathlib import Path

from tests.servers.ports import free_port
from tests.servers.process import running_server

REPO = Path(__file__).resolve().parents[2]
SERVICES_MODEL = REPO.parent / "shared" / "spapi" / "services.json"
PRISM_HOME = REPO / ".cache" / "prism"
PRISM_BIN = PRISM_HOME / "node_modules" / ".bin" / "prism"
PRISM_PACKAGE = "@stoplight/prism-cli@5"


def ensure_prism() -> Path:
    """The prism executable, installed with npm when missing.

    A file lock serialises test processes (pytest-xdist workers) that need it at once.
    """
    PRISM_HOME.mkdir(parents=True, exist_ok=True)
    with (PRISM_HOME / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if PRISM_BIN.exists():
            return PRISM_BIN
        npm = shutil.which("npm")
        if npm is None:
            raise RuntimeError("npm is needed to install Prism for the contract tests")
        subprocess.run(
            [npm, "install", "--silent", "--no-audit", "--no-fund", "--prefix", str(PRISM_HOME),
             PRISM_PACKAGE],
            check=True, timeout=600,
        )
        return PRISM_BIN


def prism_mock(*, dynamic: bool = True) -> AbstractContextManager[str]:
    """Run ``prism mock`` on a free loopback port; the context yields its base URL."""
    port = free_port()
    command = [str(ensure_prism()), "mock", "-h", "127.0.0.1", "-p", str(port),
               str(SERVICES_MODEL)]
    if dynamic:
        command.insert(2, "-d")
    return running_server(command, f"http://127.0.0.1:{port}", "/service/v1/serviceJobs/x",
                          name="prism")
