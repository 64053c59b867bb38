"""Case list filters as staff type them: codes or names, either language, and a list of the valid
values when one cannot be read."""

from __future__ import annotations

import datetime as dt

import pytest

from conversations.casefilters import FilterError, Filters, parse_filters
from conversations.jurisdiction.engine import default_jurisdiction

TODAY = dt.date(2024, 11, 20)


def read(text: str) -> tuple[Filters, int]:
    result = parse_filters(text, default_jurisdiction(), TODAY)
    assert not isinstance(result, FilterError), result
    return result


def refused(text: str) -> FilterError:
    result = parse_filters(text, default_jurisdiction(), TODAY)
    assert isinstance(result, FilterError), result
    return result


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("prov=jabar", Filters(province="32")),
        ("prov=32", Filters(province="32")),
        ("provinsi=Jawa Barat", Filters(province="32")),
        ("prov=DKI", Filters(province="31")),
        ("kab=kota bandung", Filters(regency="32.73")),
        ("kab=32.73", Filters(regency="32.73")),
        ("prov=banten kab=kab serang", Filters(province="36", regency="36.04")),
        ("prov=banten kab=serang kota", Filters(province="36", regency="36.73")),
        ("kat=layanan", Filters(category="service_conditioning")),
        ("cat=State facilities", Filters(category="state_facilities")),
        ("kat=fasilitas", Filters(category="state_facilities")),
        ("status=diterima", Filters(status="diterima")),
        ("status=Sedang diverifikasi", Filters(status="diverifikasi")),
        ("status=closed", Filters(status="selesai")),
        ("status=dirujuk", Filters(status="dirujuk")),
        ("badan=bkn", Filters(agency="bkn")),
        ("badan=Inspek", Filters(agency="inspektorat")),
        ("dari=2024-11-01", Filters(since=dt.date(2024, 11, 1))),
        ("dari=kemarin", Filters(since=dt.date(2024, 11, 19))),
        ("sampai=1 nov 2024", Filters(until=dt.date(2024, 11, 1))),
    ],
)
def test_values_are_read_by_code_or_name(text: str, expected: Filters) -> None:
    assert read(text) == (expected, 1)


def test_page_and_several_filters_together() -> None:
    filters, page = read("status=diterima prov=jawa barat kab=kota bandung dari=2024-11-01 hal=3")
    assert page == 3
    assert filters == Filters(
        status="diterima", province="32", regency="32.73", since=dt.date(2024, 11, 1)
    )


def test_unknown_key_lists_the_keys() -> None:
    error = refused("warna=merah")
    assert error.word == "warna=merah"
    assert {"status", "prov", "kab", "kat", "dari", "hal"} <= set(error.choices)


def test_unknown_status_lists_the_statuses() -> None:
    error = refused("status=hilang")
    assert error.word == "status=hilang"
    assert "diterima" in error.choices and "dirujuk" in error.choices


def test_unknown_category_and_body_list_theirs() -> None:
    assert "service_conditioning" in refused("kat=korupsi").choices
    assert "ombudsman" in refused("badan=kpk").choices


def test_ambiguous_regency_offers_the_candidates() -> None:
    error = refused("kab=serang")
    assert {"Kabupaten Serang", "Kota Serang"} <= set(error.choices)


def test_misspelt_place_offers_the_near_names() -> None:
    assert refused("kab=kota bandong").choices == ("Kota Bandung",)


def test_bad_words_are_refused() -> None:
    assert refused("diterima").word == "diterima"
    assert refused("hal=dua").word == "hal=dua"
    assert refused("dari=kapan-kapan").word == "dari=kapan-kapan"
    assert refused("status=").word == "status="
