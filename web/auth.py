"""Logging in to the web console: one-time links made by /web in the chat, session cookies,
form (CSRF) tokens, and the check on every request that the visitor is still staff.

A link is spent by a button on its page (POST), not by opening it: a link preview or a mail
scanner that fetches the address does not use it up or log anyone in.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit

from aiohttp import web

from conversations.messages import Language, as_language
from service import weblogin
from service.services import Services
from service.weblogin import Visit
from web.render import page

log = logging.getLogger(__name__)

COOKIE = "ln_session"
PUBLIC_PREFIXES = ("/login", "/stats", "/static/", "/favicon.ico", "/healthz", "/readyz")

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
# the running services (their outbox is woken after a notification is queued)
SERVICES = web.AppKey("services", Services)


def services_of(request: web.Request) -> Services:
    """The running services."""
    return request.app[SERVICES]


VISITOR = web.RequestKey("visitor", Visit)


def visitor_of(request: web.Request) -> Visit:
    """The staff member making this (non-public) request."""
    return request[VISITOR]


def browser_language(request: web.Request, default: Language) -> Language:
    """`?lang=` first, then the browser's preferred language, for pages before login."""
    chosen = request.query.get("lang", "")
    if chosen in {"id", "en"}:
        return as_language(chosen)
    accepted = request.headers.get("Accept-Language", "").lower()
    if accepted.startswith("en"):
        return "en"
    if accepted.startswith("id"):
        return "id"
    return default


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
    signed = await weblogin.sign_in(svc, str(form.get("token", "")))
    if signed is None:
        return page("message.html", language, 403, key="web_login_invalid", csrf="")
    response = web.Response(status=303, headers={"Location": "/"})
    response.set_cookie(
        COOKIE,
        signed.session_id,
        httponly=True,
        samesite="Lax",
        secure=svc.settings.console_url.startswith("https://"),
        path="/",
    )
    return response


async def log_out(request: web.Request) -> web.Response:
    """POST /logout: end this browser's session."""
    svc, visitor = services_of(request), visitor_of(request)
    await weblogin.sign_out(svc, visitor.session_id)
    response = page("message.html", visitor.language, key="web_logged_out", csrf="")
    response.del_cookie(COOKIE, path="/")
    return response


async def set_language(request: web.Request) -> web.StreamResponse:
    """POST /language: read the console in the other language."""
    svc, visitor = services_of(request), visitor_of(request)
    form = await request.post()
    chosen = str(form.get("language", ""))
    if chosen in {"id", "en"}:
        await weblogin.choose_language(svc, visitor.session_id, as_language(chosen))
    raise web.HTTPSeeOther(safe_path(str(form.get("back", "/"))))


@web.middleware
async def staff_only(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Every non-public request: a live session of someone who is staff now (role and scope
    read again), and on a form post the session's CSRF token."""
    if request.path.startswith(PUBLIC_PREFIXES):
        return await handler(request)
    svc = services_of(request)
    visit = await weblogin.visit(svc, request.cookies.get(COOKIE, ""))
    if visit is None:
        language = browser_language(request, svc.settings.default_language)
        response = page("message.html", language, 401, key="web_login_needed", csrf="")
        response.del_cookie(COOKIE, path="/")
        return response
    request[VISITOR] = visit
    if request.method not in {"GET", "HEAD"}:
        form = await request.post()
        sent = str(form.get("csrf", ""))
        if not hmac.compare_digest(sent.encode(), visit.csrf.encode()):
            log.info("web form refused: missing or wrong CSRF token")
            return page("message.html", visit.language, 403, key="web_bad_form", csrf="")
    return await handler(request)
