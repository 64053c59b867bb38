"""`python -m bot explain`: print the decision for given facts, as a reporter would see it."""

from __future__ import annotations

import argparse
import datetime as dt
import re

from conversations.jurisdiction.engine import Jurisdiction
from conversations.jurisdiction.models import ReportFacts
from conversations.jurisdiction.render import render_decision
from conversations.jurisdiction.ruleset import shipped_rules
from conversations.messages import Language
from conversations.places import Region

_TAG = re.compile(r"<[^>]+>")


class ExplainError(ValueError):
    """The facts given on the command line are incomplete or wrong."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of `explain` (the lists shown are the shipped rules file's; a RULES_FILE
    of your own may add more)."""
    rules = shipped_rules()
    parser.add_argument(
        "--category",
        required=True,
        help=f"one of: {', '.join(c.id for c in rules.categories)}",
    )
    parser.add_argument(
        "--person",
        required=True,
        help=f"one of: {', '.join(k.id for k in rules.person_kinds)}",
    )
    parser.add_argument("--public-service", default="no", choices=["yes", "no", "unsure"])
    parser.add_argument("--complained", choices=["yes", "no", "unknown"])
    parser.add_argument("--province", required=True, help="code (36) or name (Banten, jatim)")
    parser.add_argument("--regency", help="code (36.73) or name (Kota Serang)")
    parser.add_argument("--event-date", required=True, type=dt.date.fromisoformat)
    parser.add_argument("--learned-date", type=dt.date.fromisoformat)
    parser.add_argument("--report-date", type=dt.date.fromisoformat, help="default: today")
    parser.add_argument(
        "--identity", default="anonymous", choices=["anonymous", "confidential", "open"]
    )
    parser.add_argument("--language", default="id", choices=["id", "en"])


def _province(jurisdiction: Jurisdiction, typed: str) -> Region:
    found = jurisdiction.places.find(typed)
    if found is not None and found.is_province:
        return found
    match = jurisdiction.places.match_province(typed)
    if match.region is None:
        names = ", ".join(r.name for r in match.candidates) or "none"
        raise ExplainError(f"--province {typed!r} is not a province (close: {names})")
    return match.region


def _regency(jurisdiction: Jurisdiction, typed: str, province: Region) -> Region:
    found = jurisdiction.places.find(typed)
    if found is not None and found.province_code == province.code and not found.is_province:
        return found
    match = jurisdiction.places.match_regency(typed, province.code)
    if match.region is None:
        names = ", ".join(f"{r.name} ({r.code})" for r in match.candidates) or "none"
        raise ExplainError(
            f"--regency {typed!r} is not one place in {province.name} (close: {names})"
        )
    return match.region


def explain(jurisdiction: Jurisdiction, args: argparse.Namespace, today: dt.date) -> str:
    """The decision as plain text, with the rules applied listed for staff."""
    rules = jurisdiction.rules
    categories = [c.id for c in rules.categories]
    kinds = [k.id for k in rules.person_kinds]
    if args.category not in categories:
        raise ExplainError(f"--category must be one of: {', '.join(categories)}")
    if args.person not in kinds:
        raise ExplainError(f"--person must be one of: {', '.join(kinds)}")
    province = _province(jurisdiction, args.province)
    regency = _regency(jurisdiction, args.regency, province) if args.regency else None
    try:
        facts = ReportFacts(
            category=args.category,
            person=args.person,
            public_service=args.public_service,
            complained=args.complained,
            province_code=province.code,
            regency_code=regency.code if regency else None,
            event_date=args.event_date,
            learned_date=args.learned_date,
            identity=args.identity,
            report_date=args.report_date or today,
        )
    except ValueError as exc:
        raise ExplainError(str(exc).splitlines()[-1].strip()) from None
    decision = jurisdiction.decide(facts)
    language: Language = args.language
    text = _TAG.sub("", render_decision(decision, None, language))
    text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    footer = f"\n\n[rules applied: {', '.join(decision.rules_applied) or 'none'}"
    footer += f"; election stage: {decision.election or 'none'}; report date: {facts.report_date}]"
    return text + footer
