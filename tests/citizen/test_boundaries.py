"""Which regency a location lies in: every regency has a boundary, known places fall where they
are, and borders and the sea are asked, never guessed."""

from __future__ import annotations

import math

import pytest

from conversations.boundaries import shipped_boundaries
from conversations.places import places


def test_every_regency_of_the_region_list_has_a_boundary() -> None:
    regencies = {r.code for p in places().provinces() for r in places().regencies_of(p.code)}
    assert len(regencies) == 514
    assert shipped_boundaries().codes() == regencies


@pytest.mark.parametrize(
    ("place", "lat", "lng", "code"),
    [
        ("Alun-alun Serang", -6.1202, 106.1503, "36.73"),
        ("Alun-alun Malang", -7.9826, 112.6308, "35.73"),
        ("Sabang", 5.8926, 95.3238, "11.72"),
        ("Merauke", -8.4932, 140.4018, "93.01"),
        ("Kota Bekasi", -6.2383, 106.9756, "32.75"),
        ("Cikarang, Kabupaten Bekasi", -6.2615, 107.1526, "32.16"),
        ("Kota Sorong (Papua Barat Daya)", -0.8762, 131.2558, "96.71"),
        ("Monas", -6.1754, 106.8272, "31.71"),
    ],
)
def test_a_known_place_falls_in_its_regency(place: str, lat: float, lng: float, code: str) -> None:
    found = shipped_boundaries().locate(lat, lng)
    assert found.sure == code, (place, found)


def test_the_sea_is_not_a_regency() -> None:
    found = shipped_boundaries().locate(-5.5, 108.0)  # the Java Sea, far from any coast
    assert found.inside is None and found.candidates == ()


def test_a_small_island_is_offered_from_the_nearest_coast() -> None:
    found = shipped_boundaries().locate(-5.7456, 106.6137)  # Pulau Pramuka, Kepulauan Seribu
    assert "31.01" in found.candidates and found.sure is None


def test_a_point_on_a_border_asks_between_the_two() -> None:
    boundaries = shipped_boundaries()
    # points of Kota Serang's boundary that Kabupaten Serang's boundary passes within 100 m
    ring = max(boundaries._rings["36.73"], key=lambda r: len(r.lats))
    scale = math.cos(math.radians(-6.12))
    shared = [
        (lat, lng)
        for lat, lng in zip(ring.lats, ring.lngs, strict=True)
        if boundaries._distance("36.04", lat, lng, scale, 100.0) <= 100.0
    ]
    assert len(shared) > 10, "Kota Serang and Kabupaten Serang share a land border"
    for lat, lng in shared:
        found = boundaries.locate(lat, lng)
        assert found.sure is None, found  # never guessed: the reporter is asked
        assert {"36.73", "36.04"} <= set(found.candidates), found
