"""Signing in to the web console: one-time links minted for staff in a chat, the sessions they
open, and the check on every request that the visitor is still staff (role and scope read
again). The console adapter keeps the cookie and the forms."""

from __future__ import annotations

import datetime as dt
import logging
import secrets
from dataclasses import dataclass

from conversations.messages import Language, as_language
from conversations.staff import StaffMember
from service.digests import staff_language
from service.services import Services
from storage import weblogins

log = logging.getLogger(__name__)

LINK_LIFETIME = dt.timedelta(minutes=10)
IDLE_LIMIT = weblogins.IDLE_LIMIT


@dataclass(frozen=True)
class Visit:
    """A signed-in staff member, as read again on this request."""

    member: StaffMember
    session_id: str
    csrf: str
    language: Language


async def login_link(svc: Services, user_id: int) -> str:
    """A new one-time login link for this staff member (256 random bits, 10 minutes)."""
    token = secrets.token_urlsafe(32)
    await weblogins.add_link(svc.db, token, user_id, svc.now() + LINK_LIFETIME)
    log.info("web login link made")
    return f"{svc.settings.console_url}/login/{token}"


async def sign_in(svc: Services, token: str) -> Visit | None:
    """Spend a link and open a session; None when the link is used, expired or unknown, or its
    member is no longer staff."""
    user_id = await weblogins.use_link(svc.db, token, svc.now()) if token else None
    member = await svc.staff_member(user_id) if user_id is not None else None
    if member is None:
        log.info("web login refused: link used, expired or unknown")
        return None
    session_id, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    language = await staff_language(svc, member)
    await weblogins.start_session(svc.db, session_id, member.user_id, csrf, language, svc.now())
    log.info("web login")
    return Visit(member, session_id, csrf, language)


async def visit(svc: Services, session_id: str) -> Visit | None:
    """The live session of someone who is staff now; None (and the session ended) otherwise."""
    session = (
        await weblogins.touch_session(svc.db, session_id, svc.now(), IDLE_LIMIT)
        if session_id
        else None
    )
    member = await svc.staff_member(session.user_id) if session is not None else None
    if session is None or member is None:
        if session is not None:
            await weblogins.end_session(svc.db, session_id)
        return None
    return Visit(member, session_id, session.csrf_token, as_language(session.language))


async def sign_out(svc: Services, session_id: str) -> None:
    """End a browser's session."""
    await weblogins.end_session(svc.db, session_id)


async def choose_language(svc: Services, session_id: str, language: Language) -> None:
    """Read the console in `language` from now on."""
    await weblogins.set_language(svc.db, session_id, language)
