"""Typed answers to buttons: the one reading of yes and no as people type them (both languages,
common slang), and a typed button label that presses the button on the message asking."""

from __future__ import annotations

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
    {"btn_place_yes", "btn_yes", "btn_agree", "btn_complained_yes", "btn_cancel_yes"}
)
NO_KEYS = frozenset({"btn_place_no", "btn_no", "btn_complained_no", "btn_cancel_no"})


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
