"""The Bot API methods about messages: send, edit, delete, and answer a button press."""

from __future__ import annotations

from typing import Any

from handlers.console.fake_state import FakeState
from handlers.console.parse_mode import plain_text
from handlers.console.protocol import (
    CALLBACK_TEXT_LIMIT,
    CAPTION_LIMIT,
    DELETE_WINDOW,
    PHOTO_LIMIT,
    Event,
    Reply,
    error,
    ok,
)


class MessageMethods(FakeState):
    """``sendMessage``, ``sendDocument``, ``sendPhoto``, ``editMessage*``, ``deleteMessage(s)``,
    ``answerCallbackQuery`` and ``sendChatAction``, checked as Telegram checks them."""

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
        return self._send_file(params, "document")

    def _m_sendphoto(self, params: dict[str, Any]) -> Reply:
        return self._send_file(params, "photo")

    def _send_file(self, params: dict[str, Any], kind: str) -> Reply:
        """A document or a photo uploaded with a caption: stored as Telegram shows it, and an
        event "[name] caption" keeping the file's size (``_size``, set by the sessions)."""
        chat_id = self._chat(params)
        if isinstance(chat_id, tuple):
            return chat_id
        name = str(params.get("_filename") or kind)
        size = int(params.get("_size") or 0)
        if "_size" in params and size == 0:
            return error(400, "Bad Request: file must be non-empty")
        if kind == "photo" and size > PHOTO_LIMIT:
            return error(400, "Bad Request: PHOTO_INVALID_DIMENSIONS")
        caption = plain_text(str(params.get("caption", "")), params.get("parse_mode"))
        if caption is None:
            return error(400, "Bad Request: can't parse entities")
        if len(caption) > CAPTION_LIMIT:
            return error(400, "Bad Request: message caption is too long")
        protected = bool(params.get("protect_content"))
        number = len(self.events)
        file = {"file_id": f"{kind}{number}", "file_unique_id": f"u{number}", "file_size": size}
        media: dict[str, Any] = (
            {"photo": [{**file, "width": 1280, "height": 960}]} if kind == "photo"
            else {"document": {**file, "file_name": name}})
        message = self._store(chat_id, self.bot_user, caption, [],
                              **media, **({"has_protected_content": True} if protected else {}))
        message.pop("text")
        if caption:
            message["caption"] = caption
        self._emit(Event(kind, chat_id, message["message_id"], f"[{name}] {caption}".strip(),
                         protected=protected, size=size))
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
