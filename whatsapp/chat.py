"""One reporter's WhatsApp chat behind the services' ChatPort: replies as WhatsApp messages (no
edits: a pressed button is answered by the next message), files uploaded and downloaded by id."""

from __future__ import annotations

from collections.abc import Sequence

from conversations.events import Attachment
from conversations.messages import Language
from conversations.replies import Reply
from service.chat import WHATSAPP
from whatsapp.cloud import CloudClient
from whatsapp.render import messages, plain

PDF = "application/pdf"


class WhatsAppChat:
    """The chat with one WhatsApp id (the person's number, never logged)."""

    def __init__(self, client: CloudClient, wa_id: str, page: int = 0) -> None:
        self._client = client
        self._wa_id = wa_id
        self._page = page  # the page of a long list this press asked for ("Lainnya")

    @property
    def address(self) -> str:
        """The chat's address ("whatsapp:<WhatsApp id>")."""
        return f"{WHATSAPP}:{self._wa_id}"

    async def send(self, replies: Sequence[Reply], language: Language) -> None:
        """Each reply as the messages that show it, in order."""
        for reply in replies:
            for message in messages(reply, language, self._page):
                await self._client.send(self._wa_id, message)

    async def send_document(self, data: bytes, filename: str, caption: str) -> None:
        """Upload the file, then send it with its caption."""
        media_id = await self._client.upload(data, filename, PDF)
        document = {"id": media_id, "filename": filename, "caption": plain(caption)[:1024]}
        await self._client.send(self._wa_id, {"type": "document", "document": document})

    async def settle_press(self, first: Reply | None, language: Language) -> bool:
        """WhatsApp cannot edit a sent message: the answer comes as the next message."""
        return False

    async def download(self, attachment: Attachment, max_bytes: int) -> bytes:
        """A received file by its media id."""
        return await self._client.download(attachment.file_id, max_bytes)
