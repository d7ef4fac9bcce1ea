"""Enumerations of the Services API model (``services.json``).

Values Amazon *sends* are :class:`OpenEnum` subclasses: Amazon adds enum values without
bumping the API version, and a job with a status we have never seen must still parse, keep
its exact string and be recognisable as unknown (``is_known`` is ``False``). Values *we*
send (sort field and order) are closed :class:`~enum.StrEnum` s: an unknown one is our bug.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, Self

__all__ = [
    "AppointmentStatus",
    "ErrorLevel",
    "ItemStatus",
    "OpenEnum",
    "PoaType",
    "SchedulingType",
    "ServiceJobStatus",
    "ServiceLocationType",
    "SortField",
    "SortOrder",
]


class OpenEnum(StrEnum):
    """A string enum that accepts any string, turning unknown ones into pseudo-members.

    A pseudo-member is an instance of the enum class whose name and value are the unknown
    string; it compares and hashes like that string and serialises back to it unchanged.
    Pseudo-members are created on demand and never added to the class's members, so
    iterating the enum lists only the values of the model.
    """

    @classmethod
    def _missing_(cls, value: Any) -> Self | None:
        if not isinstance(value, str):
            return None
        pseudo = str.__new__(cls, value)
        pseudo._name_ = value
        pseudo._value_ = value
        return pseudo

    @property
    def is_known(self) -> bool:
        """True when the value is one the model (and this code) knows about."""
        return type(self)._value2member_map_.get(self._value_) is self


class ServiceJobStatus(OpenEnum):
    NOT_SERVICED = "NOT_SERVICED"
    CANCELLED = "CANCELLED"
    COMPLETED = "COMPLETED"
    PENDING_SCHEDULE = "PENDING_SCHEDULE"
    NOT_FULFILLABLE = "NOT_FULFILLABLE"
    HOLD = "HOLD"
    PAYMENT_DECLINED = "PAYMENT_DECLINED"


class AppointmentStatus(OpenEnum):
    ACTIVE = "ACTIVE"
    CANCELLED = "CANCELLED"
    COMPLETED = "COMPLETED"


class PoaType(OpenEnum):
    """Kind of proof of appointment a technician uploaded."""

    NO_SIGNATURE_DUMMY_POS = "NO_SIGNATURE_DUMMY_POS"
    CUSTOMER_SIGNATURE = "CUSTOMER_SIGNATURE"
    DUMMY_RECEIPT = "DUMMY_RECEIPT"
    POA_RECEIPT = "POA_RECEIPT"


class ItemStatus(OpenEnum):
    ACTIVE = "ACTIVE"
    CANCELLED = "CANCELLED"
    SHIPPED = "SHIPPED"
    DELIVERED = "DELIVERED"


class ServiceLocationType(OpenEnum):
    IN_HOME = "IN_HOME"
    IN_STORE = "IN_STORE"
    ONLINE = "ONLINE"


class SchedulingType(OpenEnum):
    """What backs the slots of an AppointmentSlotReport."""

    REAL_TIME_SCHEDULING = "REAL_TIME_SCHEDULING"
    """Slots backed by inventory in an inventory management system."""
    NON_REAL_TIME_SCHEDULING = "NON_REAL_TIME_SCHEDULING"
    """Slots derived from the working hours set in the seller's management system."""


class ErrorLevel(OpenEnum):
    ERROR = "ERROR"
    WARNING = "WARNING"


class SortField(StrEnum):
    """``sortField`` query parameter of getServiceJobs."""

    JOB_DATE = "JOB_DATE"
    JOB_STATUS = "JOB_STATUS"


class SortOrder(StrEnum):
    """``sortOrder`` query parameter of getServiceJobs."""

    ASC = "ASC"
    DESC = "DESC"
