"""A staff member as the core sees them: their agency, scope and language, and whether they are
an administrator."""

from __future__ import annotations

from dataclasses import dataclass

from conversations.visibility import Viewer


@dataclass(frozen=True)
class StaffMember:
    """A complaint handler: an agency and a scope ('' national, a province or regency code)."""

    user_id: int
    agency: str  # '' for an administrator who is not a staff member of any agency
    scope: str
    language: str
    blocked: bool = False
    admin: bool = False  # administrators also see every case no body received ('dirujuk')

    @property
    def viewer(self) -> Viewer:
        """The member as the visibility policy sees them."""
        return Viewer(self.agency, self.scope, self.admin)
