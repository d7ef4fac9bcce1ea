"""A Login with Amazon token endpoint: refresh-token grant only, as the Services API uses."""

from __future__ import annotations

import secrets
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum

__all__ = ["LwaRefusal", "TokenIssuer", "TokenState"]


class TokenState(Enum):
    LIVE = "live"
    EXPIRED = "expired"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class LwaRefusal:
    """LWA's error answer: HTTP status and ``{"error", "error_description"}``."""

    status: int
    error: str
    description: str


class TokenIssuer:
    """Checks credentials, issues access tokens and tells live tokens from expired ones."""

    def __init__(self, client_id: str, client_secret: str, refresh_token: str, ttl: int) -> None:
        self._client_id = client_id
        self._client_secret = client_secret
        self._refresh_token = refresh_token
        self.ttl = ttl
        self._expiry: dict[str, float] = {}
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"TokenIssuer(client_id={self._client_id!r}, ttl={self.ttl}, secrets=<hidden>)"

    def grant(self, form: Mapping[str, str]) -> dict[str, object] | LwaRefusal:
        """The token response for a refresh-token grant, or LWA's refusal."""
        missing = [
            name
            for name in ("grant_type", "refresh_token", "client_id", "client_secret")
            if not form.get(name)
        ]
        if missing:
            return LwaRefusal(400, "invalid_request", f"Missing parameter: {missing[0]}")
        if form["grant_type"] != "refresh_token":
            return LwaRefusal(400, "unsupported_grant_type", "The grant type is not supported")
        if not (
            secrets.compare_digest(form["client_id"], self._client_id)
            and secrets.compare_digest(form["client_secret"], self._client_secret)
        ):
            return LwaRefusal(401, "invalid_client", "Client authentication failed")
        if not secrets.compare_digest(form["refresh_token"], self._refresh_token):
            return LwaRefusal(
                400, "invalid_grant", "The request has an invalid grant parameter : refresh_token"
            )
        token = "Atza|emulator-" + secrets.token_urlsafe(24)
        with self._lock:
            self._expiry[token] = time.monotonic() + self.ttl
        return {
            "access_token": token,
            "refresh_token": self._refresh_token,
            "token_type": "bearer",
            "expires_in": self.ttl,
        }

    def state(self, token: str | None) -> TokenState:
        with self._lock:
            expiry = self._expiry.get(token or "")
        if expiry is None:
            return TokenState.UNKNOWN
        return TokenState.LIVE if time.monotonic() < expiry else TokenState.EXPIRED

    def expire_all(self) -> None:
        with self._lock:
            self._expiry = dict.fromkeys(self._expiry, float("-inf"))
