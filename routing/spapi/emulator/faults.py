"""Fault injection: answers the emulator gives instead of the real one, queued by tests.

From Python, :meth:`FaultPlan.inject` takes every detail. From the command line
(``routeplan emulator --fault SPEC``), :meth:`FaultPlan.inject_spec` takes one spec,
``KIND:N[@OPERATION]``:

- ``STATUS:N`` (a 4xx or 5xx, e.g. ``429:5``, ``503:3``): the next N calls get that status with
  Amazon's error body;
- ``html:N``: the next N calls get a 502 with an HTML page, as from a proxy in front of Amazon;
- ``delay:S``: the next call is answered normally, S seconds late (``delay:35`` outlasts
  routeplan's 30 s request deadline);
- ``expire-token:N``: the next N calls find their access token expired (403 Unauthorized,
  "The access token you provided has expired."); every token issued so far expires;
- ``slot-taken:N``: the next N bookings (add or reschedule an appointment) find their slot
  taken by another buyer since the client read it: the slot fills up for good and the call
  gets Amazon's 422 "Appointment slot is not available".

``@OPERATION`` aims the fault at one operation (``getServiceJobs``, ``lwaToken`` …); without
it a fault hits the next Services API calls, whatever the operation (never the LWA endpoint;
``slot-taken`` only the booking operations).
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass

from routing.spapi.emulator.errors import EmulatorError
from routing.spapi.emulator.wire import JSON, Reply, error

__all__ = [
    "BOOKING_OPERATIONS",
    "LWA_OPERATION",
    "SPAPI_OPERATIONS",
    "SPEC_HELP",
    "Fault",
    "FaultPlan",
]

#: The operation name of the LWA token endpoint, for faults aimed at login.
LWA_OPERATION = "lwaToken"
#: The operations that book a slot, which the ``slot-taken`` fault aims at.
BOOKING_OPERATIONS = frozenset(
    {
        "addAppointmentForServiceJobByServiceJobId",
        "rescheduleAppointmentForServiceJobByServiceJobId",
    }
)
SPAPI_OPERATIONS = frozenset(
    {
        "getServiceJobs",
        "getServiceJobByServiceJobId",
        "assignAppointmentResources",
        "setAppointmentFulfillmentData",
        "getAppointmmentSlotsByJobId",
        "getAppointmentSlots",
    }
) | BOOKING_OPERATIONS

#: Amazon's error for each status a test is likely to inject without a body.
_DEFAULT_ERRORS = {
    401: ("Unauthorized", "Access to requested resource is denied."),
    403: ("Unauthorized", "Access to requested resource is denied."),
    404: ("NotFound", "The requested resource does not exist."),
    429: ("QuotaExceeded", "You exceeded your quota for the requested resource."),
    500: ("InternalFailure", "We encountered an internal error. Please try again."),
    502: ("InternalFailure", "Bad gateway. Please try again."),
    503: ("ServiceUnavailable", "Temporary overloading or maintenance of the server."),
    504: ("InternalFailure", "Gateway timeout. Please try again."),
}
_HTML_PAGE = (b"<html><head><title>502 Bad Gateway</title></head>"
              b"<body><center><h1>502 Bad Gateway</h1></center></body></html>")
_SPEC = re.compile(r"(?P<kind>[a-z-]+|\d{3}):(?P<value>\d+(?:\.\d+)?)(?:@(?P<operation>\w+))?")
SPEC_HELP = ("KIND:N[@OPERATION] with KIND a 4xx/5xx status, html, delay, expire-token or "
             "slot-taken")


@dataclass(frozen=True)
class Fault:
    """One injected answer. ``status`` < 300 without a body delays the real answer instead;
    ``expire_tokens`` expires every access token, then lets the call through; ``take_slot``
    fills the slot a booking asks for, then lets the call through."""

    operation: str | None
    status: int
    body: bytes | None = None
    content_type: str | None = None
    delay: float = 0.0
    retry_after: float | None = None
    expire_tokens: bool = False
    take_slot: bool = False

    @property
    def label(self) -> str:
        """What this fault did, for the call record: ``429``, ``502 html``, ``delay 35 s`` …"""
        if self.expire_tokens:
            return "expire-token"
        if self.take_slot:
            return "slot-taken"
        if self.passes_through:
            return f"delay {self.delay:g} s"
        kind = f"{self.status} html" if self.body is not None and \
            _sniff(self.body) != JSON else str(self.status)
        return kind + (f" after {self.delay:g} s" if self.delay else "")

    @property
    def passes_through(self) -> bool:
        """A slow-but-real response: wait ``delay``, then answer normally."""
        return self.status < 300 and self.body is None

    def reply(self) -> Reply:
        headers = {} if self.retry_after is None else {"Retry-After": f"{self.retry_after:g}"}
        if self.body is not None:
            return Reply(self.status, self.body, self.content_type or _sniff(self.body), headers)
        code, message = _DEFAULT_ERRORS.get(self.status, ("InternalFailure", "Injected fault."))
        document = {"errors": [error(code, message)]}
        return Reply(self.status, json.dumps(document).encode(), JSON, headers)


@dataclass
class _Queued:
    fault: Fault
    left: int


def _sniff(body: bytes) -> str:
    try:
        json.loads(body)
    except ValueError:
        return "text/html; charset=utf-8"
    return JSON


class FaultPlan:
    """A thread-safe FIFO of faults, each answered to the next ``count`` matching calls.

    ``operation`` None matches any Services API operation (not the LWA endpoint, which is
    addressed as ``"lwaToken"``). ``repeat_page_token`` makes getServiceJobs hand back the
    same nextPageToken forever, as Amazon's sandbox does.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._queue: list[_Queued] = []
        self.repeat_page_token = False

    def inject(
        self,
        operation: str | None,
        status: int,
        *,
        count: int = 1,
        body: str | bytes | None = None,
        content_type: str | None = None,
        delay: float = 0.0,
        retry_after: float | None = None,
        expire_tokens: bool = False,
        take_slot: bool = False,
    ) -> None:
        """Answer the next ``count`` calls of ``operation`` (None: any) with this fault."""
        if operation is not None and operation not in SPAPI_OPERATIONS | {LWA_OPERATION}:
            known = ", ".join(sorted(SPAPI_OPERATIONS | {LWA_OPERATION}))
            raise EmulatorError(f"unknown operation {operation!r}; known: {known}")
        if take_slot and operation is not None and operation not in BOOKING_OPERATIONS:
            raise EmulatorError(f"slot-taken aims at a booking operation "
                                f"({', '.join(sorted(BOOKING_OPERATIONS))}), not {operation}")
        if not 100 <= status <= 599:
            raise EmulatorError(f"status {status} is not an HTTP status")
        if count < 1 or delay < 0 or (retry_after is not None and retry_after < 0):
            raise EmulatorError("count must be >= 1, delay and retry_after >= 0")
        payload = body.encode() if isinstance(body, str) else body
        fault = Fault(operation, status, payload, content_type, delay, retry_after,
                      expire_tokens, take_slot)
        with self._lock:
            self._queue.append(_Queued(fault, count))

    def inject_spec(self, spec: str) -> None:
        """Queue the fault a command-line spec describes (see the module's docstring)."""
        match = _SPEC.fullmatch(spec.strip())
        if match is None:
            raise EmulatorError(f"fault {spec!r}: expected {SPEC_HELP}, e.g. 429:5 or "
                                "delay:35@getServiceJobs")
        kind, value, operation = match["kind"], float(match["value"]), match["operation"]
        count = int(value)
        if kind != "delay" and (count != value or count < 1):
            raise EmulatorError(f"fault {spec!r}: N must be a whole number >= 1")
        if kind == "delay":
            self.inject(operation, 200, delay=value)
        elif kind == "html":
            self.inject(operation, 502, count=count, body=_HTML_PAGE,
                        content_type="text/html; charset=utf-8")
        elif kind == "expire-token":
            self.inject(operation, 200, count=count, expire_tokens=True)
        elif kind == "slot-taken":
            self.inject(operation, 200, count=count, take_slot=True)
        elif kind.isdigit() and 400 <= int(kind) <= 599:
            self.inject(operation, int(kind), count=count)
        else:
            raise EmulatorError(f"fault {spec!r}: unknown kind {kind!r}; expected {SPEC_HELP}")

    def take(self, operation: str) -> Fault | None:
        """The fault for this call of ``operation``, if one is queued (and use it up)."""
        with self._lock:
            for entry in self._queue:
                wanted = entry.fault.operation
                aimed = BOOKING_OPERATIONS if entry.fault.take_slot else SPAPI_OPERATIONS
                if wanted == operation or (wanted is None and operation in aimed):
                    entry.left -= 1
                    if not entry.left:
                        self._queue.remove(entry)
                    return entry.fault
        return None

    @property
    def pending(self) -> int:
        """How many faulty answers are still queued."""
        with self._lock:
            return sum(entry.left for entry in self._queue)

    def clear(self) -> None:
        """Drop every queued fault and switch repeat_page_token off."""
        with self._lock:
            self._queue.clear()
            self.repeat_page_token = False
