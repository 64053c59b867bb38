"""Callback data: every button's prefix, declared once, with the handler that reads it.

A button's data is `<prefix>:<value>`. Two features sharing a prefix would read each other's
presses (the staff note choice and the citizen's service-name question once both used `sn`, so
a staff member filing a report pressed "Lewati" and got "Dibatalkan."). Declaring a prefix
twice raises at import, and the Telegram handlers' patterns are built from this registry
(bot/handlers.py), so a press reaches exactly the handler that declared its prefix. The report
questions declare their own prefixes, one per question (conversations/questions.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

Owner = Literal["citizen", "staff", "addinfo", "packet"]
OWNERS: tuple[Owner, ...] = ("citizen", "staff", "addinfo", "packet")
_CODE = re.compile(r"^[a-z]{1,3}$")


class DuplicatePrefixError(ValueError):
    """A callback prefix declared a second time."""


@dataclass(frozen=True)
class Prefix:
    """One declared prefix: its code, the handler that reads it, what its presses mean."""

    code: str
    owner: Owner
    meaning: str

    def data(self, *parts: object) -> str:
        """The callback data `<code>:<part>:<part>…`."""
        return ":".join((self.code, *(str(part) for part in parts)))


class Registry:
    """The declared prefixes; one code, one meaning."""

    def __init__(self) -> None:
        self._prefixes: dict[str, Prefix] = {}

    def declare(self, code: str, owner: Owner, meaning: str) -> Prefix:
        """Declare a prefix; raises DuplicatePrefixError if taken, ValueError if malformed."""
        if not _CODE.match(code) or owner not in OWNERS:
            raise ValueError(f"bad callback prefix {code!r} for {owner!r}")
        if code in self._prefixes:
            taken = self._prefixes[code]
            raise DuplicatePrefixError(
                f"callback prefix {code!r} ({meaning}) is already declared for {taken.meaning}"
            )
        prefix = Prefix(code, owner, meaning)
        self._prefixes[code] = prefix
        return prefix

    def codes(self, owner: Owner) -> tuple[str, ...]:
        """The codes one handler reads, sorted."""
        return tuple(sorted(p.code for p in self._prefixes.values() if p.owner == owner))

    def pattern(self, owner: Owner) -> str:
        """The regular expression matching the callback data of one handler's prefixes."""
        return "^(" + "|".join(self.codes(owner)) + "):"

    def owner_of(self, data: str) -> Owner | None:
        """The handler that reads a callback's data; None for an undeclared prefix."""
        code, sep, _ = data.partition(":")
        prefix = self._prefixes.get(code) if sep else None
        return prefix.owner if prefix else None


CALLBACKS = Registry()

# the citizen's conversation (besides one prefix per report question)
MENU = CALLBACKS.declare("m", "citizen", "main menu")
STATUS = CALLBACKS.declare("st", "citizen", "status of one of my tickets")
ERASE = CALLBACKS.declare("er", "citizen", "confirm /hapus")
DRAFT = CALLBACKS.declare("dr", "citizen", "continue or restart an unfinished report")
CANCEL_CONFIRM = CALLBACKS.declare("x", "citizen", "confirm cancelling the report")
# the filing packet: a reporter's own (and its questions), a staff member's copy
# presses a channel without reply keyboards or message edits makes of its own (WhatsApp)
MORE = CALLBACKS.declare("mo", "citizen", "the next options of a question with many")
TYPED = CALLBACKS.declare("tx", "citizen", "a button that stands for the text on it")
OWN_NUMBER = CALLBACKS.declare("pn", "citizen", "report with the number of this chat")

PACKET = CALLBACKS.declare("pk", "packet", "make the filing packet of my case")
PACKET_QUESTION = CALLBACKS.declare("pq", "packet", "answer a filing packet question")
PACKET_STAFF = CALLBACKS.declare("pf", "packet", "staff copy of a filing packet")
# a reporter adding to a filed case
ADD_INFO = CALLBACKS.declare("ai", "addinfo", "add information to a filed case")
ADD_INFO_DONE = CALLBACKS.declare("ad", "addinfo", "done adding information")
# staff casework
CASE_OPEN = CALLBACKS.declare("ks", "staff", "open a case")
CASE_STATUS = CALLBACKS.declare("sx", "staff", "change a case's status")
FORWARD = CALLBACKS.declare("fw", "staff", "forward a case to another body")
FORWARD_CONFIRM = CALLBACKS.declare("fc", "staff", "confirm forwarding")
FORWARD_CANCEL = CALLBACKS.declare("fn", "staff", "cancel forwarding")
INTERNAL_NOTE = CALLBACKS.declare("in", "staff", "add an internal note")
NOTE_CHOICE = CALLBACKS.declare("nc", "staff", "note with a status change: none, internal, cancel")
CASE_PAGE = CALLBACKS.declare("kp", "staff", "page of the case list")
