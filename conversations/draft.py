"""The report a reporter is filling in: every answer so far and the question they are at."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from conversations.jurisdiction.models import Complained, Identity, PublicService, ReportFacts

EvidenceKind = Literal["photo", "video", "document", "voice", "audio", "link"]


class EvidenceItem(BaseModel):
    """What the draft remembers of one piece of evidence (the file itself is in storage)."""

    model_config = ConfigDict(frozen=True)

    kind: EvidenceKind
    label: str  # file name, or the link
    size_bytes: int = 0
    metadata_removed: bool = False
    metadata_may_remain: bool = False  # the bot could not clean it: the reporter was told
    file_unique_id: str | None = None


class Draft(BaseModel):
    """An unfinished report. `question` is the id of the question being asked."""

    model_config = ConfigDict(extra="ignore")

    draft_id: str
    question: str = "consent"
    editing: bool = False  # changing a part from the review: return there afterwards
    confirm_cancel: bool = False
    consent: bool = False
    category: str | None = None
    description: str | None = None
    long_description: str | None = None  # a story over the limit, kept until the reporter chooses
    person: str | None = None
    person_details: str | None = None
    province_code: str | None = None
    regency_code: str | None = None
    regency_unknown: bool = False
    place_detail: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    event_date: dt.date | None = None
    event_date_approx: str | None = None  # "week", "month" or "earlier": not remembered exactly
    learned_date: dt.date | None = None
    learned_unknown: bool = False  # the reporter does not remember when they learned of it
    date_options: list[dt.date] = Field(default_factory=list)  # days offered for an unclear date
    date_range: bool = False  # asking for a rough time after "I don't remember"
    public_service: PublicService | None = None
    service_name: str | None = None
    complained: Complained | None = None
    evidence: list[EvidenceItem] = Field(default_factory=list)
    evidence_done: bool = False
    identity: Identity | None = None
    reporter_name: str | None = None
    reporter_phone: str | None = None
    # place codes offered as buttons; at a choice step, the option typed words pointed to
    choices: list[str] = Field(default_factory=list)
    guessed: bool = False  # the choices come from a typo: asked as "Did you mean ...?"
    located: bool = False  # the choices come from a shared location: "📍 … — benar?"
    regency_preset: bool = False  # the regency was given at the province question

    def facts(self, report_date: dt.date) -> ReportFacts:
        """The facts the jurisdiction rules need (the draft must be complete)."""
        assert self.category and self.person and self.public_service and self.province_code
        assert self.event_date is not None
        return ReportFacts(
            category=self.category,
            person=self.person,
            public_service=self.public_service,
            service_name=self.service_name,
            complained=self.complained,
            province_code=self.province_code,
            regency_code=self.regency_code,
            event_date=self.event_date,
            learned_date=self.learned_date,
            identity=self.identity or "anonymous",
            report_date=report_date,
            date_approximate=self.event_date_approx is not None or self.learned_unknown,
        )
