"""The decision as the reporter's last message (design §5a "How the decision is shown")."""

from __future__ import annotations

from conversations.bilingual import Bilingual
from conversations.jurisdiction.models import Decision, Office
from conversations.jurisdiction.routing import Routing
from conversations.messages import Language, Safe, catalogue, escape

MAX_LENGTH = 3500


def _section(title_key: str, items: list[Bilingual], language: Language) -> list[str]:
    if not items:
        return []
    lines = ["", catalogue().render(title_key, language)]
    lines += [f"• {escape(item.get(language))}" for item in items]
    return lines


def channel_lines(title_key: str, offices: tuple[Office, ...], language: Language) -> list[str]:
    if not offices:
        return []
    lines = ["", catalogue().render(title_key, language)]
    for office in offices:
        channel = f": {escape(office.channel.get(language))}" if office.channel else ""
        lines.append(f"• <b>{escape(office.name)}</b>{channel}")
    return lines


def routing_lines(
    routing: Routing | None, offices: tuple[Office, ...], language: Language
) -> list[str]:
    """Which offices get the report through the bot and where the reporter must file directly
    (without a routing, a preview: every office's channel)."""
    texts = catalogue()
    if routing is None:
        return channel_lines("decision_channels", offices, language)
    lines: list[str] = []
    if routing.reached:
        names = "; ".join(office.name for office in routing.reached)
        lines += ["", texts.render("decision_reached", language, offices=names)]
    elif offices:
        lines += ["", texts.render("decision_referred", language)]
    return lines + channel_lines("decision_direct", routing.direct, language)


def render_decision(
    decision: Decision, ticket: str | None, language: Language, routing: Routing | None = None
) -> Safe:
    """The decision as Telegram HTML in `language`: who can act now, how the report reaches
    them, why, then what does not apply. `ticket` is None for a preview; `routing` says which
    bodies this bot reaches (None: a preview, every body's channel is shown)."""
    texts = catalogue()
    lines: list[str] = []
    if ticket is not None:
        lines += [texts.render("decision_title", language), ""]
        lines.append(texts.render("decision_ticket", language, ticket=ticket))
    else:
        lines += [texts.render("decision_preview_title", language), ""]
    if decision.offices:
        offices = "; ".join(office.name for office in decision.offices)
        lines.append(texts.render("decision_handled_by", language, offices=offices))
    else:
        lines.append(texts.render("decision_handled_by_none", language))
    lines += routing_lines(routing, tuple(decision.offices), language)
    lines += _section("decision_reasons", decision.reasons, language)
    deadlines = [d.text for d in decision.deadlines] + decision.deadline_notes
    section = _section("decision_deadlines", deadlines, language)
    timed = {d.agency for d in decision.deadlines}
    passed_on = [o.name for o in (routing.reached if routing else ()) if o.agency in timed]
    if section and passed_on:  # "report by …" must not read as "you must still act"
        intro = texts.render("decision_deadlines_reached", language, offices="; ".join(passed_on))
        section.insert(2, intro)
    lines += section
    lines += _section("decision_warnings", decision.warnings, language)
    lines += _section("decision_next_steps", decision.next_steps, language)
    lines += _section("decision_referrals", decision.referrals, language)
    if decision.legal_bases:
        bases = "; ".join(decision.legal_bases)
        lines += ["", texts.render("decision_basis", language, bases=bases)]
    if ticket is not None:
        lines += ["", texts.render("decision_status_hint", language, ticket=ticket)]
    text = "\n".join(lines)
    if len(text) > MAX_LENGTH:  # a rules file with very long texts: keep the message sendable
        text = text[: MAX_LENGTH - 1].rsplit("\n", 1)[0] + "\n…"
    return Safe(text)
