"""A client of the Selling Partner API for Services, typed end to end.

``ServicesClient`` talks to Amazon (or the local :mod:`routing.spapi.emulator`);
:mod:`routing.spapi.models` holds the official model's schemas as pydantic classes.
"""

from routing.spapi.auth import LwaCredentials, TokenProvider
from routing.spapi.backoff import RetryEvent, RetryListener, RetryPolicy
from routing.spapi.client import MAX_PAGES, JobStream, ServicesClient, WriteResult
from routing.spapi.endpoints import LWA_TOKEN_URL, REGIONS, base_url_for
from routing.spapi.errors import (
    AuthError,
    ClientSettingsError,
    DeadlineExceededError,
    MissingPayloadError,
    PaginationError,
    RequestValidationError,
    SlotUnavailableError,
    SpApiError,
    SpApiRequestError,
)
from routing.spapi.models import (
    Address,
    Appointment,
    AppointmentSlot,
    AppointmentSlotReport,
    AppointmentStatus,
    AppointmentTime,
    Error,
    SchedulingType,
    ServiceJob,
    ServiceJobStatus,
    ServiceLocationType,
    Warning,
)
from routing.spapi.params import MAX_BOOKING_AHEAD, MAX_SLOT_RANGE, JobQuery
from routing.spapi.ratelimit import USAGE_PLANS, RateLimiter, TokenBucket

__all__ = [
    "LWA_TOKEN_URL",
    "MAX_BOOKING_AHEAD",
    "MAX_PAGES",
    "MAX_SLOT_RANGE",
    "REGIONS",
    "USAGE_PLANS",
    "Address",
    "Appointment",
    "AppointmentSlot",
    "AppointmentSlotReport",
    "AppointmentStatus",
    "AppointmentTime",
    "AuthError",
    "ClientSettingsError",
    "DeadlineExceededError",
    "Error",
    "JobQuery",
    "JobStream",
    "LwaCredentials",
    "MissingPayloadError",
    "PaginationError",
    "RateLimiter",
    "RequestValidationError",
    "RetryEvent",
    "RetryListener",
    "RetryPolicy",
    "SchedulingType",
    "ServiceJob",
    "ServiceJobStatus",
    "ServiceLocationType",
    "ServicesClient",
    "SlotUnavailableError",
    "SpApiError",
    "SpApiRequestError",
    "TokenBucket",
    "TokenProvider",
    "Warning",
    "WriteResult",
    "base_url_for",
]
