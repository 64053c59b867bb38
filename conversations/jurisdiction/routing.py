"""Honest routing: which handling bodies a report reaches through this bot, and which the
reporter must file with directly (design §5 "No dead ends")."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

from conversations.jurisdiction.models import Decision, Office
from conversations.statuses import RECEIVED, REFERRED


@dataclass(frozen=True)
class Routing:
    """`reached`: offices whose staff get the report here; `direct`: the reporter files there."""

    reached: tuple[Office, ...]
    direct: tuple[Office, ...]

    @property
    def status(self) -> str:
        """The status a new case is filed with: received when any body gets it, else referred."""
        return RECEIVED if self.reached else REFERRED


def route(decision: Decision, covered: Collection[str]) -> Routing:
    """Split the decision's offices by whether staff of their body cover the place
    (`covered`: the agencies with at least one active staff member there)."""
    reached = tuple(o for o in decision.offices if o.staff and o.agency in covered)
    direct = tuple(o for o in decision.offices if o not in reached)
    return Routing(reached, direct)
