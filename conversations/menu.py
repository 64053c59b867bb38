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
    "english": "language",
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


# A command typed as a word (channels without a slash habit: WhatsApp) is at most this many
# words long: "status LN-1234-5678-9012", "batal"; a longer text is an answer or a story.
TYPED_COMMAND_WORDS = 2


def typed_command(text: str) -> Command | None:
    """The command a typed text stands for: `/lapor` as on Telegram, or a command's word alone
    or with its argument ("lapor", "cek LN-…", "bantuan"); None for anything else."""
    stripped = text.strip()
    if stripped.startswith("/"):
        head, _, argument = stripped.partition(" ")
        return Command(head[1:].split("@", 1)[0].lower(), argument.strip())
    words = stripped.split()
    if not words or len(words) > TYPED_COMMAND_WORDS:
        return None
    name = words[0].lower().rstrip("!.?")
    return Command(name, " ".join(words[1:])) if name in COMMANDS else None
