"""The place matcher with inputs people really type."""

from __future__ import annotations

import pytest

from conversations.places import edit_distance, normalize, places

PLACES = places()


def test_the_official_list_is_complete() -> None:
    assert len(PLACES.provinces()) == 38
    assert len(PLACES.all()) == 552
    assert sum(1 for r in PLACES.all() if r.level == "city") == 98


@pytest.mark.parametrize("region", PLACES.all(), ids=lambda r: r.code)
def test_every_official_name_round_trips(region: object) -> None:
    from conversations.places import Region

    assert isinstance(region, Region)
    if region.is_province:
        match = PLACES.match_province(region.name)
    else:
        match = PLACES.match_regency(region.name)
    assert match.region == region
    assert match.exact


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("jatim", "35"),
        ("JABAR", "32"),
        ("Jawa  timur", "35"),
        ("jawa-tengah", "33"),
        ("DKI", "31"),
        ("Jakarta", "31"),
        ("dki jakarta", "31"),
        ("DIY", "34"),
        ("Jogja", "34"),
        ("Yogyakarta", "34"),
        ("NTB", "52"),
        ("ntt", "53"),
        ("Sulsel", "73"),
        ("Babel", "19"),
        ("kepri", "21"),
        ("Prov. Banten", "36"),
        ("provinsi bali", "51"),
        ("Papua Barat Daya", "96"),
    ],
)
def test_province_short_forms(typed: str, code: str) -> None:
    match = PLACES.match_province(typed)
    assert match.region is not None and match.region.code == code


@pytest.mark.parametrize(
    ("typed", "province", "code"),
    [
        ("kota serang", None, "36.73"),
        ("Kab. Serang", None, "36.04"),
        ("kab serang", None, "36.04"),
        ("Kabupaten Serang", "36", "36.04"),
        ("kodya bandung", None, "32.73"),
        ("Kotamadya Surabaya", None, "35.78"),
        ("surabaya", None, "35.78"),
        ("jaksel", None, "31.74"),
        ("Jakarta Selatan", None, "31.74"),
        ("solo", None, "33.72"),
        ("sleman", "34", "34.04"),
        ("Kota Administrasi Jakarta Pusat", None, "31.71"),
        ("Kep. Seribu", None, "31.01"),
        ("denpasar", "51", "51.71"),
        ("GUNUNGKIDUL", None, "34.03"),
    ],
)
def test_regency_names(typed: str, province: str | None, code: str) -> None:
    match = PLACES.match_regency(typed, province)
    assert match.region is not None, match.candidates
    assert match.region.code == code


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("Surabya", "35.78"),
        ("surabaja", "35.78"),
        ("Denpasr", "51.71"),
        ("makasar", "73.71"),
        ("Yogyakrta", "34.71"),
        ("Bayuwangi", "35.10"),
    ],
)
def test_typos_find_the_place_but_say_it_was_not_exact(typed: str, code: str) -> None:
    match = PLACES.match_regency(typed)
    assert match.region is not None and match.region.code == code
    assert not match.exact


def test_province_typo() -> None:
    match = PLACES.match_province("jawa timr")
    assert match.region is not None and match.region.code == "35" and not match.exact


@pytest.mark.parametrize(
    ("typed", "codes"),
    [
        ("Serang", {"36.04", "36.73"}),
        ("bandung", {"32.04", "32.73"}),
        ("Bogor", {"32.01", "32.71"}),
        ("bekasi", {"32.16", "32.75"}),
        ("Kupang", {"53.01", "53.71"}),
    ],
)
def test_ambiguous_names_return_candidates(typed: str, codes: set[str]) -> None:
    match = PLACES.match_regency(typed)
    assert match.region is None
    assert {r.code for r in match.candidates} == codes


def test_province_narrows_an_ambiguous_name() -> None:
    assert {r.code for r in PLACES.match_regency("serang", "36").candidates} == {"36.04", "36.73"}
    assert PLACES.match_regency("kota serang", "36").region is not None
    assert PLACES.match_regency("serang", "51").region is None  # not in Bali


def test_nonsense_matches_nothing() -> None:
    assert PLACES.match_regency("qwertyuiop").candidates == ()
    assert PLACES.match_province("").region is None
    assert PLACES.match_province("xx").region is None


def test_helpers() -> None:
    assert normalize("  Kab.  Aceh-Besar ") == "kab aceh besar"
    assert normalize("Bé  Jó") == "be jo"
    assert edit_distance("surabaya", "surabaja", 2) == 1
    assert edit_distance("ab", "ba", 1) == 1
    assert edit_distance("abc", "xyzabc", 1) == 2
