"""Logging in to the web console: one-time links made by /web in the chat, session cookies,
form (CSRF) tokens, and the check on every request that the visitor is still staff.

A link is spent by a button on its page (POST), not by opening it: a link preview or a mail
scanner that fetches the address does not use it up or log anyone in.
"""

from __future__ import annotations

import datetime as dt
import hmac
import logging
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, cast
from urllib.parse import urlsplit

from aiohttp import web
from telegram.ext import Application

from bot.digests import staff_language
from bot.services import SERVICES_KEY, Services
from conversations.messages import Language
from storage import weblogins
from storage.database import Database
from storage.staff import StaffMember
from web.render import page

log = logging.getLogger(__name__)

LINK_LIFETIME = dt.timedelta(minutes=10)
IDLE_LIMIT = weblogins.IDLE_LIMIT
COOKIE = "ln_session"
PUBLIC_PREFIXES = ("/login", "/stats", "/static/", "/favicon.ico", "/healthz", "/readyz")

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
# the running PTB Application: the console wakes its outbox after queueing a notification
APPLICATION = web.AppKey("application", Application[Any, Any, Any, Any, Any, Any])
# the console's read-only connection, for the lists and counts that scan many cases
READER = web.AppKey("reader", Database)


@dataclass(frozen=True)
class Visitor:
    """A logged-in staff member as read again on this request."""

    member: StaffMember
    session_id: str
    csrf: str
    language: Language


def services_of(request: web.Request) -> Services:
    """The running bot's services."""
    return services_of_app(request.app)


def services_of_app(app: web.Application) -> Services:
    """The running bot's services, from the console's application."""
    return cast(Services, app[APPLICATION].bot_data[SERVICES_KEY])


VISITOR = web.RequestKey("visitor", Visitor)


def reader_of(request: web.Request) -> Database:
    """The console's read-only connection (lists, counts, exports)."""
    return request.app[READER]


def visitor_of(request: web.Request) -> Visitor:
    """The staff member making this (non-public) request."""
    return request[VISITOR]


def browser_language(request: web.Request, default: Language) -> Language:
    """`?lang=` first, then the browser's preferred language, for pages before login."""
    chosen = request.query.get("lang", "")
    if chosen in {"id", "en"}:
        return "en" if chosen == "en" else "id"
    accepted = request.headers.get("Accept-Language", "").lower()
    if accepted.startswith("en"):
        return "en"
    if accepted.startswith("id"):
        return "id"
    return default


async def login_link(svc: Services, user_id: int) -> str:
    """A new one-time login link for this staff member (256 random bits, 10 minutes)."""
    token = secrets.token_urlsafe(32)
    await weblogins.add_link(svc.db, token, user_id, svc.now() + LINK_LIFETIME)
    log.info("web login link made")
    return f"{svc.settings.console_url}/login/{token}"


async def login_page(request: web.Request) -> web.Response:
    """GET /login/{token}: the button that spends the link."""
    svc = services_of(request)
    language = browser_language(request, svc.settings.default_language)
    return page("login.html", language, token=request.match_info["token"], csrf="")


def same_origin(request: web.Request, console_url: str) -> bool:
    """Whether a form post comes from a page of the console itself (its Origin, else its
    Referer, names this host or the configured console address): a page elsewhere must not
    sign a staff member's browser into another account (login CSRF)."""
    if request.headers.get("Sec-Fetch-Site", "same-origin") not in {"same-origin", "none"}:
        return False
    source = request.headers.get("Origin") or request.headers.get("Referer") or ""
    host = urlsplit(source).netloc.lower()
    return bool(host) and host in {request.host.lower(), urlsplit(console_url).netloc.lower()}


def safe_path(back: str) -> str:
    """`back` when it is a path on this site, else "/": no scheme, no host, no backslash, no
    control character or space (browsers drop a tab: `/\t/evil.example` is `//evil.example`)."""
    if (
        not back.startswith("/")
        or any(ch <= " " or ch == "\\" or ch == "\x7f" for ch in back)
        or back.startswith("//")
    ):
        return "/"
    parts = urlsplit(back)
    return back if not parts.scheme and not parts.netloc else "/"


async def log_in(request: web.Request) -> web.StreamResponse:
    """POST /login: spend the link, open a session, set its cookie."""
    svc = services_of(request)
    language = browser_language(request, svc.settings.default_language)
    if not same_origin(request, svc.settings.console_url):
        log.info("web login refused: posted from another site")
        return page("message.html", language, 403, key="web_bad_form", csrf="")
    form = await request.post()
    token = str(form.get("token", ""))
    user_id = await weblogins.use_link(svc.db, token, svc.now()) if token else None
    member = await svc.staff_member(user_id) if user_id is not None else None
    if member is None:
        log.info("web login refused: link used, expired or unknown")
        return page("message.html", language, 403, key="web_login_invalid", csrf="")
    session_id, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    language = await staff_language(svc, member)
    await weblogins.start_session(svc.db, session_id, member.user_id, csrf, language, svc.now())
    log.info("web login")
    response = web.Response(status=303, headers={"Location": "/"})
    response.set_cookie(
        COOKIE,
        session_id,
        httponly=True,
        samesite="Lax",
        secure=svc.settings.console_url.startswith("https://"),
        path="/",
    )
    return response


async def log_out(request: web.Request) -> web.Response:
    """POST /logout: end this browser's session."""
    svc, visitor = services_of(request), visitor_of(request)
    await weblogins.end_session(svc.db, visitor.session_id)
    response = page("message.html", visitor.language, key="web_logged_out", csrf="")
    response.del_cookie(COOKIE, path="/")
    return response


async def set_language(request: web.Request) -> web.StreamResponse:
    """POST /language: read the console in the other language."""
    svc, visitor = services_of(request), visitor_of(request)
    form = await request.post()
    chosen = str(form.get("language", ""))
    if chosen in {"id", "en"}:
        await weblogins.set_language(svc.db, visitor.session_id, chosen)
    raise web.HTTPSeeOther(safe_path(str(form.get("back", "/"))))


@web.middleware
async def staff_only(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Every non-public request: a live session of someone who is staff now (role and scope
    read again), and on a form post the session's CSRF token."""
    if request.path.startswith(PUBLIC_PREFIXES):
        return await handler(request)
    svc = services_of(request)
    session_id = request.cookies.get(COOKIE, "")
    session = (
        await weblogins.touch_session(svc.db, session_id, svc.now(), IDLE_LIMIT)
        if session_id
        else None
    )
    member = await svc.staff_member(session.user_id) if session is not None else None
    if session is None or member is None:
        if session is not None:
            await weblogins.end_session(svc.db, session_id)
        language = browser_language(request, svc.settings.default_language)
        response = page("message.html", language, 401, key="web_login_needed", csrf="")
        response.del_cookie(COOKIE, path="/")
        return response
    chosen: Language = "en" if session.language == "en" else "id"
    request[VISITOR] = Visitor(member, session_id, session.csrf_token, chosen)
    if request.method not in {"GET", "HEAD"}:
        form = await request.post()
        sent = str(form.get("csrf", ""))
        if not hmac.compare_digest(sent.encode(), session.csrf_token.encode()):
            log.info("web form refused: missing or wrong CSRF token")
            return page("message.html", chosen, 403, key="web_bad_form", csrf="")
    return await handler(request)
