"""Election stage windows (`data/elections.toml`, or the file in ELECTIONS_FILE)."""

from __future__ import annotations

import datetime as dt
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from conversations.datafiles import DataFileError, parse_model


class ElectionsError(DataFileError):
    """The elections file is malformed; the message names the entry."""


class Election(BaseModel):
    """The stages of one election: from `start` through `voting_day` to `end`, with the source
    its dates were read in. An `expected` window (dates not yet set by the KPU) only warns: it
    never decides that Bawaslu can act."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    kind: Literal["pemilu", "pilkada"]
    start: dt.date
    voting_day: dt.date
    end: dt.date
    regions: list[str] = Field(default_factory=list)
    source: str = Field(min_length=8)  # a regulation or decision number, or an official page
    status: Literal["confirmed", "expected"] = "confirmed"

    @model_validator(mode="after")
    def _ordered(self) -> Election:
        if not self.start <= self.voting_day <= self.end:
            raise ValueError("dates must run start <= voting_day <= end")
        return self

    def covers(self, day: dt.date, province_code: str, regency_code: str | None) -> bool:
        """Whether this election's stages run on `day` at that place."""
        if not self.start <= day <= self.end:
            return False
        if not self.regions:
            return True
        return province_code in self.regions or (regency_code or "") in self.regions


class Elections(BaseModel):
    """All election windows."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    elections: list[Election] = Field(default_factory=list)

    def running(
        self, day: dt.date, province_code: str, regency_code: str | None
    ) -> Election | None:
        """A confirmed election whose stages run on `day` at that place, if any."""
        for election in self.elections:
            if election.status == "confirmed" and election.covers(day, province_code, regency_code):
                return election
        return None

    def expected(
        self, day: dt.date, province_code: str, regency_code: str | None
    ) -> Election | None:
        """The next expected (unconfirmed) window at that place that has not ended by `day`."""
        ahead = [
            e
            for e in self.elections
            if e.status == "expected"
            and e.end >= day
            and (not e.regions or province_code in e.regions or (regency_code or "") in e.regions)
        ]
        return min(ahead, key=lambda e: e.start, default=None)

    def warnings(self, today: dt.date) -> list[str]:
        """What an operator must fix: no confirmed window ahead, expected windows whose dates
        are still unconfirmed (one that should have started by now above all)."""
        found = []
        if not any(e.status == "confirmed" and e.end >= today for e in self.elections):
            found.append(
                "no confirmed election window runs now or later: add the next one's dates"
                " (with their source) when the KPU sets them"
            )
        for e in self.elections:
            if e.status != "expected":
                continue
            if e.start <= today:
                found.append(
                    f"{e.name}: expected to start {e.start.isoformat()} but its dates are still"
                    ' not confirmed: confirm them (status = "confirmed", with the source)'
                )
            else:
                found.append(
                    f"{e.name}: dates expected, not confirmed (stages from about"
                    f" {e.start.isoformat()}); reports are not routed by it until they are"
                )
        return found


def parse_elections(text: str, source: str = "elections.toml") -> Elections:
    """Validate an elections file."""
    return parse_model(Elections, text, source, ElectionsError)


def load_elections(path: Path | None = None) -> Elections:
    """The windows from `path`, or the shipped file."""
    if path is not None:
        return parse_elections(path.read_text("utf-8"), str(path))
    return shipped_elections()


@cache
def shipped_elections() -> Elections:
    """The shipped windows, loaded once."""
    return parse_elections(
        resources.files("conversations").joinpath("data/elections.toml").read_text("utf-8")
    )
