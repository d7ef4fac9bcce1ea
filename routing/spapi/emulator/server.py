"""The Services API emulator: a real HTTP server on loopback, run from Python or the CLI.

Each request goes through the same gates as at Amazon, in this order: an injected fault (if
one is queued), the access token, the operation's token bucket, then the operation itself.
Every request is recorded, whatever its answer, and listed as JSON at ``GET /_emulator/calls``.

Every method on every path gets a JSON answer in Amazon's error shape, never http.server's
HTML: an unknown path is 404 ``NotFound``; a known path with a method it does not serve
(TRACE, OPTIONS, PATCH, DELETE, HEAD …) is 405 ``MethodNotAllowed`` with an ``Allow`` header
(the HTTP status for it; Amazon's gateway documents none of its own); a request http.server
cannot even parse gets its status (400, 414, 431 …) with an ``InvalidInput`` error.
"""

from __future__ import annotations

import contextlib
import json
import logging
import socket
import sys
import threading
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any, cast
from urllib.parse import parse_qsl, unquote, urlsplit

from routing.spapi.emulator.dataset import JobStore, load_job_files, load_jobs
from routing.spapi.emulator.errors import EmulatorError
from routing.spapi.emulator.faults import LWA_OPERATION, Fault, FaultPlan
from routing.spapi.emulator.listing import list_page, parse_query
from routing.spapi.emulator.lwa import LwaRefusal, TokenIssuer, TokenState
from routing.spapi.emulator.slots import SlotBook, SlotConfig
from routing.spapi.emulator.wire import (
    JSON,
    Rejection,
    Reply,
    error,
    errors_reply,
    invalid_input,
    json_reply,
)
from routing.spapi.emulator.writes import ResourceRule, assign, check_path_ids, fulfill
from routing.spapi.ratelimit import USAGE_PLANS, TokenBucket, UsagePlan

__all__ = [
    "CALLS_PATH",
    "TOKEN_PATH",
    "Emulator",
    "RecordedCall",
    "serve_forever",
]

_Request = socket.socket | tuple[bytes, socket.socket]
_log = logging.getLogger(__name__)

TOKEN_PATH = "/auth/o2/token"
CALLS_PATH = "/_emulator/calls"
_JOBS_PATH = ("service", "v1", "serviceJobs")
_SLOTS_PATH = ("service", "v1", "appointmentSlots")
_SECRET_FORM_FIELDS = frozenset({"client_secret", "refresh_token"})
_EXPIRED = "The access token you provided has expired."


@dataclass(frozen=True)
class RecordedCall:
    """One request as the emulator saw it, and the status it answered.

    ``body`` is the parsed JSON (or the raw text when it is not JSON); for the LWA endpoint it
    is the form with its secrets masked. ``headers`` are lower-cased, the access token masked.
    ``time`` is ``time.monotonic()`` on arrival, ``received`` the wall clock (UTC); ``fault``
    names the injected fault that answered or shaped the call (``429``, ``delay 35 s`` …).
    """

    operation: str
    method: str
    path: str
    query: dict[str, str]
    query_string: str
    body: Any
    status: int
    time: float
    request_id: str
    headers: dict[str, str]
    fault: str | None = None
    received: datetime | None = None

    def summary(self) -> dict[str, Any]:
        """The call as ``GET /_emulator/calls`` lists it (no body, no headers)."""
        return {
            "method": self.method, "path": self.path, "query": self.query,
            "operation": self.operation, "status": self.status, "fault": self.fault,
            "received": None if self.received is None
            else self.received.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "requestId": self.request_id,
        }


@dataclass(frozen=True)
class _Route:
    operation: str
    job_id: str = ""
    appointment_id: str = ""


def _routes(path: str) -> dict[str, _Route]:
    """The operations served at ``path``, by method (empty for an unknown path)."""
    if path == TOKEN_PATH:
        return {"POST": _Route(LWA_OPERATION)}
    if path == CALLS_PATH:
        return {"GET": _Route("")}
    parts = tuple(unquote(part) for part in path.strip("/").split("/"))
    if parts == _SLOTS_PATH:
        return {"GET": _Route("getAppointmentSlots")}
    if parts[:3] != _JOBS_PATH:
        return {}
    rest = parts[3:]
    if not rest:
        return {"GET": _Route("getServiceJobs")}
    if len(rest) == 1:
        return {"GET": _Route("getServiceJobByServiceJobId", rest[0])}
    if rest[1:] == ("appointmentSlots",):
        return {"GET": _Route("getAppointmmentSlotsByJobId", rest[0])}
    if rest[1:] == ("appointments",):
        return {"POST": _Route("addAppointmentForServiceJobByServiceJobId", rest[0])}
    if len(rest) == 3 and rest[1] == "appointments":
        return {"POST": _Route("rescheduleAppointmentForServiceJobByServiceJobId", rest[0],
                               rest[2])}
    if len(rest) == 4 and rest[1] == "appointments":
        operation = {
            "resources": "assignAppointmentResources",
            "fulfillment": "setAppointmentFulfillmentData",
        }.get(rest[3])
        if operation:
            return {"PUT": _Route(operation, rest[0], rest[2])}
    return {}


class Emulator:
    """A local Services API (jobs, appointment slots and bookings) plus an LWA token endpoint.

    Use as a context manager or with :meth:`start` / :meth:`stop`; the server runs in a
    background thread. ``resource_rules`` maps technician resource ids to what they may do;
    when it is empty every resource id is accepted. ``slots`` configures the stores' slots
    (default :class:`SlotConfig`); ``clock`` is the emulator's now for slots and bookings
    (default: the wall clock), so a test or the demo can play a day that is not today.
    """

    def __init__(
        self,
        jobs: Sequence[Mapping[str, Any]] = (),
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        client_id: str = "emulator-client",
        client_secret: str = "emulator-secret",
        refresh_token: str = "emulator-refresh",
        token_ttl: int = 3600,
        enforce_rate_limits: bool = True,
        marketplace_id: str = "ATVPDKIKX0DER",
        usage_plans: Mapping[str, UsagePlan] | None = None,
        slots: SlotConfig | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.host = host
        self.port = port
        self.marketplace_id = marketplace_id
        self.enforce_rate_limits = enforce_rate_limits
        self.faults = FaultPlan()
        self.resource_rules: dict[str, ResourceRule] = {}
        self._store = JobStore(jobs)
        self._slots = SlotBook(slots or SlotConfig(), clock or _wall_clock)
        self._issuer = TokenIssuer(client_id, client_secret, refresh_token, token_ttl)
        if token_ttl < 0:
            raise EmulatorError(f"token_ttl must be >= 0 seconds, got {token_ttl}")
        plans = {**USAGE_PLANS, **(usage_plans or {})}
        for operation, plan in plans.items():
            if operation not in USAGE_PLANS:
                raise EmulatorError(f"no usage plan applies to {operation!r}")
            if plan.rate <= 0 or plan.burst < 1:
                raise EmulatorError(f"{operation}: a usage plan needs rate > 0 and burst >= 1")
        self._plans = plans
        self._buckets = {
            operation: TokenBucket(plan.rate, plan.burst) for operation, plan in plans.items()
        }
        self._lock = threading.Lock()
        self._calls: list[RecordedCall] = []
        self._assignments: dict[tuple[str, str], list[str]] = {}
        self._fulfillments: dict[tuple[str, str], dict[str, Any]] = {}
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    @classmethod
    def from_file(cls, path: Path, **kw: Any) -> Emulator:
        """An emulator serving the jobs stored in ``path``."""
        return cls(load_jobs(path), **kw)

    def __repr__(self) -> str:
        where = self.url if self._server else "stopped"
        return f"Emulator({len(self._store.jobs)} jobs, {where})"

    # -- lifecycle ---------------------------------------------------------------------

    def start(self) -> Emulator:
        """Bind the port and serve in a background thread; returns self."""
        if self._server is not None:
            return self
        try:
            server = _Server((self.host, self.port), self)
        except OSError as exc:
            raise EmulatorError(
                f"cannot listen on {self.host}:{self.port}: {exc.strerror}"
            ) from exc
        self._server = server
        self.port = int(server.server_address[1])
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"spapi-emulator-{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and release the port (idempotent)."""
        server, thread = self._server, self._thread
        self._server = self._thread = None
        if server is not None:
            server.shutdown()
            server.server_close()
            server.close_connections()
        if thread is not None:
            thread.join()

    def __enter__(self) -> Emulator:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()

    def wait(self, timeout: float | None = None) -> None:
        """Block until the server thread ends (or ``timeout`` passes)."""
        thread = self._thread
        if thread is not None:
            thread.join(timeout)

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    @property
    def url(self) -> str:
        """The base URL; SP-API paths go under it."""
        if self._server is None:
            raise EmulatorError("the emulator is not started")
        return f"http://{self.host}:{self.port}"

    @property
    def token_url(self) -> str:
        return self.url + TOKEN_PATH

    # -- what tests read and steer -------------------------------------------------------

    @property
    def calls(self) -> list[RecordedCall]:
        """Every request so far, oldest first (a copy)."""
        with self._lock:
            return list(self._calls)

    @property
    def token_requests(self) -> int:
        """How many requests reached the LWA token endpoint (faulted ones included)."""
        with self._lock:
            return sum(1 for call in self._calls if call.operation == LWA_OPERATION)

    @property
    def assignments(self) -> dict[tuple[str, str], list[str]]:
        """The resource ids last assigned per (serviceJobId, appointmentId)."""
        with self._lock:
            return {key: list(ids) for key, ids in self._assignments.items()}

    @property
    def fulfillments(self) -> dict[tuple[str, str], dict[str, Any]]:
        """The fulfillment data per (serviceJobId, appointmentId), later calls merged over."""
        with self._lock:
            return {key: json.loads(json.dumps(data)) for key, data in self._fulfillments.items()}

    @property
    def slot_config(self) -> SlotConfig:
        return self._slots.config

    def job(self, service_job_id: str) -> dict[str, Any] | None:
        """The job as the emulator now serves it (a copy), or None."""
        with self._lock:
            stored = self._store.get(service_job_id)
            return None if stored is None else self._store.snapshot([stored])[0]

    def expire_tokens(self) -> None:
        """Every access token issued so far becomes expired."""
        self._issuer.expire_all()

    # -- request handling --------------------------------------------------------------

    def handle(self, method: str, target: str, headers: Mapping[str, str], body: bytes) -> Reply:
        """Answer one HTTP request (called from the server's handler threads)."""
        arrived = time.monotonic()
        received = datetime.now(UTC)
        request_id = str(uuid.uuid4())
        split = urlsplit(target)
        pairs = parse_qsl(split.query, keep_blank_values=True)
        routes = _routes(split.path)
        route = routes.get(method)
        if split.path == CALLS_PATH and route is not None:
            return self._list_calls(request_id)  # looking is not a call
        operation = route.operation if route else "unknown"
        recorded_body = _recorded_body(operation, body)
        fault = self.faults.take(operation) if route else None
        try:
            reply = self._answer(route, routes, fault, pairs, headers, body)
        except Exception:  # an emulator bug must still answer, like Amazon's 500
            _log.exception("emulator failure on %s %s", method, split.path)
            reply = errors_reply(500, error("InternalFailure", "Emulator internal error."))
        reply.headers["x-amzn-RequestId"] = request_id
        call = RecordedCall(
            operation,
            method,
            split.path,
            dict(pairs),
            split.query,
            recorded_body,
            reply.status,
            arrived,
            request_id,
            {k: "***" if k == "x-amz-access-token" else v for k, v in headers.items()},
            None if fault is None else fault.label,
            received,
        )
        with self._lock:
            self._calls.append(call)
        return reply

    def _list_calls(self, request_id: str) -> Reply:
        document = {"calls": [call.summary() for call in self.calls]}
        return json_reply(200, document, {"x-amzn-RequestId": request_id,
                                          "Cache-Control": "no-store"})

    def _answer(
        self,
        route: _Route | None,
        routes: Mapping[str, _Route],
        fault: Fault | None,
        pairs: list[tuple[str, str]],
        headers: Mapping[str, str],
        body: bytes,
    ) -> Reply:
        if route is None and routes:
            allowed = ", ".join(routes)
            refusal = errors_reply(
                405, error("MethodNotAllowed", f"This resource answers only {allowed}."))
            refusal.headers["Allow"] = allowed
            return refusal
        if route is None:
            return errors_reply(404, error("NotFound", "Resource not found."))
        if fault is not None:
            time.sleep(fault.delay)
            if fault.expire_tokens:
                self._issuer.expire_all()
            if not fault.passes_through:
                return fault.reply()
        race = fault is not None and fault.take_slot
        if route.operation == LWA_OPERATION:
            return self._token(headers, body)
        state = self._issuer.state(headers.get("x-amz-access-token"))
        if state is not TokenState.LIVE:
            details = _EXPIRED if state is TokenState.EXPIRED else ""
            return errors_reply(
                403, error("Unauthorized", "Access to requested resource is denied.", details)
            )
        bucket = self._buckets.get(route.operation)
        plan = self._plans.get(route.operation)
        limit = {} if plan is None else {"x-amzn-RateLimit-Limit": plan.header}
        if bucket is not None and self.enforce_rate_limits and not bucket.try_acquire():
            reply = errors_reply(
                429,
                error("QuotaExceeded", "You exceeded your quota for the requested resource."),
            )
        else:
            try:
                reply = self._operate(route, pairs, headers, body, race=race)
            except Rejection as rejection:
                bare = route.operation == "setAppointmentFulfillmentData"
                reply = errors_reply(rejection.status, *rejection.errors, bare=bare)
        reply.headers.update(limit)
        return reply

    def _token(self, headers: Mapping[str, str], body: bytes) -> Reply:
        outcome: dict[str, object] | LwaRefusal
        if headers.get("content-type", "").startswith("application/x-www-form-urlencoded"):
            form = dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True))
            outcome = self._issuer.grant(form)
        else:
            outcome = LwaRefusal(400, "invalid_request", "The request must be form-encoded")
        if isinstance(outcome, LwaRefusal):
            document = {"error": outcome.error, "error_description": outcome.description}
            return json_reply(outcome.status, document)
        return json_reply(200, outcome, {"Cache-Control": "no-store"})

    def _operate(
        self,
        route: _Route,
        pairs: list[tuple[str, str]],
        headers: Mapping[str, str],
        body: bytes,
        *,
        race: bool = False,
    ) -> Reply:
        if route.operation in _SLOT_OPERATIONS:
            return self._book(route, pairs, headers, body, race)
        if route.operation == "getServiceJobs":
            query = parse_query(pairs)
            with self._lock:
                payload = list_page(
                    self._store,
                    query,
                    default_marketplace=self.marketplace_id,
                    repeat_page_token=self.faults.repeat_page_token,
                )
            return json_reply(200, {"payload": payload})
        if pairs:
            raise Rejection(400, invalid_input(f"Unknown query parameter {pairs[0][0]!r}."))
        if route.operation == "getServiceJobByServiceJobId":
            job = self.job(route.job_id)
            if job is None:
                raise Rejection(
                    404, error("NotFound", f"No job exists with jobId : {route.job_id}")
                )
            return json_reply(200, {"payload": job})
        check_path_ids(route.job_id, route.appointment_id)
        document = _json_body(headers, body)
        key = (route.job_id, route.appointment_id)
        with self._lock:
            stored = self._store.get(route.job_id)
            if route.operation == "assignAppointmentResources":
                ids, warnings = assign(
                    stored, route.job_id, route.appointment_id, document, self.resource_rules
                )
                self._assignments[key] = ids
                return json_reply(200, {"payload": {"warnings": warnings}} if warnings else {})
            data = fulfill(
                stored, route.job_id, route.appointment_id, document, self.resource_rules
            )
            self._fulfillments[key] = {**self._fulfillments.get(key, {}), **data}
            return Reply(204)


    def _book(self, route: _Route, pairs: list[tuple[str, str]], headers: Mapping[str, str],
              body: bytes, race: bool) -> Reply:
        """The slot reads and the bookings (:mod:`routing.spapi.emulator.slots`)."""
        operation, slots = route.operation, self._slots
        if operation not in _SLOT_READS and pairs:
            raise Rejection(400, invalid_input(f"Unknown query parameter {pairs[0][0]!r}."))
        document = None if operation in _SLOT_READS else _json_body(headers, body)
        with self._lock:
            if operation == "getAppointmentSlots":
                return json_reply(200, {"payload": slots.store_slots(self._store, pairs)})
            if operation == "getAppointmmentSlotsByJobId":
                return json_reply(200, {"payload": slots.job_slots(self._store, route.job_id,
                                                                   pairs)})
            if operation == "addAppointmentForServiceJobByServiceJobId":
                return json_reply(200, slots.add(self._store, route.job_id, document, race=race))
            return json_reply(200, slots.reschedule(self._store, route.job_id,
                                                    route.appointment_id, document, race=race))


_SLOT_READS = frozenset({"getAppointmentSlots", "getAppointmmentSlotsByJobId"})
_SLOT_OPERATIONS = _SLOT_READS | {"addAppointmentForServiceJobByServiceJobId",
                                  "rescheduleAppointmentForServiceJobByServiceJobId"}


def _wall_clock() -> datetime:
    return datetime.now(UTC)


def _json_body(headers: Mapping[str, str], body: bytes) -> object:
    if not body:
        return None
    if not headers.get("content-type", JSON).startswith(JSON):
        raise Rejection(
            415, error("UnsupportedMediaType", "The request payload must be application/json.")
        )
    try:
        return json.loads(body)
    except ValueError as exc:
        raise Rejection(400, invalid_input("The request body is not valid JSON.")) from exc


def _recorded_body(operation: str, body: bytes) -> Any:
    if not body:
        return None
    text = body.decode("utf-8", "replace")
    if operation == LWA_OPERATION:
        form = dict(parse_qsl(text, keep_blank_values=True))
        return {k: "***" if k in _SECRET_FORM_FIELDS else v for k, v in form.items()}
    try:
        return json.loads(text)
    except ValueError:
        return text


class _Server(ThreadingHTTPServer):
    """Tracks open connections so that stopping also ends idle keep-alive connections."""

    daemon_threads = True

    def __init__(self, address: tuple[str, int], emulator: Emulator) -> None:
        self.emulator = emulator
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__(address, _Handler)

    def process_request(self, request: _Request, client_address: Any) -> None:
        if isinstance(request, socket.socket):
            with self._connections_lock:
                self._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: _Request) -> None:
        if isinstance(request, socket.socket):
            with self._connections_lock:
                self._connections.discard(request)
        super().shutdown_request(request)

    def handle_error(self, request: _Request, client_address: Any) -> None:
        """A client that hung up (a timeout, a stopped test) is not worth a traceback."""
        if isinstance(sys.exc_info()[1], ConnectionError | TimeoutError):
            return
        _log.exception("emulator connection from %s failed", client_address)

    def close_connections(self) -> None:
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = 30  # idle keep-alive connections end after this
    disable_nagle_algorithm = True  # headers and body leave in two writes; no 40 ms stall
    server_version = "routeplan-spapi-emulator"

    def _serve(self) -> None:
        length = self.headers.get("Content-Length") or "0"
        if not length.isdigit():
            self.send_error(400, "Bad Content-Length")
            return
        body = self.rfile.read(int(length))
        headers = {name.lower(): value for name, value in self.headers.items()}
        emulator = cast(_Server, self.server).emulator
        self._send(emulator.handle(self.command, self.path, headers, body))

    def __getattr__(self, name: str) -> Any:
        """Every method, TRACE and made-up ones included, reaches the emulator (``do_X``)."""
        if name.startswith("do_"):
            return self._serve
        raise AttributeError(name)

    def send_error(self, code: int, message: str | None = None,
                   explain: str | None = None) -> None:
        """Requests http.server refuses itself (bad request line, huge headers …): JSON too."""
        try:
            phrase = HTTPStatus(code).phrase
        except ValueError:
            phrase = "Error"
        self.close_connection = True
        self._send(errors_reply(code, invalid_input(message or phrase)))

    def _send(self, reply: Reply) -> None:
        self.send_response(reply.status)
        for name, value in reply.headers.items():
            self.send_header(name, value)
        if reply.content_type:
            self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(reply.body)))
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        if reply.body and self.command != "HEAD":
            self.wfile.write(reply.body)

    def log_message(self, format: str, *args: Any) -> None:
        """Silent: tests and the CLI read ``Emulator.calls`` instead of stderr."""


def serve_forever(
    paths: Sequence[Path],
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    announce: Callable[[str], None] | None = None,
    faults: Sequence[str] = (),
    **kw: Any,
) -> None:
    """Serve the jobs of ``paths`` (none when empty) until Ctrl-C; for ``routeplan emulator``.

    ``announce`` receives the lines telling where the emulator listens (default: stdout).
    ``faults`` are fault specs (``429:5``, ``delay:35@getServiceJobs`` …), queued in order
    before the first request (see :mod:`routing.spapi.emulator.faults`).
    """
    say = announce or _print_now
    emulator = Emulator(load_job_files(paths), host=host, port=port, **kw)
    for spec in faults:
        emulator.faults.inject_spec(spec)
    with emulator:
        say(
            f"Services API emulator at {emulator.url} (LWA token endpoint {emulator.token_url}); "
            "Ctrl-C stops"
        )
        if faults:
            say(f"faults queued: {', '.join(faults)}")
        say(f"calls received: GET {emulator.url}{CALLS_PATH}")
        try:
            while emulator.running:
                emulator.wait(0.5)
        except KeyboardInterrupt:
            say("emulator stopped")


def _print_now(message: str) -> None:
    print(message, flush=True)
