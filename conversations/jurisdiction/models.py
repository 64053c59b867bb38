"""The facts of a report that the rules need, and the decision the engine gives."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from conversations.bilingual import Bilingual

PublicService = Literal["yes", "no", "unsure"]
Complained = Literal["yes", "no", "unknown"]
Identity = Literal["anonymous", "confidential", "open"]
# A handling body's id as the rules file names it under [bodies] ("bawaslu", "bkn", ...).
Agency = str


class ReportFacts(BaseModel):
    """Everything the jurisdiction rules look at (design §5a "Facts")."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    category: str
    person: str
    public_service: PublicService
    service_name: str | None = None
    complained: Complained | None = None
    province_code: str
    regency_code: str | None = None
    event_date: dt.date
    learned_date: dt.date | None = None
    identity: Identity = "anonymous"
    report_date: dt.date
    # The reporter did not remember the date (an approximate one was given): time limits that
    # count from it cannot be checked.
    date_approximate: bool = False

    @model_validator(mode="after")
    def _dates_in_order(self) -> ReportFacts:
        if self.event_date > self.report_date:
            raise ValueError("the event date is after the report date")
        if self.learned_date is not None and not (
            self.event_date <= self.learned_date <= self.report_date
        ):
            raise ValueError("the learned date must lie between the event and the report")
        return self

    @property
    def known_since(self) -> dt.date:
        """When the reporter learned of it (the event date when not asked)."""
        return self.learned_date or self.event_date


class Office(BaseModel):
    """A handling office, e.g. `Bawaslu Kota Serang`.

    `staff` is True when the body can have staff in this bot (the report may reach them here);
    `channel` says where and how to file with the body directly; `packet` that the bot can fill
    in the body's report form.
    """

    model_config = ConfigDict(frozen=True)

    agency: Agency
    name: str
    staff: bool = True
    channel: Bilingual | None = None
    packet: bool = False


class Deadline(BaseModel):
    """The last safe day to file with a body (`date`), the last day any reading of the law
    allows (`latest`, the same day when the law is read one way only), and how to say it."""

    model_config = ConfigDict(frozen=True)

    agency: Agency
    date: dt.date
    text: Bilingual
    latest: dt.date | None = None
    late: bool = False  # the report came after `date`, within `latest`


class Decision(BaseModel):
    """Which bodies can act, through which offices, why, by when, and what to do next."""

    model_config = ConfigDict(frozen=True)

    bodies: list[Agency] = Field(default_factory=list)
    offices: list[Office] = Field(default_factory=list)
    reasons: list[Bilingual] = Field(default_factory=list)
    legal_bases: list[str] = Field(default_factory=list)
    deadlines: list[Deadline] = Field(default_factory=list)
    deadline_notes: list[Bilingual] = Field(default_factory=list)  # limits not checked
    warnings: list[Bilingual] = Field(default_factory=list)
    referrals: list[Bilingual] = Field(default_factory=list)
    next_steps: list[Bilingual] = Field(default_factory=list)
    rules_applied: list[str] = Field(default_factory=list)
    dropped: list[Agency] = Field(default_factory=list)
    urgent: bool = False
    election: str | None = None
