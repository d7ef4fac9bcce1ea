"""What the emulator puts on the wire: replies and Amazon's error shapes."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "JSON",
    "Rejection",
    "Reply",
    "error",
    "errors_reply",
    "invalid_input",
    "json_reply",
]

JSON = "application/json"


@dataclass(frozen=True)
class Reply:
    """One HTTP answer, before the server adds x-amzn-RequestId and rate-limit headers."""

    status: int
    body: bytes = b""
    content_type: str | None = None
    headers: dict[str, str] = field(default_factory=dict)


def json_reply(status: int, document: Any, headers: dict[str, str] | None = None) -> Reply:
    """``document`` serialised as JSON."""
    return Reply(status, json.dumps(document).encode(), JSON, dict(headers or {}))


def error(code: str, message: str, details: str = "") -> dict[str, str]:
    """One entry of Amazon's ``errors[]``."""
    return {"code": code, "message": message, "details": details}


def errors_reply(status: int, *errors: dict[str, str], bare: bool = False) -> Reply:
    """Amazon's error body: ``{"errors": [...]}``, or the bare array when ``bare``.

    The model types setAppointmentFulfillmentData's error responses as a bare ``ErrorList``
    and its sandbox examples answer bare arrays; every other operation wraps them.
    """
    return json_reply(status, list(errors) if bare else {"errors": list(errors)})


def invalid_input(message: str, details: str = "") -> dict[str, str]:
    """The ``InvalidInput`` error Amazon answers to requests that break the model."""
    return error("InvalidInput", message, details)


class Rejection(Exception):
    """Raised inside a handler to answer an error reply instead of the result."""

    def __init__(self, status: int, *errors: dict[str, str]) -> None:
        super().__init__(status, errors)
        self.status = status
        self.errors = errors
