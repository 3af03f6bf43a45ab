"""The users' side of the in-memory Telegram: people who type and press buttons.

What they do becomes the update Telegram would deliver (queued for ``getUpdates`` when the bot
polls, returned to the caller either way).
"""

from __future__ import annotations

from typing import Any

from handlers.console.fake_state import FakeState


class UserSide(FakeState):
    """Users, their messages and their button presses, as updates."""

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
