"""Typed models of the Services API (``../shared/spapi/services.json``, Swagger 2.0).

Class names are the model's definition names; attributes are snake_case in Python and the
model's camelCase on the wire, both ways (``model_validate`` accepts either spelling,
``to_wire()`` produces exactly the JSON Amazon expects).

Two families, by direction:

* **Responses** (what Amazon sends) derive from :class:`SpApiModel`: lenient. Unknown
  fields are kept (``extra="allow"``), unknown enum values become pseudo-members (see
  :mod:`routing.spapi.enums`), the model's string constraints are not enforced, and a
  timestamp without an offset is taken as UTC. Only genuinely wrong types fail.
* **Requests** (what we send) derive from :class:`SpApiRequest`: strict. Unknown fields are
  refused (so nothing the model does not define is sent), the model's constraints are
  enforced, and a naive timestamp is an error, because the API wants UTC.

Every timestamp serialises as ISO 8601 in UTC with a ``Z`` suffix.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated, Any, Generic, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PlainSerializer,
    RootModel,
    model_validator,
)
from pydantic.alias_generators import to_camel

from routing.spapi.enums import (
    AppointmentStatus,
    ErrorLevel,
    ItemStatus,
    PoaType,
    SchedulingType,
    ServiceJobStatus,
    ServiceLocationType,
)

__all__ = [
    "AddAppointmentRequest",
    "Address",
    "Appointment",
    "AppointmentResource",
    "AppointmentResources",
    "AppointmentSlot",
    "AppointmentSlotReport",
    "AppointmentStatus",
    "AppointmentTime",
    "AppointmentTimeInput",
    "AssignAppointmentResourcesRequest",
    "AssignAppointmentResourcesResponse",
    "AssignAppointmentResourcesResponsePayload",
    "AssociatedItem",
    "Buyer",
    "CancelServiceJobByServiceJobIdResponse",
    "CompleteServiceJobByServiceJobIdResponse",
    "DateTimeRange",
    "Error",
    "ErrorLevel",
    "ErrorList",
    "FulfillmentDocument",
    "FulfillmentDocuments",
    "FulfillmentTime",
    "GetAppointmentSlotsResponse",
    "GetServiceJobByServiceJobIdResponse",
    "GetServiceJobsResponse",
    "ItemDelivery",
    "ItemDeliveryPromise",
    "ItemStatus",
    "JobListing",
    "LinkedAsset",
    "MoneyAmount",
    "Payment",
    "Poa",
    "PoaType",
    "ReceivedTimestamp",
    "RescheduleAppointmentRequest",
    "SchedulingType",
    "ScopeOfWork",
    "Seller",
    "SentTimestamp",
    "ServiceJob",
    "ServiceJobProvider",
    "ServiceJobStatus",
    "ServiceLocation",
    "ServiceLocationType",
    "SetAppointmentFulfillmentDataRequest",
    "SetAppointmentResponse",
    "SpApiList",
    "SpApiModel",
    "SpApiRequest",
    "Technician",
    "Warning",
    "WarningList",
]


# --- timestamps --------------------------------------------------------------------------


def _to_wire_timestamp(value: datetime) -> str:
    """ISO 8601 in UTC with ``Z``; milliseconds like Amazon, microseconds only if present."""
    utc = value.astimezone(UTC)
    timespec = "milliseconds" if utc.microsecond % 1000 == 0 else "microseconds"
    return utc.isoformat(timespec=timespec).replace("+00:00", "Z")


def _assume_utc(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _require_aware(value: datetime) -> datetime:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(
            f"naive timestamp {value.isoformat()} is ambiguous: the Services API wants UTC, "
            "give a timezone-aware datetime (e.g. datetime(..., tzinfo=UTC))"
        )
    return value


_WireTimestamp = PlainSerializer(_to_wire_timestamp, return_type=str, when_used="json")

ReceivedTimestamp = Annotated[datetime, AfterValidator(_assume_utc), _WireTimestamp]
"""A ``date-time`` Amazon sent: always aware (an offset-less one is taken as UTC)."""

SentTimestamp = Annotated[datetime, AfterValidator(_require_aware), _WireTimestamp]
"""A ``date-time`` we send: must be aware; serialised in UTC."""

_Money = Annotated[Decimal, PlainSerializer(float, return_type=float, when_used="json")]


# --- bases ---------------------------------------------------------------------------------


class SpApiModel(BaseModel):
    """Base of every object Amazon sends: camelCase aliases, lenient, keeps unknown fields."""

    model_config = ConfigDict(
        alias_generator=to_camel,
        validate_by_name=True,
        validate_by_alias=True,
        extra="allow",
    )

    def to_wire(self) -> dict[str, Any]:
        """The wire JSON object: camelCase keys, unset fields left out, UTC ``Z`` times."""
        return self.model_dump(by_alias=True, exclude_none=True, mode="json")


class SpApiRequest(SpApiModel):
    """Base of every object we send: the model's constraints hold, unknown fields refused."""

    model_config = ConfigDict(extra="forbid")


ItemT = TypeVar("ItemT", bound=SpApiModel)


class SpApiList(RootModel[list[ItemT]], Generic[ItemT]):
    """An array definition of the model (e.g. ``ErrorList``), usable on its own."""

    def __iter__(self) -> Iterator[ItemT]:  # type: ignore[override]
        return iter(self.root)

    def __len__(self) -> int:
        return len(self.root)

    def __getitem__(self, index: int) -> ItemT:
        return self.root[index]

    def to_wire(self) -> list[dict[str, Any]]:
        return [item.to_wire() for item in self.root]


# --- errors and warnings -------------------------------------------------------------------


class Error(SpApiModel):
    code: str
    message: str
    details: str | None = None
    error_level: ErrorLevel | None = None


class Warning(SpApiModel):  # shadows the builtin on purpose: the model's definition name
    code: str
    message: str
    details: str | None = None


class ErrorList(SpApiList[Error]):
    """A bare error array, as setAppointmentFulfillmentData returns on failure."""


class WarningList(SpApiList[Warning]):
    pass


# --- the service job -----------------------------------------------------------------------


class ScopeOfWork(SpApiModel):
    asin: str | None = None
    title: str | None = None
    quantity: int | None = None
    required_skills: list[str] | None = None


class Seller(SpApiModel):
    seller_id: str | None = None


class ServiceJobProvider(SpApiModel):
    service_job_provider_id: str | None = None


class MoneyAmount(SpApiModel):
    value: _Money
    currency: str


class Payment(SpApiModel):
    amount: MoneyAmount | None = None
    instrument: str | None = None


class Buyer(SpApiModel):
    buyer_id: str | None = None
    name: str | None = None
    phone: str | None = None
    is_prime_member: bool | None = None


class AppointmentTime(SpApiModel):
    start_time: ReceivedTimestamp
    duration_in_minutes: int


class Technician(SpApiModel):
    technician_id: str | None = None
    name: str | None = None


class Poa(SpApiModel):
    """Proof of appointment uploaded by a technician when the job was done."""

    appointment_time: AppointmentTime | None = None
    technicians: list[Technician] | None = None
    uploading_technician: str | None = None
    upload_time: ReceivedTimestamp | None = None
    poa_type: PoaType | None = None


class Appointment(SpApiModel):
    appointment_id: str | None = None
    appointment_status: AppointmentStatus | None = None
    appointment_time: AppointmentTime | None = None
    assigned_technicians: list[Technician] | None = None
    rescheduled_appointment_id: str | None = Field(
        default=None,
        description="The other appointment of a reschedule. In the user guide's example the "
        "CANCELLED original carries it, naming its replacement (the emulator does the same); "
        "whichever way it points, the ACTIVE appointment is the live one.",
    )
    poa: Poa | None = None


class ItemDeliveryPromise(SpApiModel):
    start_time: ReceivedTimestamp | None = None
    end_time: ReceivedTimestamp | None = None


class ItemDelivery(SpApiModel):
    estimated_delivery_date: ReceivedTimestamp | None = None
    item_delivery_promise: ItemDeliveryPromise | None = None


class LinkedAsset(SpApiModel):
    asset_type: str | None = None
    asset_name: str | None = None
    additional_attributes: dict[str, str] | None = None


class AssociatedItem(SpApiModel):
    asin: str | None = None
    title: str | None = None
    quantity: int | None = None
    order_id: str | None = None
    item_status: ItemStatus | None = None
    brand_name: str | None = None
    item_delivery: ItemDelivery | None = None
    linked_assets: list[LinkedAsset] | None = None


class Address(SpApiModel):
    name: str
    address_line1: str
    address_line2: str | None = None
    address_line3: str | None = None
    city: str | None = None
    county: str | None = None
    district: str | None = None
    state_or_region: str | None = None
    postal_code: str | None = None
    country_code: str | None = None
    phone: str | None = None


class ServiceLocation(SpApiModel):
    service_location_type: ServiceLocationType | None = None
    address: Address | None = None


class ServiceJob(SpApiModel):
    create_time: ReceivedTimestamp | None = None
    service_job_id: str | None = None
    service_job_status: ServiceJobStatus | None = None
    scope_of_work: ScopeOfWork | None = None
    seller: Seller | None = None
    service_job_provider: ServiceJobProvider | None = None
    preferred_appointment_times: list[AppointmentTime] | None = None
    appointments: list[Appointment] | None = None
    service_order_id: str | None = None
    product_order_ids: list[str] | None = None
    tracking_ids: list[str] | None = None
    marketplace_id: str | None = None
    store_id: str | None = None
    buyer: Buyer | None = None
    associated_items: list[AssociatedItem] | None = None
    service_location: ServiceLocation | None = None
    payments: list[Payment] | None = None


class AppointmentSlot(SpApiModel):
    """A window in which the service can be performed, and how many bookings it still takes."""

    start_time: ReceivedTimestamp | None = None
    end_time: ReceivedTimestamp | None = None
    capacity: int | None = None


class AppointmentSlotReport(SpApiModel):
    """The slots Amazon offers over ``start_time`` .. ``end_time`` (its range, maybe a default)."""

    scheduling_type: SchedulingType | None = None
    start_time: ReceivedTimestamp | None = None
    end_time: ReceivedTimestamp | None = None
    appointment_slots: list[AppointmentSlot] | None = None

    def bookable(self) -> list[AppointmentSlot]:
        """The slots with a start, an end after it and capacity left, earliest first.

        Amazon lists full slots too (capacity 0); a slot without capacity, or without both
        ends, cannot be booked.
        """
        usable = [
            slot for slot in self.appointment_slots or []
            if slot.start_time is not None and slot.end_time is not None
            and slot.end_time > slot.start_time and (slot.capacity or 0) > 0
        ]
        return sorted(usable, key=lambda slot: slot.start_time)  # type: ignore[arg-type,return-value]


class JobListing(SpApiModel):
    total_result_size: int | None = None
    next_page_token: str | None = None
    previous_page_token: str | None = None
    jobs: list[ServiceJob] | None = None


# --- response wrappers ---------------------------------------------------------------------


class GetServiceJobByServiceJobIdResponse(SpApiModel):
    payload: ServiceJob | None = None
    errors: list[Error] | None = None


class GetServiceJobsResponse(SpApiModel):
    payload: JobListing | None = None
    errors: list[Error] | None = None


class GetAppointmentSlotsResponse(SpApiModel):
    payload: AppointmentSlotReport | None = None
    errors: list[Error] | None = None


class CancelServiceJobByServiceJobIdResponse(SpApiModel):
    errors: list[Error] | None = None


class CompleteServiceJobByServiceJobIdResponse(SpApiModel):
    errors: list[Error] | None = None


class SetAppointmentResponse(SpApiModel):
    appointment_id: str | None = None
    warnings: list[Warning] | None = None
    errors: list[Error] | None = None


class AssignAppointmentResourcesResponsePayload(SpApiModel):
    """The inline ``payload`` object of AssignAppointmentResourcesResponse."""

    warnings: list[Warning] | None = None


class AssignAppointmentResourcesResponse(SpApiModel):
    payload: AssignAppointmentResourcesResponsePayload | None = None
    errors: list[Error] | None = None


# --- requests ------------------------------------------------------------------------------


class AppointmentTimeInput(SpApiRequest):
    """Requested appointment start; Amazon picks the slot's default length if no duration."""

    start_time: SentTimestamp
    duration_in_minutes: int | None = Field(default=None, ge=1)


class AddAppointmentRequest(SpApiRequest):
    appointment_time: AppointmentTimeInput


class RescheduleAppointmentRequest(SpApiRequest):
    appointment_time: AppointmentTimeInput
    reschedule_reason_code: str = Field(min_length=1)


class AppointmentResource(SpApiRequest):
    resource_id: str | None = None


class AppointmentResources(SpApiList[AppointmentResource]):
    pass


class AssignAppointmentResourcesRequest(SpApiRequest):
    # Amazon answers 400 "Resources must have size greater than or equal to 1" to [].
    resources: list[AppointmentResource] = Field(min_length=1)


def _check_order(start: datetime | None, end: datetime | None) -> None:
    if start is not None and end is not None and end < start:
        raise ValueError(f"end time {end.isoformat()} is before start time {start.isoformat()}")


class DateTimeRange(SpApiRequest):
    start_time: SentTimestamp
    end_time: SentTimestamp

    @model_validator(mode="after")
    def _end_not_before_start(self) -> DateTimeRange:
        _check_order(self.start_time, self.end_time)
        return self


class FulfillmentTime(SpApiRequest):
    """Actual start and end of the work."""

    start_time: SentTimestamp | None = None
    end_time: SentTimestamp | None = None

    @model_validator(mode="after")
    def _end_not_before_start(self) -> FulfillmentTime:
        _check_order(self.start_time, self.end_time)
        return self


class FulfillmentDocument(SpApiRequest):
    upload_destination_id: str | None = None
    content_sha256: str | None = None


class FulfillmentDocuments(SpApiList[FulfillmentDocument]):
    pass


class SetAppointmentFulfillmentDataRequest(SpApiRequest):
    estimated_arrival_time: DateTimeRange | None = None
    fulfillment_time: FulfillmentTime | None = None
    appointment_resources: list[AppointmentResource] | None = None
    fulfillment_documents: list[FulfillmentDocument] | None = None

    @model_validator(mode="after")
    def _something_to_set(self) -> SetAppointmentFulfillmentDataRequest:
        # Amazon answers 400 "No fulfillment artifacts provided" to an empty body.
        if not any(
            (
                self.estimated_arrival_time,
                self.fulfillment_time,
                self.appointment_resources,
                self.fulfillment_documents,
            )
        ):
            raise ValueError("set at least one of the fulfillment data fields")
        return self
