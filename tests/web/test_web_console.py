"""The web console over real HTTP, beside the bot running on the fake Bot API: sign-in links,
sessions, scope, CSRF, actions that reach the reporter, export, staff admin, public stats."""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
import io
import re
import socket
from collections.abc import Callable

import aiohttp
import pytest

from lapor.runtime import running
from sandbox.fake_api import FakeTelegram
from sandbox.fake_users import FakeUser
from service.settings import Settings
from tests.conftest import ADMIN_ID, Clock, make_app
from tests.console import (
    BALI_OMBUDSMAN,
    BANTEN_OMBUDSMAN,
    BAWASLU_NATIONAL,
    Console,
    browser_session,
    csrf_of,
    login_link,
    sign_in,
)
from tests.helpers import add, file_report, rows, say
from web.figures import Recent


async def signed_in(console: Console, user_id: int) -> aiohttp.ClientSession:
    session = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
    answer = await sign_in(session, await login_link(console.user(user_id)))
    assert answer.status == 303 and answer.location == "/"
    return session


async def text_of(session: aiohttp.ClientSession, url: str, status: int = 200) -> str:
    async with session.get(url, allow_redirects=False) as page:
        body = await page.text()
        assert page.status == status, (page.status, body[:300])
        return body


async def test_a_login_link_works_once_and_for_ten_minutes(console: Console) -> None:
    staff = console.user(BANTEN_OMBUDSMAN)
    link = await login_link(staff)
    assert link.startswith(console.url + "/login/")
    assert len(link.rsplit("/", 1)[1]) >= 43  # 32 random bytes, url-safe base64
    async with browser_session() as browser:
        first = await sign_in(browser, link)
        assert first.status == 303
        cookie = first.cookie
        assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
        dashboard = await text_of(browser, console.url + "/")
        assert "Ringkasan laporan — Banten" in dashboard
    async with browser_session() as replay:
        again = await sign_in(replay, link)
        assert again.status == 403 and "sudah dipakai" in again.text and not again.cookie
        assert "Silakan masuk" in await text_of(replay, console.url + "/", 401)
    # another site's page cannot sign this browser in (login CSRF), and does not spend the link
    other = await login_link(staff)
    async with browser_session() as lured:
        refused = await sign_in(lured, other, origin="https://evil.example")
        assert refused.status == 403 and not refused.cookie
    async with browser_session() as browser:
        assert (await sign_in(browser, other)).status == 303
    later = await login_link(staff)
    console.clock.now = console.clock.now + dt.timedelta(minutes=11)
    async with browser_session() as late:
        assert (await sign_in(late, later)).status == 403
        assert "Silakan masuk" in await text_of(late, console.url + "/", 401)
    # the database keeps hashes only: the link's secret is not in it
    stored = await rows(console.settings, "SELECT token_hash FROM web_login_links")
    assert stored and all(link.rsplit("/", 1)[1] not in str(r) for r in stored)


async def test_a_citizen_gets_no_link(console: Console) -> None:
    # answered exactly as any unknown command, and no link minted for anyone
    answer = await say(console.reporter, "/web", "Perintah itu tidak dikenal")
    assert "/login/" not in str(answer["text"])
    assert await rows(console.settings, "SELECT COUNT(*) FROM web_login_links") == [(0,)]


async def test_pages_need_a_session_but_stats_do_not(console: Console) -> None:
    async with browser_session() as anonymous:
        for path in ("/", "/cases", f"/cases/{console.banten}", "/export.csv", "/staff"):
            body = await text_of(anonymous, console.url + path, 401)
            assert console.banten not in body
        assert "Statistik" in await text_of(anonymous, console.url + "/stats")
        async with anonymous.post(console.url + "/logout", allow_redirects=False) as answer:
            assert answer.status == 401


async def test_headers_protect_every_page(console: Console) -> None:
    session = await signed_in(console, BANTEN_OMBUDSMAN)
    async with session:
        async with session.get(console.url + "/cases") as page:
            csp = page.headers["Content-Security-Policy"]
            assert "default-src 'none'" in csp and "script-src" not in csp
            assert "frame-ancestors 'none'" in csp
            assert page.headers["X-Content-Type-Options"] == "nosniff"
            assert page.headers["Referrer-Policy"] == "same-origin"  # never sent to another site
            assert page.headers["Cache-Control"] == "no-store"
        async with session.get(console.url + "/stats") as public:
            assert public.headers["X-Content-Type-Options"] == "nosniff"


async def test_a_case_out_of_scope_is_not_found_like_a_missing_one(console: Console) -> None:
    session = await signed_in(console, BANTEN_OMBUDSMAN)
    async with session:
        page = await text_of(session, console.url + f"/cases/{console.banten}")
        assert "Rudi" in page and "Siti Aminah" in page  # open identity, handling body
        missing = await text_of(session, console.url + "/cases/LN-2024-XXXXXX", 404)
        other = await text_of(session, console.url + f"/cases/{console.bali}", 404)
        assert other == missing and console.bali not in other
        await text_of(session, console.url + f"/cases/{console.bali}/evidence/1", 404)
        await text_of(session, console.url + f"/cases/{console.bali}/packet/ombudsman", 404)
        token = await csrf_of(session, console.url + "/cases")
        async with session.post(
            console.url + f"/cases/{console.bali}/status",
            data={"csrf": token, "status": "diverifikasi"},
            allow_redirects=False,
        ) as answer:
            assert answer.status == 404
    status = await rows(console.settings, "SELECT status FROM cases WHERE ticket = ?", console.bali)
    assert status == [("diterima",)]


async def test_a_form_without_its_token_is_refused(console: Console) -> None:
    session = await signed_in(console, BANTEN_OMBUDSMAN)
    async with session:
        for data in ({"status": "diverifikasi"}, {"status": "diverifikasi", "csrf": "forged"}):
            async with session.post(
                console.url + f"/cases/{console.banten}/status", data=data, allow_redirects=False
            ) as answer:
                assert answer.status == 403
                assert "tidak sah" in await answer.text()
    status = await rows(
        console.settings, "SELECT status FROM cases WHERE ticket = ?", console.banten
    )
    assert status == [("diterima",)]


async def test_status_change_reaches_the_reporter_and_the_history(console: Console) -> None:
    session = await signed_in(console, BANTEN_OMBUDSMAN)
    async with session:
        token = await csrf_of(session, console.url + f"/cases/{console.banten}")
        async with session.post(
            console.url + f"/cases/{console.banten}/status",
            data={
                "csrf": token, "status": "diverifikasi", "visibility": "public",
                "note": "Kami <b>periksa</b> minggu ini",
            },
            allow_redirects=False,
        ) as answer:  # fmt: skip
            assert answer.status == 303
            assert answer.headers["Location"] == f"/cases/{console.banten}?hasil=status"
        notified = await console.reporter.expect(f"Nomor tiket: {console.banten}")
        assert "Kabar laporan Anda" in str(notified["text"])
        assert "Kami <b>periksa</b> minggu ini" in str(notified["text"])  # shown as typed
        page = await text_of(session, console.url + f"/cases/{console.banten}?hasil=status")
        assert "Status sudah diubah" in page
        assert "Kami &lt;b&gt;periksa&lt;/b&gt; minggu ini" in page  # escaped on the page
        # an internal change: recorded, the reporter not told
        before = len(console.reporter.bot_messages())
        async with session.post(
            console.url + f"/cases/{console.banten}/status",
            data={"csrf": token, "status": "ditindaklanjuti", "visibility": "internal"},
            allow_redirects=False,
        ) as answer:
            assert answer.status == 303
        await asyncio.sleep(0.5)
        assert len(console.reporter.bot_messages()) == before
    events = await rows(
        console.settings,
        "SELECT action, new_value, public, actor_agency FROM case_events e"
        " JOIN cases c ON c.id = e.case_id WHERE c.ticket = ? AND action = 'status'"
        " ORDER BY e.id",
        console.banten,
    )
    assert events == [
        ("status", "diverifikasi", 1, "ombudsman"),
        ("status", "ditindaklanjuti", 0, "ombudsman"),
    ]


async def test_forward_asks_first_then_alerts_the_other_body(console: Console) -> None:
    inspectorate = console.user(8404)
    await add(console.app, inspectorate.user_id, "inspektorat", "36")
    session = await signed_in(console, BAWASLU_NATIONAL)
    async with session:
        page = await text_of(session, console.url + f"/cases/{console.banten}")
        assert 'value="inspektorat"' in page and 'value="bawaslu"' not in page
        token = await csrf_of(session, console.url + f"/cases/{console.banten}")
        url = console.url + f"/cases/{console.banten}/forward"
        async with session.post(url, data={"csrf": token, "agency": "inspektorat"}) as question:
            body = await question.text()
            assert "akan diteruskan ke Inspektorat Kota Serang" in body and "Ya, teruskan" in body
        assert not await rows(
            console.settings,
            "SELECT 1 FROM case_bodies WHERE agency = 'inspektorat'",
        )
        for _ in range(2):  # a double click forwards once
            async with session.post(
                url,
                data={"csrf": token, "agency": "inspektorat", "confirm": "yes"},
                allow_redirects=False,
            ) as answer:
                assert answer.status == 303
        bodies = await rows(
            console.settings,
            "SELECT agency, office FROM case_bodies WHERE agency = 'inspektorat'",
        )
        assert bodies == [("inspektorat", "Inspektorat Kota Serang")]
        alert = await inspectorate.expect(console.banten)
        assert "Serang" in str(alert["text"])
        history = await text_of(session, console.url + f"/cases/{console.banten}")
        assert "Bawaslu: diteruskan → Inspektorat Kota Serang" in history
        assert "→ inspektorat" not in history


async def test_forward_to_a_body_nobody_covers_is_a_referral(console: Console) -> None:
    session = await signed_in(console, BAWASLU_NATIONAL)
    async with session:
        token = await csrf_of(session, console.url + f"/cases/{console.banten}")
        url = console.url + f"/cases/{console.banten}/forward"
        async with session.post(url, data={"csrf": token, "agency": "inspektorat"}) as question:
            body = await question.text()
        assert "Belum ada petugas Inspektorat Kota Serang di layanan ini" in body
        assert "kantor inspektorat kabupaten/kota" in body  # its own channel, shown to staff
        assert "Ya, catat rujukan" in body and "Petugasnya di layanan ini akan" not in body
        console.reporter.mark()
        async with session.post(
            url,
            data={"csrf": token, "agency": "inspektorat", "confirm": "yes"},
            allow_redirects=False,
        ) as answer:
            assert answer.headers["Location"].endswith("hasil=refer")
        notice = await console.reporter.expect("Kabar tentang laporan")
        assert console.banten in str(notice["text"]) and "laporkan langsung" in str(notice["text"])
        assert await rows(
            console.settings, "SELECT reached FROM case_bodies WHERE agency = 'inspektorat'"
        ) == [(0,)]
        page = await text_of(session, console.url + f"/cases/{console.banten}?hasil=refer")
        assert "dicatat sebagai rujukan" in page
        assert "dirujuk (tanpa petugas di layanan ini) → Inspektorat Kota Serang" in page
        # the status list starts at "choose", never at a status (Diteruskan is not the forward)
        statuses = page.split('name="status"')[1].split("</select>")[0]
        assert '<option value="" selected disabled>— pilih status baru —</option>' in statuses
        assert statuses.count("selected") == 1


async def test_internal_notes_stay_within_the_agency(console: Console) -> None:
    ombudsman = await signed_in(console, BANTEN_OMBUDSMAN)
    bawaslu = await signed_in(console, BAWASLU_NATIONAL)
    async with ombudsman, bawaslu:
        token = await csrf_of(ombudsman, console.url + f"/cases/{console.banten}")
        async with ombudsman.post(
            console.url + f"/cases/{console.banten}/note",
            data={"csrf": token, "note": "Saksi kunci: kepala seksi"},
            allow_redirects=False,
        ) as answer:
            assert answer.headers["Location"].endswith("hasil=note")
        assert "Saksi kunci" in await text_of(ombudsman, console.url + f"/cases/{console.banten}")
        assert "Saksi kunci" not in await text_of(bawaslu, console.url + f"/cases/{console.banten}")


async def test_filters_take_names_and_list_the_valid_values(console: Console) -> None:
    session = await signed_in(console, BAWASLU_NATIONAL)
    async with session:
        both = await text_of(session, console.url + "/cases")
        assert console.banten in both and console.bali in both
        banten = await text_of(session, console.url + "/cases?prov=banten&kab=kota+serang")
        assert console.banten in banten and console.bali not in banten
        bali = await text_of(session, console.url + "/cases?kat=fasilitas&urut=oldest")
        assert console.bali in bali and console.banten not in bali
        wrong = await text_of(session, console.url + "/cases?status=selesaii")
        assert "Filter tidak dikenali: status=selesaii" in wrong and "ditindaklanjuti" in wrong
        dated = await text_of(session, console.url + "/cases?dari=kapan-kapan")
        assert "Tanggal ditulis seperti 2024-11-20" in dated and "tersedia: —" not in dated


async def test_export_is_the_visitors_scope_with_filters(console: Console) -> None:
    session = await signed_in(console, BANTEN_OMBUDSMAN)
    async with session:
        async with session.get(console.url + "/export.csv") as answer:
            assert answer.headers["Content-Disposition"].startswith("attachment;")
            table = list(csv.DictReader(io.StringIO((await answer.read()).decode("utf-8-sig"))))
        assert [r["ticket"] for r in table] == [console.banten]
        assert table[0]["reporter_name"] == "Siti Aminah"  # open identity
        async with session.get(console.url + "/export.csv?status=selesai") as answer:
            assert len(list(csv.reader(io.StringIO((await answer.read()).decode())))) == 1


async def test_evidence_is_served_cleaned_and_never_run(console: Console) -> None:
    session = await signed_in(console, BANTEN_OMBUDSMAN)
    async with session:
        page = await text_of(session, console.url + f"/cases/{console.banten}")
        assert f'<img src="/cases/{console.banten}/evidence/1"' in page
        async with session.get(console.url + f"/cases/{console.banten}/evidence/2") as answer:
            data = await answer.read()
            assert answer.headers["Content-Type"] == "image/jpeg"
            assert answer.headers["Content-Disposition"].startswith("inline;")
            assert answer.headers["X-Content-Type-Options"] == "nosniff"
            assert "sandbox" in answer.headers["Content-Security-Policy"]
        assert data.startswith(b"\xff\xd8") and b"PhoneMaker" not in data  # GPS removed
        await text_of(session, console.url + f"/cases/{console.banten}/evidence/9", 404)
        async with session.get(console.url + f"/cases/{console.banten}/packet/ombudsman") as pdf:
            assert pdf.headers["Content-Type"] == "application/pdf"
            assert (await pdf.read()).startswith(b"%PDF")


async def test_identity_follows_the_case_mode(console: Console) -> None:
    session = await signed_in(console, BALI_OMBUDSMAN)
    async with session:
        page = await text_of(session, console.url + f"/cases/{console.bali}")
        assert "Rina Wati" not in page and "anonim" in page.lower()


async def test_administrators_manage_staff_and_removal_logs_out(console: Console) -> None:
    staff = await signed_in(console, BANTEN_OMBUDSMAN)
    admin = await signed_in(console, ADMIN_ID)
    async with staff, admin:
        await text_of(staff, console.url + "/staff", 404)  # not an administrator
        token = await csrf_of(admin, console.url + "/staff")
        async with admin.post(
            console.url + "/staff",
            data={"csrf": token, "user_id": "8499", "agency": "bawaslu", "scope": "kota serang"},
        ) as answer:
            page = await answer.text()
        assert "8499" in page and "Kota Serang" in page
        listed = page.split('id="staff"')[1].split("</table>")[0]
        assert "<td>Bawaslu</td>" in listed and "<td>bawaslu</td>" not in listed  # names
        async with admin.post(
            console.url + "/staff", data={"csrf": token, "user_id": "abc", "agency": "bawaslu"}
        ) as answer:
            assert "harus berupa angka" in await answer.text()
        async with admin.post(
            console.url + "/staff",
            data={"csrf": token, "user_id": str(BANTEN_OMBUDSMAN), "remove": "1"},
        ) as answer:
            assert answer.status == 200
        body = await text_of(staff, console.url + f"/cases/{console.banten}", 401)
        assert "Silakan masuk" in body


async def test_language_switch_and_english_pages(console: Console) -> None:
    session = await signed_in(console, BAWASLU_NATIONAL)
    async with session:
        token = await csrf_of(session, console.url + "/cases")
        for back in ("//evil.example/x", "/\t/evil.example", "/\\evil.example", "https://e.x/"):
            async with session.post(
                console.url + "/language",
                data={"csrf": token, "language": "en", "back": back},
                allow_redirects=False,
            ) as answer:
                assert answer.headers["Location"] == "/", back
        async with session.post(
            console.url + "/language",
            data={"csrf": token, "language": "en", "back": "/cases?status=diterima"},
            allow_redirects=False,
        ) as answer:
            assert answer.headers["Location"] == "/cases?status=diterima"
        page = await text_of(session, console.url + "/")
        assert "Case summary — " in page and "By status" in page
        case = await text_of(session, console.url + f"/cases/{console.bali}")
        assert "Change status to" in case


async def test_public_stats_hide_small_cells(console: Console) -> None:
    async with browser_session() as anonymous:
        # this week's cases are not counted yet: the page changes once a week only
        assert 'class="n">&lt;5<' not in await text_of(anonymous, console.url + "/stats")
        console.clock.now = console.clock.now + dt.timedelta(days=7)
        page = await text_of(anonymous, console.url + "/stats")
        assert console.banten not in page and "Rudi" not in page
        assert 'class="n">&lt;5<' in page  # two cases: every cell is small
        async with anonymous.get(console.url + "/stats.csv?lang=en") as answer:
            table = list(csv.reader(io.StringIO((await answer.read()).decode("utf-8-sig"))))
        assert table[0] == ["table", "key", "label", "count"]
        assert {row[3] for row in table[1:]} == {"<5"}


async def test_the_staff_help_names_web(console: Console) -> None:
    staff = console.user(BANTEN_OMBUDSMAN)
    staff.send("/petugas")
    help_text = await staff.expect("/web")
    assert re.search(r"/web — ", str(help_text["text"]))


async def test_a_long_list_says_more_than_and_pages_on(
    console: Console, monkeypatch: pytest.MonkeyPatch
) -> None:
    from web import pages

    monkeypatch.setattr(pages, "COUNT_CAP", 1)  # as if a thousand matched
    monkeypatch.setattr(pages, "PAGE_SIZE", 1)
    session = await signed_in(console, BAWASLU_NATIONAL)
    async with session:
        first = await text_of(session, console.url + "/cases")
        assert "Lebih dari 1 laporan" in first and "Halaman 1<" in first
        assert console.bali in first and console.banten not in first  # newest first
        assert 'rel="next" href="/cases?urut=newest&amp;hal=2"' in first
        second = await text_of(session, console.url + "/cases?urut=newest&hal=2")
        assert console.banten in second and 'rel="prev"' in second
        assert 'rel="next"' in second  # a full page: there may be more
        third = await text_of(session, console.url + "/cases?urut=newest&hal=3")
        assert "Tidak ada laporan yang cocok" in third


async def test_costly_figures_are_computed_once_for_everyone_waiting() -> None:
    calls = 0
    moment = dt.datetime(2024, 11, 20, 3, tzinfo=dt.UTC)

    async def compute() -> int:
        nonlocal calls
        calls += 1
        await asyncio.sleep(0.05)
        return calls

    shared: Recent[int] = Recent(60)
    results = await asyncio.gather(*(shared.get("x", compute, lambda: moment) for _ in range(5)))
    assert calls == 1 and {r.value for r in results} == {1} and results[0].at == moment
    assert (await shared.get("y", compute, lambda: moment)).value == 2  # another scope
    fresh: Recent[int] = Recent(0)
    await fresh.get("x", compute, lambda: moment)
    assert (await fresh.get("x", compute, lambda: moment)).value == 4  # too old: again


async def test_pages_say_when_their_figures_were_taken(console: Console) -> None:
    session = await signed_in(console, BAWASLU_NATIONAL)
    async with session:
        assert "Angka per pukul 10:" in await text_of(session, console.url + "/")
    async with browser_session() as anonymous:
        stats = await text_of(anonymous, console.url + "/stats")
        assert "Angka sampai akhir 17 November 2024 (hanya minggu yang sudah selesai" in stats


async def test_a_new_report_cannot_be_placed_by_comparing_two_looks(console: Console) -> None:
    console.clock.now = console.clock.now + dt.timedelta(days=7)
    async with browser_session() as anonymous:
        before = await text_of(anonymous, console.url + "/stats")
        before_csv = await text_of(anonymous, console.url + "/stats.csv")
        await file_report(
            console.user(59_901), category="mobilisation", person="village", province="aceh",
            regency=None,
        )  # fmt: skip
        console.clock.now = console.clock.now + dt.timedelta(minutes=11)  # past the cache
        assert await text_of(anonymous, console.url + "/stats") == before
        assert await text_of(anonymous, console.url + "/stats.csv") == before_csv


async def test_odd_query_values_get_an_answer_not_a_crash(
    console: Console, caplog: pytest.LogCaptureFixture
) -> None:
    session = await signed_in(console, BAWASLU_NATIONAL)
    huge = "9" * 4301  # more digits than int() reads
    async with session:
        page = await text_of(session, console.url + f"/cases/{console.bali}?hasil=zzz")
        assert 'id="done"' not in page  # an unknown outcome is not shown
        await text_of(session, console.url + f"/cases/{console.bali}/evidence/%C2%B2", 404)
        await text_of(session, console.url + f"/cases/{console.bali}/evidence/{huge}", 404)
        listed = await text_of(session, console.url + f"/cases?hal={huge}")
        assert "hal=999" in listed  # told which filter it could not read
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "Traceback" not in logged and "zzz" not in logged and huge[:50] not in logged
    assert not [r for r in caplog.records if r.levelname == "ERROR"]


async def test_expired_links_and_idle_sessions_are_forgotten_hourly(console: Console) -> None:
    from types import SimpleNamespace

    from bot.jobs import inbox_job
    from storage import weblogins

    session = await signed_in(console, BAWASLU_NATIONAL)
    await session.close()
    await login_link(console.user(BANTEN_OMBUDSMAN))  # never used
    assert await rows(console.settings, "SELECT COUNT(*) FROM web_sessions") == [(1,)]
    console.clock.now = console.clock.now + weblogins.IDLE_LIMIT + dt.timedelta(minutes=1)
    await inbox_job(SimpleNamespace(bot_data=console.app.bot_data))  # type: ignore[arg-type]
    assert await rows(console.settings, "SELECT COUNT(*) FROM web_sessions") == [(0,)]
    assert await rows(console.settings, "SELECT COUNT(*) FROM web_login_links") == [(0,)]


async def test_no_link_is_minted_to_a_console_that_is_not_ours(
    settings_factory: Callable[..., Settings], fake: FakeTelegram, clock: Clock
) -> None:
    holder = socket.socket()  # another program holds the console's port
    holder.bind(("127.0.0.1", 0))
    holder.listen()
    try:
        settings = settings_factory(web_port=holder.getsockname()[1])
        async with running(make_app(settings, fake, clock), settings) as app:
            await add(app, 7301, "bawaslu")
            staff = FakeUser(fake, 7301, "Bawaslu RI", "id")
            answer = await say(staff, "/web", "Konsol web sedang tidak berjalan")
            assert "/login/" not in str(answer["text"])
            assert await rows(settings, "SELECT COUNT(*) FROM web_login_links") == [(0,)]
    finally:
        holder.close()


async def test_a_shared_location_is_a_map_link_on_the_case_page(console: Console) -> None:
    from tests.helpers import answer, buttons

    reporter = FakeUser(console.fake, 60321, "Sari", "id")
    await answer(reporter, "/lapor", "c")
    await answer(reporter, "!c:yes", "k")
    await answer(reporter, "!k:other", "d")
    await answer(reporter, "Camat memasang baliho calon di depan kantor kecamatan kemarin.", "p")
    await answer(reporter, "!p:asn", "pd")
    await answer(reporter, "!pd:^skip", "pv")
    await answer(reporter, "banten", "rg")
    await answer(reporter, "kota serang", "pl")
    reporter.share_location(-6.1202, 106.1503)  # at the exact place: kept as the place
    await reporter.expect(lambda m: any(d.startswith("ed:") for _, d in buttons(m)))
    await answer(reporter, "!ed:today", "ps")
    await answer(reporter, "!ps:no", "ev")
    await answer(reporter, "!ev:none", "id")
    review = await answer(reporter, "!id:anonymous", "rv")
    reporter.press(review, next(d for _, d in buttons(review) if d.startswith("rv:send:")))
    filed = await reporter.expect("Nomor tiket: ")
    ticket = str(filed["text"]).split("Nomor tiket: ")[1].split("\n")[0]
    session = await signed_in(console, BAWASLU_NATIONAL)  # Bawaslu: the Pilkada stages run
    async with session:
        page = await text_of(session, console.url + f"/cases/{ticket}")
        other = await text_of(session, console.url + f"/cases/{console.banten}")
    assert 'id="map" href="https://www.openstreetmap.org/?mlat=-6.1202&amp;mlon=106.1503' in page
    assert 'id="map"' not in other  # no location shared: no link
