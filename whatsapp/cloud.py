"""A small client of the WhatsApp Business Cloud API on aiohttp: send a message, upload a file,
find and download a received file. `WHATSAPP_API_BASE_URL` points it at Meta's Graph API or at
the project's fake (sandbox/fake_whatsapp.py); the calls are `{base}/{version}/{phone number
id}/messages`, `…/media` and `{base}/{version}/{media id}`, each with the access token.

Why not pywa (MIT, maintained, typed): it writes Meta's host into every request
(`https://graph.facebook.com/v{version}`, pywa/api.py) and cannot be pointed at the fake server
the tests talk to; it also brings httpx beside the aiohttp the project already runs on."""

from __future__ import annotations

import logging
from typing import Any

import aiohttp

from service.chat import ChannelError, RecipientBlockedError, RefusedError, RetryLaterError
from service.evidence import EvidenceRefusedError

log = logging.getLogger(__name__)

# Meta's error codes that ask us to wait: throughput and pair rate limits, spam rate limit
_WAIT_CODES = {4, 80007, 130429, 131048, 131056}
_OUTSIDE_WINDOW = 131047  # more than 24 hours since the person's last message
_NOT_REACHABLE = {131026}  # not a WhatsApp number, or the person blocked the business
CHUNK = 64 * 1024


class OutsideWindowError(RefusedError):
    """A free-form message more than 24 hours after the person's last one (a template only)."""


class CloudClient:
    """The Cloud API for one phone number."""

    def __init__(
        self, session: aiohttp.ClientSession, base_url: str, version: str, phone_id: str, token: str
    ) -> None:
        self._session = session
        self._root = f"{base_url.rstrip('/')}/{version}"
        self._phone = phone_id
        self._headers = {"Authorization": f"Bearer {token}"}

    async def send(self, to: str, message: dict[str, Any]) -> str:
        """Send one message (`{"type": …, …}`) to a WhatsApp id; the message's id."""
        body = {"messaging_product": "whatsapp", "recipient_type": "individual", "to": to}
        answer = await self._call("POST", f"{self._phone}/messages", json={**body, **message})
        return str(answer["messages"][0]["id"])

    async def upload(self, data: bytes, filename: str, mime_type: str) -> str:
        """Upload a file to send; its media id."""
        form = aiohttp.FormData()
        form.add_field("messaging_product", "whatsapp")
        form.add_field("type", mime_type)
        form.add_field("file", data, filename=filename, content_type=mime_type)
        answer = await self._call("POST", f"{self._phone}/media", data=form)
        return str(answer["id"])

    async def download(self, media_id: str, max_bytes: int) -> bytes:
        """A received file's bytes, never more than `max_bytes` whatever size it declared."""
        found = await self._call("GET", media_id)
        declared = int(found.get("file_size") or 0)
        if declared > max_bytes:
            raise EvidenceRefusedError("too_big", declared)
        try:
            async with self._session.get(str(found["url"]), headers=self._headers) as response:
                if response.status != 200:
                    raise ChannelError(f"media download: HTTP {response.status}")
                data = bytearray()
                async for chunk in response.content.iter_chunked(CHUNK):
                    data += chunk
                    if len(data) > max_bytes:
                        raise EvidenceRefusedError("too_big", len(data))
        except aiohttp.ClientError as exc:
            raise ChannelError(type(exc).__name__) from exc
        return bytes(data)

    async def _call(self, method: str, path: str, **kwargs: Any) -> dict[str, Any]:
        """One Graph API call; Meta's errors in the outbox's terms."""
        try:
            async with self._session.request(
                method, f"{self._root}/{path}", headers=self._headers, **kwargs
            ) as response:
                answer = await response.json(content_type=None)
                status = response.status
        except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
            raise ChannelError(type(exc).__name__) from exc
        if status == 200 and isinstance(answer, dict) and "error" not in answer:
            return answer
        error = answer.get("error", {}) if isinstance(answer, dict) else {}
        code = int(error.get("code") or 0)
        if code in _WAIT_CODES or status == 429:
            raise RetryLaterError(30.0)
        if code == _OUTSIDE_WINDOW:
            raise OutsideWindowError(f"{code} outside the 24-hour window")
        if code in _NOT_REACHABLE:
            raise RecipientBlockedError
        if status >= 500:
            raise ChannelError(f"HTTP {status}")
        raise RefusedError(f"{code} {str(error.get('message', ''))[:120]}")
