"""Privacy screen: flags free text that would identify a youth before Relais stores or relays it.

Pure Python (no aiogram, no database, no model download). Build a screen with
:func:`bot.privacy.screen.build_screen` (or :func:`build_default_screen` for the CLI) and call
``screen.scan(text)``; nothing is built at import time.
"""

from bot.privacy.screen import (
    KINDS,
    Screen,
    ScreenResult,
    build_default_screen,
    build_screen,
)

__all__ = ["KINDS", "Screen", "ScreenResult", "build_default_screen", "build_screen"]
