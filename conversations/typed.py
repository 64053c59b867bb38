"""Typed answers to buttons: the one reading of yes and no as people type them (both languages,
common slang), a typed button label that presses the button on the message asking, the option
free words point to ("pns guru" → ASN), and letters counted as letters."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

from conversations.events import Press
from conversations.places import normalize
from conversations.replies import Reply

YES_WORDS = frozenset(
    {
        "ya", "y", "iya", "iyaa", "iyah", "yaa", "ya benar", "iya benar", "yoi", "yups", "yup",
        "yes", "yeah", "yep", "ok", "oke", "okay", "okey", "sip", "siap", "setuju", "sudah",
        "udah", "sdh", "benar", "betul", "bener", "betul sekali", "agree", "correct", "right",
    }
)  # fmt: skip
NO_WORDS = frozenset(
    {
        "tidak", "tdk", "tak", "gak", "ga", "gk", "nggak", "ngga", "nggak kok", "enggak",
        "engga", "ndak", "no", "nope", "nah", "belum", "blm", "bukan", "salah", "not yet",
        "wrong",
    }
)  # fmt: skip

# The buttons that answer yes or no, by their catalogue key.
YES_KEYS = frozenset(
    {
        "btn_place_yes", "btn_yes", "btn_agree", "btn_complained_yes", "btn_cancel_yes",
        "btn_suggest_yes",
    }
)  # fmt: skip
NO_KEYS = frozenset(
    {"btn_place_no", "btn_no", "btn_complained_no", "btn_cancel_no", "btn_suggest_no"}
)


def yes_or_no(text: str) -> Literal["yes", "no"] | None:
    """ "yes" or "no" when the typed text says so (case, punctuation and emoji ignored)."""
    words = normalize(text)
    if words in YES_WORDS:
        return "yes"
    if words in NO_WORDS:
        return "no"
    return None


def typed_press(reply: Reply, text: str) -> Press | None:
    """The button of `reply` a typed text stands for: one whose label it is (in either
    language; case, emoji and punctuation ignored), else, where the message has one yes and one
    no button, the one a yes or no word names. None: the text is an answer of its own."""
    typed = normalize(text)
    if not typed:
        return None
    buttons = [button for row in reply.buttons for button in row]
    for button in buttons:
        labels = {button.label("id"), button.label("en")}
        if typed in {normalize(label) for label in labels}:
            return Press(button.data, button.label("id"))
    answer = yes_or_no(text)
    if answer is None:
        return None
    keys = YES_KEYS if answer == "yes" else NO_KEYS
    matching = [b for b in buttons if b.key in keys]
    other = [b for b in buttons if b.key in (NO_KEYS if answer == "yes" else YES_KEYS)]
    if len(matching) == 1 and len(other) == 1:
        return Press(matching[0].data, matching[0].label("id"))
    return None


def letters(text: str) -> int:
    """How many letters a text has (emoji, digits and punctuation are not words)."""
    return sum(1 for character in text if character.isalpha())


def suggest(text: str, options: Sequence[tuple[str, Sequence[str]]]) -> str | None:
    """The one option (id, its words) whose words the text uses most, as whole words (case,
    accents and punctuation ignored); None when no word is used, or two options tie."""
    padded = f" {normalize(text)} "
    scores = {
        option: sum(1 for word in words if f" {normalize(word)} " in padded)
        for option, words in options
    }
    best = max(scores.values(), default=0)
    winners = [option for option, score in scores.items() if score == best]
    return winners[0] if best > 0 and len(winners) == 1 else None


# Words that say a first message is about reporting, and greetings people open a chat with.
REPORT_WORDS = frozenset(
    {
        "lapor", "laporan", "melapor", "melaporkan", "laporkan", "pelaporan", "mengadu",
        "mengadukan", "aduan", "pengaduan", "adukan", "report", "reporting", "complain",
        "complaint",
    }
)  # fmt: skip
GREETING_WORDS = frozenset(
    {
        "halo", "hallo", "hai", "hay", "hi", "hello", "hey", "helo", "p", "ping", "permisi",
        "assalamualaikum", "assalamu alaikum", "asalamualaikum", "salam", "pagi", "siang",
        "sore", "malam", "selamat pagi", "selamat siang", "selamat sore", "selamat malam",
        "good morning", "good afternoon", "good evening", "min", "admin", "pak", "bu", "kak",
        "halo min", "halo admin", "halo pak", "halo bu", "hai min", "tes", "test", "mulai",
        "start", "menu", "bantuan", "help", "info",
    }
)  # fmt: skip


def wants_to_report(text: str) -> bool:
    """Whether a message says its writer wants to report something ("saya mau lapor")."""
    return any(word in REPORT_WORDS for word in normalize(text).split())


def is_greeting(text: str) -> bool:
    """A greeting, or a message of emoji and punctuation only ("👍", "?")."""
    words = normalize(text)
    return not words or words in GREETING_WORDS


THANKS_WORDS = frozenset(
    {
        "terima kasih", "terimakasih", "makasih", "makasi", "trims", "trimakasih", "tq", "thx",
        "thanks", "thank you", "thank you very much", "terima kasih banyak", "makasih banyak",
        "ok terima kasih", "oke terima kasih", "ok makasih", "siap terima kasih",
    }
)  # fmt: skip


def is_thanks(text: str) -> bool:
    """A thank-you, as people type it."""
    return normalize(text) in THANKS_WORDS
