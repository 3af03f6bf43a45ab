"""The state of one bot's in-memory Telegram, and the checks every method shares.

Chats, messages, menus, the webhook and pending updates live here; the Bot API methods
(:mod:`handlers.console.fake_messages`, :mod:`handlers.console.fake_setup`) and the users'
side (:mod:`handlers.console.fake_users`) work on it.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

from handlers.console.parse_mode import plain_text
from handlers.console.protocol import TEXT_LIMIT, Event, FaultHook, Reply, error


class FakeState:
    """Chats, messages, menus, webhook and pending updates of one bot."""

    def __init__(self, bot_id: int = 777000, username: str = "RelaisBot") -> None:
        self.bot_user = {"id": bot_id, "is_bot": True, "first_name": "Relais",
                         "username": username, "can_join_groups": False}
        self.users: dict[int, dict[str, Any]] = {}
        self.messages: dict[tuple[int, int], dict[str, Any]] = {}
        self.last_message_id: dict[int, int] = {}
        self.events: list[Event] = []
        self.listeners: list[Callable[[Event], None]] = []
        self.blocked: set[int] = set()
        self.fault: FaultHook | None = None
        self.commands: dict[tuple[str, str], list[dict[str, Any]]] = {}
        self.webhook: dict[str, Any] = {"url": ""}
        self.requests: list[tuple[str, dict[str, Any]]] = []
        # Update ids keep growing across runs, as Telegram's do, so that an update ledger kept
        # in the database or Redis never mistakes a new update for a redelivered one.
        self.update_id = int(time.time() * 1000)
        self.pending: list[dict[str, Any]] = []
        self.queue_updates = False  # True when updates are fetched with getUpdates
        self._new_update = asyncio.Event()
        self._callback_id = 0
        self.clock: Callable[[], float] = time.time

    def _emit(self, event: Event) -> None:
        self.events.append(event)
        for listener in list(self.listeners):
            listener(event)

    def _chat(self, params: dict[str, Any]) -> int | Reply:
        chat_id = params.get("chat_id")
        if not isinstance(chat_id, int):
            return error(400, "Bad Request: chat not found")
        if chat_id in self.blocked:
            return error(403, "Forbidden: bot was blocked by the user")
        if chat_id not in self.users:
            return error(400, "Bad Request: chat not found")
        return chat_id

    def _text(self, params: dict[str, Any], key: str = "text") -> str | Reply:
        text = plain_text(str(params.get(key, "")), params.get("parse_mode"))
        if text is None:
            return error(400, "Bad Request: can't parse entities")
        if not text.strip() and key == "text":
            return error(400, "Bad Request: message text is empty")
        if len(text) > TEXT_LIMIT:
            return error(400, "Bad Request: message is too long")
        return text

    @staticmethod
    def _buttons(params: dict[str, Any]) -> list[list[dict[str, Any]]] | Reply:
        markup = params.get("reply_markup") or {}
        rows = markup.get("inline_keyboard", []) if isinstance(markup, dict) else []
        for row in rows:
            for button in row:
                data = button.get("callback_data")
                if data is not None and not 1 <= len(data.encode()) <= 64:
                    return error(400, "Bad Request: BUTTON_DATA_INVALID")
        return rows

    def _store(self, chat_id: int, sender: dict[str, Any], text: str,
               rows: list[list[dict[str, Any]]], **extra: Any) -> dict[str, Any]:
        message_id = self.last_message_id.get(chat_id, 0) + 1
        self.last_message_id[chat_id] = message_id
        message = {"message_id": message_id, "date": int(self.clock()),
                   "chat": self._chat_json(chat_id), "from": sender, "text": text, **extra}
        if rows:
            message["reply_markup"] = {"inline_keyboard": rows}
        self.messages[(chat_id, message_id)] = message
        return message

    def _chat_json(self, chat_id: int) -> dict[str, Any]:
        user = self.users.get(chat_id, {})
        return {"id": chat_id, "type": "private", "first_name": user.get("first_name", "?")}
