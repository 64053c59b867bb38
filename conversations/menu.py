"""The chat-level commands and menu: welcome, help, privacy, language switch."""

from __future__ import annotations

from dataclasses import dataclass

from conversations.messages import Language
from conversations.replies import Button, Reply
from conversations.session import Command, Event, Press, Profile

# Each command and its aliases in both languages name one action.
COMMANDS: dict[str, str] = {
    "start": "start",
    "mulai": "start",
    "menu": "start",
    "bantuan": "help",
    "help": "help",
    "privasi": "privacy",
    "privacy": "privacy",
    "bahasa": "language",
    "language": "language",
}

MENU_DATA = "m"


@dataclass(frozen=True, slots=True)
class MenuOutcome:
    """The chat's language after the event and the replies to send."""

    language: Language
    replies: tuple[Reply, ...]


def menu_buttons() -> tuple[tuple[Button, ...], ...]:
    """The main menu as inline buttons."""
    return (
        (
            Button(f"{MENU_DATA}:report", "menu_report"),
            Button(f"{MENU_DATA}:status", "menu_status"),
        ),
        (Button(f"{MENU_DATA}:help", "menu_help"), Button(f"{MENU_DATA}:privacy", "menu_privacy")),
        (Button(f"{MENU_DATA}:language", "menu_language"),),
    )


def other_language(language: Language) -> Language:
    """Indonesian ↔ English."""
    return "en" if language == "id" else "id"


def action_of(event: Event) -> str | None:
    """The menu action an event asks for, if it is one."""
    if isinstance(event, Command):
        return COMMANDS.get(event.name.lower())
    if isinstance(event, Press) and event.data.startswith(f"{MENU_DATA}:"):
        return event.data.split(":", 1)[1]
    return None


def handle_menu(profile: Profile, event: Event) -> MenuOutcome:
    """Answer an event outside any report: menu actions, unknown commands, anything else."""
    language = profile.language
    action = action_of(event)
    if action == "start":
        reply = Reply("welcome", {"name": profile.first_name or "Warga"}, menu_buttons())
        return MenuOutcome(language, (reply,))
    if action == "help":
        return MenuOutcome(language, (Reply("help", buttons=menu_buttons()),))
    if action == "privacy":
        return MenuOutcome(language, (Reply("privacy", buttons=menu_buttons()),))
    if action == "language":
        language = other_language(language)
        return MenuOutcome(language, (Reply("language_set", buttons=menu_buttons()),))
    if isinstance(event, Command):
        return MenuOutcome(language, (Reply("unknown_command"),))
    return MenuOutcome(language, (Reply("not_understood", buttons=menu_buttons()),))
