"""The outbox's WhatsApp sender: within 24 hours of the reporter's last message a queued message
goes as it is; later only as the approved status template (WHATSAPP_STATUS_TEMPLATE, its text in
the README), and a message without one is given up: nothing is sent that Meta would refuse."""

from __future__ import annotations

import datetime as dt
from typing import Any

from conversations.messages import Safe, as_language
from conversations.replies import Button, Reply
from service import reporting
from service.chat import Recipient, RefusedError
from service.services import Services
from whatsapp.cloud import CloudClient
from whatsapp.render import messages

WINDOW = dt.timedelta(hours=24)


class WhatsAppSender:
    """Sends outbox rows through the Cloud API."""

    def __init__(self, client: CloudClient, svc: Services) -> None:
        self._client = client
        self._svc = svc

    @property
    def client(self) -> CloudClient:
        """The Cloud API client it sends with (a worker handles kept messages with it too)."""
        return self._client

    async def send(self, chat: Recipient, payload: dict[str, Any]) -> None:
        """One queued payload to the row's WhatsApp chat."""
        wa_id = chat.address.partition(":")[2]
        heard = await reporting.last_heard(self._svc, chat.address)
        if heard is not None and self._svc.now() - heard < WINDOW:
            if payload.get("type", "message") != "message":
                raise RefusedError("only text is sent to WhatsApp chats")
            language = as_language(payload.get("language", self._svc.settings.default_language))
            for message in messages(_reply_of(payload), language):
                await self._client.send(wa_id, message)
            return
        template = payload.get("template")
        if not isinstance(template, dict):
            raise RefusedError("outside the 24-hour window and no template fits")
        settings = self._svc.settings
        parameters = [{"type": "text", "text": str(p)} for p in template.get("parameters", [])]
        await self._client.send(
            wa_id,
            {
                "type": "template",
                "template": {
                    "name": settings.whatsapp_status_template,
                    "language": {"code": str(template.get("language", "id"))},
                    "components": [{"type": "body", "parameters": parameters}],
                },
            },
        )


def _reply_of(payload: dict[str, Any]) -> Reply:
    """A queued message (rendered in the recipient's language) as a reply to show."""
    rows = payload.get("buttons") or []
    buttons = tuple(tuple(Button(b["data"], text=b["text"]) for b in row) for row in rows)
    return Reply(html=Safe(str(payload["text"])), buttons=buttons)
