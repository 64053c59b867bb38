"""A case's statuses: the one place each is named (the texts are in messages.toml, the moves
staff may make between them and their service targets in casework.toml)."""

from __future__ import annotations

REFERRED = "dirujuk"  # no handling body received it through the bot: the reporter files there
RECEIVED = "diterima"
VERIFIED = "diverifikasi"
FORWARDED = "diteruskan"
FOLLOWED_UP = "ditindaklanjuti"
DONE = "selesai"
REJECTED = "ditolak"

STATUSES = (REFERRED, RECEIVED, VERIFIED, FORWARDED, FOLLOWED_UP, DONE, REJECTED)
