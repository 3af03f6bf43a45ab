"""An in-memory Telegram Bot API: the other end of the console channel and of the test stand-in.

It takes requests as Telegram receives them (method name and form fields, complex values as JSON)
and answers as Telegram does (``{"ok": true, "result": ...}`` or an error with its status code),
so aiogram's real request and response handling runs against it. It also plays the users: their
messages and button presses become updates.

The pieces: the wire format (:mod:`handlers.console.protocol`), the HTML parse-mode check
(:mod:`handlers.console.parse_mode`), the shared state (:mod:`handlers.console.fake_state`), the
methods (:mod:`handlers.console.fake_messages`, :mod:`handlers.console.fake_setup`) and the users
(:mod:`handlers.console.fake_users`).
"""

from __future__ import annotations

from typing import Any

from handlers.console.fake_messages import MessageMethods
from handlers.console.fake_setup import SetupMethods
from handlers.console.fake_users import UserSide
from handlers.console.parse_mode import plain_text
from handlers.console.protocol import (
    CALLBACK_TEXT_LIMIT,
    DELETE_WINDOW,
    STRING_FIELDS,
    TEXT_LIMIT,
    Event,
    FaultHook,
    Reply,
    error,
    ok,
    parse_params,
)

__all__ = [
    "CALLBACK_TEXT_LIMIT", "DELETE_WINDOW", "STRING_FIELDS", "TEXT_LIMIT", "Event", "FakeTelegram",
    "FaultHook", "Reply", "error", "ok", "parse_params", "plain_text",
]


class FakeTelegram(MessageMethods, SetupMethods, UserSide):
    """The state of one bot's Telegram: chats, messages, menus, webhook and pending updates."""

    async def call(self, method: str, raw: dict[str, Any]) -> Reply:
        """Answer one Bot API request."""
        params = parse_params(raw)
        self.requests.append((method, params))
        if self.fault is not None and (reply := self.fault(method, params)) is not None:
            return reply
        handler = getattr(self, "_m_" + method.lower(), None)
        if handler is None:
            return error(404, "Not Found: method not found")
        if method.lower() == "getupdates":
            return await handler(params)
        return handler(params)
