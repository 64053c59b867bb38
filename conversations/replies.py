"""What the core asks the shell to show: message keys with arguments and inline buttons."""

from __future__ import annotations

from dataclasses import dataclass, field

from conversations.messages import Language, Safe, catalogue


@dataclass(frozen=True, slots=True)
class Button:
    """An inline button: a catalogue key (or literal text) and its callback data (≤ 64 bytes)."""

    data: str
    key: str | None = None
    text: str | None = None
    args: dict[str, object] = field(default_factory=dict)

    def label(self, language: Language) -> str:
        """The button's text in `language` (buttons are plain text, never HTML)."""
        if self.text is not None:
            return self.text
        assert self.key is not None
        return catalogue().raw(self.key, language).format_map(self.args)


@dataclass(frozen=True, slots=True)
class Reply:
    """One message to send: a catalogue key with arguments, or pre-rendered `Safe` HTML."""

    key: str | None = None
    args: dict[str, object] = field(default_factory=dict)
    buttons: tuple[tuple[Button, ...], ...] = ()
    html: Safe | None = None
    request_contact: str | None = None  # label of a reply-keyboard "share my number" button
    keyboard_texts: tuple[str, ...] = ()  # more reply-keyboard buttons that send their text
    remove_keyboard: bool = False
    # Shown by editing the message whose button was pressed into this one (one call, and the
    # chat does not grow by a message per step) instead of sending a new message.
    in_place: bool = False
    # The answer pressed, on the first line of an edited question (the edit replaces the
    # question that showed it); a channel that cannot edit shows the press itself.
    answered: Safe | None = None

    def text(self, language: Language) -> str:
        """The message as Telegram HTML in `language`, the answer pressed on its first line."""
        body = self.body(language)
        return f"{self.answered}\n\n{body}" if self.answered else body

    def body(self, language: Language) -> str:
        """The message without the answer pressed (for a new message after the press)."""
        if self.html is not None:
            return str(self.html)
        assert self.key is not None
        return catalogue().render(self.key, language, **self.args)
