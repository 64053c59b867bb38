"""What the core knows besides the draft: the day, the reader, the data files and the sizes the
questions enforce (the shell builds it for every event)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Literal

from conversations.jurisdiction.engine import Jurisdiction
from conversations.messages import Language

Channel = Literal["telegram", "whatsapp"]


@dataclass(frozen=True)
class Limits:
    """Sizes the questions enforce (from settings)."""

    min_description: int = 20
    max_description: int = 3000
    max_short_text: int = 300
    max_evidence_items: int = 10
    max_evidence_bytes: int = 20 * 1024 * 1024
    max_case_evidence_bytes: int = 100 * 1024 * 1024  # all files of one report together


@dataclass(frozen=True)
class Context:
    """What the core knows besides the draft: the day, the reader, the data files, limits."""

    today: dt.date
    language: Language
    user_id: int
    jurisdiction: Jurisdiction
    limits: Limits = field(default_factory=Limits)
    # where the reporter writes from: what the privacy texts must say differs (on WhatsApp the
    # chat's address is the person's number)
    channel: Channel = "telegram"
