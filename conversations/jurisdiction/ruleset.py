"""The rules file (`data/rules.toml`) as validated models; a bad file names the bad entry."""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from conversations.bilingual import Bilingual
from conversations.datafiles import DataFileError, parse_model
from conversations.jurisdiction.models import (
    Agency,
    Complained,
    Identity,
    PublicService,
    ReportFacts,
)

OFFICIAL = "official"


class RulesError(DataFileError):
    """The rules file is malformed; the message names the entry and the problem."""


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Category(_Strict):
    """A kind of incident (step 2)."""

    id: str
    label: Bilingual
    hint: Bilingual
    urgent: bool = False
    service_nexus: bool = False
    words: list[str] = Field(default_factory=list)  # typed words that point to it


class PersonKind(_Strict):
    """A kind of person reported (step 3)."""

    id: str
    label: Bilingual
    official: bool
    referrals: list[str] = Field(default_factory=list)
    note: Bilingual | None = None
    words: list[str] = Field(default_factory=list)  # typed words that point to it


class Condition(_Strict):
    """When a rule applies; every given field must hold."""

    person: list[str] | None = None
    not_person: list[str] | None = None
    category: list[str] | None = None
    not_category: list[str] | None = None
    service_nexus: bool | None = None
    public_service: list[PublicService] | None = None


class Rule(_Strict):
    """One jurisdiction rule: a condition, the bodies it adds and why."""

    id: str
    when: Condition
    bodies: list[Agency]
    reason: Bilingual
    basis: str
    referrals: list[str] = Field(default_factory=list)


DayUnit = Literal["calendar", "working"]


class Counting(_Strict):
    """How the days of a limit are counted for one kind of election. When the law can be read
    two ways, `units` lists both: the earlier last day is shown as the safe one, and the body
    is dropped only once the later one has passed too."""

    kind: str
    units: list[DayUnit] = Field(min_length=1)
    basis: str


class Limit(_Strict):
    """A time limit on one body's handling."""

    rule: str
    basis: str
    needs_election_stage: bool = False
    days_from_learning: int | None = None
    counting: list[Counting] = Field(default_factory=list)
    max_event_age_years: int | None = None
    no_stage_warning: Bilingual | None = None
    # after it, when the next election's dates are only expected: {name}, {year}
    expected_stage_note: Bilingual | None = None
    late_warning: Bilingual | None = None
    too_old_warning: Bilingual | None = None
    unknown_date_note: Bilingual | None = None  # shown when the date was only approximate

    @model_validator(mode="after")
    def _warnings_present(self) -> Limit:
        if self.needs_election_stage and self.no_stage_warning is None:
            raise ValueError("needs_election_stage requires no_stage_warning")
        if self.days_from_learning is not None and self.late_warning is None:
            raise ValueError("days_from_learning requires late_warning")
        if self.max_event_age_years is not None and self.too_old_warning is None:
            raise ValueError("max_event_age_years requires too_old_warning")
        return self


class Step(_Strict):
    """A next step shown with a body, optionally only for some answers."""

    text: Bilingual
    identity: list[Identity] | None = None
    complained: list[Complained] | None = None

    def applies(self, facts: ReportFacts) -> bool:
        """Whether this step concerns the reporter's answers."""
        if self.identity is not None and facts.identity not in self.identity:
            return False
        return self.complained is None or (facts.complained or "unknown") in self.complained


class BodyInfo(_Strict):
    """A body a rule can name: how it is called, whether it can have staff in this bot, where
    to file with it directly, its deadline sentences (for the reporter, and for staff where
    they differ) and the next steps shown with it."""

    name: Bilingual
    staff_role: bool = False
    # which cases its staff see: those it handles, or every case about an official in their
    # area (an overseer: the regional inspectorate)
    sees: Literal["handled", "officials"] = "handled"
    channel: Bilingual
    packet: bool = False
    deadline: Bilingual | None = None
    deadline_late: Bilingual | None = None
    # the same deadline as staff read it (when `deadline` speaks to the reporter: "Anda")
    staff_deadline: Bilingual | None = None
    staff_deadline_late: Bilingual | None = None
    next_steps: list[Step] = Field(default_factory=list)
    colour: str | None = Field(default=None, pattern=r"^#[0-9A-Fa-f]{6}$")


class Referral(_Strict):
    """Somewhere else the reporter can go; `sanction` marks the disciplinary route."""

    text: Bilingual
    sanction: bool = False


class Fallback(_Strict):
    """What to say when nothing else applies."""

    text: Bilingual


class RuleSet(_Strict):
    """The whole rules file."""

    categories: list[Category]
    person_kinds: list[PersonKind]
    rules: list[Rule]
    limits: dict[Agency, Limit] = Field(default_factory=dict)
    bodies: dict[Agency, BodyInfo]
    referrals: dict[str, Referral] = Field(default_factory=dict)
    fallback: Fallback

    @model_validator(mode="after")
    def _references_resolve(self) -> RuleSet:
        categories = {c.id for c in self.categories}
        kinds = {k.id for k in self.person_kinds}
        _unique("categories", [c.id for c in self.categories])
        _unique("person_kinds", [k.id for k in self.person_kinds])
        _unique("rules", [r.id for r in self.rules])
        # a typed word points to one option only
        _unique(
            "categories' words",
            [" ".join(w.lower().split()) for c in self.categories for w in c.words],
        )
        _unique(
            "person_kinds' words",
            [" ".join(w.lower().split()) for k in self.person_kinds for w in k.words],
        )
        for kind in self.person_kinds:
            for ref in kind.referrals:
                if ref not in self.referrals:
                    raise ValueError(f"person_kinds {kind.id!r}: unknown referral {ref!r}")
        for rule in self.rules:
            when = rule.when
            for name in (when.person or []) + (when.not_person or []):
                if name != OFFICIAL and name not in kinds:
                    raise ValueError(f"rules {rule.id!r}: unknown kind of person {name!r}")
            for name in (when.category or []) + (when.not_category or []):
                if name not in categories:
                    raise ValueError(f"rules {rule.id!r}: unknown category {name!r}")
            for ref in rule.referrals:
                if ref not in self.referrals:
                    raise ValueError(f"rules {rule.id!r}: unknown referral {ref!r}")
            for body in rule.bodies:
                if body not in self.bodies:
                    raise ValueError(f"rules {rule.id!r}: unknown body {body!r}")
        for body, limit in self.limits.items():
            if body not in self.bodies:
                raise ValueError(f"limits: unknown body {body!r}")
            if limit.days_from_learning is not None and self.bodies[body].deadline is None:
                raise ValueError(f"bodies {body!r}: a body with a time limit needs `deadline`")
            if len({u for c in limit.counting for u in c.units}) > 1 and (
                self.bodies[body].deadline_late is None
            ):
                raise ValueError(f"bodies {body!r}: two ways of counting need `deadline_late`")
        return self

    def staff_agencies(self) -> list[str]:
        """Bodies whose staff can work cases in this bot, in the file's order."""
        return [body for body, info in self.bodies.items() if info.staff_role]

    def body_order(self, bodies: list[str]) -> list[str]:
        """`bodies` in the order of the file's [bodies] section."""
        return [body for body in self.bodies if body in bodies]

    def category(self, category_id: str) -> Category:
        """The category with this id (KeyError when unknown)."""
        for category in self.categories:
            if category.id == category_id:
                return category
        raise KeyError(f"unknown category {category_id!r}")

    def person_kind(self, kind_id: str) -> PersonKind:
        """The kind of person with this id (KeyError when unknown)."""
        for kind in self.person_kinds:
            if kind.id == kind_id:
                return kind
        raise KeyError(f"unknown kind of person {kind_id!r}")

    def urgent_categories(self) -> set[str]:
        """Categories whose reports alert staff at once."""
        return {c.id for c in self.categories if c.urgent}


def _unique(section: str, ids: list[str]) -> None:
    seen: set[str] = set()
    for item in ids:
        if item in seen:
            raise ValueError(f"{section}: id {item!r} appears twice")
        seen.add(item)


def parse_rules(text: str, source: str = "rules.toml") -> RuleSet:
    """Validate a rules file; raise RulesError naming the bad entry."""
    return parse_model(RuleSet, text, source, RulesError)


def load_rules(path: Path | None = None) -> RuleSet:
    """The rules from `path`, or the shipped file."""
    if path is not None:
        return parse_rules(path.read_text("utf-8"), str(path))
    return shipped_rules()


@cache
def shipped_rules() -> RuleSet:
    """The rules file shipped with the program, loaded once."""
    text = resources.files("conversations").joinpath("data/rules.toml").read_text("utf-8")
    return parse_rules(text)
