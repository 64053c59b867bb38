"""The jurisdiction engine: report facts in, a decision out, driven entirely by the data files."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from conversations.bilingual import Bilingual, both_dates
from conversations.jurisdiction.elections import Elections, load_elections
from conversations.jurisdiction.models import Agency, Deadline, Decision, Office, ReportFacts
from conversations.jurisdiction.offices import Offices, shipped_offices
from conversations.jurisdiction.ruleset import (
    OFFICIAL,
    PersonKind,
    Rule,
    RuleSet,
    load_rules,
)
from conversations.places import Places, places

AGENCY_ORDER: tuple[Agency, ...] = ("bawaslu", "ombudsman")


def add_years(day: dt.date, years: int) -> dt.date:
    """The same calendar day `years` later (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


@dataclass
class _Draft:
    bodies: list[Agency] = field(default_factory=list)
    reasons: list[Bilingual] = field(default_factory=list)
    bases: list[str] = field(default_factory=list)
    referrals: list[str] = field(default_factory=list)
    rules: list[str] = field(default_factory=list)
    warnings: list[Bilingual] = field(default_factory=list)
    deadlines: list[Deadline] = field(default_factory=list)
    dropped: list[Agency] = field(default_factory=list)

    def add(self, items: list[str], value: str) -> None:
        if value not in items:
            items.append(value)


@dataclass(frozen=True)
class Jurisdiction:
    """The rules, places, offices and election windows the decision is made from."""

    rules: RuleSet
    places: Places
    offices: Offices
    elections: Elections

    def decide(self, facts: ReportFacts) -> Decision:
        """Who can act on this report, through which office, why, and by when."""
        category = self.rules.category(facts.category)
        kind = self.rules.person_kind(facts.person)
        province = self.places.get(facts.province_code)
        regency = self.places.find(facts.regency_code)
        nexus = facts.public_service == "yes" or category.service_nexus
        draft = _Draft()
        if kind.note is not None:
            draft.reasons.append(kind.note)
        for rule in self.rules.rules:
            if self._applies(rule, facts, kind, nexus):
                for body in rule.bodies:
                    if body not in draft.bodies:
                        draft.bodies.append(body)
                draft.reasons.append(rule.reason)
                draft.add(draft.bases, rule.basis)
                draft.add(draft.rules, rule.id)
                for ref in rule.referrals:
                    draft.add(draft.referrals, ref)
        for ref in kind.referrals:
            draft.add(draft.referrals, ref)
        election = self.elections.running(facts.report_date, province.code, facts.regency_code)
        for body in list(draft.bodies):
            self._apply_limit(body, facts, draft, election is not None)
        bodies = [b for b in AGENCY_ORDER if b in draft.bodies]
        offices = [
            Office(
                agency=b,
                name=self.offices.bawaslu_office(province, regency)
                if b == "bawaslu"
                else self.offices.ombudsman_office(province, regency),
            )
            for b in bodies
        ]
        referrals = [self._referral_text(ref) for ref in draft.referrals]
        inspectorate = self.offices.inspectorate_office(province)
        if inspectorate and kind.official:
            referrals.append(
                Bilingual(
                    id=f"{inspectorate} juga menerima laporan ini.",
                    en=f"{inspectorate} also receives this report.",
                )
            )
        next_steps = [
            step.text
            for body in bodies
            for step in self.rules.bodies[body].next_steps
            if step.applies(facts)
        ]
        if not bodies and not referrals:
            referrals.append(self.rules.fallback.text)
        return Decision(
            bodies=bodies,
            offices=offices,
            reasons=draft.reasons,
            legal_bases=draft.bases,
            deadlines=[d for d in draft.deadlines if d.agency in bodies],
            warnings=draft.warnings,
            referrals=referrals,
            next_steps=next_steps,
            rules_applied=draft.rules,
            dropped=draft.dropped,
            urgent=category.urgent,
            election=election.name if election else None,
        )

    def _applies(self, rule: Rule, facts: ReportFacts, kind: PersonKind, nexus: bool) -> bool:
        when = rule.when

        def person_in(names: list[str]) -> bool:
            return facts.person in names or (OFFICIAL in names and kind.official)

        if when.person is not None and not person_in(when.person):
            return False
        if when.not_person is not None and person_in(when.not_person):
            return False
        if when.category is not None and facts.category not in when.category:
            return False
        if when.not_category is not None and facts.category in when.not_category:
            return False
        if when.service_nexus is not None and when.service_nexus != nexus:
            return False
        return when.public_service is None or facts.public_service in when.public_service

    def _apply_limit(self, body: Agency, facts: ReportFacts, draft: _Draft, stage: bool) -> None:
        limit = self.rules.limits.get(body)
        if limit is None:
            return
        warning: Bilingual | None = None
        last_day: dt.date | None = None
        if limit.needs_election_stage and not stage:
            warning = limit.no_stage_warning
        elif limit.days_from_learning is not None:
            last_day = facts.known_since + dt.timedelta(days=limit.days_from_learning)
            if facts.report_date > last_day:
                assert limit.late_warning is not None
                dates = both_dates(facts.known_since)
                warning = Bilingual(
                    id=limit.late_warning.id.format(learned=dates.id),
                    en=limit.late_warning.en.format(learned=dates.en),
                )
        if warning is None and limit.max_event_age_years is not None:
            last_day = add_years(facts.event_date, limit.max_event_age_years)
            if facts.report_date > last_day:
                warning = limit.too_old_warning
        if warning is not None:
            draft.bodies.remove(body)
            draft.dropped.append(body)
            draft.warnings.append(warning)
            draft.add(draft.bases, limit.basis)
            draft.add(draft.rules, limit.rule)
            return
        if last_day is not None:
            template = self.rules.bodies[body].deadline
            dates = both_dates(last_day)
            draft.deadlines.append(
                Deadline(
                    agency=body,
                    date=last_day,
                    text=Bilingual(
                        id=template.id.format(deadline=dates.id),
                        en=template.en.format(deadline=dates.en),
                    ),
                )
            )

    def _referral_text(self, ref: str) -> Bilingual:
        sanctioning = self.offices.sanctioning_body.name
        text = self.rules.referrals[ref].text
        return Bilingual(
            id=text.id.format(sanctioning_body=sanctioning.id),
            en=text.en.format(sanctioning_body=sanctioning.en),
        )


def build_jurisdiction(
    rules_file: Path | None = None, elections_file: Path | None = None
) -> Jurisdiction:
    """Load and cross-check every data file; raises a clear error naming a bad entry."""
    jurisdiction = Jurisdiction(
        rules=load_rules(rules_file),
        places=places(),
        offices=shipped_offices(),
        elections=load_elections(elections_file),
    )
    jurisdiction.offices.check(jurisdiction.places)
    return jurisdiction


@cache
def default_jurisdiction() -> Jurisdiction:
    """The shipped data files, loaded once."""
    return build_jurisdiction()
