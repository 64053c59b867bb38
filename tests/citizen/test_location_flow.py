"""A location shared with 📎 answers "where" through the fake Bot API: the regency it lies in,
to confirm; the regencies it may be in at a border or offshore; never a guess at sea."""

from __future__ import annotations

from collections.abc import Callable

from bot.application import AnyApplication
from sandbox.fake_users import FakeUser, buttons
from service.settings import Settings
from tests.helpers import answer, asks


async def to_place(user: FakeUser) -> None:
    await answer(user, "/lapor", "c")
    await answer(user, "!c:yes", "k")
    await answer(user, "!k:other", "d")
    await answer(user, "Camat memasang baliho calon di depan kantor kecamatan kemarin.", "p")
    await answer(user, "!p:asn", "pd")
    await answer(user, "!pd:^skip", "pv")


async def test_a_location_at_the_province_question_names_the_regency(
    bot: AnyApplication, people: Callable[..., FakeUser], settings: Settings
) -> None:
    user = people("id")
    await to_place(user)
    user.share_location(-6.1202, 106.1503)  # Alun-alun Serang
    asked = await user.expect("📍 Kota Serang, Banten — benar?")  # as Telegram shows it
    yes = next(data for _, data in buttons(asked) if data == "pv:36.73")
    user.press(asked, yes)
    await user.expect(asks("pl"))  # the regency is known: on to the exact place


async def test_a_location_at_the_regency_question_in_another_province_moves_there(
    bot: AnyApplication, people: Callable[..., FakeUser]
) -> None:
    user = people("id")
    await to_place(user)
    await answer(user, "bali", "rg")
    user.share_location(-7.9826, 112.6308)  # Alun-alun Malang
    asked = await user.expect("Kota Malang, Jawa Timur")
    user.press(asked, "rg:35.73")
    await user.expect(asks("pl"))


async def test_a_location_at_sea_is_not_guessed(
    bot: AnyApplication, people: Callable[..., FakeUser]
) -> None:
    user = people("id")
    await to_place(user)
    user.share_location(-5.5, 108.0)  # the Java Sea
    told = await user.expect("tidak berada di kabupaten/kota mana pun")
    assert told
    await answer(user, "banten", "rg")  # typing still works


async def test_a_location_near_an_island_offers_it(
    bot: AnyApplication, people: Callable[..., FakeUser]
) -> None:
    user = people("en")
    await answer(user, "/report", "c")
    await answer(user, "!c:yes", "k")
    await answer(user, "!k:other", "d")
    await answer(user, "The district head put up a candidate banner at the office.", "p")
    await answer(user, "!p:asn", "pd")
    await answer(user, "!pd:^skip", "pv")
    user.share_location(-5.7456, 106.6137)  # Pulau Pramuka, Kepulauan Seribu
    asked = await user.expect("Kepulauan Seribu")
    assert any(data == "pv:31.01" for _, data in buttons(asked))
