"""A total deadline per request: connection, headers and the whole body.

httpx's timeouts bound each socket operation, not the request: a server that drips one byte a
second never trips a 30 s read timeout, and holds a 1 KB page for 16 minutes. The transport
here wraps every socket operation of httpcore's connection pool (connect, TLS, each write and
each read) and clamps its timeout to what is left of the deadline of the request running in
this thread, set with :func:`deadline`. A request therefore ends when its deadline passes,
whichever phase it is in (a status line dripped byte by byte included), with httpx's own
``ConnectTimeout`` / ``WriteTimeout`` / ``ReadTimeout``; the caller compares the clock with
the deadline to tell the two apart.
"""

from __future__ import annotations

import ssl
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import httpcore
import httpx

__all__ = ["DeadlineTransport", "deadline"]

_DEADLINE: ContextVar[float | None] = ContextVar("spapi_request_deadline", default=None)


@contextmanager
def deadline(seconds: float) -> Iterator[float]:
    """Requests sent in this block (in this thread) must end ``seconds`` from now.

    Yields the deadline as a ``time.monotonic()`` value.
    """
    at = time.monotonic() + seconds
    token = _DEADLINE.set(at)
    try:
        yield at
    finally:
        _DEADLINE.reset(token)


def _clamp(timeout: float | None, expired: type[httpcore.TimeoutException]) -> float | None:
    """``timeout``, shortened to what is left of the current deadline (raise when none is)."""
    at = _DEADLINE.get()
    if at is None:
        return timeout
    left = at - time.monotonic()
    if left <= 0:
        raise expired("the request deadline has passed")
    return left if timeout is None else min(timeout, left)


class _Stream(httpcore.NetworkStream):
    def __init__(self, stream: httpcore.NetworkStream) -> None:
        self._stream = stream

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, _clamp(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, _clamp(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(self, ssl_context: ssl.SSLContext, server_hostname: str | None = None,
                  timeout: float | None = None) -> httpcore.NetworkStream:
        clamped = _clamp(timeout, httpcore.ConnectTimeout)
        return _Stream(self._stream.start_tls(ssl_context, server_hostname, clamped))

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class _Backend(httpcore.NetworkBackend):
    def __init__(self) -> None:
        self._backend = httpcore.SyncBackend()

    def connect_tcp(self, host: str, port: int, timeout: float | None = None,
                    local_address: str | None = None,
                    socket_options: Iterable[Any] | None = None) -> httpcore.NetworkStream:
        clamped = _clamp(timeout, httpcore.ConnectTimeout)
        return _Stream(self._backend.connect_tcp(host, port, clamped, local_address,
                                                 socket_options))

    def connect_unix_socket(self, path: str, timeout: float | None = None,
                            socket_options: Iterable[Any] | None = None
                            ) -> httpcore.NetworkStream:
        clamped = _clamp(timeout, httpcore.ConnectTimeout)
        return _Stream(self._backend.connect_unix_socket(path, clamped, socket_options))

    def sleep(self, seconds: float) -> None:
        self._backend.sleep(seconds)


class DeadlineTransport(httpx.HTTPTransport):
    """httpx's own transport (same limits, TLS and error mapping), on deadline-aware sockets.

    httpx does not take a network backend, so the connection pool is rebuilt with one; the
    drip-feed tests in ``tests/routing/spapi`` would notice if that stopped working.
    """

    def __init__(self) -> None:
        context = httpx.create_ssl_context()  # loading the CA bundle costs ~0.1 s: once
        super().__init__(verify=context)
        limits = httpx.Limits(max_connections=100, max_keepalive_connections=20,
                              keepalive_expiry=5.0)  # httpx's defaults
        self._pool = httpcore.ConnectionPool(
            ssl_context=context,
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=_Backend(),
        )
