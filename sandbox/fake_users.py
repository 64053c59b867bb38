"""The user side of the fake Bot API: people who type, press buttons, share and upload."""

from __future__ import annotations

import asyncio
import itertools
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sandbox.fake_api import JSON, FakeTelegram
from sandbox.html_check import utf16_length

_query_ids = itertools.count(1)


@dataclass
class FakeUser:
    """A Telegram user talking to the bot in a private chat (or in a group given by `chat`)."""

    server: FakeTelegram
    user_id: int
    first_name: str = "Warga"
    language_code: str | None = "id"
    username: str | None = None
    chat: JSON | None = None
    seen_activity: int = field(default=0)

    def __post_init__(self) -> None:
        self.chat = self.chat or {
            "id": self.user_id,
            "type": "private",
            "first_name": self.first_name,
        }
        self.server.register_chat(self.chat)
        self.seen_activity = self.server.activity

    @property
    def chat_id(self) -> int:
        """The chat this user writes in."""
        assert self.chat is not None
        return int(self.chat["id"])

    def as_user(self) -> JSON:
        """This user as a Telegram User object."""
        user: JSON = {"id": self.user_id, "is_bot": False, "first_name": self.first_name}
        if self.language_code:
            user["language_code"] = self.language_code
        if self.username:
            user["username"] = self.username
        return user

    def _message(self, body: JSON) -> JSON:
        message = {
            "message_id": self.server.next_message_id(self.chat_id),
            "from": self.as_user(),
            "chat": self.chat,
            "date": int(time.time()),
            **body,
        }
        self.server.messages[(self.chat_id, message["message_id"])] = message
        return message

    def mark(self) -> None:
        """Forget what the bot said so far; `replies` then waits for new messages only."""
        self.seen_activity = self.server.activity

    # ------------------------------------------------------------ actions
    def send(self, text: str) -> JSON:
        """Type a text message (a leading /command gets Telegram's bot_command entity)."""
        self.mark()
        body: JSON = {"text": text}
        if text.startswith("/"):
            command = text.split(maxsplit=1)[0]
            body["entities"] = [
                {"type": "bot_command", "offset": 0, "length": utf16_length(command)}
            ]
        return self.server.add_update({"message": self._message(body)})

    def press(
        self,
        message: JSON,
        data: str | None = None,
        *,
        label: str | None = None,
        forge: bool = False,
    ) -> JSON:
        """Press an inline button of `message`, chosen by callback data or by its label."""
        self.mark()
        current = self.server.messages.get((self.chat_id, message["message_id"]), message)
        buttons = [
            b for row in current.get("reply_markup", {}).get("inline_keyboard", []) for b in row
        ]
        chosen = None
        for button in buttons:
            if (data is not None and button.get("callback_data") == data) or (
                label is not None and button.get("text") == label
            ):
                chosen = button
        if chosen is None and not forge:
            shown = [b.get("text") for b in buttons]
            raise AssertionError(f"no button {data or label!r} on that message; it has {shown}")
        callback_data = data if chosen is None else chosen.get("callback_data")
        query_id = f"{secrets.randbits(40)}{next(_query_ids)}"
        query = {
            "id": query_id,
            "from": self.as_user(),
            "message": {k: v for k, v in current.items() if not k.startswith("_")},
            "chat_instance": str(self.chat_id * 7 + 3),
            "data": callback_data,
        }
        self.server.callback_queries[query_id] = query
        return self.server.add_update({"callback_query": query})

    def share_location(self, latitude: float, longitude: float) -> JSON:
        """Share a map location."""
        self.mark()
        return self.server.add_update(
            {"message": self._message({"location": {"latitude": latitude, "longitude": longitude}})}
        )

    def share_contact(self, phone_number: str, *, user_id: int | None = None) -> JSON:
        """Share a contact (by default one's own, as the request-contact button does)."""
        self.mark()
        contact = {
            "phone_number": phone_number,
            "first_name": self.first_name,
            "user_id": self.user_id if user_id is None else user_id,
        }
        return self.server.add_update({"message": self._message({"contact": contact})})

    def send_photo(self, data: bytes, caption: str | None = None) -> JSON:
        """Send a compressed photo (Telegram gives several sizes; the largest is last)."""
        self.mark()
        stored = self.server.store_file(data, "jpg", "photo")
        sizes = [
            {
                "file_id": stored.file_id + "_s",
                "file_unique_id": stored.file_unique_id + "s",
                "file_size": 1000,
                "width": 90,
                "height": 67,
            },
            {
                "file_id": stored.file_id,
                "file_unique_id": stored.file_unique_id,
                "file_size": len(data),
                "width": 1280,
                "height": 960,
            },
        ]
        self.server.add_file(
            type(stored)(
                stored.file_id + "_s",
                stored.file_unique_id + "s",
                data[:1000],
                stored.file_path + ".thumb",
            )
        )
        body: JSON = {"photo": sizes}
        if caption:
            body["caption"] = caption
        return self.server.add_update({"message": self._message(body)})

    def send_document(
        self,
        data: bytes,
        file_name: str,
        mime_type: str,
        caption: str | None = None,
        declared_size: int | None = None,
    ) -> JSON:
        """Send a file as a document (keeps its bytes exactly, EXIF included); a client may
        declare another size than it sends (`declared_size`)."""
        extra: JSON = {"file_name": file_name, "mime_type": mime_type}
        return self._send_file("document", data, extra, caption, declared_size)

    def send_video(self, data: bytes, caption: str | None = None) -> JSON:
        """Send a video."""
        return self._send_file(
            "video",
            data,
            {"mime_type": "video/mp4", "width": 640, "height": 360, "duration": 5},
            caption,
        )

    def send_voice(self, data: bytes) -> JSON:
        """Send a voice note."""
        return self._send_file("voice", data, {"mime_type": "audio/ogg", "duration": 3}, None)

    def _send_file(
        self,
        kind: str,
        data: bytes,
        extra: JSON,
        caption: str | None,
        declared_size: int | None = None,
    ) -> JSON:
        self.mark()
        stored = self.server.store_file(data, "bin", kind)
        stored.declared_size = declared_size
        body: JSON = {
            kind: {
                "file_id": stored.file_id,
                "file_unique_id": stored.file_unique_id,
                "file_size": len(data) if declared_size is None else declared_size,
                **extra,
            }
        }
        if caption:
            body["caption"] = caption
        return self.server.add_update({"message": self._message(body)})

    def send_sticker(self) -> JSON:
        """Send a sticker."""
        self.mark()
        stored = self.server.store_file(b"RIFF-sticker", "webp", "sticker")
        sticker = {
            "file_id": stored.file_id,
            "file_unique_id": stored.file_unique_id,
            "type": "regular",
            "width": 512,
            "height": 512,
            "is_animated": False,
            "is_video": False,
            "emoji": "👍",
        }
        return self.server.add_update({"message": self._message({"sticker": sticker})})

    def edit(self, message: JSON, new_text: str) -> JSON:
        """Edit one of this user's earlier text messages."""
        self.mark()
        inner = message.get("message", message)
        edited = {**inner, "text": new_text, "edit_date": int(time.time())}
        self.server.messages[(self.chat_id, inner["message_id"])] = edited
        return self.server.add_update({"edited_message": edited})

    def raw(self, update: JSON) -> JSON:
        """Queue any update body as it is (for odd and hostile input)."""
        self.mark()
        return self.server.add_update(update)

    # ------------------------------------------------------------ reading
    def bot_messages(self) -> list[JSON]:
        """The bot's messages in this chat as they are now."""
        return self.server.bot_messages(self.chat_id)

    def last(self) -> JSON:
        """The bot's newest message in this chat."""
        messages = self.bot_messages()
        assert messages, "the bot has said nothing in this chat"
        return messages[-1]

    async def expect(
        self,
        predicate: Callable[[JSON], bool] | str,
        timeout: float = 10.0,
    ) -> JSON:
        """Wait until a bot message in this chat, sent or edited since the last action, matches.

        `predicate` is a function of the message or a text the message must contain.
        """
        check = predicate if callable(predicate) else _contains(predicate)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        start = self.seen_activity
        while True:
            touched = [
                entry
                for entry in self.server.bot_log[start:]
                if entry.get("chat", {}).get("id") == self.chat_id
            ]
            for entry in reversed(touched):
                current = self.server.messages.get((self.chat_id, entry["message_id"]))
                if current is not None and check(current):
                    return current
            remaining = deadline - loop.time()
            if remaining <= 0:
                said = [m.get("text") or m.get("caption") for m in self.bot_messages()[-3:]]
                raise AssertionError(f"no matching bot message within {timeout}s; last: {said}")
            try:
                await self.server.wait_activity(self.server.activity, remaining)
            except TimeoutError:
                continue


def _contains(fragment: str) -> Callable[[JSON], bool]:
    def check(message: JSON) -> bool:
        return fragment in str(message.get("text") or message.get("caption") or "")

    return check


def buttons(message: JSON) -> list[tuple[str, str]]:
    """The (label, callback data) of every inline button of a message, row by row."""
    rows: list[list[Any]] = message.get("reply_markup", {}).get("inline_keyboard", [])
    return [(b.get("text", ""), b.get("callback_data", "")) for row in rows for b in row]


def asks_code(message: JSON, code: str) -> bool:
    """Whether a bot message asks the question with this callback code (has one of its buttons)."""
    return any(data.startswith(f"{code}:") for _, data in buttons(message))
