"""The web console in a real browser: headless Chromium (Debian's package) driven by Playwright,
signing in through a /web link from the bot, filtering, opening a case, changing its status
(the reporter is notified through the fake Bot API), forwarding, exporting; another scope, a
replayed or expired link and a forged form refused; the public statistics.

Skipped, loudly, when no Chromium is installed (`make test` says so too; `.ci/run` installs it).
Set LAPOR_SCREENSHOTS=docs to refresh the screenshots in docs/.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import os
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.botdata import SERVICES_KEY
from service.services import Services
from storage import casequeries
from tests.console import (
    BALI_OMBUDSMAN,
    BANTEN_OMBUDSMAN,
    BAWASLU_NATIONAL,
    Console,
    login_link,
)
from tests.helpers import add, file_report
from tests.paths import ROOT

CHROMIUM = (
    os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
)
SHOTS = os.environ.get("LAPOR_SCREENSHOTS") == "docs"

pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="NO CHROMIUM: the web console's browser tests did not run (apt-get install chromium)",
)

if CHROMIUM is not None:
    from playwright.async_api import Browser, Page, async_playwright


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    """Headless Chromium, without the background traffic this closed network refuses."""
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
            ],
        )  # fmt: skip
        yield launched
        await launched.close()


async def signed_in_page(browser: Browser, console: Console, user_id: int) -> Page:
    """A new browser (own cookies) signed in through a link the bot sent to `user_id`."""
    context = await browser.new_context(
        viewport={"width": 1280, "height": 900}, accept_downloads=True, locale="id-ID"
    )
    page = await context.new_page()
    await page.goto(await login_link(console.user(user_id)))
    await page.click("#login")
    await page.wait_for_url(console.url + "/")
    return page


SCREENSHOT_REPORTS = [
    ("political_expression", "jawa barat", "kota bandung"),
    ("state_facilities", "jawa barat", "kab bogor"),
    ("campaign_role", "jawa tengah", "kota semarang"),
    ("service_conditioning", "jawa timur", "kota surabaya"),
    ("political_expression", "sumatera utara", "kota medan"),
    ("mobilisation", "sulawesi selatan", "kota makassar"),
    ("state_facilities", "banten", "kab lebak"),
    ("political_expression", "dki jakarta", "jakarta selatan"),
    ("campaign_role", "jawa barat", "kota bekasi"),
]


async def test_staff_work_a_case_in_the_browser(browser: Browser, console: Console) -> None:
    inspectorate = console.user(8404)
    await add(console.app, inspectorate.user_id, "inspektorat", "36")
    filed = 2
    if SHOTS:  # a dashboard with something on it
        for category, province, regency in SCREENSHOT_REPORTS:
            await file_report(
                console.reporter, category=category, person="asn", province=province,
                regency=regency,
            )  # fmt: skip
        filed += len(SCREENSHOT_REPORTS)
    page = await signed_in_page(browser, console, BAWASLU_NATIONAL)
    assert "Ringkasan laporan — nasional" in await page.inner_text("h1")
    assert f"Jumlah\t{filed}" in await page.inner_text("#by-status")
    assert await page.locator("#map rect").count() == 38  # every province has its square
    if SHOTS:
        await page.screenshot(path=str(ROOT / "docs" / "console-dashboard.png"), full_page=True)

    # filter by names, as in the chat
    await page.click("text=Laporan")
    await page.fill("input[name=prov]", "banten")
    await page.fill("input[name=kab]", "kota serang")
    await page.click("#apply")
    table = await page.inner_text("#cases")
    assert console.banten in table and console.bali not in table
    assert "1 laporan" in await page.inner_text("#count")

    # open the case: the open reporter's identity, the evidence photo shown inline
    await page.click(f"text={console.banten}")
    assert "Siti Aminah" in await page.inner_text("#detail")
    shown = page.locator("#evidence img").first
    await shown.wait_for()
    assert await shown.evaluate("img => img.naturalWidth") > 0
    if SHOTS:
        await page.screenshot(path=str(ROOT / "docs" / "console-case.png"), full_page=True)

    # change the status with a public note: the reporter hears of it in Telegram
    await page.select_option("#status-form select[name=status]", "diverifikasi")
    await page.fill("#status-form textarea[name=note]", "Kami periksa minggu ini.")
    await page.click("#status-form button")
    assert "Status sudah diubah" in await page.inner_text("#done")
    notified = await console.reporter.expect(f"Nomor tiket: {console.banten}")
    assert "Kami periksa minggu ini." in str(notified["text"])
    assert "Kami periksa minggu ini." in await page.inner_text("#history")

    # forward: asked first, then the inspectorate is alerted
    await page.select_option("#forward-form select[name=agency]", "inspektorat")
    await page.click("#forward-form button")
    assert "Inspektorat Kota Serang" in await page.inner_text("#question")
    await page.click("#confirm")
    assert "diteruskan" in await page.inner_text("#done")
    await inspectorate.expect(console.banten)

    # export the filtered list
    await page.goto(console.url + "/cases?prov=banten&kab=kota+serang")
    async with page.expect_download() as download_info:
        await page.click("#export")
    download = await download_info.value
    data = Path(await download.path()).read_bytes().decode("utf-8-sig")
    table_rows = list(csv.DictReader(io.StringIO(data)))
    assert [r["ticket"] for r in table_rows] == [console.banten]
    assert table_rows[0]["status"] == "diverifikasi"


async def test_what_the_browser_must_refuse(browser: Browser, console: Console) -> None:
    # staff of another scope: 404, the same page as for a ticket that does not exist
    page = await signed_in_page(browser, console, BALI_OMBUDSMAN)
    other = await page.goto(console.url + f"/cases/{console.banten}")
    assert other is not None and other.status == 404
    other_text = await other.text()
    missing = await page.goto(console.url + "/cases/LN-0000-0000-0000")
    assert missing is not None and missing.status == 404
    assert other_text == await missing.text() and console.banten not in other_text

    # a forged form: the session cookie goes with it, the form token does not
    forged = await page.context.request.post(
        console.url + f"/cases/{console.bali}/status",
        form={"status": "diverifikasi", "visibility": "public"},
        max_redirects=0,
    )
    assert forged.status == 403
    svc: Services = console.app.bot_data[SERVICES_KEY]
    case = await casequeries.by_ticket(
        svc.db, console.bali, None, svc.jurisdiction.visibility, svc.cipher
    )
    assert case is not None and case.status == "diterima"

    # a replayed link and an expired one
    link = await login_link(console.user(BANTEN_OMBUDSMAN))
    first = await browser.new_page(locale="id-ID")
    await first.goto(link)
    await first.click("#login")
    await first.wait_for_url(console.url + "/")
    replay = await browser.new_page(locale="id-ID")
    await replay.goto(link)
    async with replay.expect_response(lambda r: r.url.endswith("/login")) as posted:
        await replay.click("#login")
    assert (await posted.value).status == 403
    assert "sudah dipakai" in await replay.inner_text("#message")
    late_link = await login_link(console.user(BANTEN_OMBUDSMAN))
    console.clock.now = console.clock.now + dt.timedelta(minutes=11)
    late = await browser.new_page(locale="id-ID")
    await late.goto(late_link)
    async with late.expect_response(lambda r: r.url.endswith("/login")) as posted:
        await late.click("#login")
    assert (await posted.value).status == 403


async def test_public_statistics_in_the_browser(browser: Browser, console: Console) -> None:
    console.clock.now = console.clock.now + dt.timedelta(days=7)  # the cases' week is over
    page = await browser.new_page(locale="id-ID")
    answer = await page.goto(console.url + "/stats")
    assert answer is not None and answer.status == 200
    assert "<5" in await page.inner_text("#stats-province")
    assert console.banten not in await page.content()
    await page.click("text=English")
    assert "By province" in await page.inner_text("main")
