"""The Bot API's wire format, as the in-memory Telegram speaks it.

Requests arrive as form fields (complex values as JSON); replies are ``(status, body)`` with
``{"ok": true, "result": ...}`` or an error and its code; what the bot did is an :class:`Event`.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
PHOTO_LIMIT = 10 * 1024 * 1024  # bytes of a photo sent by upload
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

    kind: str  # send | edit | delete | notice | document | photo
    chat_id: int
    message_id: int = 0
    text: str = ""
    buttons: list[list[dict[str, Any]]] = field(default_factory=list)
    protected: bool = False
    size: int = 0  # bytes of the file sent (document, photo); 0 when unknown or none


def ok(result: Any) -> Reply:
    """A successful reply carrying ``result``."""
    return 200, {"ok": True, "result": result}


def error(status: int, description: str, **parameters: Any) -> Reply:
    """An error reply as Telegram sends it (``parameters`` such as ``retry_after``)."""
    body: dict[str, Any] = {"ok": False, "error_code": status, "description": description}
    if parameters:
        body["parameters"] = parameters
    return status, body


def parse_params(raw: dict[str, Any]) -> dict[str, Any]:
    """Decode form fields: JSON for structured values, strings kept as sent."""
    params: dict[str, Any] = {}
    for key, value in raw.items():
        if isinstance(value, str) and key not in STRING_FIELDS:
            with contextlib.suppress(ValueError):
                value = json.loads(value)
        params[key] = value
    return params
