"""Case handling rules: status changes, service targets, related cases (`data/casework.toml`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache, cached_property
from importlib import resources
from pathlib import Path

from pydantic import BaseModel, ConfigDict, model_validator

from conversations.bilingual import Bilingual
from conversations.datafiles import DataFileError, parse_model
from conversations.places import normalize
from conversations.statuses import STATUSES
from conversations.workdays import WorkCalendar, indonesian_calendar


class CaseworkError(DataFileError):
    """The casework file is malformed."""


class Target(BaseModel):
    """How long a case may wait in one status."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    status: str
    working_days: int
    near_days: int = 1
    label: Bilingual


class Related(BaseModel):
    """What makes two cases look related."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    window_days: int = 14
    min_similarity: float = 0.5


class Casework(BaseModel):
    """The whole casework file."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    transitions: dict[str, list[str]]
    targets: list[Target]
    related: Related = Related()

    @model_validator(mode="after")
    def _known_statuses(self) -> Casework:
        for source, targets in self.transitions.items():
            for status in [source, *targets]:
                if status not in STATUSES:
                    raise ValueError(f"transitions: unknown status {status!r}")
        missing = set(STATUSES) - set(self.transitions)
        if missing:
            raise ValueError(f"transitions: no entry for {', '.join(sorted(missing))}")
        if not self.final:
            raise ValueError("transitions: no final status (one with an empty list)")
        for target in self.targets:
            if target.status not in STATUSES:
                raise ValueError(f"targets: unknown status {target.status!r}")
        return self

    @cached_property
    def final(self) -> frozenset[str]:
        """The statuses a case cannot leave (no transitions out): closed cases."""
        return frozenset(s for s, targets in self.transitions.items() if not targets)

    def allowed(self, current: str, new: str) -> bool:
        """Whether a case may move from `current` to `new`."""
        return new in self.transitions.get(current, [])

    def target_for(self, status: str) -> Target | None:
        """The service target of a status, if it has one."""
        return next((t for t in self.targets if t.status == status), None)


@dataclass(frozen=True)
class Clock:
    """Where a case stands against its service target."""

    age_days: int
    target: Target | None
    due: dt.date | None
    state: str  # "ok", "near", "past" or "none"


def case_clock(
    casework: Casework,
    status: str,
    since: dt.date,
    created: dt.date,
    today: dt.date,
    calendar: WorkCalendar | None = None,
) -> Clock:
    """The case's age and its service target in the current status, counted in working days
    (Indonesian holidays and collective leave skipped, unless another calendar is given)."""
    add_working_days = (calendar or indonesian_calendar()).add_working_days
    age = (today - created).days
    target = casework.target_for(status)
    if target is None or status in casework.final:
        return Clock(age, None, None, "none")
    due = add_working_days(since, target.working_days)
    if today > due:
        state = "past"
    elif add_working_days(today, target.near_days) >= due:
        state = "near"
    else:
        state = "ok"
    return Clock(age, target, due, state)


def _tokens(text: str) -> set[str]:
    return {word for word in normalize(text).split() if len(word) >= 3}


def similarity(a: str | None, b: str | None) -> float:
    """How alike two free-text person/agency descriptions are: the share of the shorter one's
    words (of three letters or more) that the other one also has, from 0 to 1."""
    if not a or not b:
        return 0.0
    left, right = _tokens(a), _tokens(b)
    if not left or not right:
        return 0.0
    return len(left & right) / min(len(left), len(right))


def parse_casework(text: str, source: str = "casework.toml") -> Casework:
    """Validate a casework file."""
    return parse_model(Casework, text, source, CaseworkError)


def load_casework(path: Path | None = None) -> Casework:
    """The casework rules from `path`, or the shipped file."""
    if path is not None:
        return parse_casework(path.read_text("utf-8"), str(path))
    return shipped_casework()


@cache
def shipped_casework() -> Casework:
    """The shipped casework file, loaded once."""
    return parse_casework(
        resources.files("conversations").joinpath("data/casework.toml").read_text("utf-8")
    )
