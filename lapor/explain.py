"""`python -m lapor explain`: print the decision for given facts, as a reporter would see it."""

from __future__ import annotations

import argparse
import datetime as dt
import re

from conversations.jurisdiction.engine import Jurisdiction
from conversations.jurisdiction.models import ReportFacts
from conversations.jurisdiction.render import render_decision
from conversations.jurisdiction.ruleset import shipped_rules
from conversations.messages import Language
from conversations.places import PlaceAnswer, Region, province_answer, regency_answer
from conversations.questions import place_label

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
    parser.add_argument(
        "--province",
        required=True,
        help="code (36) or name as people type it (Banten, jatim, DI Yogyakarta); a regency or"
        " city named here (lebak, Tangsel) gives its province too",
    )
    parser.add_argument("--regency", help="code (36.73) or name (Kota Serang, kab. lebak, KBB)")
    parser.add_argument("--event-date", required=True, type=dt.date.fromisoformat)
    parser.add_argument("--learned-date", type=dt.date.fromisoformat)
    parser.add_argument("--report-date", type=dt.date.fromisoformat, help="default: today")
    parser.add_argument(
        "--identity", default="anonymous", choices=["anonymous", "confidential", "open"]
    )
    parser.add_argument("--language", default="id", choices=["id", "en"])


def _names(regions: tuple[Region, ...], province_code: str | None = None) -> str:
    labels = (f"{place_label(r, r.province_code != province_code)} ({r.code})" for r in regions)
    return ", ".join(labels) or "none"


def _place(
    jurisdiction: Jurisdiction, province: str, regency: str | None
) -> tuple[Region, Region | None]:
    """The province and regency given, read as the report's questions read them: a regency
    named as the province gives both; a typo or a shared name is refused with the choices."""
    places = jurisdiction.places
    found = places.find(province)
    answer = PlaceAnswer(sure=found) if found is not None else province_answer(places, province)
    if answer.sure is None:
        if len(answer.offer) == 1 and not answer.guessed and regency is None:
            return places.get(answer.offer[0].province_code), answer.offer[0]
        close = "did you mean" if answer.guessed else "choose one of"
        raise ExplainError(
            f"--province {province!r} is not one place ({close}: {_names(answer.offer)})"
        )
    chosen = answer.sure
    if not chosen.is_province:
        if regency is None:
            return places.get(chosen.province_code), chosen
        chosen = places.get(chosen.province_code)
    if regency is None:
        return chosen, None
    found = places.find(regency)
    if found is not None and not found.is_province:
        return places.get(found.province_code), found
    place = regency_answer(places, regency, chosen.code)
    if place.sure is None:
        close = "did you mean" if place.guessed else "choose one of"
        names = _names(place.offer, chosen.code)
        raise ExplainError(
            f"--regency {regency!r} is not one place in {chosen.name} ({close}: {names})"
        )
    return places.get(place.sure.province_code), place.sure


def explain(jurisdiction: Jurisdiction, args: argparse.Namespace, today: dt.date) -> str:
    """The decision as plain text, with the rules applied listed for staff."""
    rules = jurisdiction.rules
    categories = [c.id for c in rules.categories]
    kinds = [k.id for k in rules.person_kinds]
    if args.category not in categories:
        raise ExplainError(f"--category must be one of: {', '.join(categories)}")
    if args.person not in kinds:
        raise ExplainError(f"--person must be one of: {', '.join(kinds)}")
    province, regency = _place(jurisdiction, args.province, args.regency)
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
