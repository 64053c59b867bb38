"""Logs carry ticket numbers and internal ids, never the token, names, phones, text or user ids."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator

import pytest

from bot.application import AnyApplication
from bot.botdata import SERVICES_KEY
from lapor.logs import RedactingFormatter, setup_logging
from sandbox.fake_api import FakeTelegram
from sandbox.fake_users import FakeUser
from service.services import Services
from storage import staff as staff_store
from tests.conftest import TOKEN
from tests.helpers import file_report, say, tap


@pytest.fixture(autouse=True)
def _restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)


async def test_nothing_personal_reaches_the_logs(
    bot: AnyApplication,
    fake: FakeTelegram,
    people: Callable[..., FakeUser],
    caplog: pytest.LogCaptureFixture,
) -> None:
    setup_logging("DEBUG", [TOKEN])  # the most talkative setting an operator can choose
    logging.getLogger().addHandler(caplog.handler)
    svc: Services = bot.bot_data[SERVICES_KEY]
    await staff_store.upsert(svc.db, 9901, "ombudsman", "", None, svc.now())
    user = people("id", "Siti Nurhaliza")
    ticket = await file_report(
        user,
        category="service_conditioning",
        person="asn",
        province="banten",
        regency="kota serang",
        public="yes",
        identity="confidential",
        name="Siti Nurhaliza",
        phone="081299998888",
        description="Rahasia sekali: Pak Lurah Darmawan menahan surat warga.",
        details="Darmawan, Lurah",
    )
    staff = FakeUser(fake, 9901, "Petugas", "id")
    await staff.expect(ticket)
    await say(staff, f"/kasus {ticket}", "Kategori:")
    await tap(staff, "➡️ Sedang diverifikasi", "Tulis catatan")
    await say(staff, "Catatan rahasia petugas", "Pelapor diberi tahu")
    await user.expect("Kabar laporan Anda")
    stranger = people("id", "Orang Asing")
    await say(stranger, "/kasus", "Perintah itu tidak dikenal")
    formatter = RedactingFormatter("%(name)s %(message)s", [TOKEN])
    text = "\n".join(formatter.format(r) for r in caplog.records)
    assert "case filed: ticket" in text and "staff command refused" in text
    for secret in (
        TOKEN,
        TOKEN.split(":")[1],
        "Siti",
        "Nurhaliza",
        "081299998888",
        "6281299998888",
        "Rahasia sekali",
        "Darmawan",
        "Catatan rahasia",
        str(user.user_id),
        str(stranger.user_id),
        "9901",
    ):
        assert secret not in text, secret


def test_the_token_is_redacted_even_when_a_library_logs_it() -> None:
    formatter = RedactingFormatter("%(message)s", [TOKEN])
    record = logging.LogRecord(
        "httpx",
        logging.INFO,
        __file__,
        1,
        "POST https://api.telegram.org/bot%s/getMe",
        (TOKEN,),
        None,
    )
    assert TOKEN not in formatter.format(record)
    assert "<redacted>" in formatter.format(record)
