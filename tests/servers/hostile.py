"""A hostile Services API on loopback: answers that are well-formed HTTP but broken on purpose.

``with HostileServer(Misbehaviour.NULL_PAYLOAD) as server:`` serves ``server.url`` (point
``--endpoint`` / ``base_url`` there) and an LWA endpoint at ``server.token_url`` that always
grants a token, so a client gets as far as the misbehaving answer. ``server.requests`` lists
``(method, path)`` of every Services API request received (not the token requests).
"""

from __future__ import annotations

import contextlib
import enum
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any, cast
from urllib.parse import parse_qs, urlsplit

TOKEN_PATH = "/auth/o2/token"
_TOKEN = json.dumps({"access_token": "Atza|hostile", "token_type": "bearer",
                     "expires_in": 3600}).encode()


class Misbehaviour(enum.Enum):
    NULL_PAYLOAD = "null-payload"
    """Every answer is ``200 {"payload": null}``."""
    MISSING_PAYLOAD = "missing-payload"
    """Every answer is ``200 {}``."""
    ENDLESS_SAME_JOBS = "endless-same-jobs"
    """Every page holds the same two jobs and a fresh ``nextPageToken``."""
    ENDLESS_FRESH_JOBS = "endless-fresh-jobs"
    """Every page holds two jobs never sent before and a fresh ``nextPageToken``."""
    ENDLESS_EMPTY_PAGES = "endless-empty-pages"
    """Every page is empty and holds a fresh ``nextPageToken``."""
    DRIP_BODY = "drip-body"
    """Headers at once, then a valid empty listing of ``size`` bytes, one per ``interval``."""
    DRIP_ALL = "drip-all"
    """Status line, headers and body, one byte per ``interval``."""


def job(number: int) -> dict[str, Any]:
    """A minimal job that matches the model and touches no day."""
    return {"serviceJobId": f"HOSTILE-{number:06d}", "serviceJobStatus": "NOT_SERVICED"}


class HostileServer:
    """A threaded HTTP/1.1 server on 127.0.0.1 misbehaving as told."""

    def __init__(self, misbehaviour: Misbehaviour, *, interval: float = 1.0,
                 size: int = 1024) -> None:
        self.misbehaviour = misbehaviour
        self.interval = interval
        self.size = size
        self.requests: list[tuple[str, str]] = []
        self._lock = threading.Lock()
        self._server = _Server(self)
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def token_url(self) -> str:
        return self.url + TOKEN_PATH

    def __enter__(self) -> HostileServer:
        self._thread.start()
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 traceback: TracebackType | None) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    def record(self, method: str, path: str) -> int:
        """Note one request; returns how many Services API requests came before it."""
        with self._lock:
            self.requests.append((method, path))
            return len(self.requests) - 1

    def answer(self, number: int, query: dict[str, list[str]]) -> bytes:
        """The JSON body of Services API request number ``number``."""
        kind = self.misbehaviour
        if kind is Misbehaviour.NULL_PAYLOAD:
            return b'{"payload": null}'
        if kind is Misbehaviour.MISSING_PAYLOAD:
            return b"{}"
        if kind is Misbehaviour.ENDLESS_EMPTY_PAGES:
            return json.dumps({"payload": {"jobs": [],
                                           "nextPageToken": f"token-{number + 1}"}}).encode()
        if kind is Misbehaviour.ENDLESS_SAME_JOBS:
            jobs = [job(0), job(1)]
        elif kind is Misbehaviour.ENDLESS_FRESH_JOBS:
            jobs = [job(2 * number), job(2 * number + 1)]
        else:
            jobs = []
        if jobs:
            return json.dumps({"payload": {"jobs": jobs,
                                           "nextPageToken": f"token-{number + 1}"}}).encode()
        return b'{"payload": {"jobs": []}}'.ljust(self.size)  # JSON allows trailing spaces


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, owner: HostileServer) -> None:
        self.owner = owner
        super().__init__(("127.0.0.1", 0), _Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hung up mid-answer is what these tests provoke: no traceback."""


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def _serve(self) -> None:
        owner = cast(_Server, self.server).owner
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        split = urlsplit(self.path)
        if split.path == TOKEN_PATH:
            self._send(_TOKEN, drip=False)
            return
        number = owner.record(self.command, split.path)
        body = owner.answer(number, parse_qs(split.query))
        drip = owner.misbehaviour in (Misbehaviour.DRIP_BODY, Misbehaviour.DRIP_ALL)
        self._send(body, drip=drip)

    do_GET = do_PUT = do_POST = _serve

    def _send(self, body: bytes, *, drip: bool) -> None:
        closing = "Connection: close\r\n" if drip else ""
        head = (f"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n{closing}"
                f"Content-Length: {len(body)}\r\n\r\n").encode()
        owner = cast(_Server, self.server).owner
        if not drip:
            self.wfile.write(head + body)
            return
        slow = head + body if owner.misbehaviour is Misbehaviour.DRIP_ALL else body
        if owner.misbehaviour is Misbehaviour.DRIP_BODY:
            self.wfile.write(head)
        with contextlib.suppress(OSError):  # the client gave up: the point of the test
            for index in range(len(slow)):
                self.wfile.write(slow[index:index + 1])
                self.wfile.flush()
                time.sleep(owner.interval)
        self.close_connection = True

    def log_message(self, format: str, *args: Any) -> None:
        """Silent."""
