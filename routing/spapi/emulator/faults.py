"""Fault injection: answers the emulator gives instead of the real one, queued by tests."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass

from routing.spapi.emulator.errors import EmulatorError
from routing.spapi.emulator.wire import JSON, Reply, error

#: The operation name of the LWA token endpoint, for faults aimed at login.
LWA_OPERATION = "lwaToken"
SPAPI_OPERATIONS = frozenset(
    {
        "getServiceJobs",
        "getServiceJobByServiceJobId",
        "assignAppointmentResources",
        "setAppointmentFulfillmentData",
    }
)

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


@dataclass(frozen=True)
class Fault:
    """One injected answer. ``status`` < 300 without a body delays the real answer instead."""

    operation: str | None
    status: int
    body: bytes | None = None
    content_type: str | None = None
    delay: float = 0.0
    retry_after: float | None = None

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
    ) -> None:
        """Answer the next ``count`` calls of ``operation`` (None: any) with this fault."""
        if operation is not None and operation not in SPAPI_OPERATIONS | {LWA_OPERATION}:
            known = ", ".join(sorted(SPAPI_OPERATIONS | {LWA_OPERATION}))
            raise EmulatorError(f"unknown operation {operation!r}; known: {known}")
        if not 100 <= status <= 599:
            raise EmulatorError(f"status {status} is not an HTTP status")
        if count < 1 or delay < 0 or (retry_after is not None and retry_after < 0):
            raise EmulatorError("count must be >= 1, delay and retry_after >= 0")
        payload = body.encode() if isinstance(body, str) else body
        fault = Fault(operation, status, payload, content_type, delay, retry_after)
        with self._lock:
            self._queue.append(_Queued(fault, count))

    def take(self, operation: str) -> Fault | None:
        """The fault for this call of ``operation``, if one is queued (and use it up)."""
        with self._lock:
            for entry in self._queue:
                wanted = entry.fault.operation
                if wanted == operation or (wanted is None and operation in SPAPI_OPERATIONS):
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
