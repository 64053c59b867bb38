"""Message length as Telegram measures it, and splitting HTML messages on safe boundaries.

Telegram counts a message's length in UTF-16 code units of the text a reader sees, after the
HTML is parsed (an emoji is two units, `&amp;` is one, tags are none), and refuses more than
4,096 (1,024 for a caption). Every message is therefore measured that way and, when too long,
split at a line break (else between words, else between characters), closing the tags still
open at the cut and opening them again in the next part, so that each part is valid HTML.
"""

from __future__ import annotations

import html
import re

MESSAGE_LIMIT = 4096
CAPTION_LIMIT = 1024
_TOKEN = re.compile(r"<(/?)([A-Za-z][\w-]*)[^<>]*>|&(?:#\d+|#x[0-9a-fA-F]+|[A-Za-z]+);")
_WORDS = re.compile(r"\S+|\s+")


def units(text: str) -> int:
    """UTF-16 code units of plain text."""
    return len(text.encode("utf-16-le")) // 2


def visible_length(html_text: str) -> int:
    """The length Telegram gives an HTML message: UTF-16 units of what the reader sees."""
    total = 0
    pos = 0
    for match in _TOKEN.finditer(html_text):
        total += units(html_text[pos : match.start()])
        if match.group(2) is None:  # an entity: the character it stands for
            total += units(html.unescape(match.group(0)))
        pos = match.end()
    return total + units(html_text[pos:])


def _pieces(text: str) -> list[tuple[str, int, str | None, bool]]:
    """Tags, entities and text runs: (raw, visible units, tag name or None, closing)."""
    out: list[tuple[str, int, str | None, bool]] = []
    pos = 0
    for match in _TOKEN.finditer(text):
        if match.start() > pos:
            run = text[pos : match.start()]
            out.append((run, units(run), None, False))
        raw = match.group(0)
        if match.group(2) is not None:
            out.append((raw, 0, match.group(2).lower(), match.group(1) == "/"))
        else:
            out.append((raw, units(html.unescape(raw)), None, False))
        pos = match.end()
    if pos < len(text):
        out.append((text[pos:], units(text[pos:]), None, False))
    return out


class _Parts:
    """Messages being filled, with the tags open at the current point."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.done: list[str] = []
        self.current: list[str] = []
        self.length = 0
        self.open: list[tuple[str, str]] = []  # (name, raw opening tag)

    def room(self) -> int:
        return self.limit - self.length

    def add(self, raw: str, size: int, name: str | None, closing: bool) -> None:
        self.current.append(raw)
        self.length += size
        if name is not None:
            if closing:
                if self.open and self.open[-1][0] == name:
                    self.open.pop()
            else:
                self.open.append((name, raw))

    def flush(self) -> None:
        if self.length > 0:
            closing = "".join(f"</{name}>" for name, _ in reversed(self.open))
            self.done.append("".join(self.current).strip("\n") + closing)
        self.current = [raw for _, raw in self.open]
        self.length = 0

    def add_text(self, text: str) -> None:
        """Text that may be longer than a message: cut between words, else characters."""
        for word in _WORDS.findall(text):
            size = units(word)
            if size > self.room():
                if word.isspace():
                    self.flush()
                    continue
                self.flush()
            while size > self.room():  # one word longer than a whole message
                cut = self._fit(word)
                self.add(word[:cut], units(word[:cut]), None, False)
                self.flush()
                word = word[cut:]
                size = units(word)
            self.add(word, size, None, False)

    def _fit(self, word: str) -> int:
        used, cut = 0, 0
        for char in word:
            if used + units(char) > self.room():
                break
            used += units(char)
            cut += 1
        return max(cut, 1)


def split_html(text: str, limit: int = MESSAGE_LIMIT) -> list[str]:
    """`text` as one or more messages, each at most `limit` units as Telegram counts them."""
    # What a reader sees is never longer than the HTML itself: most messages fit at a glance.
    if units(text) <= limit or visible_length(text) <= limit:
        return [text]
    parts = _Parts(limit)
    for number, line in enumerate(text.split("\n")):
        pieces = _pieces(("\n" if number else "") + line)
        size = sum(piece[1] for piece in pieces)
        if size > parts.room():
            parts.flush()
            pieces = _pieces(line)
            size = sum(piece[1] for piece in pieces)
        if size <= parts.room():
            for piece in pieces:
                parts.add(*piece)
            continue
        for raw, piece_size, name, closing in pieces:  # a line longer than a message
            if name is None and piece_size > parts.room():
                if raw.startswith("&"):
                    parts.flush()
                    parts.add(raw, piece_size, None, False)
                else:
                    parts.add_text(raw)
            else:
                parts.add(raw, piece_size, name, closing)
    parts.flush()
    return [part for part in parts.done if part.strip()]
