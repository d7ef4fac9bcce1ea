"""Errors of the Services API client.

Every failed call surfaces as :class:`SpApiRequestError`, carrying what a support ticket to
Amazon needs: the operation, the HTTP status, Amazon's ``errors[]`` and ``x-amzn-RequestId``.
Its subclasses say what kind of failure it was: :class:`AuthError` (login),
:class:`DeadlineExceededError` (no complete answer in time), :class:`MissingPayloadError` and
:class:`PaginationError` (a successful status with an answer that cannot be used). Problems
caught before anything is sent are :class:`RequestValidationError`.
"""

from __future__ import annotations

from collections.abc import Sequence

from routing.errors import RoutingError
from routing.spapi.models import Error

__all__ = [
    "AuthError",
    "ClientSettingsError",
    "DeadlineExceededError",
    "MissingPayloadError",
    "PaginationError",
    "RequestValidationError",
    "SlotUnavailableError",
    "SpApiError",
    "SpApiRequestError",
]


class SpApiError(RoutingError):
    """Base class of every Services API client error."""


class ClientSettingsError(SpApiError):
    """Missing or inconsistent client settings (credentials, region, base URL)."""


class RequestValidationError(SpApiError, ValueError):
    """A call broke a constraint of the official model; nothing was sent."""


class SpApiRequestError(SpApiError):
    """A call to Amazon (or the LWA token endpoint) failed for good.

    ``status`` is None when no HTTP answer arrived at all (connection refused, timeouts).
    """

    def __init__(
        self,
        operation: str,
        message: str,
        *,
        status: int | None = None,
        errors: Sequence[Error] = (),
        request_id: str | None = None,
        attempts: int = 1,
    ) -> None:
        self.operation = operation
        self.status = status
        self.errors = list(errors)
        self.request_id = request_id
        self.attempts = attempts
        super().__init__(message)

    def __str__(self) -> str:
        parts = [f"{self.operation} failed"]
        if self.status is not None:
            parts.append(f"HTTP {self.status}")
        parts.append(super().__str__())
        for error in self.errors:
            detail = f" ({error.details})" if error.details else ""
            parts.append(f"{error.code}: {error.message}{detail}")
        if self.request_id:
            parts.append(f"request id {self.request_id}")
        if self.attempts > 1:
            parts.append(f"after {self.attempts} attempts")
        return "; ".join(parts)


class SlotUnavailableError(SpApiRequestError):
    """Amazon's 422 "Appointment slot is not available" to an add or reschedule.

    The slot was full, or was taken between reading the slots and booking one: nothing was
    booked, and the next option can be tried.
    """


class AuthError(SpApiRequestError):
    """Login with Amazon refused or could not issue an access token."""


class DeadlineExceededError(SpApiRequestError):
    """No complete answer (connection, headers and the whole body) within the request deadline.

    Raised after the retry policy gave up on a read, or at once for a write whose outcome is
    unknown (it may have landed).
    """


class MissingPayloadError(SpApiRequestError):
    """Amazon answered with a success status but without the payload the model promises.

    A listing without a payload is not an empty day: it is a failure of the Services API.
    """


class PaginationError(SpApiRequestError):
    """A listing that does not end: too many pages, or pages that bring no new job."""
