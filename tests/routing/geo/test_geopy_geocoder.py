from __future__ import annotations

from typing import Any

import pytest

from routing.geo import (
    GeocodingError,
    GeoError,
    GeopyGeocoder,
    LocalSlots,
    Precision,
    ProviderUnreachableError,
)
from tests.routing.geo.addresses import SPACE_NEEDLE, address
from tests.routing.geo.scripted_server import Reply, ScriptedServer


def place(
    lat: float, lon: float, *, place_rank: int = 30, addresstype: str = "building",
    category: str = "building", kind: str = "yes",
) -> dict[str, Any]:
    """A Nominatim ``/search?format=json`` result (``category``/``kind``: its class/type)."""
    return {
        "place_id": 1, "licence": "Data © OpenStreetMap contributors, ODbL 1.0",
        "osm_type": "way", "osm_id": 2, "lat": f"{lat}", "lon": f"{lon}",
        "class": category, "type": kind, "place_rank": place_rank, "importance": 0.4,
        "addresstype": addresstype, "name": "", "display_name": "somewhere",
        "boundingbox": [f"{lat - 0.001}", f"{lat + 0.001}", f"{lon - 0.001}", f"{lon + 0.001}"],
    }


def nominatim_geocoder(
    server: ScriptedServer, waits: list[float], **kwargs: object
) -> GeopyGeocoder:
    settings: dict[str, object] = {"min_delay": 0.0, "timeout": 5, "retries": 2, **kwargs}
    return GeopyGeocoder(
        "nominatim",
        options={"domain": server.domain, "scheme": "http"},
        sleep=waits.append,
        **settings,  # type: ignore[arg-type]
    )


def test_found_address_gives_a_point_with_the_precision_nominatim_reports(
    nominatim: ScriptedServer,
) -> None:
    nominatim.default = Reply(body=[place(47.6205, -122.3493, place_rank=30)])
    point = nominatim_geocoder(nominatim, []).geocode(SPACE_NEEDLE)
    assert point is not None
    assert (point.lat, point.lon) == (47.6205, -122.3493)
    assert point.precision is Precision.ROOFTOP
    assert point.source == "nominatim"


def test_query_is_structured_and_identifies_the_client(nominatim: ScriptedServer) -> None:
    nominatim.default = Reply(body=[place(
        47.6, -122.3, place_rank=26, addresstype="road", category="highway", kind="residential"
    )])
    suite = address("400 Broad St", "Suite 5", city="Seattle", state_or_region="WA",
                  postal_code="98109")
    point = nominatim_geocoder(nominatim, []).geocode(suite)
    assert point is not None and point.precision is Precision.STREET
    (path, params, user_agent), = nominatim.requests
    assert path == "/search"
    assert params["street"] == ["400 Broad St"]
    assert params["city"] == ["Seattle"]
    assert params["state"] == ["WA"]
    assert params["postalcode"] == ["98109"]
    assert params["countrycodes"] == ["us"]
    assert "q" not in params
    assert user_agent.startswith("routeplan/")


def test_empty_result_is_not_found(nominatim: ScriptedServer) -> None:
    nominatim.default = Reply(body=[])
    assert nominatim_geocoder(nominatim, []).geocode(SPACE_NEEDLE) is None
    assert len(nominatim.requests) == 1


def test_429_waits_for_retry_after_then_succeeds(nominatim: ScriptedServer) -> None:
    nominatim.replies = [Reply(429, {"error": "slow down"}, {"Retry-After": "3"})]
    nominatim.default = Reply(body=[place(47.62, -122.35)])
    waits: list[float] = []
    point = nominatim_geocoder(nominatim, waits).geocode(SPACE_NEEDLE)
    assert point is not None and point.lat == 47.62
    assert waits == [3.0]
    assert len(nominatim.requests) == 2


def test_429_asking_for_too_long_a_wait_fails_at_once(nominatim: ScriptedServer) -> None:
    nominatim.default = Reply(429, {"error": "quota"}, {"Retry-After": "3600"})
    waits: list[float] = []
    with pytest.raises(GeocodingError, match=r"rate-limited.*retry after 3600"):
        nominatim_geocoder(nominatim, waits, max_retry_wait=60).geocode(SPACE_NEEDLE)
    assert waits == []
    assert len(nominatim.requests) == 1


def test_500_is_retried_with_backoff_then_reported(nominatim: ScriptedServer) -> None:
    nominatim.default = Reply(500, {"error": "boom"})
    waits: list[float] = []
    with pytest.raises(GeocodingError, match="nominatim"):
        nominatim_geocoder(nominatim, waits, retries=2, retry_wait=0.5).geocode(SPACE_NEEDLE)
    assert waits == [0.5, 1.0]
    assert len(nominatim.requests) == 3


def test_500_then_success_recovers(nominatim: ScriptedServer) -> None:
    nominatim.replies = [Reply(500, {"error": "boom"})]
    nominatim.default = Reply(body=[place(47.62, -122.35)])
    waits: list[float] = []
    point = nominatim_geocoder(nominatim, waits).geocode(SPACE_NEEDLE)
    assert point is not None and point.lat == 47.62
    assert len(nominatim.requests) == 2 and len(waits) == 1  # one 500, one retry


def test_timeout_is_a_geocoding_error(nominatim: ScriptedServer) -> None:
    nominatim.default = Reply(body=[place(47.62, -122.35)], delay=1.5)
    with pytest.raises(GeocodingError, match="did not answer in time"):
        nominatim_geocoder(nominatim, [], timeout=0.3, retries=0).geocode(SPACE_NEEDLE)


def test_bad_answer_is_a_geocoding_error(nominatim: ScriptedServer) -> None:
    nominatim.default = Reply(body=[{"lat": "north", "lon": "west"}])
    with pytest.raises(GeocodingError):
        nominatim_geocoder(nominatim, []).geocode(SPACE_NEEDLE)


def test_unknown_provider_and_bad_option_are_clear_errors() -> None:
    with pytest.raises(GeoError, match="unknown geopy geocoder"):
        GeopyGeocoder("no-such-service")
    with pytest.raises(GeoError, match="cannot configure") as caught:
        GeopyGeocoder("nominatim", options={"colour": "s3cr3t"})
    assert "s3cr3t" not in str(caught.value)


def test_api_keys_stay_out_of_errors_and_repr() -> None:
    # Nothing listens on port 9 of loopback: the connection error quotes the URL with the key.
    google = GeopyGeocoder(
        "googlev3", options={"api_key": "AIzaSECRET", "domain": "127.0.0.1:9", "scheme": "http"},
        min_delay=0.0, timeout=2, retries=0,
    )
    assert "AIzaSECRET" not in repr(google)
    with pytest.raises(GeocodingError) as caught:
        google.geocode(SPACE_NEEDLE)
    assert "AIzaSECRET" not in str(caught.value)


def test_google_gets_one_line_with_country_and_postal_components(nominatim: ScriptedServer) -> None:
    google_server = nominatim  # any scripted server: it only needs to answer Google's shape
    google_server.default = Reply(body={"status": "OK", "results": [{
        "formatted_address": "400 Broad St, Seattle, WA 98109, USA",
        "geometry": {"location": {"lat": 47.6205, "lng": -122.3493}, "location_type": "ROOFTOP"},
        "types": ["premise"],
    }]})
    google = GeopyGeocoder(
        "googlev3", options={"api_key": "k", "domain": google_server.domain, "scheme": "http"},
        min_delay=0.0,
    )
    point = google.geocode(SPACE_NEEDLE)
    assert point is not None and point.precision is Precision.ROOFTOP
    assert point.source == "googlev3"
    (_, params, _), = google_server.requests
    assert params["address"] == ["400 Broad St, Seattle, WA, 98109, US"]
    assert sorted(params["components"][0].split("|")) == ["country:US", "postal_code:98109"]


# -- the circuit breaker -------------------------------------------------------------------


def test_a_refused_provider_is_given_up_on_within_seconds(closed_port: int) -> None:
    now, waits = [0.0], []

    def sleep(seconds: float) -> None:  # the clock the rate limit reads moves with the waits
        waits.append(seconds)
        now[0] += seconds

    down = GeopyGeocoder("nominatim", options={"domain": f"127.0.0.1:{closed_port}",
                                               "scheme": "http"},
                         slots=LocalSlots(clock=lambda: now[0]), sleep=sleep)
    with pytest.raises(ProviderUnreachableError) as first:
        down.geocode(SPACE_NEEDLE)
    assert str(first.value).startswith("provider nominatim unreachable")
    assert "Connection refused" in str(first.value)
    # With the defaults: 3 attempts, 1 s and 2 s apart (geopy's RateLimiter is not involved:
    # its own retries would add error_wait_seconds=5 per attempt).
    assert waits == [1.0, 2.0]
    assert set(down.unreachable) == {"nominatim"}
    with pytest.raises(ProviderUnreachableError):
        down.geocode(SPACE_NEEDLE)
    assert waits == [1.0, 2.0]  # not asked again, no more waiting


def test_the_breaker_counts_attempts_across_addresses(nominatim: ScriptedServer) -> None:
    nominatim.default = Reply(500, {"error": "boom"})
    geocoder = nominatim_geocoder(nominatim, [], retries=1, max_failures=3)
    with pytest.raises(GeocodingError) as first:
        geocoder.geocode(SPACE_NEEDLE)
    assert not isinstance(first.value, ProviderUnreachableError)
    with pytest.raises(ProviderUnreachableError, match="3 failures in a row"):
        geocoder.geocode(SPACE_NEEDLE)  # its first attempt is the third failure
    with pytest.raises(ProviderUnreachableError):
        geocoder.geocode(SPACE_NEEDLE)
    assert len(nominatim.requests) == 3


def test_any_answer_resets_the_count(nominatim: ScriptedServer) -> None:
    nominatim.replies = [Reply(500), Reply(500), Reply(body=[]), Reply(500), Reply(500)]
    geocoder = nominatim_geocoder(nominatim, [], retries=0, max_failures=3)
    outcomes = []
    for _ in range(5):
        try:
            outcomes.append(geocoder.geocode(SPACE_NEEDLE))
        except GeocodingError as error:
            outcomes.append(type(error).__name__)
    assert outcomes == ["GeocodingError", "GeocodingError", None,
                        "GeocodingError", "GeocodingError"]
    assert geocoder.unreachable == {}


@pytest.mark.parametrize(
    ("reply", "transport"),
    [
        (Reply(500), True), (Reply(502), True), (Reply(503), True), (Reply(504), True),
        (Reply(body=[], delay=0.6), True),  # a timeout
        (Reply(429, headers={"Retry-After": "3600"}), False),  # there, and saying "slow down"
        (Reply(400), False), (Reply(401), False), (Reply(403), False), (Reply(404), False),
        (Reply(body=[{"lat": "north"}]), False),  # an unreadable answer is still an answer
    ],
)
def test_only_transport_failures_open_the_breaker(
    nominatim: ScriptedServer, reply: Reply, transport: bool
) -> None:
    nominatim.default = reply
    geocoder = nominatim_geocoder(nominatim, [], retries=0, max_failures=1, timeout=0.2)
    with pytest.raises(GeocodingError) as caught:
        geocoder.geocode(SPACE_NEEDLE)
    assert isinstance(caught.value, ProviderUnreachableError) is transport
    assert bool(geocoder.unreachable) is transport


def test_a_404_is_not_retried(nominatim: ScriptedServer) -> None:
    nominatim.default = Reply(404, {"error": "no such path"})
    with pytest.raises(GeocodingError):
        nominatim_geocoder(nominatim, [], retries=2).geocode(SPACE_NEEDLE)
    assert len(nominatim.requests) == 1


def test_calls_are_spaced_by_min_delay() -> None:
    class Slots:
        def __init__(self) -> None:
            self.asked: list[tuple[str, float]] = []

        def reserve(self, provider: str, min_delay: float) -> float:
            self.asked.append((provider, min_delay))
            return 0.75

    slots, waits = Slots(), []
    geocoder = GeopyGeocoder("nominatim", options={"domain": "127.0.0.1:9", "scheme": "http"},
                             min_delay=1.5, retries=0, slots=slots, sleep=waits.append,
                             name="self-hosted")
    with pytest.raises(GeocodingError):
        geocoder.geocode(SPACE_NEEDLE)
    assert slots.asked == [("self-hosted", 1.5)]
    assert waits == [0.75]
