"""Bot commands: each feature router module declares ``COMMANDS``; menus and /help read them."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from bot.plugins import import_modules


@dataclass(frozen=True)
class Command:
    """A command of the menu; ``description`` is an untranslated msgid (≤ 256 chars)."""

    name: str
    description: str
    coordinator_only: bool = False


@functools.cache
def all_commands() -> tuple[Command, ...]:
    """Every feature's commands, in router order (read once: ``/help`` lists them each time)."""
    from handlers.dispatcher import ROUTER_MODULES

    commands: list[Command] = []
    for module in import_modules(ROUTER_MODULES):
        commands.extend(getattr(module, "COMMANDS", ()))
    return tuple(commands)
