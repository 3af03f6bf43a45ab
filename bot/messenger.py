"""How services send messages without knowing Telegram.

``handlers/messenger.py`` implements :class:`Messenger` with aiogram and maps Telegram errors to
the exceptions below, which services (reminders, broadcasts, handoffs) handle.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True)
class Button:
    """An inline button: ``data`` is callback data (≤ 64 bytes) or ``url`` a link."""

    text: str
    data: str | None = None
    url: str | None = None


@dataclass(frozen=True)
class OutgoingMessage:
    """A message to one chat; ``buttons`` is a list of rows."""

    chat_id: int
    text: str
    buttons: list[list[Button]] = field(default_factory=list)
    protect_content: bool = False


class SendError(Exception):
    """Base of delivery failures."""


class RecipientBlocked(SendError):
    """The user blocked the bot or deleted their account: mark them inactive."""


class RetryAfter(SendError):
    """Telegram asks to wait ``seconds`` before sending anything again."""

    def __init__(self, seconds: float) -> None:
        super().__init__(f"retry after {seconds} s")
        self.seconds = seconds


class SendFailed(SendError):
    """Any other failure; ``permanent`` ones are not retried."""

    def __init__(self, reason: str, *, permanent: bool = False) -> None:
        super().__init__(reason)
        self.permanent = permanent


class Messenger(Protocol):
    """Sends and edits messages; returns Telegram's message id."""

    async def send(self, message: OutgoingMessage) -> int: ...

    async def edit(self, message: OutgoingMessage, message_id: int) -> None: ...

    async def delete(self, chat_id: int, message_id: int) -> None: ...
