"""Login with Amazon (LWA): trade a refresh token for short-lived access tokens.

The access token is cached until 60 s before it expires and refreshed by exactly one thread
when many need it at the same moment. No AWS SigV4: Amazon stopped requiring it in 2023.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import httpx

from routing.spapi.backoff import RetryPolicy, parse_retry_after
from routing.spapi.deadline import deadline as request_deadline
from routing.spapi.endpoints import LWA_TOKEN_URL
from routing.spapi.errors import AuthError, ClientSettingsError

__all__ = [
    "ENV_CLIENT_ID",
    "ENV_CLIENT_SECRET",
    "ENV_REFRESH_TOKEN",
    "EXPIRY_MARGIN",
    "LwaCredentials",
    "TokenProvider",
]

log = logging.getLogger(__name__)

#: Environment variables, named as in the community client python-amazon-sp-api.
ENV_REFRESH_TOKEN = "SP_API_REFRESH_TOKEN"
ENV_CLIENT_ID = "LWA_APP_ID"
ENV_CLIENT_SECRET = "LWA_CLIENT_SECRET"

EXPIRY_MARGIN = 60.0
_RETRYABLE = frozenset({500, 502, 503, 504, 429})


@dataclass(frozen=True)
class LwaCredentials:
    """An LWA app's client id and secret and a seller's refresh token.

    ``repr`` and ``str`` show only the client id: the secret and the refresh token never reach
    logs or tracebacks through this object.
    """

    refresh_token: str
    client_id: str
    client_secret: str

    def __repr__(self) -> str:
        return f"LwaCredentials(client_id={self.client_id!r}, refresh_token=***, client_secret=***)"

    __str__ = __repr__

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> LwaCredentials:
        """Read the credentials from the environment, naming every variable that is missing."""
        env = os.environ if environ is None else environ
        names = (ENV_REFRESH_TOKEN, ENV_CLIENT_ID, ENV_CLIENT_SECRET)
        missing = [name for name in names if not env.get(name)]
        if missing:
            raise ClientSettingsError(
                "SP-API credentials missing: export " + ", ".join(missing) + " (Amazon and its "
                "sandbox both need them; `--source emulator` or a saved jobs file needs none)"
            )
        return cls(env[ENV_REFRESH_TOKEN], env[ENV_CLIENT_ID], env[ENV_CLIENT_SECRET])


class TokenProvider:
    """Hands out a valid access token, fetching a new one only when needed.

    ``deadline`` (seconds) bounds each token request as a whole when ``http`` runs on
    :class:`routing.spapi.deadline.DeadlineTransport`.
    """

    def __init__(
        self,
        credentials: LwaCredentials,
        http: httpx.Client,
        *,
        token_url: str = LWA_TOKEN_URL,
        retry: RetryPolicy | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        deadline: float = 30.0,
    ) -> None:
        self._credentials = credentials
        self._http = http
        self._token_url = token_url
        self._retry = retry or RetryPolicy()
        self._clock = clock
        self._sleep = sleep
        self._deadline = deadline
        self._lock = threading.Lock()
        self._token: str | None = None
        self._valid_until = 0.0
        self.refreshes = 0

    def token(self) -> str:
        """A token valid for at least another minute."""
        with self._lock:
            if self._token is None or self._clock() >= self._valid_until:
                self._token, lifetime = self._fetch()
                self._valid_until = self._clock() + lifetime - EXPIRY_MARGIN
                self.refreshes += 1
            return self._token

    def invalidate(self, token: str) -> None:
        """Forget ``token`` after Amazon rejected it as expired.

        Only the token that was rejected is dropped: when twenty threads see the same expiry,
        the first refreshes and the other nineteen pick up its new token.
        """
        with self._lock:
            if self._token == token:
                self._token = None

    def _fetch(self) -> tuple[str, float]:
        form = {
            "grant_type": "refresh_token",
            "refresh_token": self._credentials.refresh_token,
            "client_id": self._credentials.client_id,
            "client_secret": self._credentials.client_secret,
        }
        started = self._clock()
        attempt = 0
        while True:
            attempt += 1
            retry_after: float | None = None
            try:
                with request_deadline(self._deadline):
                    response = self._http.post(self._token_url, data=form)
            except httpx.TransportError as exc:
                failure = AuthError(
                    "lwaToken", f"cannot reach the LWA token endpoint: {type(exc).__name__}",
                    attempts=attempt,
                )
            else:
                if response.status_code == 200:
                    return _parse_token(response)
                failure = AuthError(
                    "lwaToken", _lwa_error_text(response), status=response.status_code,
                    attempts=attempt,
                )
                if response.status_code not in _RETRYABLE:
                    raise failure
                retry_after = parse_retry_after(response.headers.get("retry-after"))
            delay = self._retry.delay(attempt, retry_after)
            if self._retry.gives_up(attempt, self._clock() - started, delay):
                raise failure
            log.warning("LWA token request failed (%s); retrying in %.1f s", failure, delay)
            self._retry.announce("the LWA token request", attempt, delay,
                                 status=failure.status)
            self._sleep(delay)


def _parse_token(response: httpx.Response) -> tuple[str, float]:
    try:
        body = response.json()
        return str(body["access_token"]), float(body.get("expires_in", 3600))
    except (ValueError, KeyError, TypeError):
        raise AuthError(
            "lwaToken", "the LWA token endpoint answered 200 without an access token",
            status=200,
        ) from None


def _lwa_error_text(response: httpx.Response) -> str:
    """LWA's own error code and description; never echoes the request (it holds secrets)."""
    try:
        body = response.json()
        return f"{body.get('error', 'error')}: {body.get('error_description', '')}".strip(": ")
    except ValueError:
        return f"non-JSON answer from the LWA token endpoint ({len(response.content)} bytes)"
