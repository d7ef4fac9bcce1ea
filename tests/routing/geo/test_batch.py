from __future__ import annotations

from routing.geo import AddressLike, GeocoderChain, GeoPoint, Precision, geocode_batch
from tests.routing.geo.addresses import EMPIRE_STATE, SPACE_NEEDLE, address
from tests.routing.geo.scripted import ScriptedGeocoder, point


class ByCity(ScriptedGeocoder):
    """Fails for Boston, finds nothing in Nowhere, answers elsewhere."""

    def geocode(self, address: AddressLike, *, job_id: str | None = None) -> GeoPoint | None:
        self.fails = address.city == "Boston"
        self.answer = None if address.city == "Nowhere" else point(Precision.STREET, self.name)
        return super().geocode(address, job_id=job_id)


def test_failures_never_stop_the_batch_and_say_why() -> None:
    items = [
        ("a", SPACE_NEEDLE),
        ("b", address("1 Main St", city="Boston", state_or_region="MA")),
        ("c", address("2 Elm St", city="Nowhere", state_or_region="KS")),
        ("d", EMPIRE_STATE),
    ]
    geocoder = ByCity("bycity")
    progress: list[tuple[int, int]] = []
    result = geocode_batch(GeocoderChain([geocoder]), items,
                           progress=lambda done, total: progress.append((done, total)))
    assert progress == [(1, 4), (2, 4), (3, 4), (4, 4)]
    assert sorted(result.points) == ["a", "d"]
    assert set(result.failures) == {"b", "c"}
    assert "bycity is down" in result.failures["b"]
    assert "Not found by bycity" in result.failures["c"]
    assert "2 elm st nowhere ks us" in result.failures["c"]
    assert geocoder.calls == ["a", "b", "c", "d"]
    assert result.unreachable == {}
