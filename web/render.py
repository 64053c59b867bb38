"""Rendering pages: the Jinja2 environment (autoescaped), the catalogue's texts in the page's
language, and the headers every response carries."""

from __future__ import annotations

import datetime as dt
from functools import cache

import jinja2
from aiohttp import web

from conversations.bilingual import long_date
from conversations.disclosure import StatCell
from conversations.messages import Language, catalogue
from conversations.status import status_label

# No script, no inline style, no frames, no form posting elsewhere, no referrer: a login
# link's token never leaves in a Referer header.
PAGE_CSP = (
    "default-src 'none'; img-src 'self'; style-src 'self'; form-action 'self';"
    " frame-ancestors 'none'; base-uri 'none'"
)
FILE_CSP = "default-src 'none'; sandbox"


@cache
def environment() -> jinja2.Environment:
    """The templates under web/templates, HTML-escaped by default."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("web", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["status_label"] = status_label
    env.globals["long_date"] = long_date
    return env


def text(key: str, language: Language, **args: object) -> str:
    """A catalogue text as plain text (the template escapes it)."""
    return catalogue().raw(key, language).format(**args)


def page(
    template: str, language: Language, status: int = 200, /, **context: object
) -> web.Response:
    """A page in `language` (answered with `status`)."""

    def t(key: str, **args: object) -> str:
        return text(key, language, **args)

    def figure(cell: StatCell) -> str:
        return published(cell, language)

    html = environment().get_template(template).render(lang=language, t=t, figure=figure, **context)
    return web.Response(text=html, content_type="text/html", charset="utf-8", status=status)


def published(cell: StatCell, language: Language) -> str:
    """A public figure as text: its rounded count, "<5", or "×" (hidden to protect a "<5")."""
    if cell.mark == "small":
        return catalogue().raw("web_suppressed", language)
    if cell.mark == "hidden":
        return catalogue().raw("web_hidden", language)
    return str(cell.count)


def secure_headers(response: web.StreamResponse, *, private: bool) -> None:
    """Headers every response carries; `private` pages are never stored by a cache."""
    response.headers.setdefault("Content-Security-Policy", PAGE_CSP)
    response.headers["X-Content-Type-Options"] = "nosniff"
    # never to another site; within the console the browser names the page's origin on a form
    # post (with no-referrer it would send "Origin: null", and the login check needs it)
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["X-Frame-Options"] = "DENY"
    if private:
        response.headers["Cache-Control"] = "no-store"


def day_label(day: dt.date) -> str:
    """`20/11`: a short day for chart axes."""
    return f"{day.day}/{day.month}"
