"""An in-memory Telegram Bot API: the other end of the console channel and of the test stand-in.

It takes requests as Telegram receives them (method name and form fields, complex values as JSON)
and answers as Telegram does (``{"ok": true, "result": ...}`` or an error with its status code),
so aiogram's real request and response handling runs against it. It also plays the users: their
messages and button presses become updates.
"""

from __future__ import annotations

import asyncio
import contextlib
import html
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

TEXT_LIMIT = 4096
CALLBACK_TEXT_LIMIT = 200
DELETE_WINDOW = 48 * 3600
STRING_FIELDS = {
    "text", "caption", "parse_mode", "language_code", "url", "secret_token",
    "callback_query_id", "description", "short_description", "name", "allowed_updates",
}

Reply = tuple[int, dict[str, Any]]
FaultHook = Callable[[str, dict[str, Any]], Reply | None]


@dataclass
class Event:
    """One thing the bot did, as a user would notice it."""

    kind: str  # send | edit | delete | notice | document
    chat_id: int
    message_id: int = 0
    text: str = ""
    buttons: list[list[dict[str, Any]]] = field(default_factory=list)
    protected: bool = False


def ok(result: Any) -> Reply:
    return 200, {"ok": True, "result": result}


def error(status: int, description: str, **parameters: Any) -> Reply:
    body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
    if parameters:
        body["parameters"] = parameters
    return status, body


class _TextOnly(HTMLParser):
    """Telegram's HTML parse mode, reduced to what matters: tags balance, text comes out."""

    ALLOWED = {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre",
               "span", "tg-spoiler", "blockquote", "tg-emoji"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.stack: list[str] = []
        self.bad = False

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag not in self.ALLOWED:
            self.bad = True
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack.pop() != tag:
            self.bad = True

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def plain_text(text: str, parse_mode: str | None) -> str | None:
    """The text a user sees, or None when Telegram would refuse to parse it."""
    if parse_mode != "HTML":
        return text
    parser = _TextOnly()
    parser.feed(text)
    parser.close()
    if parser.bad or parser.stack:
        return None
    return html.unescape("".join(parser.parts))


def parse_params(raw: dict[str, Any]) -> dict[str, Any]:
    """Decode form fields: JSON for structured values, strings kept as sent."""
    params: dict[str, Any] = {}
    for key, value in raw.items():
        if isinstance(value, str) and key not in STRING_FIELDS:
            with contextlib.suppress(ValueError):
                value = json.loads(value)
        params[key] = value
    return params


class FakeTelegram:
    """The state of one bot's Telegram: chats, messages, menus, webhook and pending updates."""

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

    # ---- the bot side -------------------------------------------------------------------
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

    def _m_getme(self, params: dict[str, Any]) -> Reply:
        return ok(self.bot_user)

    def _m_sendmessage(self, params: dict[str, Any]) -> Reply:
        chat_id = self._chat(params)
        if isinstance(chat_id, tuple):
            return chat_id
        text = self._text(params)
        if isinstance(text, tuple):
            return text
        rows = self._buttons(params)
        if isinstance(rows, tuple):
            return rows
        protected = bool(params.get("protect_content"))
        message = self._store(chat_id, self.bot_user, text, rows,
                              **({"has_protected_content": True} if protected else {}))
        self._emit(Event("send", chat_id, message["message_id"], text, rows, protected))
        return ok(message)

    def _m_senddocument(self, params: dict[str, Any]) -> Reply:
        chat_id = self._chat(params)
        if isinstance(chat_id, tuple):
            return chat_id
        name = str(params.get("_filename") or "document")
        caption = plain_text(str(params.get("caption", "")), params.get("parse_mode")) or ""
        message = self._store(chat_id, self.bot_user, caption, [],
                              document={"file_id": f"doc{len(self.events)}",
                                        "file_unique_id": f"u{len(self.events)}",
                                        "file_name": name})
        message.pop("text")
        message["caption"] = caption
        self._emit(Event("document", chat_id, message["message_id"], f"[{name}] {caption}".strip()))
        return ok(message)

    def _find(self, params: dict[str, Any]) -> dict[str, Any] | Reply:
        key = (params.get("chat_id"), params.get("message_id"))
        message = self.messages.get(key)  # type: ignore[arg-type]
        if message is None:
            return error(400, "Bad Request: message to edit not found")
        return message

    def _m_editmessagetext(self, params: dict[str, Any]) -> Reply:
        message = self._find(params)
        if isinstance(message, tuple):
            return message
        text = self._text(params)
        if isinstance(text, tuple):
            return text
        rows = self._buttons(params)
        if isinstance(rows, tuple):
            return rows
        if text == message.get("text") and rows == message.get("reply_markup", {}).get(
            "inline_keyboard", []
        ):
            return error(400, "Bad Request: message is not modified: specified new message "
                              "content and reply markup are exactly the same")
        message["text"] = text
        message["edit_date"] = int(self.clock())
        self._set_rows(message, rows)
        self._emit(Event("edit", message["chat"]["id"], message["message_id"], text, rows))
        return ok(message)

    def _m_editmessagereplymarkup(self, params: dict[str, Any]) -> Reply:
        message = self._find(params)
        if isinstance(message, tuple):
            return message
        rows = self._buttons(params)
        if isinstance(rows, tuple):
            return rows
        if rows == message.get("reply_markup", {}).get("inline_keyboard", []):
            return error(400, "Bad Request: message is not modified")
        self._set_rows(message, rows)
        self._emit(Event("edit", message["chat"]["id"], message["message_id"],
                         message.get("text", ""), rows))
        return ok(message)

    @staticmethod
    def _set_rows(message: dict[str, Any], rows: list[list[dict[str, Any]]]) -> None:
        if rows:
            message["reply_markup"] = {"inline_keyboard": rows}
        else:
            message.pop("reply_markup", None)

    def _delete_one(self, chat_id: int, message_id: int) -> bool:
        message = self.messages.get((chat_id, message_id))
        if message is None or self.clock() - message["date"] > DELETE_WINDOW:
            return False
        del self.messages[(chat_id, message_id)]
        self._emit(Event("delete", chat_id, message_id))
        return True

    def _m_deletemessage(self, params: dict[str, Any]) -> Reply:
        if not self._delete_one(params.get("chat_id"), params.get("message_id")):  # type: ignore[arg-type]
            return error(400, "Bad Request: message to delete not found")
        return ok(True)

    def _m_deletemessages(self, params: dict[str, Any]) -> Reply:
        ids = params.get("message_ids") or []
        if not 1 <= len(ids) <= 100:
            return error(400, "Bad Request: too many messages to delete")
        for message_id in ids:
            self._delete_one(params.get("chat_id"), message_id)  # type: ignore[arg-type]
        return ok(True)

    def _m_answercallbackquery(self, params: dict[str, Any]) -> Reply:
        text = str(params.get("text") or "")
        if len(text) > CALLBACK_TEXT_LIMIT:
            return error(400, "Bad Request: MESSAGE_TOO_LONG")
        chat_id = int(str(params.get("callback_query_id", "0:0")).split(":")[0])
        if text:
            self._emit(Event("notice", chat_id, text=text))
        return ok(True)

    def _m_sendchataction(self, params: dict[str, Any]) -> Reply:
        return ok(True)

    def _scope_key(self, params: dict[str, Any]) -> tuple[str, str]:
        scope = params.get("scope") or {"type": "default"}
        return json.dumps(scope, sort_keys=True), str(params.get("language_code") or "")

    def _m_setmycommands(self, params: dict[str, Any]) -> Reply:
        commands = params.get("commands") or []
        if len(commands) > 100:
            return error(400, "Bad Request: too many commands")
        self.commands[self._scope_key(params)] = commands
        return ok(True)

    def _m_deletemycommands(self, params: dict[str, Any]) -> Reply:
        self.commands.pop(self._scope_key(params), None)
        return ok(True)

    def _m_getmycommands(self, params: dict[str, Any]) -> Reply:
        return ok(self.commands.get(self._scope_key(params), []))

    def _m_setwebhook(self, params: dict[str, Any]) -> Reply:
        self.webhook = {"url": params.get("url", ""), "secret_token": params.get("secret_token")}
        return ok(True)

    def _m_deletewebhook(self, params: dict[str, Any]) -> Reply:
        self.webhook = {"url": ""}
        return ok(True)

    def _m_getwebhookinfo(self, params: dict[str, Any]) -> Reply:
        return ok({"url": self.webhook.get("url", ""), "has_custom_certificate": False,
                   "pending_update_count": len(self.pending)})

    async def _m_getupdates(self, params: dict[str, Any]) -> Reply:
        if self.webhook.get("url"):
            return error(409, "Conflict: can't use getUpdates method while webhook is active")
        offset = int(params.get("offset") or 0)
        self.pending = [u for u in self.pending if u["update_id"] >= offset]
        timeout = min(float(params.get("timeout") or 0), 1.0)  # answer early, as Telegram may
        if not self.pending and timeout:
            self._new_update.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._new_update.wait(), timeout)
        limit = int(params.get("limit") or 100)
        return ok(self.pending[:limit])

    # ---- the user side ------------------------------------------------------------------
    def add_user(self, user_id: int, first_name: str, language_code: str | None = None) -> None:
        user = {"id": user_id, "is_bot": False, "first_name": first_name}
        if language_code:
            user["language_code"] = language_code
        self.users[user_id] = user

    def _update(self, **payload: Any) -> dict[str, Any]:
        self.update_id += 1
        update = {"update_id": self.update_id, **payload}
        if self.queue_updates:
            self.pending.append(update)
            self._new_update.set()
        return update

    def user_sends(self, user_id: int, text: str) -> dict[str, Any]:
        """The user types ``text``; returns the update Telegram would deliver."""
        self.blocked.discard(user_id)
        message = self._store(user_id, self.users[user_id], text, [])
        if text.startswith("/"):
            length = len(text.split()[0])
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
        return self._update(message=message)

    def latest_with_buttons(self, user_id: int) -> dict[str, Any] | None:
        """The most recent bot message in the user's chat that still has buttons."""
        for message_id in range(self.last_message_id.get(user_id, 0), 0, -1):
            message = self.messages.get((user_id, message_id))
            if message and message["from"]["is_bot"] and message.get("reply_markup"):
                return message
        return None

    def user_presses(self, user_id: int, message: dict[str, Any], data: str) -> dict[str, Any]:
        """The user taps a button carrying ``data`` under ``message``."""
        self._callback_id += 1
        query = {"id": f"{user_id}:{self._callback_id}", "from": self.users[user_id],
                 "message": message, "chat_instance": str(user_id), "data": data}
        return self._update(callback_query=query)
