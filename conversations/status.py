"""What a ticket holder sees: the status in words, its date, the offices and public notes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from conversations.bilingual import long_date
from conversations.callbacks import PACKET, STATUS
from conversations.jurisdiction.models import Office
from conversations.jurisdiction.render import channel_lines
from conversations.messages import Language, Safe, catalogue, escape
from conversations.replies import Button, Reply


@dataclass(frozen=True)
class StatusView:
    """A case as a ticket holder may see it: never the reporter's identity."""

    ticket: str
    status: str
    since: dt.date
    offices: list[Office] = field(default_factory=list)
    notes: list[tuple[dt.date, str]] = field(default_factory=list)
    own: bool = False  # the chat asking is the reporter
    reached: frozenset[str] = frozenset()  # agencies whose staff get the case through the bot


def status_label(status: str, language: Language) -> str:
    """The status in words."""
    return catalogue().raw(f"status_{status}", language)


def status_reply(view: StatusView, language: Language) -> Reply:
    """The status message (notes escaped)."""
    texts = catalogue()
    if view.notes:
        lines = [texts.render("status_notes_title", language)]
        lines += [f"• {long_date(day, language)}: {escape(note)}" for day, note in view.notes[-10:]]
        notes = "\n".join(lines)
    else:
        notes = texts.render("status_no_notes", language)
    offices = "; ".join(o.name for o in view.offices) or texts.raw("none_office", language)
    # every body the bot does not reach keeps its "report it yourself to" line, whoever else
    # has the case
    direct = tuple(o for o in view.offices if o.agency not in view.reached and o.channel)
    if direct:
        notes = "\n".join([*channel_lines("decision_direct", direct, language)[1:], "", notes])
    text = texts.render(
        "status_result",
        language,
        ticket=view.ticket,
        status=status_label(view.status, language),
        date=long_date(view.since, language),
        offices=offices,
        notes=Safe(notes),
    )
    packet = view.own and any(office.packet for office in view.offices)
    buttons = ((Button(PACKET.data(view.ticket), "btn_packet"),),) if packet else ()
    return Reply(html=Safe(text), buttons=buttons)


def tickets_reply(tickets: list[tuple[str, str]], language: Language) -> Reply:
    """The reporter's own tickets as buttons, newest first."""
    if not tickets:
        return Reply("status_none")
    buttons = tuple(
        (Button(STATUS.data(ticket), text=f"{ticket} · {status_label(status, language)}"),)
        for ticket, status in tickets[:20]
    )
    return Reply("status_mine", buttons=buttons)
