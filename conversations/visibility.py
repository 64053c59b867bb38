"""Who may see which case, and whose reporter: one policy, read two ways.

As datasette builds "may this actor see this row" and "the rows this actor may see" from one
builder, the policy here is a small expression built once per staff member from the rules
(`rules.toml`: which bodies oversee every official's case in their area instead of the cases
they handle). `allows(expression, case)` reads it on one case (alerts, a case opened by a
button, forwarding); storage's `to_sql(expression)` (storage/visibility.py) writes the same
expression as a SQL condition (lists, counts, exports, the console, the filing packet). Both
read one expression, so they cannot drift apart; tests/staff/test_visibility_agreement.py runs both
over a table of cases anyway.

A member sees a case when their body handles it (an overseeing body: when the reported person
is an official) and the place is within their area; administrators also see every case no body
received (status `dirujuk`). The reporter's identity (open or confidential reports) is seen
only by staff of a body handling the case.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Protocol

from conversations.jurisdiction.ruleset import RuleSet
from conversations.statuses import REFERRED


@dataclass(frozen=True)
class Viewer:
    """A staff member as the policy sees them: their body ("" for an administrator of none),
    their area ("" national, a province or a regency code) and whether they administer."""

    agency: str
    scope: str
    admin: bool = False


class CaseFacts(Protocol):
    """What the policy reads of a case (a CaseRow has it)."""

    @property
    def bodies(self) -> Collection[str]: ...
    @property
    def person_kind(self) -> str: ...
    @property
    def province_code(self) -> str: ...
    @property
    def regency_code(self) -> str | None: ...
    @property
    def status(self) -> str: ...


@dataclass(frozen=True)
class Facts:
    """A case's facts on their own (a case with another body added)."""

    bodies: Collection[str]
    person_kind: str
    province_code: str
    regency_code: str | None
    status: str


# ------------------------------------------------------------------ the expression
@dataclass(frozen=True)
class Handles:
    """The body is one of the case's handling bodies."""

    agency: str


@dataclass(frozen=True)
class PersonIn:
    """The reported person is of one of these kinds."""

    kinds: tuple[str, ...]


@dataclass(frozen=True)
class InArea:
    """The case lies in this province or regency."""

    code: str


@dataclass(frozen=True)
class StatusIs:
    """The case has this status."""

    status: str


@dataclass(frozen=True)
class Never:
    """No case."""


@dataclass(frozen=True)
class AllOf:
    """Every term holds."""

    terms: tuple[Expr, ...]


@dataclass(frozen=True)
class AnyOf:
    """Some term holds."""

    terms: tuple[Expr, ...]


Expr = Handles | PersonIn | InArea | StatusIs | Never | AllOf | AnyOf


def allows(expression: Expr, case: CaseFacts) -> bool:
    """Whether the expression holds for one case."""
    match expression:
        case Handles(agency):
            return agency in case.bodies
        case PersonIn(kinds):
            return case.person_kind in kinds
        case InArea(code):
            return code in {case.province_code, case.regency_code or ""}
        case StatusIs(status):
            return case.status == status
        case Never():
            return False
        case AllOf(terms):
            return all(allows(term, case) for term in terms)
        case AnyOf(terms):
            return any(allows(term, case) for term in terms)
    raise TypeError(expression)


# ------------------------------------------------------------------ the policy
class Policy:
    """The visibility rules of one rules file."""

    def __init__(self, rules: RuleSet) -> None:
        self.overseers = frozenset(
            b for b, info in rules.bodies.items() if info.sees == "officials"
        )
        self.official_kinds = tuple(k.id for k in rules.person_kinds if k.official)

    def sees(self, viewer: Viewer) -> Expr:
        """The cases a staff member may see."""
        if viewer.admin and not viewer.agency:  # an administrator of no body: referred cases
            return StatusIs(REFERRED)
        agency: Expr
        if not viewer.agency:
            agency = Never()
        elif viewer.agency in self.overseers:
            agency = PersonIn(self.official_kinds)
        else:
            agency = Handles(viewer.agency)
        seen = AllOf((agency, InArea(viewer.scope))) if viewer.scope else agency
        return AnyOf((seen, StatusIs(REFERRED))) if viewer.admin else seen

    def sees_identity(self, viewer: Viewer) -> Expr:
        """The cases whose reporter (open or confidential) a staff member may see: those their
        body handles, never as an overseer only."""
        return Handles(viewer.agency) if viewer.agency else Never()

    def would_see(self, viewer: Viewer, case: CaseFacts, agency: str) -> bool:
        """Whether `viewer` would see the case once `agency` handles it too (a forward)."""
        widened = Facts(
            (*case.bodies, agency), case.person_kind, case.province_code, case.regency_code,
            case.status,
        )  # fmt: skip
        return allows(self.sees(viewer), widened)
