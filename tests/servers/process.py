"""Run a server program on a loopback port for the length of a ``with`` block."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import httpx


class ServerStartError(RuntimeError):
    """The server exited, or did not answer, before it was ready."""


@contextmanager
def running_server(
    command: Sequence[str],
    base_url: str,
    probe: str,
    *,
    name: str,
    ready: Callable[[httpx.Response], bool] = lambda response: True,
    cwd: Path | None = None,
    log: Path | None = None,
    timeout: float = 60.0,
) -> Iterator[str]:
    """Start ``command``, wait until ``GET base_url + probe`` satisfies ``ready``, yield
    ``base_url``; stop the process afterwards. Its output goes to ``log`` (else nowhere)."""
    sink = log.open("wb") if log else subprocess.DEVNULL
    process = subprocess.Popen(list(command), cwd=cwd, stdout=sink, stderr=subprocess.STDOUT)
    try:
        _wait_ready(process, base_url + probe, name, ready, log, timeout)
        yield base_url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if log:
            sink.close()  # type: ignore[union-attr]
            log.unlink(missing_ok=True)


def _wait_ready(process: subprocess.Popen[bytes], url: str, name: str,
                ready: Callable[[httpx.Response], bool], log: Path | None,
                timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            output = log.read_text(errors="replace")[-2000:] if log else ""
            raise ServerStartError(f"{name} exited with {process.returncode}: {output}")
        try:
            if ready(httpx.get(url, timeout=1.0)):
                return
        except httpx.TransportError:
            pass
        time.sleep(0.05)
    raise ServerStartError(f"{name} did not answer on {url} within {timeout} s")
