"""Checks text as Telegram parses `parse_mode=HTML`, so the fake server fails like the real one."""

from __future__ import annotations

import html
import re

ALLOWED_TAGS = {
    "b",
    "strong",
    "i",
    "em",
    "u",
    "ins",
    "s",
    "strike",
    "del",
    "span",
    "tg-spoiler",
    "a",
    "tg-emoji",
    "code",
    "pre",
    "blockquote",
}
_TOKEN = re.compile(r"<(/?)([A-Za-z][\w-]*)([^<>]*)>|<|&(#\d+|#x[0-9a-fA-F]+|[A-Za-z]+);|&")
_NAMED_ENTITIES = {"lt", "gt", "amp", "quot"}


class HtmlError(ValueError):
    """Text that Telegram would refuse with "can't parse entities"."""


def visible_text(text: str) -> str:
    """Check `text` as Telegram HTML; return what the reader sees (no tags, entities decoded)."""
    stack: list[str] = []
    out: list[str] = []
    pos = 0
    for match in _TOKEN.finditer(text):
        out.append(text[pos : match.start()])
        pos = match.end()
        token = match.group(0)
        offset = len(text[: match.start()].encode("utf-8"))
        if match.group(2) is not None:
            closing, name = match.group(1) == "/", match.group(2).lower()
            if name not in ALLOWED_TAGS:
                raise HtmlError(f'Unsupported start tag "{name}" at byte offset {offset}')
            if closing:
                if not stack or stack[-1] != name:
                    raise HtmlError(
                        f'Unexpected end tag "{name}" at byte offset {offset}'
                        if not stack
                        else f'Can\'t find end tag corresponding to start tag "{stack[-1]}"'
                    )
                stack.pop()
            else:
                stack.append(name)
        elif token == "<":
            raise HtmlError(f"Unsupported start tag at byte offset {offset}")
        elif token == "&":
            raise HtmlError(
                f'Character entity expected at byte offset {offset}; use "&amp;" for "&"'
            )
        else:
            entity = match.group(4)
            if not entity.startswith("#") and entity.lower() not in _NAMED_ENTITIES:
                raise HtmlError(f'Unsupported HTML entity "&{entity};" at byte offset {offset}')
            out.append(html.unescape(token))
    out.append(text[pos:])
    if stack:
        raise HtmlError(f'Can\'t find end tag corresponding to start tag "{stack[-1]}"')
    return "".join(out)


def utf16_length(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2
