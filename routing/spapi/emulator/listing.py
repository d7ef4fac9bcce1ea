"""getServiceJobs: query validation as Amazon does it, filtering, stable sorting, paging.

Page tokens are opaque to clients but carry the query they belong to: a follow-up request may
repeat the filters (they must then match) or send only ``marketplaceIds`` and ``pageToken``.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from routing.spapi.emulator.dataset import JobStore, StoredJob
from routing.spapi.emulator.isotime import parse_aware
from routing.spapi.emulator.wire import Rejection, invalid_input

__all__ = [
    "JOB_STATUSES",
    "KNOWN_PARAMETERS",
    "MAX_PAGE_SIZE",
    "SORT_FIELDS",
    "SORT_ORDERS",
    "ListingRequest",
    "encode_token",
    "list_page",
    "parse_query",
]

JOB_STATUSES = frozenset(
    {
        "NOT_SERVICED",
        "CANCELLED",
        "COMPLETED",
        "PENDING_SCHEDULE",
        "NOT_FULFILLABLE",
        "HOLD",
        "PAYMENT_DECLINED",
    }
)
SORT_FIELDS = frozenset({"JOB_DATE", "JOB_STATUS"})
SORT_ORDERS = frozenset({"ASC", "DESC"})
MAX_PAGE_SIZE = 20

_ORDER_ID = re.compile(r"^[0-9\-]+$")
_TRACKING_ID = re.compile(r"^[A-Za-z0-9\-]+$")


@dataclass(frozen=True)
class _ArrayRule:
    """The model's constraints on one comma-separated array parameter."""

    max_items: int
    accepts: Callable[[str], bool]
    expects: str


def _length(low: int, high: int) -> Callable[[str], bool]:
    return lambda item: low <= len(item) <= high


_ARRAYS: dict[str, _ArrayRule] = {
    "marketplaceIds": _ArrayRule(1, _length(1, 10_000), "exactly one marketplace id"),
    "serviceJobStatus": _ArrayRule(
        len(JOB_STATUSES),
        JOB_STATUSES.__contains__,
        "values among " + ", ".join(sorted(JOB_STATUSES)),
    ),
    "serviceOrderIds": _ArrayRule(20, lambda i: bool(_ORDER_ID.match(i)), "digits and dashes"),
    "productOrderIds": _ArrayRule(20, lambda i: bool(_ORDER_ID.match(i)), "digits and dashes"),
    "trackingIds": _ArrayRule(20, lambda i: bool(_TRACKING_ID.match(i)), "letters, digits, dashes"),
    "asins": _ArrayRule(20, _length(10, 10), "10-character ASINs"),
    "requiredSkills": _ArrayRule(20, _length(1, 50), "skills of 1 to 50 characters"),
    "storeIds": _ArrayRule(50, _length(1, 100), "store ids of 1 to 100 characters"),
}
_DATES = (
    "createdAfter",
    "createdBefore",
    "lastUpdatedAfter",
    "lastUpdatedBefore",
    "scheduleStartDate",
    "scheduleEndDate",
)
_ENUMS = {"sortField": SORT_FIELDS, "sortOrder": SORT_ORDERS}
#: Parameters that define the result set; a page token is bound to their values.
_FILTERS = frozenset(_ARRAYS) | frozenset(_DATES) | frozenset(_ENUMS)
KNOWN_PARAMETERS = _FILTERS | {"pageToken", "pageSize"}


def _bad(name: str, details: str) -> Rejection:
    return Rejection(
        400, invalid_input(f"Missing or invalid request parameters: [{name}]", details)
    )


@dataclass(frozen=True)
class ListingRequest:
    """A validated getServiceJobs request."""

    filters: dict[str, str]
    arrays: dict[str, frozenset[str]]
    dates: dict[str, datetime]
    offset: int
    page_size: int

    @property
    def descending(self) -> bool:
        return self.filters.get("sortOrder") == "DESC"

    def matches(self, job: StoredJob, default_marketplace: str) -> bool:
        arrays, dates = self.arrays, self.dates
        marketplace = job.document.get("marketplaceId") or default_marketplace
        tests = [
            marketplace in arrays["marketplaceIds"],
            "serviceJobStatus" not in arrays or job.status in arrays["serviceJobStatus"],
            "serviceOrderIds" not in arrays
            or job.document.get("serviceOrderId") in arrays["serviceOrderIds"],
            "storeIds" not in arrays or job.document.get("storeId") in arrays["storeIds"],
            "asins" not in arrays or bool(job.asins() & arrays["asins"]),
            "requiredSkills" not in arrays
            or bool(job.required_skills() & arrays["requiredSkills"]),
            "productOrderIds" not in arrays
            or bool(job.strings("productOrderIds") & arrays["productOrderIds"]),
            "trackingIds" not in arrays or bool(job.strings("trackingIds") & arrays["trackingIds"]),
            _within(job.created, dates.get("createdAfter"), dates.get("createdBefore")),
            _within(
                job.last_updated, dates.get("lastUpdatedAfter"), dates.get("lastUpdatedBefore")
            ),
        ]
        start, end = dates.get("scheduleStartDate"), dates.get("scheduleEndDate")
        if start is not None or end is not None:
            tests.append(any(window.overlaps(start, end) for window in job.schedule))
        return all(tests)

    def sort_key(self, job: StoredJob) -> tuple[Any, ...]:
        """Dataset order unless sortField asks otherwise; ties keep dataset order."""
        field = self.filters.get("sortField")
        date = job.job_date or datetime.max.replace(tzinfo=UTC)
        if field == "JOB_DATE":
            return (date, job.position)
        if field == "JOB_STATUS":
            return (job.status, date, job.position)
        return (job.position,)


def _within(value: datetime | None, after: datetime | None, before: datetime | None) -> bool:
    if after is None and before is None:
        return True
    if value is None:
        return False
    return (after is None or value >= after) and (before is None or value <= before)


def encode_token(filters: dict[str, str], offset: int) -> str:
    raw = json.dumps({"f": filters, "o": offset}, sort_keys=True, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode_token(token: str) -> tuple[dict[str, str], int]:
    try:
        data = json.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        filters, offset = data["f"], data["o"]
    except (binascii.Error, ValueError, KeyError, TypeError) as exc:
        raise _bad("pageToken", "The page token is not one this service issued.") from exc
    if (
        not isinstance(filters, dict)
        or not all(isinstance(v, str) for v in filters.values())
        or not isinstance(offset, int)
        or offset < 0
    ):
        raise _bad("pageToken", "The page token is not one this service issued.")
    return filters, offset


def _single_values(pairs: Sequence[tuple[str, str]]) -> dict[str, str]:
    values: dict[str, str] = {}
    for name, value in pairs:
        if name not in KNOWN_PARAMETERS:
            raise _bad(name, f"Unknown query parameter {name!r}.")
        if name in values:
            raise _bad(
                name,
                f"{name} is given more than once; arrays are one comma-separated value.",
            )
        values[name] = value
    return values


def _array(name: str, value: str) -> frozenset[str]:
    rule = _ARRAYS[name]
    items = value.split(",")
    if any(not item for item in items):
        raise _bad(name, f"{name} has an empty item.")
    if len(items) > rule.max_items:
        raise _bad(name, f"{name} accepts at most {rule.max_items} values, got {len(items)}.")
    wrong = [item for item in items if not rule.accepts(item)]
    if wrong:
        raise _bad(name, f"{name} expects {rule.expects}; invalid: {', '.join(wrong)}.")
    return frozenset(items)


def parse_query(pairs: Sequence[tuple[str, str]]) -> ListingRequest:
    """Validate a getServiceJobs query string (as decoded pairs) the way Amazon does."""
    values = _single_values(pairs)
    filters = {name: value for name, value in values.items() if name in _FILTERS}
    offset = 0
    if "pageToken" in values:
        bound, offset = _decode_token(values["pageToken"])
        changed = [name for name, value in filters.items() if bound.get(name) != value]
        if changed:
            raise _bad("pageToken", f"The page token belongs to a query with other {changed[0]}.")
        filters = bound
    page_size = MAX_PAGE_SIZE
    if "pageSize" in values:
        text = values["pageSize"]
        if not re.fullmatch(r"[0-9]{1,3}", text) or not 1 <= int(text) <= MAX_PAGE_SIZE:
            raise _bad("pageSize", f"pageSize must be an integer from 1 to {MAX_PAGE_SIZE}.")
        page_size = int(text)
    if "marketplaceIds" not in filters:
        raise _bad("marketplaceIds", "marketplaceIds is required.")
    arrays = {name: _array(name, value) for name, value in filters.items() if name in _ARRAYS}
    for name, allowed in _ENUMS.items():
        if name in filters and filters[name] not in allowed:
            raise _bad(name, f"{name} must be one of {', '.join(sorted(allowed))}.")
    dates: dict[str, datetime] = {}
    for name in _DATES:
        if name in filters:
            parsed = parse_aware(filters[name])
            if parsed is None:
                raise _bad(name, f"{name} {filters[name]!r} is not in ISO 8601 format.")
            dates[name] = parsed
    if ("createdAfter" in dates) == ("lastUpdatedAfter" in dates):
        raise _bad(
            "createdAfter, lastUpdatedAfter",
            "Exactly one of createdAfter and lastUpdatedAfter is required.",
        )
    start, end = dates.get("scheduleStartDate"), dates.get("scheduleEndDate")
    if start is not None and end is not None and end < start:
        raise _bad("scheduleEndDate", "Schedule end date should not be earlier than start date.")
    return ListingRequest(filters, arrays, dates, offset, page_size)


def list_page(
    store: JobStore, query: ListingRequest, *, default_marketplace: str, repeat_page_token: bool
) -> dict[str, Any]:
    """The getServiceJobs payload (JobListing) for ``query``."""
    matched = [job for job in store.jobs if query.matches(job, default_marketplace)]
    matched.sort(key=query.sort_key, reverse=query.descending)
    end = query.offset + query.page_size
    payload: dict[str, Any] = {"totalResultSize": len(matched)}
    if repeat_page_token:
        # Amazon's sandbox hands back one and the same token forever.
        payload["nextPageToken"] = encode_token(query.filters, query.page_size)
    elif end < len(matched):
        payload["nextPageToken"] = encode_token(query.filters, end)
    if query.offset > 0:
        payload["previousPageToken"] = encode_token(
            query.filters, max(0, query.offset - query.page_size)
        )
    payload["jobs"] = store.snapshot(matched[query.offset : end])
    return payload
