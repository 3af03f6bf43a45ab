"""The reminder text at rest: encrypted with ``bot.services.crypto`` (Fernet, RELAIS_DATA_KEY).

The column holds a bare Fernet token, so ``relais keys rotate`` can re-encrypt it once
``("bot.models.reminders", "ScheduledJob", "text")`` is listed in ``crypto.ENCRYPTED_COLUMNS``.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from bot.services import crypto

if TYPE_CHECKING:
    from bot.app import App

log = logging.getLogger(__name__)


def seal(app: App, text: str | None) -> str | None:
    if not text:
        return None
    return crypto.encrypt(app, text)


def unseal(app: App, stored: str | None) -> str | None:
    """The text, or ``None`` when it cannot be read (key changed); never raises."""
    if not stored:
        return None
    try:
        return crypto.decrypt(app, stored)
    except crypto.UndecryptableText:
        log.warning("a reminder text cannot be decrypted with the configured keys")
        return None
