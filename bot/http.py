"""PTB's networking on aiohttp: the same requests PTB's default (httpx) sends, for less CPU.

The conversation benchmark showed the Bot API calls themselves as the bot's dominant cost:
httpx, httpcore, anyio and h11 took about half of the CPU of every update. aiohttp (already
used by the fake Bot API server) does the same work with its compiled HTTP parser. This class is
PTB's documented extension point (`BaseRequest`): bodies are JSON (multipart when files are
sent, encoded as PTB's `HTTPXRequest` encodes them), timeouts have the same defaults and
meaning, and errors become PTB's `TimedOut` and `NetworkError`, so retries and the rate limiter
behave as before.
"""

from __future__ import annotations

import json
import ssl
import urllib.parse
import urllib.request

import aiohttp
import certifi
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData
from yarl import URL

JSON_BODY = {"Content-Type": "application/json"}
MAX_REMEMBERED_URLS = 256  # one per Bot API method in practice


class FileTooLargeError(Exception):
    """A download passed its byte limit (the bytes received so far are in `received`)."""

    def __init__(self, received: int) -> None:
        super().__init__(f"more than the limit: {received} bytes received")
        self.received = received


class AiohttpRequest(BaseRequest):
    """Bot API requests over one pooled aiohttp session (opened in `initialize`)."""

    def __init__(
        self,
        connection_pool_size: int = 256,
        read_timeout: float | None = 5.0,
        write_timeout: float | None = 5.0,
        connect_timeout: float | None = 5.0,
        pool_timeout: float | None = 1.0,
        media_write_timeout: float | None = 20.0,
    ) -> None:
        self._pool_size = connection_pool_size
        self._read_timeout = read_timeout
        self._write_timeout = write_timeout
        self._connect_timeout = connect_timeout
        self._pool_timeout = pool_timeout
        self._media_write_timeout = media_write_timeout
        self._session: aiohttp.ClientSession | None = None
        self._proxies: dict[str, str | None] = {}
        # The same few method URLs (with their proxy) and timeouts come back on every call:
        # parsed, looked up and built once.
        self._targets: dict[str, tuple[URL, str | None]] = {}
        self._timeouts: dict[tuple[float | None, ...], aiohttp.ClientTimeout] = {}

    @property
    def read_timeout(self) -> float | None:
        """The default read timeout in seconds."""
        return self._read_timeout

    async def initialize(self) -> None:
        """Open the session (certifi's certificates, like httpx)."""
        if self._session is None or self._session.closed:
            context = ssl.create_default_context(cafile=certifi.where())
            connector = aiohttp.TCPConnector(limit=self._pool_size, ssl=context)
            self._proxies.clear()
            self._targets.clear()
            self._session = aiohttp.ClientSession(
                connector=connector,
                headers={"User-Agent": self.USER_AGENT},
            )

    async def shutdown(self) -> None:
        """Close the session and its connections."""
        if self._session is not None and not self._session.closed:
            await self._session.close()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """Send one request; return the HTTP status and the body."""
        session = self._session
        if session is None or session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        uploads = request_data is not None and request_data.contains_files
        read = _given(read_timeout, self._read_timeout)
        write = _given(write_timeout, self._media_write_timeout if uploads else self._write_timeout)
        connect = _given(connect_timeout, self._connect_timeout)
        pool = _given(pool_timeout, self._pool_timeout)
        parts = (pool, connect, write, read)
        timeout = self._timeouts.get(parts)
        if timeout is None:
            timeout = self._timeouts[parts] = aiohttp.ClientTimeout(
                # aiohttp has no write timeout: the whole call is bounded by the sum instead.
                total=None if None in parts else sum(p for p in parts if p is not None),
                connect=None if pool is None or connect is None else pool + connect,
                sock_connect=connect,
                sock_read=read,
            )
        target = self._targets.get(url)
        if target is None:
            if len(self._targets) > MAX_REMEMBERED_URLS:
                self._targets.clear()
            target = self._targets[url] = (URL(url), self._proxy(url))
        body: bytes | aiohttp.FormData | None = None
        headers = None
        if request_data is not None:
            if uploads:
                body = _multipart(request_data)
            else:
                # One JSON body (the Bot API takes application/json for everything but uploads):
                # form encoding quoted every byte of every message in Python, one call per byte.
                body, headers = json.dumps(request_data.parameters).encode(), JSON_BODY
        try:
            async with session.request(
                method, target[0], data=body, headers=headers, timeout=timeout, proxy=target[1]
            ) as response:
                return response.status, await response.read()
        except (TimeoutError, aiohttp.ServerTimeoutError) as exc:
            raise TimedOut from exc
        except aiohttp.ClientError as exc:
            raise NetworkError(f"aiohttp.{type(exc).__name__}: {exc}") from exc

    async def download(self, url: str, max_bytes: int) -> bytes:
        """A file's bytes, streamed: the download stops as soon as it is larger than
        `max_bytes` (FileTooLargeError), whatever size was declared for it."""
        session = self._session
        if session is None or session.closed:
            raise RuntimeError("This AiohttpRequest is not initialized!")
        timeout = aiohttp.ClientTimeout(
            total=None, sock_connect=self._connect_timeout, sock_read=30
        )
        received = bytearray()
        try:
            async with session.get(url, timeout=timeout, proxy=self._proxy(url)) as response:
                if response.status != 200:
                    raise NetworkError(f"download failed: HTTP {response.status}")
                async for chunk in response.content.iter_chunked(64 * 1024):
                    received += chunk
                    if len(received) > max_bytes:
                        raise FileTooLargeError(len(received))
        except (TimeoutError, aiohttp.ServerTimeoutError) as exc:
            raise TimedOut from exc
        except aiohttp.ClientError as exc:
            raise NetworkError(f"aiohttp.{type(exc).__name__}: {exc}") from exc
        return bytes(received)

    def _proxy(self, url: str) -> str | None:
        """The proxy for this URL from HTTP(S)_PROXY / NO_PROXY, as httpx reads them.

        Looked up once per host: aiohttp's own `trust_env` reads the environment and ~/.netrc
        on every request, which cost a tenth of the bot's CPU in the benchmark.
        """
        key = "/".join(url.split("/", 3)[:3])  # scheme://host:port, without parsing the URL
        if key not in self._proxies:
            parts = urllib.parse.urlsplit(url)
            proxies = urllib.request.getproxies()
            proxy = proxies.get(parts.scheme) or proxies.get("all")
            bypass = parts.hostname is not None and urllib.request.proxy_bypass(parts.hostname)
            self._proxies[key] = None if bypass else proxy
        return self._proxies[key]


def _given(value: ODVInput[float], default: float | None) -> float | None:
    """A timeout passed to a call, or this request object's default when none was passed."""
    return default if isinstance(value, DefaultValue) else value


def _multipart(request_data: RequestData) -> aiohttp.FormData:
    """Parameters and files as multipart/form-data, as httpx builds it for PTB."""
    form = aiohttp.FormData()
    for name, value in request_data.json_parameters.items():
        form.add_field(name, value)
    for name, (filename, content, mime_type) in request_data.multipart_data.items():
        form.add_field(name, content, filename=filename or name, content_type=mime_type)
    return form
