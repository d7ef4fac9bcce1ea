"""``ServicesClient``: the Services API operations the planner needs, on httpx.

Reads: jobs (a listing, one job) and appointment slots (a job's, or an ASIN's in a store).
Writes: booking and rescheduling appointments, assigning technicians, fulfillment data.

Parameters go exactly where the official model puts them, arrays travel comma-separated under
one key, nothing the model does not define is sent, and the model's constraints are checked
before any request (see :mod:`routing.spapi.params`). Each call waits for its operation's
token bucket, must end within a total deadline (:mod:`routing.spapi.deadline`), retries
throttling, server faults and timeouts with jittered backoff (telling the retry policy's
listener), and refreshes an expired access token once. A listing must end: a missing payload,
pages that bring nothing new and more pages than any seller can have are typed errors.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any, Self, TypeVar

import httpx
from pydantic import ValidationError

from routing.spapi import models
from routing.spapi.auth import LwaCredentials, TokenProvider
from routing.spapi.backoff import RetryPolicy, parse_retry_after
from routing.spapi.deadline import DeadlineTransport, deadline
from routing.spapi.endpoints import LWA_TOKEN_URL, base_url_for
from routing.spapi.errors import (
    DeadlineExceededError,
    MissingPayloadError,
    PaginationError,
    RequestValidationError,
    SlotUnavailableError,
    SpApiRequestError,
)
from routing.spapi.params import (
    MAX_PAGE_SIZE,
    JobQuery,
    appointment_time,
    check_path_id,
    check_reason_code,
    check_resource_ids,
    slot_query,
    to_utc,
)
from routing.spapi.ratelimit import RateLimiter

__all__ = [
    "MAX_EMPTY_PAGES_IN_A_ROW",
    "MAX_JOBS_PER_QUERY",
    "MAX_PAGES",
    "USER_AGENT",
    "JobStream",
    "RejectedJob",
    "ServicesClient",
    "WriteResult",
]

log = logging.getLogger(__name__)
_M = TypeVar("_M", bound=models.SpApiModel)
_R = TypeVar("_R", bound=models.SpApiRequest)

_RETRYABLE_STATUS = frozenset({429, 500, 502, 503, 504})
_JOBS_PATH = "/service/v1/serviceJobs"
_SLOTS_PATH = "/service/v1/appointmentSlots"
_ADD = "addAppointmentForServiceJobByServiceJobId"
_RESCHEDULE = "rescheduleAppointmentForServiceJobByServiceJobId"
#: What Amazon's 422 says when the slot asked for is full or was taken meanwhile.
_SLOT_TAKEN = "slot is not available"
USER_AGENT = "routeplan/0.1 (Language=Python)"

#: The most jobs one getServiceJobs query can plausibly return. The model bounds neither
#: ``totalResultSize`` nor the jobs of a query, so the bound comes from the seller: the
#: planner's widest query reaches 90 days back over every status; 100,000 jobs there is
#: over 1,100 jobs a day, every day, for one seller's technicians (at 5-8 jobs a technician
#: a day, a fleet of 150-200), well beyond any provider the Services API serves today.
MAX_JOBS_PER_QUERY = 100_000
#: Default page cap of a listing: ``MAX_JOBS_PER_QUERY / MAX_PAGE_SIZE`` = 5,000 pages,
#: about 8.5 minutes at the model's 10 requests a second. A server that still hands out a
#: fresh ``nextPageToken`` after that is broken, not busy.
MAX_PAGES = MAX_JOBS_PER_QUERY // MAX_PAGE_SIZE
#: Empty pages in a row that still carry a fresh token before a listing is called runaway.
#: The model allows an empty page with a token (Prism serves them), so one is no failure;
#: fifty in a row (a thousand job slots with nothing in them) is a server going nowhere.
MAX_EMPTY_PAGES_IN_A_ROW = 50


@dataclass(frozen=True)
class WriteResult:
    """What Amazon said about a write that succeeded: its warnings and any non-fatal errors.

    ``appointment_id`` is the new appointment of an add or a reschedule, when Amazon named
    it (the model does not promise it: without one, read the job back).
    """

    warnings: list[models.Warning] = field(default_factory=list)
    errors: list[models.Error] = field(default_factory=list)
    request_id: str | None = None
    appointment_id: str | None = None


@dataclass(frozen=True)
class RejectedJob:
    """A job Amazon sent that does not match the model, kept as received."""

    service_job_id: str | None
    problem: str
    raw: Any


class JobStream(Iterator[models.ServiceJob]):
    """The jobs of a ``getServiceJobs`` query, fetched lazily page by page.

    Nothing Amazon said is lost: ``errors`` collects the errors put beside a page's payload on
    a successful answer, and ``rejected`` the jobs that did not match the model (one bad job
    never sinks the others). ``pages`` counts the pages fetched so far.
    """

    def __init__(self) -> None:
        self.errors: list[models.Error] = []
        self.rejected: list[RejectedJob] = []
        self.pages = 0
        self._jobs: Iterator[models.ServiceJob] = iter(())

    def attach(self, jobs: Iterator[models.ServiceJob]) -> None:
        self._jobs = jobs

    def __next__(self) -> models.ServiceJob:
        return next(self._jobs)


class ServicesClient:
    """A client of the Selling Partner API for Services (v1).

    ``credentials`` default to the environment (``SP_API_REFRESH_TOKEN``, ``LWA_APP_ID``,
    ``LWA_CLIENT_SECRET``). ``region`` is ``na``, ``eu`` or ``fe``; ``sandbox`` selects
    Amazon's sandbox endpoint; ``base_url`` points anywhere else (the local emulator).

    ``timeout`` is the total deadline of one request, from connecting to the last byte of the
    body (enforced by the default transport; a custom ``transport`` enforces its own).
    ``retry`` says how often to retry and whom to tell (its ``listener``). ``max_pages`` caps
    one listing (default :data:`MAX_PAGES`, derived there). ``clock`` gives the time that
    bookings are checked against (in the future, within a year): the wall clock, or the
    emulator's when it plays a day that is not today.
    """

    def __init__(
        self,
        *,
        credentials: LwaCredentials | None = None,
        region: str = "na",
        sandbox: bool = False,
        base_url: str | None = None,
        token_url: str = LWA_TOKEN_URL,
        timeout: float = 30.0,
        retry: RetryPolicy | None = None,
        rate_limits: Mapping[str, tuple[float, int]] | None = None,
        transport: httpx.BaseTransport | None = None,
        max_pages: int = MAX_PAGES,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        if timeout <= 0 or max_pages < 1:
            raise ValueError(f"timeout must be > 0 and max_pages >= 1, got {timeout}, {max_pages}")
        self.base_url = base_url_for(region, sandbox=sandbox, base_url=base_url)
        self.max_pages = max_pages
        self._timeout = timeout
        self._retry = retry or RetryPolicy()
        self._http = httpx.Client(
            timeout=timeout, transport=transport or DeadlineTransport(),
            headers={"user-agent": USER_AGENT},
        )
        self._tokens = TokenProvider(
            credentials or LwaCredentials.from_env(), self._http,
            token_url=token_url, retry=self._retry, deadline=timeout,
        )
        self._limits = RateLimiter(rate_limits)
        self._clock = clock or _wall_clock

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    @property
    def token_refreshes(self) -> int:
        """How many access tokens this client has fetched from LWA so far."""
        return self._tokens.refreshes

    # -- operations -------------------------------------------------------------------------

    def iter_service_jobs(self, query: JobQuery | str, /, **fields: Any) -> JobStream:
        """Every job matching ``query`` (a :class:`JobQuery`), page by page (``getServiceJobs``).

        ``query`` may also be a marketplace id, the other :class:`JobQuery` fields then
        given as keywords; keywords given with a :class:`JobQuery` replace its fields.
        Follows ``nextPageToken`` until it is missing or comes back unchanged (Amazon's sandbox
        repeats its token forever); a job seen on an earlier page is not yielded again.
        The query is validated when this is called, before anything is sent.

        While iterating: :class:`MissingPayloadError` when a page has no payload;
        :class:`PaginationError` when a page with a fresh token holds only jobs seen before,
        after :data:`MAX_EMPTY_PAGES_IN_A_ROW` empty pages with fresh tokens, or after
        ``max_pages`` pages.
        """
        query = JobQuery(query, **fields) if isinstance(query, str) else replace(query, **fields)
        params = query.params()
        stream = JobStream()
        stream.attach(self._pages(params, stream))
        return stream

    def _pages(self, query: dict[str, str], stream: JobStream) -> Iterator[models.ServiceJob]:
        seen_tokens: set[str] = set()
        seen_jobs: set[str] = set()
        empty_run = 0
        params = dict(query)
        while True:
            response = self._call("getServiceJobs", "GET", _JOBS_PATH, params=params)
            listing, raw_jobs = _parse_listing(response)
            stream.pages += 1
            stream.errors.extend(listing.errors or [])
            _log_errors("getServiceJobs", listing.errors, response)
            if listing.payload is None:
                raise _no_payload("getServiceJobs", response, listing.errors)
            ids = [_raw_id(raw) for raw in raw_jobs]
            repeats = bool(ids) and all(key is not None and key in seen_jobs for key in ids)
            empty_run = 0 if ids else empty_run + 1
            for job in _parse_jobs(raw_jobs, stream):
                if job.service_job_id not in seen_jobs:
                    yield job
            seen_jobs.update(key for key in ids if key is not None)
            token = listing.payload.next_page_token
            if not token or token in seen_tokens:
                return
            if repeats:
                raise _runaway(f"page {stream.pages} holds only jobs already seen, yet a new "
                               "nextPageToken", response)
            if empty_run >= MAX_EMPTY_PAGES_IN_A_ROW:
                raise _runaway(f"{empty_run} empty pages in a row, each with a new "
                               "nextPageToken", response)
            if stream.pages >= self.max_pages:
                raise _runaway(f"still a nextPageToken after {stream.pages} pages (the cap)",
                               response)
            seen_tokens.add(token)
            params = {**query, "pageToken": token}

    def get_service_job(self, service_job_id: str) -> models.ServiceJob:
        """One job by id (``getServiceJobByServiceJobId``)."""
        path = f"{_JOBS_PATH}/{check_path_id('serviceJobId', service_job_id)}"
        response = self._call("getServiceJobByServiceJobId", "GET", path)
        parsed = _parse(models.GetServiceJobByServiceJobIdResponse, response,
                        "getServiceJobByServiceJobId")
        _log_errors("getServiceJobByServiceJobId", parsed.errors, response)
        if parsed.payload is None:
            raise _no_payload("getServiceJobByServiceJobId", response, parsed.errors)
        return parsed.payload

    def assign_appointment_resources(
        self, service_job_id: str, appointment_id: str, resource_ids: Sequence[str]
    ) -> WriteResult:
        """Assign technicians to an appointment, replacing any assigned before."""
        body = _request(
            models.AssignAppointmentResourcesRequest,
            resources=[{"resource_id": r} for r in check_resource_ids(resource_ids)],
        )
        response = self._call(
            "assignAppointmentResources", "PUT",
            _appointment_path(service_job_id, appointment_id, "resources"),
            json=body.to_wire(), idempotent=False,
        )
        parsed = _parse(models.AssignAppointmentResourcesResponse, response,
                        "assignAppointmentResources")
        warnings = (parsed.payload.warnings if parsed.payload else None) or []
        return WriteResult(list(warnings), list(parsed.errors or []),
                           response.headers.get("x-amzn-requestid"))

    def set_appointment_fulfillment_data(
        self,
        service_job_id: str,
        appointment_id: str,
        *,
        estimated_arrival: tuple[datetime, datetime] | None = None,
        fulfillment_time: tuple[datetime | None, datetime | None] | None = None,
        resource_ids: Sequence[str] | None = None,
    ) -> WriteResult:
        """Tell Amazon when the technician is expected, or when the work happened."""
        fields: dict[str, Any] = {}
        if estimated_arrival is not None:
            start, end = (to_utc("estimated_arrival", t) for t in estimated_arrival)
            fields["estimated_arrival_time"] = {"start_time": start, "end_time": end}
        if fulfillment_time is not None:
            begin, finish = (None if t is None else to_utc("fulfillment_time", t)
                             for t in fulfillment_time)
            fields["fulfillment_time"] = {"start_time": begin, "end_time": finish}
        if resource_ids is not None:
            fields["appointment_resources"] = [
                {"resource_id": r} for r in check_resource_ids(resource_ids)
            ]
        body = _request(models.SetAppointmentFulfillmentDataRequest, **fields)
        response = self._call(
            "setAppointmentFulfillmentData", "PUT",
            _appointment_path(service_job_id, appointment_id, "fulfillment"),
            json=body.to_wire(), idempotent=False,
        )
        return WriteResult(request_id=response.headers.get("x-amzn-requestid"))

    def get_job_appointment_slots(
        self,
        service_job_id: str,
        marketplace_id: str,
        start: datetime | None = None,
        end: datetime | None = None,
    ) -> models.AppointmentSlotReport:
        """The slots Amazon offers for one job (``getAppointmmentSlotsByJobId``).

        ``start`` and ``end`` (aware; both or neither, at most 90 days apart) bound the range;
        without them Amazon uses the seller's default range, which the report's ``start_time``
        and ``end_time`` then give. Full slots are listed too: ``report.bookable()`` keeps the
        ones with capacity left.
        """
        path = f"{_JOBS_PATH}/{check_path_id('serviceJobId', service_job_id)}/appointmentSlots"
        return self._slots("getAppointmmentSlotsByJobId", path,
                           slot_query(marketplace_id, start, end))

    def get_appointment_slots(
        self,
        asin: str,
        store_id: str,
        marketplace_id: str,
        start: datetime | None = None,
        end: datetime | None = None,
    ) -> models.AppointmentSlotReport:
        """The slots a store offers for a service (an ASIN) before any job exists
        (``getAppointmentSlots``); the range as in :meth:`get_job_appointment_slots`."""
        if not isinstance(asin, str) or not asin.strip():
            raise RequestValidationError("asin must be a non-empty string")
        if not isinstance(store_id, str) or not 1 <= len(store_id) <= 100:
            raise RequestValidationError("store_id must be a string of 1 to 100 characters")
        query = slot_query(marketplace_id, start, end, asin=asin, storeId=store_id)
        return self._slots("getAppointmentSlots", _SLOTS_PATH, query)

    def _slots(self, operation: str, path: str,
               query: dict[str, str]) -> models.AppointmentSlotReport:
        response = self._call(operation, "GET", path, params=query)
        parsed = _parse(models.GetAppointmentSlotsResponse, response, operation)
        _log_errors(operation, parsed.errors, response)
        if parsed.payload is None:
            raise _no_payload(operation, response, parsed.errors)
        return parsed.payload

    def add_appointment(
        self, service_job_id: str, start: datetime, duration: timedelta | None = None
    ) -> WriteResult:
        """Book an appointment for a job without an active one
        (``addAppointmentForServiceJobByServiceJobId``).

        ``start`` is an offered slot's start (aware; sent in UTC), in the future and at most
        365 days ahead; ``duration`` the slot's length in whole minutes (None: Amazon applies
        the slot's). The result carries the new ``appointment_id``.
        :class:`SlotUnavailableError` when the slot is full or was taken meanwhile (nothing
        was booked; try the next slot). Never sent twice: after a timeout the outcome is
        unknown, so read the job back before booking again.
        """
        body = _request(models.AddAppointmentRequest, appointment_time=appointment_time(
            start, duration, now=self._now()))
        path = f"{_JOBS_PATH}/{check_path_id('serviceJobId', service_job_id)}/appointments"
        return self._book(_ADD, path, body)

    def reschedule_appointment(
        self,
        service_job_id: str,
        appointment_id: str,
        start: datetime,
        duration: timedelta | None,
        reason_code: str,
    ) -> WriteResult:
        """Move an active appointment to another slot
        (``rescheduleAppointmentForServiceJobByServiceJobId``).

        ``start`` and ``duration`` as in :meth:`add_appointment`; ``reason_code`` is one of
        the seller's reschedule reason codes (the ``reschedule_reason_code`` setting). Amazon
        replaces the appointment: the result's ``appointment_id`` is the new one, and the old
        one is cancelled (its technicians unassigned, said in a ``RESOURCES_UNASSIGNED``
        warning). Errors as in :meth:`add_appointment`.
        """
        body = _request(
            models.RescheduleAppointmentRequest,
            appointment_time=appointment_time(start, duration, now=self._now()),
            reschedule_reason_code=check_reason_code(reason_code),
        )
        path = (f"{_JOBS_PATH}/{check_path_id('serviceJobId', service_job_id)}/appointments/"
                f"{check_path_id('appointmentId', appointment_id)}")
        return self._book(_RESCHEDULE, path, body)

    def _book(self, operation: str, path: str, body: models.SpApiRequest) -> WriteResult:
        response = self._call(operation, "POST", path, json=body.to_wire(), idempotent=False)
        parsed = _parse(models.SetAppointmentResponse, response, operation)
        _log_errors(operation, parsed.errors, response)
        return WriteResult(list(parsed.warnings or []), list(parsed.errors or []),
                           response.headers.get("x-amzn-requestid"), parsed.appointment_id)

    def _now(self) -> datetime:
        return to_utc("the client's clock", self._clock())

    # -- transport --------------------------------------------------------------------------

    def _call(
        self,
        operation: str,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        json: Any = None,
        idempotent: bool = True,
    ) -> httpx.Response:
        """Send one operation, with rate limiting, token refresh and retries.

        Reads are retried on any transport error, a passed deadline included. Writes are
        retried only when Amazon said it did not complete them (a 429 or a 5xx) or the
        connection never opened; after a timeout their outcome is unknown, so the error goes
        to the caller, which can read the job back before deciding (``routing.writeback``
        does) instead of sending twice.
        """
        url = self.base_url + path
        started = time.monotonic()
        bucket = self._limits.bucket(operation)
        refreshed = False
        attempt = 0
        while True:
            attempt += 1
            bucket.acquire()
            token = self._tokens.token()
            retry_after: float | None = None
            problem = ""
            try:
                with deadline(self._timeout) as due:
                    response = self._http.request(
                        method, url, params=params, json=json,
                        headers={"x-amz-access-token": token, "accept": "application/json"},
                    )
            except httpx.TransportError as exc:
                sent = not isinstance(exc, httpx.ConnectError | httpx.ConnectTimeout)
                failure = self._no_answer(operation, exc, time.monotonic() >= due, attempt)
                problem = type(exc).__name__
                if sent and not idempotent:
                    raise failure from None
            else:
                if response.is_success:
                    return response
                failure = _request_error(operation, response, attempt)
                if _token_expired(response, failure) and not refreshed:
                    log.info("%s: access token rejected as expired; refreshing once", operation)
                    self._tokens.invalidate(token)
                    refreshed = True
                    continue
                if response.status_code not in _RETRYABLE_STATUS:
                    raise failure
                if response.status_code == 429:
                    bucket.drain()
                retry_after = parse_retry_after(response.headers.get("retry-after"))
            delay = self._retry.delay(attempt, retry_after)
            if self._retry.gives_up(attempt, time.monotonic() - started, delay):
                raise failure
            log.warning("%s: %s; retry %d in %.2f s", operation, failure, attempt, delay)
            self._retry.announce(operation, attempt, delay, status=failure.status,
                                 problem=problem)
            time.sleep(delay)

    def _no_answer(self, operation: str, exc: httpx.TransportError, late: bool,
                   attempt: int) -> SpApiRequestError:
        if late:
            return DeadlineExceededError(
                operation, f"no complete answer from {self.base_url} within the "
                f"{self._timeout:g} s deadline ({type(exc).__name__})", attempts=attempt)
        return SpApiRequestError(
            operation, f"no answer from {self.base_url} ({type(exc).__name__})",
            attempts=attempt)


def _request(model: type[_R], **fields: Any) -> _R:
    """Build a request body, turning the model's own checks into a RequestValidationError."""
    try:
        return model.model_validate(fields)
    except ValidationError as exc:
        raise RequestValidationError(
            f"{model.__name__}: {exc.errors()[0]['msg']} at {_location(exc)}"
        ) from None


def _appointment_path(service_job_id: str, appointment_id: str, leaf: str) -> str:
    job = check_path_id("serviceJobId", service_job_id)
    appointment = check_path_id("appointmentId", appointment_id)
    return f"{_JOBS_PATH}/{job}/appointments/{appointment}/{leaf}"


def _token_expired(response: httpx.Response, failure: SpApiRequestError) -> bool:
    """Amazon answers an expired token with 403 Unauthorized (401 from some gateways)."""
    if response.status_code == 401:
        return True
    return response.status_code == 403 and any(
        "expired" in f"{e.message} {e.details or ''}".lower() for e in failure.errors
    )


def _wall_clock() -> datetime:
    return datetime.now(UTC)


def _request_error(operation: str, response: httpx.Response, attempt: int) -> SpApiRequestError:
    errors = _errors_of(response)
    taken = (operation in (_ADD, _RESCHEDULE) and response.status_code == 422
             and any(_SLOT_TAKEN in e.message.lower() for e in errors))
    return (SlotUnavailableError if taken else SpApiRequestError)(
        operation,
        _describe_body(response),
        status=response.status_code,
        errors=errors,
        request_id=response.headers.get("x-amzn-requestid"),
        attempts=attempt,
    )


def _errors_of(response: httpx.Response) -> list[models.Error]:
    """Amazon's ``errors[]``, whether wrapped (``{"errors": [...]}``) or a bare array."""
    try:
        body = response.json()
    except ValueError:
        return []
    raw = body.get("errors") if isinstance(body, dict) else body
    if not isinstance(raw, list):
        return []
    errors = []
    for item in raw:
        try:
            errors.append(models.Error.model_validate(item))
        except ValidationError:
            errors.append(models.Error(code="Unparsed", message=str(item)[:200]))
    return errors


def _describe_body(response: httpx.Response) -> str:
    content_type = response.headers.get("content-type", "no content type")
    if "json" in content_type:
        return response.reason_phrase or "error"
    return f"{response.reason_phrase or 'error'} (non-JSON body: {content_type}, " \
           f"{len(response.content)} bytes)"


def _parse(model: type[_M], response: httpx.Response, operation: str) -> _M:
    try:
        return model.model_validate_json(response.content)
    except ValidationError as exc:
        raise _mismatch(operation, exc, response) from None


def _parse_listing(response: httpx.Response) -> tuple[models.GetServiceJobsResponse, list[Any]]:
    """The page's envelope, and its jobs still raw so each can be parsed on its own."""
    try:
        body = response.json()
    except ValueError:
        body = None
    payload = body.get("payload") if isinstance(body, dict) else None
    raw_jobs = payload.get("jobs") if isinstance(payload, dict) else None
    if not isinstance(raw_jobs, list):
        return _parse(models.GetServiceJobsResponse, response, "getServiceJobs"), []
    envelope = {**body, "payload": {**payload, "jobs": []}}  # type: ignore[dict-item]
    try:
        return models.GetServiceJobsResponse.model_validate(envelope), raw_jobs
    except ValidationError as exc:
        raise _mismatch("getServiceJobs", exc, response) from None


def _raw_id(raw: Any) -> str | None:
    key = raw.get("serviceJobId") if isinstance(raw, dict) else None
    return key if isinstance(key, str) else None


def _no_payload(operation: str, response: httpx.Response,
                errors: Sequence[models.Error] | None) -> MissingPayloadError:
    return MissingPayloadError(
        operation, "the answer carried no payload (a Services API failure, not an empty list)",
        status=response.status_code, errors=errors or [],
        request_id=response.headers.get("x-amzn-requestid"),
    )


def _runaway(message: str, response: httpx.Response) -> PaginationError:
    return PaginationError("getServiceJobs", f"the listing does not end: {message}",
                           status=response.status_code,
                           request_id=response.headers.get("x-amzn-requestid"))


def _parse_jobs(raw_jobs: list[Any], stream: JobStream) -> Iterator[models.ServiceJob]:
    for raw in raw_jobs:
        try:
            yield models.ServiceJob.model_validate(raw)
        except ValidationError as exc:
            job_id = raw.get("serviceJobId") if isinstance(raw, dict) else None
            problem = f"{exc.errors()[0]['msg']} at {_location(exc)}"
            stream.rejected.append(RejectedJob(job_id, problem, raw))
            log.warning("getServiceJobs: job %s does not match the model (%s); kept aside",
                        job_id or "without id", problem)


def _location(exc: ValidationError) -> str:
    return ".".join(str(part) for part in exc.errors()[0]["loc"]) or "top level"


def _mismatch(operation: str, exc: ValidationError, response: httpx.Response) -> SpApiRequestError:
    return SpApiRequestError(
        operation, f"the answer does not match the model: {exc.error_count()} problem(s), "
        f"first: {exc.errors()[0]['msg']} at {_location(exc)}",
        status=response.status_code, request_id=response.headers.get("x-amzn-requestid"),
    )


def _log_errors(operation: str, errors: Sequence[models.Error] | None,
                response: httpx.Response) -> None:
    for error in errors or []:
        log.warning("%s answered %s with an error beside its payload: %s: %s (request id %s)",
                    operation, response.status_code, error.code, error.message,
                    response.headers.get("x-amzn-requestid"))
