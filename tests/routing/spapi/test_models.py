"""The typed Services API models against the official model (../shared/spapi/services.json)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError
from pydantic.alias_generators import to_camel

from routing.spapi import models
from routing.spapi.enums import (
    AppointmentStatus,
    ErrorLevel,
    ItemStatus,
    OpenEnum,
    PoaType,
    ServiceJobStatus,
    ServiceLocationType,
    SortField,
    SortOrder,
)
from routing.spapi.models import (
    AppointmentTimeInput,
    AssignAppointmentResourcesRequest,
    DateTimeRange,
    FulfillmentTime,
    GetServiceJobByServiceJobIdResponse,
    RescheduleAppointmentRequest,
    ServiceJob,
    SetAppointmentFulfillmentDataRequest,
)

SERVICES_JSON = Path(__file__).resolve().parents[3] / ".." / "shared" / "spapi" / "services.json"
GUIDE_EXAMPLES = SERVICES_JSON.parent / "guide-examples"
"""The user guide's seven example responses, as printed (see their README)."""
OPERATIONS = (
    "getServiceJobs",
    "getServiceJobByServiceJobId",
    "assignAppointmentResources",
    "setAppointmentFulfillmentData",
)
REQUEST_BODIES: dict[str, type[models.SpApiRequest]] = {
    "assignAppointmentResources": AssignAppointmentResourcesRequest,
    "setAppointmentFulfillmentData": SetAppointmentFulfillmentDataRequest,
}


def _load_spec() -> dict[str, Any]:
    with SERVICES_JSON.open(encoding="utf-8") as f:
        spec: dict[str, Any] = json.load(f)
    return spec


SPEC = _load_spec()
DEFINITIONS: dict[str, Any] = SPEC["definitions"]
OBJECT_CLASSES: dict[str, type[models.SpApiModel]] = {
    name: cls
    for name in models.__all__
    if isinstance(cls := getattr(models, name), type)
    and issubclass(cls, models.SpApiModel)
    and name in DEFINITIONS
}
ARRAY_CLASSES: dict[str, type[models.SpApiList[Any]]] = {
    name: cls
    for name in models.__all__
    if isinstance(cls := getattr(models, name), type)
    and issubclass(cls, models.SpApiList)
    and name in DEFINITIONS
}


def _operation(operation_id: str) -> dict[str, Any]:
    for path_item in SPEC["paths"].values():
        for operation in path_item.values():
            if isinstance(operation, dict) and operation.get("operationId") == operation_id:
                return operation
    raise AssertionError(f"{operation_id} is not in services.json")


def _sandbox_cases() -> list[Any]:
    cases = []
    for operation_id in OPERATIONS:
        for status, response in _operation(operation_id)["responses"].items():
            examples = response.get("x-amzn-api-sandbox", {}).get("static", [])
            for index, example in enumerate(examples):
                cases.append(
                    pytest.param(
                        operation_id,
                        int(status),
                        response["schema"],
                        example,
                        id=f"{operation_id}-{status}-{index}",
                    )
                )
    return cases


SANDBOX_CASES = _sandbox_cases()


def _resolve(schema: dict[str, Any]) -> tuple[str | None, dict[str, Any]]:
    if "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[-1]
        return name, DEFINITIONS[name]
    return None, schema


def _sample(schema: dict[str, Any]) -> Any:
    """A value for every property of ``schema``, recursively (to round-trip every name)."""
    _, schema = _resolve(schema)
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema.get("type", "object")
    if kind == "object":
        if "properties" in schema:
            return {key: _sample(sub) for key, sub in schema["properties"].items()}
        return {"someKey": "someValue"}
    if kind == "array":
        return [_sample(schema["items"])]
    if schema.get("format") == "date-time":
        return "2024-01-02T03:04:05.678Z"
    return {"string": "VALUE1", "integer": 3, "number": 12.5, "boolean": True}[kind]


def _fixture(name: str) -> dict[str, Any]:
    with (GUIDE_EXAMPLES / name).open(encoding="utf-8") as f:
        body: dict[str, Any] = json.load(f)
    return body


def _job(name: str) -> ServiceJob:
    parsed = GetServiceJobByServiceJobIdResponse.model_validate(_fixture(name))
    assert parsed.errors is None
    assert parsed.payload is not None
    return parsed.payload


# --- the model's sandbox examples ----------------------------------------------------------


def test_every_operation_has_sandbox_examples() -> None:
    covered = {case.values[0] for case in SANDBOX_CASES}
    assert covered == set(OPERATIONS)
    assert len(SANDBOX_CASES) >= 40


@pytest.mark.parametrize(("operation_id", "status", "schema", "example"), SANDBOX_CASES)
def test_sandbox_response_parses_and_round_trips(
    operation_id: str, status: int, schema: dict[str, Any], example: dict[str, Any]
) -> None:
    body = example["response"]
    name, definition = _resolve(schema)
    if name is None:  # setAppointmentFulfillmentData's 204: an empty string body
        assert definition["type"] == "string"
        assert body == ""
        return
    cls: type[models.SpApiModel | models.SpApiList[Any]]
    cls = OBJECT_CLASSES.get(name) or ARRAY_CLASSES[name]
    parsed = cls.model_validate(body)
    assert parsed.to_wire() == body
    errors: list[Any] | None
    if isinstance(parsed, models.SpApiList):
        errors = parsed.root
    else:
        errors = getattr(parsed, "errors", None)
    raw_errors = body if isinstance(body, list) else body.get("errors", [])
    assert [(e.code, e.message) for e in errors or []] == [
        (e["code"], e["message"]) for e in raw_errors
    ]
    assert all(isinstance(e, models.Error) for e in errors or [])
    if status < 300:
        assert not errors


@pytest.mark.parametrize(
    ("operation_id", "status", "schema", "example"),
    [case for case in SANDBOX_CASES if case.values[1] < 300 and case.values[0] in REQUEST_BODIES],
)
def test_sandbox_success_request_bodies_are_valid_requests(
    operation_id: str, status: int, schema: dict[str, Any], example: dict[str, Any]
) -> None:
    body = example["request"]["parameters"]["body"]["value"]
    request = REQUEST_BODIES[operation_id].model_validate(body)
    assert request.to_wire() == body


def test_sandbox_job_listing_content() -> None:
    (example,) = _operation("getServiceJobs")["responses"]["200"]["x-amzn-api-sandbox"]["static"]
    listing = models.GetServiceJobsResponse.model_validate(example["response"]).payload
    assert listing is not None and listing.jobs is not None
    assert listing.total_result_size == 1
    assert listing.next_page_token == "merchantSklktoreIdbcdcd2ad-5883-4e48-b114-f13328a9e9f"
    (job,) = listing.jobs
    assert job.service_job_status is ServiceJobStatus.COMPLETED
    assert job.create_time == datetime(2019, 12, 11, 14, 49, 53, 952000, tzinfo=UTC)
    assert job.appointments is not None
    appointment = job.appointments[0]
    assert appointment.appointment_time is not None
    assert appointment.appointment_time.duration_in_minutes == 60
    assert appointment.assigned_technicians == [
        models.Technician(technician_id="technicianIdExample", name="nameExample")
    ]


def test_sandbox_overbooked_warning_is_typed() -> None:
    examples = _operation("assignAppointmentResources")["responses"]["200"]["x-amzn-api-sandbox"]
    bodies = [e["response"] for e in examples["static"] if e["response"]]
    parsed = models.AssignAppointmentResourcesResponse.model_validate(bodies[0])
    assert parsed.payload is not None and parsed.payload.warnings is not None
    assert [w.code for w in parsed.payload.warnings] == ["RESOURCES_OVERBOOKED"]


# --- names: every property of the model, both ways ------------------------------------------


def test_every_definition_the_planner_uses_has_a_class() -> None:
    wanted = {
        "ServiceJob", "ScopeOfWork", "Appointment", "AppointmentTime", "Technician", "Poa",
        "ServiceLocation", "Address", "Buyer", "Seller", "ServiceJobProvider", "AssociatedItem",
        "ItemDelivery", "ItemDeliveryPromise", "LinkedAsset", "Payment", "MoneyAmount",
        "JobListing", "GetServiceJobsResponse", "GetServiceJobByServiceJobIdResponse",
        "AssignAppointmentResourcesResponse", "SetAppointmentResponse", "Error", "ErrorList",
        "Warning", "WarningList", "AppointmentTimeInput", "AssignAppointmentResourcesRequest",
        "AppointmentResources", "AppointmentResource", "SetAppointmentFulfillmentDataRequest",
        "DateTimeRange", "FulfillmentTime", "FulfillmentDocuments", "FulfillmentDocument",
    }  # fmt: skip
    assert wanted <= set(OBJECT_CLASSES) | set(ARRAY_CLASSES)


@pytest.mark.parametrize("name", sorted(OBJECT_CLASSES))
def test_fields_are_exactly_the_definition_properties(name: str) -> None:
    cls = OBJECT_CLASSES[name]
    aliases = {field.alias for field in cls.model_fields.values()}
    assert aliases == set(DEFINITIONS[name].get("properties", {}))
    required = {f.alias for f in cls.model_fields.values() if f.is_required()}
    assert required == set(DEFINITIONS[name].get("required", []))
    for python_name, field in cls.model_fields.items():
        assert field.alias == to_camel(python_name)
        assert python_name == python_name.lower()


@pytest.mark.parametrize("name", sorted(OBJECT_CLASSES) + sorted(ARRAY_CLASSES))
def test_every_property_name_round_trips(name: str) -> None:
    cls: type[models.SpApiModel | models.SpApiList[Any]]
    cls = OBJECT_CLASSES[name] if name in OBJECT_CLASSES else ARRAY_CLASSES[name]
    wire = _sample({"$ref": f"#/definitions/{name}"})
    parsed = cls.model_validate(wire)
    assert parsed.to_wire() == wire
    if isinstance(parsed, models.SpApiModel):
        assert not parsed.model_extra, f"misspelled names land in extras: {parsed.model_extra}"
        by_name = cls.model_validate(parsed.model_dump())
        assert by_name == parsed


def test_irregular_names() -> None:
    address = models.Address.model_validate(
        {"name": "n", "addressLine1": "1 Main St", "addressLine2": "b", "addressLine3": "c"}
    )
    assert (address.address_line1, address.address_line2, address.address_line3) == (
        "1 Main St", "b", "c",
    )  # fmt: skip
    document = models.FulfillmentDocument(upload_destination_id="u", content_sha256="abc=")
    assert document.to_wire() == {"uploadDestinationId": "u", "contentSha256": "abc="}
    assert models.Buyer(is_prime_member=False).to_wire() == {"isPrimeMember": False}


@pytest.mark.parametrize(
    ("enum", "definition", "prop"),
    [
        (ServiceJobStatus, "ServiceJob", "serviceJobStatus"),
        (AppointmentStatus, "Appointment", "appointmentStatus"),
        (PoaType, "Poa", "poaType"),
        (ItemStatus, "AssociatedItem", "itemStatus"),
        (ServiceLocationType, "ServiceLocation", "serviceLocationType"),
        (ErrorLevel, "Error", "errorLevel"),
    ],
)
def test_enums_are_the_models(enum: type[OpenEnum], definition: str, prop: str) -> None:
    assert [m.value for m in enum] == DEFINITIONS[definition]["properties"][prop]["enum"]


def test_query_enums_are_the_models() -> None:
    parameters = {p["name"]: p for p in _operation("getServiceJobs")["parameters"]}
    assert [m.value for m in SortField] == parameters["sortField"]["enum"]
    assert [m.value for m in SortOrder] == parameters["sortOrder"]["enum"]
    assert [m.value for m in ServiceJobStatus] == parameters["serviceJobStatus"]["items"]["enum"]


# --- forward compatibility -----------------------------------------------------------------


def test_unknown_enum_values_are_kept_and_recognisable() -> None:
    wire = _fixture("6-completed-job.json")["payload"]
    wire["serviceJobStatus"] = "AWAITING_PARTS"
    wire["appointments"][0]["appointmentStatus"] = "ON_HOLD"
    wire["appointments"][0]["poa"]["poaType"] = "PHOTO"
    job = ServiceJob.model_validate(wire)
    status = job.service_job_status
    assert isinstance(status, ServiceJobStatus)
    assert status == "AWAITING_PARTS" and not status.is_known
    assert ServiceJobStatus.COMPLETED.is_known
    assert status not in list(ServiceJobStatus)
    assert job.appointments is not None and job.appointments[0].poa is not None
    assert job.appointments[0].appointment_status == "ON_HOLD"
    assert not job.appointments[0].poa.poa_type.is_known  # type: ignore[union-attr]
    assert job.to_wire() == wire
    assert ServiceJob.model_validate_json(job.model_dump_json(by_alias=True)) == job


def test_known_enum_values_are_the_members() -> None:
    assert ServiceJobStatus("HOLD") is ServiceJobStatus.HOLD
    with pytest.raises(ValidationError):
        ServiceJob.model_validate({"serviceJobStatus": 7})


def test_unknown_fields_are_kept() -> None:
    wire = _fixture("3-active-appointment.json")
    wire["newTopLevel"] = {"x": 1}
    wire["payload"]["jobPriority"] = "HIGH"
    wire["payload"]["appointments"][0]["appointmentTime"]["arrivalWindowMinutes"] = 30
    parsed = GetServiceJobByServiceJobIdResponse.model_validate(wire)
    assert parsed.model_extra == {"newTopLevel": {"x": 1}}
    assert parsed.payload is not None and parsed.payload.model_extra == {"jobPriority": "HIGH"}
    assert parsed.to_wire() == wire


def test_responses_are_lenient_but_not_blind() -> None:
    job = ServiceJob.model_validate(
        {"storeId": "", "serviceOrderId": "1", "seller": {"sellerId": "lower-case"}}
    )
    assert job.store_id == "" and job.seller is not None
    with pytest.raises(ValidationError):
        ServiceJob.model_validate({"appointments": "not a list"})
    with pytest.raises(ValidationError):
        models.AppointmentTime.model_validate({"startTime": "2024-01-01T00:00:00Z"})


# --- timestamps ----------------------------------------------------------------------------


def test_received_timestamps_are_aware_and_go_out_in_utc() -> None:
    appointment = models.AppointmentTime.model_validate(
        {"startTime": "2024-03-09T21:30:00+05:30", "durationInMinutes": 60}
    )
    assert appointment.start_time.utcoffset() == timedelta(hours=5, minutes=30)
    assert appointment.start_time == datetime(2024, 3, 9, 16, 0, tzinfo=UTC)
    assert appointment.to_wire()["startTime"] == "2024-03-09T16:00:00.000Z"
    naive = models.AppointmentTime.model_validate(
        {"startTime": "2024-03-09T16:00:00", "durationInMinutes": 60}
    )
    assert naive.start_time.tzinfo is not None
    assert naive.start_time == appointment.start_time


def test_microseconds_survive() -> None:
    moment = datetime(2024, 3, 9, 16, 0, 0, 123456, tzinfo=UTC)
    wire = AppointmentTimeInput(start_time=moment).to_wire()
    assert wire == {"startTime": "2024-03-09T16:00:00.123456Z"}
    assert AppointmentTimeInput.model_validate(wire).start_time == moment


def test_naive_timestamp_in_a_request_is_refused() -> None:
    with pytest.raises(ValidationError, match=r"naive timestamp.*UTC"):
        AppointmentTimeInput(start_time=datetime(2024, 3, 9, 16, 0))
    with pytest.raises(ValidationError, match="naive timestamp"):
        FulfillmentTime.model_validate({"startTime": "2024-03-09T16:00:00"})


def test_aware_request_timestamp_is_sent_in_utc() -> None:
    pacific = timezone(timedelta(hours=-8))
    request = SetAppointmentFulfillmentDataRequest(
        estimated_arrival_time=DateTimeRange(
            start_time=datetime(2024, 3, 9, 8, 0, tzinfo=pacific),
            end_time=datetime(2024, 3, 9, 8, 30, tzinfo=pacific),
        )
    )
    assert request.to_wire() == {
        "estimatedArrivalTime": {
            "startTime": "2024-03-09T16:00:00.000Z",
            "endTime": "2024-03-09T16:30:00.000Z",
        }
    }


# --- request constraints -------------------------------------------------------------------


def test_request_constraints() -> None:
    start = datetime(2024, 3, 9, 16, 0, tzinfo=UTC)
    with pytest.raises(ValidationError, match="resources"):
        AssignAppointmentResourcesRequest(resources=[])
    with pytest.raises(ValidationError, match="before start"):
        DateTimeRange(start_time=start, end_time=start - timedelta(minutes=1))
    with pytest.raises(ValidationError, match="before start"):
        FulfillmentTime(start_time=start, end_time=start - timedelta(minutes=1))
    with pytest.raises(ValidationError, match="at least one"):
        SetAppointmentFulfillmentDataRequest()
    with pytest.raises(ValidationError, match=r"duration_in_minutes|durationInMinutes"):
        AppointmentTimeInput(start_time=start, duration_in_minutes=0)
    with pytest.raises(ValidationError):
        RescheduleAppointmentRequest(
            appointment_time=AppointmentTimeInput(start_time=start), reschedule_reason_code=""
        )
    with pytest.raises(ValidationError):
        DateTimeRange.model_validate({"startTime": "2024-03-09T16:00:00Z"})


def test_request_refuses_fields_the_model_does_not_define() -> None:
    with pytest.raises(ValidationError, match="notes"):
        AssignAppointmentResourcesRequest.model_validate(
            {"resources": [{"resourceId": "R1"}], "notes": "x"}
        )


def test_assign_request_wire_shape() -> None:
    request = AssignAppointmentResourcesRequest(
        resources=[models.AppointmentResource(resource_id="A8B3M999LMHF2")]
    )
    assert request.to_wire() == {"resources": [{"resourceId": "A8B3M999LMHF2"}]}


# --- the use case guide's cases ------------------------------------------------------------


def test_unauthorized_job() -> None:
    parsed = GetServiceJobByServiceJobIdResponse.model_validate(
        _fixture("1-unauthorized-job.json"))
    assert parsed.payload is None
    assert parsed.errors is not None
    (error,) = parsed.errors
    assert error.code == "InvalidInput"  # not "Unauthorized", as printed in the guide
    assert error.message == "User is not authorized to view the service job details"
    assert error.details is None


def test_active_job_without_appointment() -> None:
    job = _job("2-pending-schedule-preferred-times.json")
    assert job.service_job_status is ServiceJobStatus.PENDING_SCHEDULE
    assert job.appointments is None
    assert job.preferred_appointment_times is not None
    assert [(t.start_time, t.duration_in_minutes) for t in job.preferred_appointment_times] == [
        (datetime(2020, 1, 31, 6, 38, 56, 961000, tzinfo=UTC), 60),
    ]
    assert job.create_time == datetime(2020, 1, 29, 6, 38, 56, 960000, tzinfo=UTC)
    assert job.scope_of_work is not None
    assert job.scope_of_work.required_skills == ["skillExample"]
    assert job.service_location is not None and job.service_location.address is not None
    assert job.service_location.service_location_type is ServiceLocationType.IN_HOME
    assert job.service_location.address.address_line1 == "addressLineExample"
    assert job.buyer is not None and job.buyer.is_prime_member is True


def test_active_appointment() -> None:
    job = _job("3-active-appointment.json")
    assert job.service_job_status is ServiceJobStatus.NOT_SERVICED
    assert job.appointments is not None
    (appointment,) = job.appointments
    assert appointment.appointment_status is AppointmentStatus.ACTIVE
    assert appointment.rescheduled_appointment_id is None
    assert appointment.assigned_technicians is None
    assert appointment.appointment_time is not None
    assert appointment.appointment_time.duration_in_minutes == 60


def test_cancelled_appointment() -> None:
    job = _job("4-cancelled-appointment.json")
    assert job.service_job_status is ServiceJobStatus.NOT_FULFILLABLE
    assert job.appointments is not None
    assert [a.appointment_status for a in job.appointments] == [AppointmentStatus.CANCELLED]


def test_rescheduled_appointment_pointer_sits_on_the_cancelled_one() -> None:
    job = _job("5-rescheduled-appointment.json")
    assert job.appointments is not None
    cancelled, active = job.appointments
    assert cancelled.appointment_status is AppointmentStatus.CANCELLED
    assert active.appointment_status is AppointmentStatus.ACTIVE
    assert cancelled.rescheduled_appointment_id == "rescheduledAppointmentIdExample"
    assert active.rescheduled_appointment_id is None
    assert cancelled.appointment_id == active.appointment_id == "appointmentIdExample"
    assert active.appointment_time is not None and cancelled.appointment_time is not None
    assert active.appointment_time.start_time == datetime(2020, 1, 1, 6, 38, 56, 961000, tzinfo=UTC)
    assert cancelled.appointment_time.start_time.date().isoformat() == "2020-01-31"


def test_completed_job_with_proof_of_appointment() -> None:
    job = _job("6-completed-job.json")
    assert job.service_job_status is ServiceJobStatus.COMPLETED
    assert job.appointments is not None
    (appointment,) = job.appointments
    assert appointment.appointment_status is AppointmentStatus.COMPLETED
    assert appointment.assigned_technicians is not None
    assert [t.technician_id for t in appointment.assigned_technicians] == ["technicianIdExample"]
    poa = appointment.poa
    assert poa is not None
    assert poa.poa_type is PoaType.CUSTOMER_SIGNATURE
    assert poa.uploading_technician == "technicianIdExample"
    assert poa.upload_time == datetime(2020, 1, 31, 8, 38, 56, 961000, tzinfo=UTC)
    assert poa.technicians is not None
    assert [t.name for t in poa.technicians] == ["nameExample"]
    assert poa.appointment_time is not None
    assert poa.appointment_time.duration_in_minutes == 60
    assert poa.uploading_technician in {t.technician_id for t in poa.technicians}


def test_cancelled_job() -> None:
    job = _job("7-cancelled-job.json")
    assert job.service_job_status is ServiceJobStatus.CANCELLED
    assert job.appointments is not None
    assert all(a.appointment_status is AppointmentStatus.CANCELLED for a in job.appointments)


def test_the_guide_has_seven_examples() -> None:
    assert len(list(GUIDE_EXAMPLES.glob("*.json"))) == 7


@pytest.mark.parametrize("name", sorted(p.name for p in GUIDE_EXAMPLES.glob("*.json")))
def test_guide_example_round_trips_exactly(name: str) -> None:
    body = _fixture(name)
    assert GetServiceJobByServiceJobIdResponse.model_validate(body).to_wire() == body
