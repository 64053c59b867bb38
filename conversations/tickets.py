"""Ticket numbers: random, grouped for reading, with a check character, parsed forgivingly.

A ticket is the prefix (TICKET_PREFIX) and 12 characters from an alphabet without look-alikes
(no I, L, O, U): 11 random ones (55 bits, drawn from the draft's random id) and a check
character, shown as `LN-7K3M-Q9TX-W2HC`.
The check is a position-weighted sum modulo 31: it catches every single wrong character and
every swap of two neighbours, except between `0` and `Z`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Literal

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
RANDOM_LENGTH = 11
RANDOM_BITS = 5 * RANDOM_LENGTH
_VALUE = {c: i for i, c in enumerate(ALPHABET)}
_LOOK_ALIKES = str.maketrans({"O": "0", "I": "1", "L": "1", "U": "V"})


def check_character(body: str) -> str:
    """The check character of the 11 random characters."""
    total = sum((i + 1) * _VALUE[c] for i, c in enumerate(body))
    return ALPHABET[total % 31]


def ticket_value(draft_id: str, attempt: int) -> int:
    """The `RANDOM_BITS` of the ticket a draft files under (`attempt` 0, then 1, … if a ticket
    was taken): drawn from the draft's own random id, so filing the same draft again, after a
    crash undid the first try, gives the same ticket the reporter may already have been shown."""
    digest = hashlib.sha256(f"ticket\n{draft_id}\n{attempt}".encode()).digest()
    return int.from_bytes(digest[:8], "big") & ((1 << RANDOM_BITS) - 1)


def make_ticket(prefix: str, random_value: int) -> str:
    """A ticket from `RANDOM_BITS` random bits (the caller draws them; this stays pure)."""
    chars = []
    for _ in range(RANDOM_LENGTH):
        chars.append(ALPHABET[random_value & 31])
        random_value >>= 5
    body = "".join(chars)
    code = body + check_character(body)
    return f"{prefix}-{code[0:4]}-{code[4:8]}-{code[8:12]}"


@dataclass(frozen=True, slots=True)
class ParsedTicket:
    """The result of reading a typed ticket: `ok` with the canonical form, a typo, or not one."""

    outcome: Literal["ok", "typo", "invalid"]
    ticket: str | None = None


def parse_ticket(typed: str, prefix: str) -> ParsedTicket:
    """Read a ticket however it was typed: any case, spaces or dashes, O/0 and I/1/L mixed up."""
    cleaned = "".join(c for c in typed.upper() if c.isalnum())
    if cleaned.startswith(prefix) and len(cleaned) == len(prefix) + RANDOM_LENGTH + 1:
        cleaned = cleaned[len(prefix) :]
    cleaned = cleaned.translate(_LOOK_ALIKES)
    if len(cleaned) != RANDOM_LENGTH + 1 or any(c not in _VALUE for c in cleaned):
        return ParsedTicket("invalid")
    body, check = cleaned[:RANDOM_LENGTH], cleaned[RANDOM_LENGTH]
    if check_character(body) != check:
        return ParsedTicket("typo")
    return ParsedTicket("ok", f"{prefix}-{cleaned[0:4]}-{cleaned[4:8]}-{cleaned[8:12]}")


def looks_like_ticket(typed: str, prefix: str) -> bool:
    """Whether a message on its own is meant as a ticket: it starts with the prefix, or it is
    the 12 characters of one (with a digit, so that a plain word is not taken for one)."""
    compact = "".join(c for c in typed.upper() if c not in " -")
    if not compact.isalnum():
        return False
    if compact.startswith(prefix) and len(compact) > len(prefix) + 4:
        return True
    return len(compact) == RANDOM_LENGTH + 1 and any(c.isdigit() for c in compact)
