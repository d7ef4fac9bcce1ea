"""A real HTTP server on 127.0.0.1 that answers GETs with scripted JSON replies.

It plays Nominatim (``/search``) and OSRM (``/table``) in the tests."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Reply:
    status: int = 200
    body: Any = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0  # seconds to sleep before answering (to outlast a client timeout)


@dataclass
class ScriptedServer:
    """``replies`` are served in order, then ``default``; every request is recorded."""

    domain: str  # host:port
    replies: list[Reply] = field(default_factory=list)
    default: Reply = field(default_factory=Reply)
    requests: list[tuple[str, dict[str, list[str]], str]] = field(default_factory=list)
    """(path, query parameters, User-Agent) of each request."""
    times: list[float] = field(default_factory=list)
    """When each request arrived (``time.monotonic()`` in the server, whoever sent it)."""

    @property
    def base_url(self) -> str:
        return f"http://{self.domain}"

    def next_reply(self) -> Reply:
        return self.replies.pop(0) if self.replies else self.default


@contextmanager
def scripted_server() -> Iterator[ScriptedServer]:
    state = ScriptedServer(domain="")

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            url = urlsplit(self.path)
            state.times.append(time.monotonic())
            state.requests.append(
                (url.path, parse_qs(url.query), self.headers.get("User-Agent", ""))
            )
            reply = state.next_reply()
            time.sleep(reply.delay)
            body = json.dumps(reply.body).encode()
            try:
                self.send_response(reply.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                for name, value in reply.headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):  # the client timed out and left
                pass

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    state.domain = f"127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
