"""The review summary: everything the reporter gave, escaped, one part per line."""

from __future__ import annotations

from conversations.bilingual import weekday_date
from conversations.context import Context
from conversations.draft import Draft
from conversations.messages import Language, Safe, catalogue
from conversations.messages import escape as esc

# The review repeats the description only in part, so the message stays under Telegram's limit.
DESCRIPTION_SHOWN = 1000


def _line(label_key: str, value: str, language: Language) -> str:
    return f"<b>{catalogue().render(label_key, language)}:</b> {value}"


def summary(draft: Draft, ctx: Context) -> Safe:
    """The draft as review lines (user text escaped)."""
    language = ctx.language
    rules = ctx.jurisdiction.rules
    places = ctx.jurisdiction.places
    none = catalogue().render("value_none", language)
    lines = []
    category = rules.category(draft.category).label.get(language) if draft.category else none
    description = draft.description or ""
    if len(description) > DESCRIPTION_SHOWN:
        description = description[:DESCRIPTION_SHOWN] + "…"
    lines.append(_line("label_what", f"{esc(category)}\n<i>{esc(description)}</i>", language))
    who = rules.person_kind(draft.person).label.get(language) if draft.person else none
    if draft.person_details:
        who += f" — {draft.person_details}"
    lines.append(_line("label_who", esc(who), language))
    place_parts = []
    regency = places.find(draft.regency_code)
    if regency is not None:
        place_parts.append(regency.name)
    elif draft.regency_unknown:
        place_parts.append(catalogue().render("value_unknown_regency", language))
    province = places.find(draft.province_code)
    if province is not None:
        place_parts.append(province.name)
    if draft.place_detail:
        place_parts.insert(0, draft.place_detail)
    where = esc(", ".join(place_parts) or none)
    if draft.latitude is not None and draft.longitude is not None:
        where += f" (📍 {draft.latitude:.5f}, {draft.longitude:.5f})"
    lines.append(_line("label_where", where, language))
    if draft.event_date and draft.event_date_approx:
        rough = catalogue().raw(f"btn_date_{draft.event_date_approx}", language)
        lines.append(_line("label_when", catalogue().raw("value_rough_date", language).format(
            rough=rough.lower()), language))  # fmt: skip
    elif draft.event_date:
        lines.append(_line("label_when", weekday_date(draft.event_date, language), language))
    if draft.learned_date:
        lines.append(_line("label_learned", weekday_date(draft.learned_date, language), language))
    service = {"yes": "btn_yes", "no": "btn_no", "unsure": "btn_unsure"}.get(
        draft.public_service or ""
    )
    if service:
        value = catalogue().render(service, language)
        if draft.service_name:
            value += f" — {esc(draft.service_name)}"
        if draft.complained:
            value += ", " + catalogue().render(f"value_complained_{draft.complained}", language)
        lines.append(_line("label_service", value, language))
    if draft.evidence:
        items = ", ".join(
            f"{catalogue().render(f'kind_{item.kind}', language)} {esc(item.label[:40])}"
            for item in draft.evidence
        )
        lines.append(_line("label_evidence", f"{len(draft.evidence)} ({items})", language))
    else:
        lines.append(_line("label_evidence", none, language))
    if draft.identity:
        identity = catalogue().raw(f"btn_identity_{draft.identity}", language)
        if draft.reporter_name:
            identity += f" — {esc(draft.reporter_name)}"
        if draft.reporter_phone:
            identity += f", {esc(draft.reporter_phone)}"
        lines.append(_line("label_identity", identity, language))
    return Safe("\n".join(lines))
