"""Chat-level commands and the main menu."""

from __future__ import annotations

from conversations.callbacks import MENU
from conversations.events import Command, Event, Press
from conversations.replies import Button

# Each command and its aliases in both languages name one action.
COMMANDS: dict[str, str] = {
    "start": "start",
    "mulai": "start",
    "menu": "start",
    "lapor": "report",
    "report": "report",
    "laporan": "report",
    "status": "status",
    "cek": "status",
    "batal": "cancel",
    "cancel": "cancel",
    "bantuan": "help",
    "help": "help",
    "privasi": "privacy",
    "privacy": "privacy",
    "bahasa": "language",
    "language": "language",
    "lang": "language",
    "hapus": "erase",
    "delete": "erase",
    "hapusdata": "erase",
}
MENU_ACTIONS = {"start", "report", "status", "cancel", "help", "privacy", "language", "erase"}


def menu_buttons() -> tuple[tuple[Button, ...], ...]:
    """The main menu as inline buttons."""
    return (
        (
            Button(MENU.data("report"), "menu_report"),
            Button(MENU.data("status"), "menu_status"),
        ),
        (Button(MENU.data("help"), "menu_help"), Button(MENU.data("privacy"), "menu_privacy")),
        (Button(MENU.data("language"), "menu_language"),),
    )


def action_of(event: Event) -> str | None:
    """The menu action an event asks for ("unknown" for an unknown command), if it is one."""
    if isinstance(event, Command):
        return COMMANDS.get(event.name.lower(), "unknown")
    if isinstance(event, Press) and event.data.startswith(MENU.data("")):
        action = event.data.split(":", 1)[1]
        return action if action in MENU_ACTIONS else None
    return None
