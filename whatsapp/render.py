"""The core's replies as WhatsApp Cloud API messages, within Meta's limits.

Meta's limits (developers.facebook.com, WhatsApp Business Platform: "Interactive reply buttons
messages", updated May 2026, and the interactive messages guide): at most 3 reply buttons, each
title at most 20 characters and id at most 256; a list of at most 10 rows in all, row titles at
most 24, descriptions at most 72, ids at most 200, its button label at most 20; an interactive
body at most 1,024 characters, header and footer at most 60; a text message at most 4,096.
The core's choices stay the core's; their layout is this face's: up to three short ones are
reply buttons, up to ten a list, more a list of nine with "Lainnya" (`MORE`) for the next nine,
its footer saying that typing an answer works too. WhatsApp cannot edit a sent message, so
nothing is shown in place.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from typing import Any

from conversations.callbacks import MORE, OWN_NUMBER, TYPED
from conversations.messages import Language, catalogue
from conversations.replies import Reply

Message = dict[str, Any]

TEXT_LIMIT = 4096
BODY_LIMIT = 1024
BUTTONS_MAX = 3
BUTTON_TITLE = 20
ROWS_MAX = 10
ROW_TITLE = 24
ROW_DESCRIPTION = 72
LIST_BUTTON = 20
HEADER_LIMIT = 60
FOOTER_LIMIT = 60


_TAGS = (
    (re.compile(r"</?(b|strong)>"), "*"),
    (re.compile(r"</?(i|em)>"), "_"),
    (re.compile(r"</?(s|strike|del)>"), "~"),
    (re.compile(r"</?(code|pre)>"), "```"),
)
_LINK = re.compile(r'<a href="([^"]*)">(.*?)</a>', re.S)
_ANY_TAG = re.compile(r"<[^>]+>")


def plain(text_html: str) -> str:
    """Telegram HTML (what the catalogue holds) as WhatsApp text: bold, italic, strike and
    code as WhatsApp marks them, a link as its text and address, entities unescaped."""
    text = _LINK.sub(_link, text_html)
    for pattern, mark in _TAGS:
        text = pattern.sub(mark, text)
    return html.unescape(_ANY_TAG.sub("", text))


def _link(match: re.Match[str]) -> str:
    """A link as its address, after its text when the text says something else."""
    address, shown = match.group(1), match.group(2)
    return address if shown in address else f"{shown} ({address})"


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def split_text(text: str, limit: int = TEXT_LIMIT) -> list[str]:
    """A long text as messages of at most `limit` characters, cut at line breaks when it can."""
    parts: list[str] = []
    while len(text) > limit:
        cut = text.rfind("\n", 0, limit)
        cut = cut if cut > limit // 2 else limit
        parts.append(text[:cut].rstrip())
        text = text[cut:].lstrip("\n")
    parts.append(text)
    return parts


def _choices(reply: Reply, language: Language) -> list[tuple[str, str]]:
    """(id, label) of every choice a reply offers, in order."""
    choices = [(b.data, b.label(language)) for row in reply.buttons for b in row]
    if reply.request_contact:
        choices.append((OWN_NUMBER.data("me"), catalogue().raw("wa_own_number", language)))
    choices += [(TYPED.data(text), text) for text in reply.keyboard_texts]
    return choices


def messages(reply: Reply, language: Language, page: int = 0) -> list[Message]:
    """One reply as the messages that show it (`page`: which nine choices of a long list). The
    answer pressed is not repeated: WhatsApp shows the press as the person's own message."""
    text = plain(reply.body(language))
    choices = _choices(reply, language)
    if not choices:
        return [{"type": "text", "text": {"body": part}} for part in split_text(text)]
    header, text = _header(text)
    *before, body = split_text(text, BODY_LIMIT)
    sent: list[Message] = [{"type": "text", "text": {"body": part}} for part in before]
    if len(choices) <= BUTTONS_MAX and all(len(label) <= BUTTON_TITLE for _, label in choices):
        buttons = [{"type": "reply", "reply": {"id": i, "title": label}} for i, label in choices]
        interactive: Message = {
            "type": "button",
            "body": {"text": body},
            "action": {"buttons": buttons},
        }
    else:
        interactive = _list(body, choices, page, language)
    if header:
        interactive["header"] = {"type": "text", "text": header}
    return [*sent, {"type": "interactive", "interactive": interactive}]


def _header(text: str) -> tuple[str, str]:
    """A body just past an interactive message's limit gives its first line to the message's
    header (plain text, at most 60 characters: a question's step line) when the rest then fits
    one message."""
    first, _, rest = text.partition("\n")
    shown = first.strip("*_~` ")
    rest = rest.lstrip("\n")
    fits = len(rest) <= BODY_LIMIT  # else the text goes in parts and keeps its first line
    if len(text) <= BODY_LIMIT or not fits or not rest or not 0 < len(shown) <= HEADER_LIMIT:
        return "", text
    return shown, rest


def _list(body: str, choices: Sequence[tuple[str, str]], page: int, language: Language) -> Message:
    """A list message of the choices; past ten, nine a page and "Lainnya" for the next (the
    footer says that typing the answer works too)."""
    texts = catalogue()
    shown: Sequence[tuple[str, str]] = choices
    more = False
    if len(choices) > ROWS_MAX:
        start = page * (ROWS_MAX - 1)
        shown, more = choices[start : start + ROWS_MAX - 1], start + ROWS_MAX - 1 < len(choices)
    rows = [_row(i, label) for i, label in shown]
    if more:
        rows.append(_row(MORE.data(page + 1), texts.raw("wa_more", language)))
    label = _cut(texts.raw("wa_choose", language), LIST_BUTTON)
    message: Message = {
        "type": "list",
        "body": {"text": body},
        "action": {"button": label, "sections": [{"rows": rows}]},
    }
    if len(choices) > ROWS_MAX:
        message["footer"] = {"text": _cut(texts.raw("wa_type_answer", language), FOOTER_LIMIT)}
    return message


def _row(choice_id: str, label: str) -> dict[str, str]:
    """A list row: the label as its title, the whole label below when the title cuts it."""
    row = {"id": choice_id, "title": _cut(label, ROW_TITLE)}
    if len(label) > ROW_TITLE:
        row["description"] = _cut(label, ROW_DESCRIPTION)
    return row
