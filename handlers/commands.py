"""Bot commands: each feature router module declares ``COMMANDS``; menus and /help read them."""

from __future__ import annotations

from dataclasses import dataclass

from bot.plugins import import_modules


@dataclass(frozen=True)
class Command:
    """A command of the menu; ``description`` is an untranslated msgid (≤ 256 chars)."""

    name: str
    description: str
    coordinator_only: bool = False


def all_commands() -> list[Command]:
    """Every feature's commands, in router order."""
    from handlers.dispatcher import ROUTER_MODULES

    commands: list[Command] = []
    for module in import_modules(ROUTER_MODULES):
        commands.extend(getattr(module, "COMMANDS", ()))
    return commands
