"""The place matcher with inputs people really type."""

from __future__ import annotations

import re
import tomllib

import pytest

from conversations.places import (
    PlaceAnswer,
    Places,
    PlacesError,
    Region,
    edit_distance,
    normalize,
    number_words,
    places,
    province_answer,
    regency_answer,
)
from tests.paths import DATA, ROOT

PLACES = places()


def test_the_official_list_is_complete() -> None:
    assert len(PLACES.provinces()) == 38
    assert len(PLACES.all()) == 552
    assert sum(1 for r in PLACES.all() if r.level == "city") == 98


@pytest.mark.parametrize("region", PLACES.all(), ids=lambda r: r.code)
def test_every_official_name_round_trips(region: Region) -> None:
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


# ------------------------------------------------------------------ places as people type them
PHRASINGS = tomllib.loads((DATA / "place_phrasings.toml").read_text())


def describe(answer: PlaceAnswer) -> str:
    """An answer in the table's words."""
    if answer.sure is not None:
        return ("moved:" if answer.moved else "") + answer.sure.code
    codes = ",".join(r.code for r in answer.offer)
    if not answer.offer:
        return "none"
    if answer.guessed:
        return f"guess:{codes}"
    return f"confirm:{codes}" if len(answer.offer) == 1 else f"ask:{codes}"


def test_the_phrasing_table_is_broad() -> None:
    assert len(PHRASINGS["province"]) + len(PHRASINGS["regency"]) >= 400
    provinces = {want for _, want in PHRASINGS["province"] if want.isdigit()}
    assert provinces == {r.code for r in PLACES.provinces()}  # every province, some way


@pytest.mark.parametrize(("typed", "want"), PHRASINGS["province"], ids=lambda v: str(v))
def test_at_the_province_question(typed: str, want: str) -> None:
    assert describe(province_answer(PLACES, typed)) == want


@pytest.mark.parametrize(("province", "typed", "want"), PHRASINGS["regency"], ids=str)
def test_at_the_regency_question(province: str, typed: str, want: str) -> None:
    assert describe(regency_answer(PLACES, typed, province)) == want


def test_twins_are_always_asked() -> None:
    """Every name a Kota and a Kabupaten share is asked, never guessed, wherever it is typed."""
    twins = 0
    for province in PLACES.provinces():
        regencies = PLACES.regencies_of(province.code)
        bases = {}
        for region in regencies:
            bases.setdefault(region.name.split(" ", 1)[1], []).append(region.code)
        for base, codes in bases.items():
            if len(codes) == 2:
                twins += 1
                answer = regency_answer(PLACES, base, province.code)
                assert answer.sure is None and sorted(r.code for r in answer.offer) == codes
                assert not answer.guessed
    assert twins >= 20


def test_aliases_have_one_meaning_per_province_and_hide_no_official_name() -> None:
    count = 0
    for group in ("province", "regency"):
        for alias, codes in PLACES.aliases[group].items():
            count += 1
            regions = [PLACES.get(code) for code in codes]
            by_province: dict[str, set[str]] = {}
            for region in regions:
                base = region.name.split(" ", 1)[-1] if not region.is_province else region.name
                by_province.setdefault(region.province_code, set()).add(base)
            # several places in one province only when they are a Kota/Kabupaten pair
            assert all(len(bases) == 1 for bases in by_province.values()), alias
            for key in normalize(alias), normalize(alias).replace(" ", ""):
                official = PLACES.official_keys[group].get(key)
                assert official is None or official <= codes, (alias, official)
    assert count >= 300


@pytest.mark.parametrize(
    ("aliases", "message"),
    [
        ({"xx": "Kota Atlantis"}, "'xx' names unknown 'Kota Atlantis'"),
        ({"toraja": ["Kabupaten Tana Toraja", "Kabupaten Toraja Utara"]}, "means 2 places"),
        ({"serang": "Kota Serang"}, "'serang' hides the official name of ['36.04']"),
    ],
)
def test_a_bad_alias_stops_start_up_with_one_line(aliases: dict[str, object], message: str) -> None:
    with pytest.raises(PlacesError, match=re.escape(message)) as caught:
        Places(PLACES.all(), {"regencies": aliases})
    assert "\n" not in str(caught.value)


def test_normalisation_of_what_people_type() -> None:
    assert normalize("D.I. Yogyakarta") == "di yogyakarta"
    assert normalize("N.T.B.") == "ntb"
    assert normalize("Kab. TTS") == "kab tts"
    assert number_words(50) == "lima puluh" and number_words(4) == "empat"
    assert number_words(12) == "dua belas" and number_words(11) == "sebelas"


def test_the_district_list_is_complete_and_lies_in_known_regencies() -> None:
    data = ROOT / "conversations" / "data"
    rows = (data / "districts.csv").read_text("utf-8").splitlines()
    assert rows[0] == "code,name,regency_code" and len(rows) - 1 == 7285
    regencies = {r.code for r in PLACES.all() if not r.is_province}
    assert {row.split(",")[2] for row in rows[1:]} == regencies  # every regency has districts
    with pytest.raises(PlacesError, match="lies in no known regency"):
        from conversations.places import District

        Places(PLACES.all(), {}, [District("99.99.01", "Nowhere", "99.99")])


def names(answer: PlaceAnswer) -> tuple[str | None, set[str]]:
    return (answer.sure.name if answer.sure else None), {r.name for r in answer.offer}


@pytest.mark.parametrize(
    ("typed", "sure", "offered"),
    [
        ("kota serang banten", "Kota Serang", set()),
        ("kota serang, banten", "Kota Serang", set()),
        ("Kab. Serang - Banten", "Kabupaten Serang", set()),
        ("kota malang jawa timur", "Kota Malang", set()),
        ("denpasar bali", "Kota Denpasar", set()),
        ("serang banten", None, {"Kota Serang", "Kabupaten Serang"}),  # both are in Banten
        ("malang jatim", None, {"Kota Malang", "Kabupaten Malang"}),
        ("di kec. ciruas serang", None, {"Kabupaten Serang"}),
        ("kecamatan ciruas", None, {"Kabupaten Serang"}),
        ("ciruas", None, {"Kabupaten Serang"}),
        ("kec. kramatwatu kab serang", None, {"Kabupaten Serang"}),
        ("distrik abepura", None, {"Kota Jayapura"}),
    ],
)
def test_a_place_with_its_province_or_a_district(
    typed: str, sure: str | None, offered: set[str]
) -> None:
    assert names(province_answer(PLACES, typed)) == (sure, offered)


def test_a_district_name_several_regencies_share_is_asked() -> None:
    _, offered = names(province_answer(PLACES, "kecamatan karanganyar"))
    assert len(offered) == 6 and "Kabupaten Karanganyar" in offered
    # with the regency after it, the one meant
    assert names(province_answer(PLACES, "kec karanganyar kebumen")) == (
        None,
        {"Kabupaten Kebumen"},
    )


def test_at_the_regency_question_a_district_or_a_place_with_its_province() -> None:
    assert names(regency_answer(PLACES, "ciruas", "36")) == (None, {"Kabupaten Serang"})
    assert names(regency_answer(PLACES, "kota serang banten", "36")) == ("Kota Serang", set())
    moved = regency_answer(PLACES, "denpasar bali", "36")
    assert names(moved) == ("Kota Denpasar", set()) and moved.moved
