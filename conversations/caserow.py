"""A filed case and its history as staff-side code reads them (built by storage, rendered by
the views)."""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field

from conversations.jurisdiction.models import Decision


@dataclass(frozen=True)
class CaseRow:
    """A case as staff see it (identity decrypted only when its mode allows)."""

    id: int
    ticket: str
    status: str
    status_changed_at: dt.datetime
    created_at: dt.datetime
    category: str
    person_kind: str
    person_details: str | None
    province_code: str
    regency_code: str | None
    place_detail: str | None
    event_date: dt.date
    learned_date: dt.date | None
    public_service: str
    service_name: str | None
    complained: str | None
    description: str
    identity: str
    reporter_name: str | None
    reporter_phone: str | None
    reporter_chat: str  # the reporter's channel-qualified address ("" once anonymised)
    language: str
    decision_json: str  # the jurisdiction decision as filed: read only by what shows it
    evidence_count: int
    bodies: dict[str, str] = field(default_factory=dict)  # agency -> office
    location: str | None = None  # "lat,lng" of a location the reporter shared

    @property
    def map_url(self) -> str | None:
        """The shared location on OpenStreetMap, for staff (None without one)."""
        if not self.location or "," not in self.location:
            return None
        lat, _, lng = self.location.partition(",")
        return f"https://www.openstreetmap.org/?mlat={lat}&mlon={lng}#map=17/{lat}/{lng}"

    @property
    def channel(self) -> str:
        """Where the reporter wrote from ("telegram", "whatsapp"; "" once anonymised): staff
        reach them only through it."""
        return self.reporter_chat.partition(":")[0] if ":" in self.reporter_chat else ""

    @functools.cached_property
    def decision(self) -> Decision:
        """The decision, parsed when first asked for (lists and exports never ask: parsing
        every row's decision was a third of a 100,000-row export)."""
        return Decision.model_validate_json(self.decision_json)


@dataclass(frozen=True)
class CaseEvent:
    """One entry of a case's history."""

    at: dt.datetime
    action: str
    old: str | None
    new: str | None
    note: str | None
    public: bool
    actor_kind: str
    actor_agency: str | None
