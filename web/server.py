"""The web console's server: routes, the security headers, and starting and stopping it over the
services (lapor.runtime starts it beside the bot when WEB_PORT is not 0)."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from importlib import resources
from pathlib import Path

from aiohttp import web

from service.services import Services
from web import auth, pages, public
from web.figures import Recent
from web.render import secure_headers

log = logging.getLogger(__name__)

DASHBOARD_SECONDS = 60  # a scope's dashboard counts are at most a minute old
STATISTICS_SECONDS = 600  # the public page is recomputed at most every ten minutes


@web.middleware
async def headers(request: web.Request, handler: auth.Handler) -> web.StreamResponse:
    """Security headers on every answer, error pages included."""
    try:
        response = await handler(request)
    except web.HTTPException as exc:
        secure_headers(exc, private=True)
        raise
    except Exception as exc:
        # the traceback would carry what the request held (a query value, a form field): the
        # log names the route and the exception's type only
        log.error("web %s %s failed: %s", request.method, _route(request), type(exc).__name__)
        error = web.HTTPInternalServerError(text="500")
        secure_headers(error, private=True)
        raise error from None
    private = not request.path.startswith(("/stats", "/static/"))
    secure_headers(response, private=private)
    return response


def _route(request: web.Request) -> str:
    """The route's pattern (`/cases/{ticket}`), not the path with its values."""
    resource = request.match_info.route.resource
    return resource.canonical if resource is not None else "?"


def build_web_app(svc: Services) -> web.Application:
    """The console's aiohttp application over the running services."""
    app = web.Application(middlewares=[headers, auth.staff_only], client_max_size=64 * 1024)
    app[auth.SERVICES] = svc
    app[pages.DASHBOARDS] = Recent(DASHBOARD_SECONDS)
    app[public.STATISTICS] = Recent(STATISTICS_SECONDS)

    async def reader(app: web.Application) -> AsyncIterator[None]:
        await svc.open_reader()
        yield
        await svc.close_reader()

    app.cleanup_ctx.append(reader)
    static = Path(str(resources.files("web").joinpath("static")))
    app.add_routes(
        [
            web.get("/", pages.dashboard),
            web.get("/cases", pages.case_list),
            web.get("/cases/{ticket}", pages.case_page),
            web.post("/cases/{ticket}/status", pages.change_status),
            web.post("/cases/{ticket}/forward", pages.forward),
            web.post("/cases/{ticket}/note", pages.add_note),
            web.get("/cases/{ticket}/evidence/{number}", pages.evidence_file),
            web.get("/cases/{ticket}/packet/{body}", pages.packet),
            web.get("/export.csv", pages.export),
            web.get("/staff", pages.staff_page),
            web.post("/staff", pages.staff_change),
            web.get("/login/{token}", auth.login_page),
            web.post("/login", auth.log_in),
            web.post("/logout", auth.log_out),
            web.post("/language", auth.set_language),
            web.get("/stats", public.stats_page),
            web.get("/stats.csv", public.stats_csv),
            web.get("/healthz", public.healthz),
            web.get("/readyz", public.readyz),
            web.static("/static/", static),
        ]
    )
    return app


class WebConsole:
    """The console listening on WEB_LISTEN:WEB_PORT while the services run."""

    def __init__(self, svc: Services) -> None:
        self._svc = svc
        self._runner: web.AppRunner | None = None

    async def start(self) -> bool:
        """Listen; False (and an error logged) when the address is taken: the bot still
        takes reports, which matter more than the console."""
        settings = self._svc.settings
        runner = web.AppRunner(build_web_app(self._svc), access_log=None)
        await runner.setup()
        site = web.TCPSite(runner, settings.web_listen, settings.web_port)
        try:
            await site.start()
        except OSError as exc:
            await runner.cleanup()
            log.error(
                "web console could not listen on %s:%s (%s); the bot runs without it",
                settings.web_listen, settings.web_port, type(exc).__name__,
            )  # fmt: skip
            return False
        self._runner = runner
        self._svc.console_listening = True
        log.info("web console on %s", settings.console_url)
        return True

    async def stop(self) -> None:
        """Stop listening."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
