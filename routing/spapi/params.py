"""The official model's constraints on request parameters, checked before anything is sent.

Each check raises :class:`RequestValidationError` naming the parameter, so a caller learns
of a mistake at once instead of from a 400 after a network round-trip.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from routing.spapi.errors import RequestValidationError
from routing.spapi.models import ServiceJobStatus

__all__ = [
    "MAX_BOOKING_AHEAD",
    "MAX_PAGE_SIZE",
    "MAX_SLOT_RANGE",
    "SORT_FIELDS",
    "SORT_ORDERS",
    "JobQuery",
    "appointment_time",
    "check_path_id",
    "check_reason_code",
    "check_resource_ids",
    "slot_query",
    "to_utc",
    "wire_time",
]

SORT_FIELDS = frozenset({"JOB_DATE", "JOB_STATUS"})
SORT_ORDERS = frozenset({"ASC", "DESC"})
#: The model's largest ``pageSize``.
MAX_PAGE_SIZE = 20
#: The widest range of one slot query: the model's "Maximum range of appointment slots can be
#: 90 days".
MAX_SLOT_RANGE = timedelta(days=90)
#: How far ahead an appointment may start: Amazon's 422 "Start time for appointment is beyond
#: the maximum allowed period of 365 days" (the model's sandbox examples).
MAX_BOOKING_AHEAD = timedelta(days=365)
_ORDER_ID = re.compile(r"^[0-9\-]+$")
_TRACKING_ID = re.compile(r"^[A-Za-z0-9\-]+$")


def to_utc(name: str, value: datetime) -> datetime:
    """``value`` in UTC; a naive datetime is refused (the API wants UTC, not a guess)."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise RequestValidationError(f"{name} must be timezone-aware (got naive {value})")
    return value.astimezone(UTC)


def wire_time(name: str, value: datetime) -> str:
    """ISO 8601 in UTC with a ``Z``, as the model asks for."""
    return to_utc(name, value).isoformat().replace("+00:00", "Z")


def check_path_id(name: str, value: str) -> str:
    """A path identifier: 1..100 characters, as the model says."""
    if not isinstance(value, str) or not 1 <= len(value) <= 100:
        raise RequestValidationError(f"{name} must be a string of 1 to 100 characters")
    if "/" in value:
        raise RequestValidationError(f"{name} must not contain '/': {value!r}")
    return value


def check_resource_ids(resource_ids: Sequence[str]) -> list[str]:
    if isinstance(resource_ids, str) or not resource_ids:
        raise RequestValidationError("resource_ids must be a non-empty list of resource ids")
    if any(not isinstance(r, str) or not r for r in resource_ids):
        raise RequestValidationError("every resource id must be a non-empty string")
    return list(resource_ids)


def check_reason_code(reason_code: str) -> str:
    """A reschedule reason code: a non-empty string (the codes themselves are the seller's)."""
    if not isinstance(reason_code, str) or not reason_code.strip():
        raise RequestValidationError(
            "a reschedule needs a reason code (a non-empty string; set reschedule_reason_code "
            "to one of the codes Amazon agreed with you)")
    return reason_code


def slot_query(
    marketplace_id: str, start: datetime | None, end: datetime | None, **context: str
) -> dict[str, str]:
    """The query of a slot read: ``context`` (asin, storeId …), the marketplace, the range.

    The range is both ``start`` and ``end`` or neither (Amazon then uses the seller's
    default range); it must end after it starts and span at most :data:`MAX_SLOT_RANGE`.
    """
    if not isinstance(marketplace_id, str) or not marketplace_id or "," in marketplace_id:
        raise RequestValidationError("marketplace_id must be exactly one marketplace id")
    params = {**context, "marketplaceIds": marketplace_id}
    if start is None and end is None:
        return params
    if start is None or end is None:
        raise RequestValidationError(
            "give both start and end of the slot range, or neither (Amazon's default range)")
    begin, finish = to_utc("start", start), to_utc("end", end)
    if finish <= begin:
        raise RequestValidationError(f"the slot range must end after it starts: {begin} .. "
                                     f"{finish}")
    if finish - begin > MAX_SLOT_RANGE:
        raise RequestValidationError(
            f"the slot range spans {(finish - begin) / timedelta(days=1):g} days; the model "
            f"allows at most {MAX_SLOT_RANGE.days}")
    params["startTime"] = wire_time("start", begin)
    params["endTime"] = wire_time("end", finish)
    return params


def appointment_time(start: datetime, duration: timedelta | None, *,
                     now: datetime) -> dict[str, Any]:
    """The ``appointmentTime`` of an add or a reschedule, checked as Amazon checks it.

    ``start`` must be aware (it is sent in UTC), after ``now`` and at most
    :data:`MAX_BOOKING_AHEAD` later; ``duration``, when given, a positive whole number of
    minutes (None lets Amazon apply the slot's length).
    """
    utc = to_utc("start", start)
    if utc <= now:
        raise RequestValidationError(
            f"an appointment must start in the future; {wire_time('start', utc)} is not after "
            f"now ({wire_time('now', now)})")
    if utc - now > MAX_BOOKING_AHEAD:
        raise RequestValidationError(
            f"an appointment may start at most {MAX_BOOKING_AHEAD.days} days ahead; "
            f"{wire_time('start', utc)} is {(utc - now).days} days away")
    fields: dict[str, Any] = {"start_time": utc}
    if duration is None:
        return fields
    if not isinstance(duration, timedelta):
        raise RequestValidationError(f"duration must be a timedelta, got {duration!r}")
    minutes, rest = divmod(duration, timedelta(minutes=1))
    if rest or minutes < 1:
        raise RequestValidationError(
            f"duration must be a positive whole number of minutes, got {duration}")
    fields["duration_in_minutes"] = minutes
    return fields


def _id_list(
    name: str,
    values: Sequence[str] | None,
    *,
    max_items: int = 20,
    length: tuple[int, int] | None = None,
    pattern: re.Pattern[str] | None = None,
) -> str | None:
    """A comma-separated array parameter (the model's default collection format)."""
    if values is None:
        return None
    if isinstance(values, str):
        raise RequestValidationError(f"{name} must be a list of strings, not one string")
    items = list(values)
    if not 1 <= len(items) <= max_items:
        raise RequestValidationError(f"{name} takes 1 to {max_items} values, got {len(items)}")
    for item in items:
        if length and not length[0] <= len(item) <= length[1]:
            span = f"{length[0]}" if length[0] == length[1] else f"{length[0]} to {length[1]}"
            raise RequestValidationError(f"{name}: {item!r} must be {span} characters long")
        if pattern and not pattern.match(item):
            raise RequestValidationError(f"{name}: {item!r} must match {pattern.pattern}")
        if "," in item:
            raise RequestValidationError(f"{name}: {item!r} must not contain a comma")
    return ",".join(items)


@dataclass(frozen=True)
class JobQuery:
    """The arguments of ``getServiceJobs``; :meth:`params` validates and encodes them."""

    marketplace_id: str
    statuses: Iterable[str] | None = None
    created_after: datetime | None = None
    last_updated_after: datetime | None = None
    created_before: datetime | None = None
    last_updated_before: datetime | None = None
    schedule_start: datetime | None = None
    schedule_end: datetime | None = None
    asins: Sequence[str] | None = None
    required_skills: Sequence[str] | None = None
    store_ids: Sequence[str] | None = None
    service_order_ids: Sequence[str] | None = None
    product_order_ids: Sequence[str] | None = None
    tracking_ids: Sequence[str] | None = None
    page_size: int = MAX_PAGE_SIZE
    sort_field: str | None = None
    sort_order: str | None = None

    def params(self) -> dict[str, str]:
        """The query string, exactly the model's parameter names and nothing else."""
        if not isinstance(self.marketplace_id, str) or not self.marketplace_id:
            raise RequestValidationError("marketplace_id must be exactly one marketplace id")
        if (self.created_after is None) == (self.last_updated_after is None):
            raise RequestValidationError(
                "give exactly one of created_after and last_updated_after (the model requires "
                "one and rejects both)"
            )
        if isinstance(self.page_size, bool) or not 1 <= self.page_size <= MAX_PAGE_SIZE:
            raise RequestValidationError(f"page_size must be 1 to {MAX_PAGE_SIZE}")
        for value, allowed, name in ((self.sort_field, SORT_FIELDS, "sort_field"),
                                     (self.sort_order, SORT_ORDERS, "sort_order")):
            if value is not None and value not in allowed:
                raise RequestValidationError(f"{name} must be one of {', '.join(sorted(allowed))}")
        self._check_ranges()
        raw: dict[str, str | None] = {
            "marketplaceIds": self.marketplace_id,
            "serviceJobStatus": self._statuses(),
            "serviceOrderIds": _id_list("service_order_ids", self.service_order_ids,
                                        pattern=_ORDER_ID),
            "productOrderIds": _id_list("product_order_ids", self.product_order_ids,
                                        pattern=_ORDER_ID),
            "trackingIds": _id_list("tracking_ids", self.tracking_ids, pattern=_TRACKING_ID),
            "asins": _id_list("asins", self.asins, length=(10, 10)),
            "requiredSkills": _id_list("required_skills", self.required_skills, length=(1, 50)),
            "storeIds": _id_list("store_ids", self.store_ids, max_items=50, length=(1, 100)),
            "pageSize": str(self.page_size),
            "sortField": self.sort_field,
            "sortOrder": self.sort_order,
        }
        for name, key in (("created_after", "createdAfter"), ("created_before", "createdBefore"),
                          ("last_updated_after", "lastUpdatedAfter"),
                          ("last_updated_before", "lastUpdatedBefore"),
                          ("schedule_start", "scheduleStartDate"),
                          ("schedule_end", "scheduleEndDate")):
            value = getattr(self, name)
            raw[key] = None if value is None else wire_time(name, value)
        return {key: value for key, value in raw.items() if value is not None}

    def _statuses(self) -> str | None:
        if self.statuses is None:
            return None
        values = [str(s) for s in ([self.statuses] if isinstance(self.statuses, str)
                                   else self.statuses)]
        known = {s.value for s in ServiceJobStatus}
        unknown = [s for s in values if s not in known]
        if unknown or not values:
            raise RequestValidationError(
                f"statuses must be among {', '.join(sorted(known))}; got {unknown or 'none'}"
            )
        return ",".join(dict.fromkeys(values))

    def _check_ranges(self) -> None:
        for low, high, what in ((self.schedule_start, self.schedule_end, "schedule"),
                                (self.created_after, self.created_before, "created"),
                                (self.last_updated_after, self.last_updated_before,
                                 "last updated")):
            if low is None or high is None:
                continue
            if to_utc(f"{what} start", high) < to_utc(f"{what} end", low):
                raise RequestValidationError(f"the {what} range ends before it starts")
