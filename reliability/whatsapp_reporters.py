"""The crash campaign's WhatsApp column: people reporting over the fake Cloud API while the bot
is killed, each answering whatever question the chat shows now (a message handled twice after
a kill may have moved the report on), with Meta's redelivery of every webhook call that was not
answered 200."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from sandbox.fake_whatsapp import DESCRIPTION, FakePerson, FakeWhatsApp, choices, text_of

PRESS = {
    "c": "c:yes", "k": "k:political_expression", "p": "p:asn", "pd": "pd:^skip",
    "pl": "pl:^skip", "ed": "ed:today", "ps": "ps:no", "ev": "ev:none", "id": "id:anonymous",
    "dr": "dr:continue",
}  # fmt: skip
TYPE = {"d": DESCRIPTION, "pv": "banten", "rg": "kota serang"}
MARKER = "Nomor tiket: "
WAIT = 15.0  # an answer this late was lost with a killed bot: act again on what the chat shows


@dataclass
class WhatsAppReporter:
    """One person filing one report over WhatsApp."""

    person: FakePerson
    ticket: str | None = None
    longest_wait: float = 0.0
    actions: int = field(default=0)


def _ticket(person: FakePerson) -> str | None:
    for message in person.messages():
        text = text_of(message)
        if MARKER in text:
            return text.split(MARKER)[1].split("\n")[0].strip("`")
    return None


def _asked(person: FakePerson) -> tuple[str | None, list[str]]:
    """The question code the chat shows now and its choice ids."""
    for message in reversed(person.messages()):
        ids = [c.id for c in choices(message) if not c.id.startswith(("mo:", "m:"))]
        if ids:
            return ids[0].partition(":")[0], ids
        if choices(message):  # the menu: start a report
            return "m", []
    return None, []


async def report(reporter: WhatsAppReporter, deadline: float) -> None:
    """Drive one report to its ticket (or until `deadline`)."""
    person = reporter.person
    before, started = len(person.messages()), time.monotonic()
    await person.say("lapor")  # answered 200 once handled: a killed bot's call is delivered again
    while time.monotonic() < deadline:
        while len(person.messages()) == before and time.monotonic() - started < WAIT:
            await person.server.changed(0.5)
        reporter.longest_wait = max(reporter.longest_wait, time.monotonic() - started)
        reporter.ticket = _ticket(person)
        if reporter.ticket is not None:
            return
        code, ids = _asked(person)
        before, started = len(person.messages()), time.monotonic()
        reporter.actions += 1
        if code == "rv":
            await person.press_data(next(i for i in ids if i.startswith("rv:send:")))
        elif code in PRESS:
            await person.press_data(PRESS[code])
        elif code in TYPE:
            await person.say(TYPE[code])
        else:
            await person.say("lapor")


def check(reporters: list[WhatsAppReporter], cases_by_chat: dict[object, int]) -> dict[str, object]:
    """Every WhatsApp reporter who saw a ticket has exactly one case; the counts."""
    problems: list[str] = []
    filed = lost = duplicated = 0
    for reporter in reporters:
        if reporter.ticket is None:
            continue
        filed += 1
        count = cases_by_chat.get(f"whatsapp:{reporter.person.wa_id}", 0)
        if count == 0:
            lost += 1
            problems.append(f"whatsapp {reporter.person.wa_id}: ticket seen, no case")
        elif count > 1:
            duplicated += 1
            problems.append(f"whatsapp {reporter.person.wa_id}: {count} cases")
    return {
        "whatsapp_reporters": len(reporters), "whatsapp_reports_filed": filed,
        "whatsapp_reports_lost": lost, "whatsapp_reports_duplicated": duplicated,
        "whatsapp_longest_wait_seconds": round(
            max((r.longest_wait for r in reporters), default=0), 1
        ),
        "whatsapp_problems": problems[:10],
    }  # fmt: skip


def retrying(cloud: FakeWhatsApp) -> FakeWhatsApp:
    """Meta delivers a webhook call again until it is answered 200."""
    cloud.redeliver = True
    return cloud
