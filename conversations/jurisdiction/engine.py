"""The jurisdiction engine: report facts in, a decision out, driven entirely by the data files."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path

from conversations.bilingual import Bilingual, both_dates
from conversations.jurisdiction.elections import Elections, load_elections
from conversations.jurisdiction.models import Agency, Deadline, Decision, Office, ReportFacts
from conversations.jurisdiction.offices import Offices, shipped_offices
from conversations.jurisdiction.ruleset import (
    OFFICIAL,
    Limit,
    PersonKind,
    Rule,
    RuleSet,
    load_rules,
)
from conversations.places import Places, places
from conversations.visibility import Policy
from conversations.workdays import WorkCalendar, indonesian_calendar


def add_years(day: dt.date, years: int) -> dt.date:
    """The same calendar day `years` later (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def cite(bases: list[str]) -> list[str]:
    """Each legal basis once: `A; B` strings split, repeats dropped, and a bare act left out
    when a more precise citation of it is there (`UU 37/2008` beside `UU 37/2008 Pasal 24`)."""
    items: list[str] = []
    for basis in bases:
        for item in (part.strip() for part in basis.split(";")):
            if item and item not in items:
                items.append(item)
    return [a for a in items if not any(b != a and b.startswith(f"{a} ") for b in items)]


@dataclass
class _Draft:
    bodies: list[Agency] = field(default_factory=list)
    reasons: list[tuple[Rule | None, Bilingual]] = field(default_factory=list)
    bases: list[tuple[Rule | None, str]] = field(default_factory=list)
    referrals: list[str] = field(default_factory=list)
    rules: list[str] = field(default_factory=list)
    warnings: list[Bilingual] = field(default_factory=list)
    deadlines: list[Deadline] = field(default_factory=list)
    deadline_notes: list[Bilingual] = field(default_factory=list)
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
    calendar: WorkCalendar = field(default_factory=indonesian_calendar)

    @cached_property
    def visibility(self) -> Policy:
        """Who may see which case (and whose reporter), from the rules."""
        return Policy(self.rules)

    def decide(self, facts: ReportFacts) -> Decision:
        """Who can act on this report, through which office, why, and by when."""
        category = self.rules.category(facts.category)
        kind = self.rules.person_kind(facts.person)
        province = self.places.get(facts.province_code)
        regency = self.places.find(facts.regency_code)
        nexus = facts.public_service == "yes" or category.service_nexus
        draft = _Draft()
        if kind.note is not None:
            draft.reasons.append((None, kind.note))
        for rule in self.rules.rules:
            if self._applies(rule, facts, kind, nexus):
                for body in rule.bodies:
                    if body not in draft.bodies:
                        draft.bodies.append(body)
                draft.reasons.append((rule, rule.reason))
                draft.bases.append((rule, rule.basis))
                draft.add(draft.rules, rule.id)
                for ref in rule.referrals:
                    draft.add(draft.referrals, ref)
        for ref in kind.referrals:
            draft.add(draft.referrals, ref)
        election = self.elections.running(facts.report_date, province.code, facts.regency_code)
        for body in list(draft.bodies):
            self._apply_limit(body, facts, draft, election.kind if election else None)
        bodies = self.rules.body_order(draft.bodies)
        offices = [
            Office(
                agency=body,
                name=self.offices.office_name(body, province, regency),
                staff=self.rules.bodies[body].staff_role,
                channel=self.rules.bodies[body].channel,
                packet=self.rules.bodies[body].packet,
            )
            for body in bodies
        ]

        def still_applies(rule: Rule | None) -> bool:
            # A reason or basis whose bodies were all dropped by a time limit would contradict
            # the warning that says so: it is left out.
            return rule is None or not rule.bodies or any(b in bodies for b in rule.bodies)

        referrals = [self._referral_text(ref) for ref in draft.referrals]
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
            reasons=[text for rule, text in draft.reasons if still_applies(rule)],
            legal_bases=cite([basis for rule, basis in draft.bases if still_applies(rule)]),
            deadlines=[d for d in draft.deadlines if d.agency in bodies],
            deadline_notes=draft.deadline_notes,
            warnings=draft.warnings,
            referrals=referrals,
            next_steps=next_steps,
            rules_applied=draft.rules,
            dropped=draft.dropped,
            urgent=category.urgent,
            election=election.name if election else None,
        )

    def office_at(self, body: Agency, province_code: str, regency_code: str | None) -> str:
        """The name of `body`'s office for a place."""
        province = self.places.get(province_code)
        return self.offices.office_name(body, province, self.places.find(regency_code))

    def out_of_stage(
        self, body: Agency, day: dt.date, province_code: str, regency_code: str | None
    ) -> bool:
        """Whether `body` acts only while an election's stages run, and none runs there on `day`."""
        limit = self.rules.limits.get(body)
        if limit is None or not limit.needs_election_stage:
            return False
        return self.elections.running(day, province_code, regency_code) is None

    def learning_counts(self, day: dt.date, province_code: str, regency_code: str | None) -> bool:
        """Whether a limit counted from when the reporter learned of it can matter for a report
        at this place on `day`: some body has one and could act there then (its election stage
        running, where it needs one)."""
        return any(
            limit.days_from_learning is not None
            and not self.out_of_stage(body, day, province_code, regency_code)
            for body, limit in self.rules.limits.items()
        )

    def office(self, agency: Agency, name: str) -> Office:
        """A stored office (agency and name) with its body's role and channel from the rules."""
        info = self.rules.bodies.get(agency)
        if info is None:  # a body since removed from the rules file
            return Office(agency=agency, name=name, staff=False)
        return Office(
            agency=agency,
            name=name,
            staff=info.staff_role,
            channel=info.channel,
            packet=info.packet,
        )

    def rank(self, agency: Agency) -> int:
        """Where a body stands in the order bodies are shown (the rules file's order)."""
        order = list(self.rules.bodies)
        return order.index(agency) if agency in order else len(order)

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

    def _apply_limit(
        self, body: Agency, facts: ReportFacts, draft: _Draft, election_kind: str | None
    ) -> None:
        limit = self.rules.limits.get(body)
        if limit is None:
            return
        warning: Bilingual | None = None
        deadline: Deadline | None = None
        if limit.needs_election_stage and election_kind is None:
            warning = limit.no_stage_warning
            ahead = self.elections.expected(
                facts.report_date, facts.province_code, facts.regency_code
            )
            if warning is not None and ahead is not None and limit.expected_stage_note is not None:
                note = limit.expected_stage_note
                args = {"name": ahead.name, "year": ahead.start.year}
                warning = Bilingual(
                    id=f"{warning.id} {note.id.format(**args)}",
                    en=f"{warning.en} {note.en.format(**args)}",
                )
        elif facts.date_approximate:
            # without a date the days cannot be counted: say so, drop nothing
            if limit.unknown_date_note is not None:
                draft.deadline_notes.append(limit.unknown_date_note)
            return
        elif limit.days_from_learning is not None:
            safe, latest = self._last_days(limit, facts.known_since, election_kind)
            if facts.report_date > latest:
                assert limit.late_warning is not None
                warning = Bilingual(
                    id=limit.late_warning.id.format(learned=both_dates(facts.known_since).id),
                    en=limit.late_warning.en.format(learned=both_dates(facts.known_since).en),
                )
            else:
                deadline = self._deadline(body, safe, latest, facts.report_date)
        if warning is None and limit.max_event_age_years is not None:
            last_day = add_years(facts.event_date, limit.max_event_age_years)
            if facts.report_date > last_day:
                warning = limit.too_old_warning
            elif deadline is None:
                deadline = self._deadline(body, last_day, last_day, facts.report_date)
        if warning is not None:
            draft.bodies.remove(body)
            draft.dropped.append(body)
            # the limit's own articles are not cited: "Dasar hukum" right after "Bawaslu
            # cannot act" would read as if Bawaslu were the way (R11 stays in rules_applied)
            draft.warnings.append(warning)
            draft.add(draft.rules, limit.rule)
        elif deadline is not None:
            draft.deadlines.append(deadline)

    def _last_days(
        self, limit: Limit, known_since: dt.date, election_kind: str | None
    ) -> tuple[dt.date, dt.date]:
        """The last safe day and the last day on the most generous reading of the limit."""
        assert limit.days_from_learning is not None
        units = next((c.units for c in limit.counting if c.kind == election_kind), ["calendar"])
        days = limit.days_from_learning
        last = [
            known_since + dt.timedelta(days=days)
            if unit == "calendar"
            else self.calendar.add_working_days(known_since, days)
            for unit in units
        ]
        return min(last), max(last)

    def _deadline(
        self, body: Agency, safe: dt.date, latest: dt.date, report_date: dt.date
    ) -> Deadline:
        info = self.rules.bodies[body]
        template = info.deadline_late if report_date > safe else info.deadline
        assert template is not None and info.deadline is not None
        safe_text, latest_text = both_dates(safe), both_dates(latest)
        return Deadline(
            agency=body,
            date=safe,
            latest=latest,
            late=report_date > safe,
            text=Bilingual(
                id=template.id.format(deadline=safe_text.id, latest=latest_text.id),
                en=template.en.format(deadline=safe_text.en, latest=latest_text.en),
            ),
        )

    def _referral_text(self, ref: str) -> Bilingual:
        return self.rules.referrals[ref].text


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
    jurisdiction.offices.check(jurisdiction.places, list(jurisdiction.rules.bodies))
    return jurisdiction


@cache
def default_jurisdiction() -> Jurisdiction:
    """The shipped data files, loaded once."""
    return build_jurisdiction()
