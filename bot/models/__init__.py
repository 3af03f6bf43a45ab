"""Tables, one module per feature, all on :class:`bot.db.base.Base`."""

from __future__ import annotations

from bot.plugins import import_modules

MODEL_MODULES: tuple[str, ...] = (
    "bot.models.core",
    "bot.models.directory",
    "bot.models.cases",
    "bot.models.reminders",
    "bot.models.handoffs",
    "bot.models.broadcasts",
    "bot.models.tools",
    "bot.models.inbox",
    "bot.models.stats",
)


def load_all_models() -> None:
    """Import every model module so that ``Base.metadata`` knows every table."""
    for _module in import_modules(MODEL_MODULES):
        pass
