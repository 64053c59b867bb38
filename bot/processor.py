"""Updates from different chats run concurrently; updates from one chat run strictly in order."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor


def chat_key(update: object) -> tuple[str, int]:
    """What must stay in order: the chat, else the user, else everything else together."""
    if isinstance(update, Update):
        if update.effective_chat is not None:
            return ("chat", update.effective_chat.id)
        if update.effective_user is not None:
            return ("user", update.effective_user.id)
    return ("other", 0)


class ChatOrderedProcessor(BaseUpdateProcessor):
    """PTB's default handles one update at a time; this one handles `workers` chats at once.

    PTB takes a slot of `backlog` before calling `do_process_update`, so the backlog is large
    (waiting is cheap) and the real limit, `workers`, is taken only once the chat's turn has
    come: a chat flooding the bot waits on its own lock and cannot fill the workers.
    """

    def __init__(self, workers: int = 32, backlog: int = 65536) -> None:
        super().__init__(backlog)
        self.workers = workers
        self._workers = asyncio.Semaphore(workers)
        self._chains: dict[object, asyncio.Lock] = {}
        self._waiting: Counter[object] = Counter()

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Wait for the chat's earlier updates, then for a worker, then run the handlers."""
        key = chat_key(update)
        lock = self._chains.setdefault(key, asyncio.Lock())
        self._waiting[key] += 1
        try:
            async with lock, self._workers:
                await coroutine
        finally:
            self._waiting[key] -= 1
            if not self._waiting[key]:
                del self._waiting[key]
                self._chains.pop(key, None)

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""
