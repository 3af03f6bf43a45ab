"""Coordinators' announcements (``/broadcast``) and everyone's ``/announcements``.

Flow: write the text (screened; French and/or English) -> choose the audience with buttons ->
preview with the exact number of recipients -> send. Delivery is the outbox's job
(``bot.jobs.broadcasts``); the author's progress message is edited in place and ends with a
report.

- :mod:`.compose`: the text, the audience, the preview; :mod:`.send`: send, cancel, who missed
  it; :mod:`.announcements`: ``/announcements``; :mod:`.keys`: callback data and keyboards.
"""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command as CommandFilter

from bot.i18n import N_
from handlers.broadcasts import announcements, compose, send
from handlers.broadcasts.compose import BroadcastStates
from handlers.broadcasts.keys import (
    AnnouncementRead,
    BcAudience,
    BcConfirm,
    BcRegion,
    BcValue,
    BcVersion,
    BroadcastCancel,
    BroadcastMissed,
)
from handlers.commands import Command

__all__ = ["COMMANDS", "build_router"]

COMMANDS = (
    Command("broadcast", N_("Send an announcement to the workers of your regions"),
            coordinator_only=True),
    Command("announcements", N_("Recent announcements for your regions")),
)


def build_router() -> Router:
    """Register the broadcasts' handlers, in the order they are tried."""
    router = Router(name="broadcasts")
    router.message.register(compose.start, CommandFilter("broadcast"))
    router.message.register(compose.first_text, BroadcastStates.text, F.text,
                            ~F.text.startswith("/"))
    router.callback_query.register(compose.version_choice, BcVersion.filter())
    router.message.register(compose.second_text, BroadcastStates.second, F.text,
                            ~F.text.startswith("/"))
    router.callback_query.register(compose.audience_kind, BcAudience.filter())
    router.callback_query.register(compose.region_toggle, BcRegion.filter())
    router.callback_query.register(compose.audience_value, BcValue.filter())
    router.callback_query.register(send.confirm, BcConfirm.filter())
    router.callback_query.register(send.cancel_sending, BroadcastCancel.filter())
    router.callback_query.register(send.missed, BroadcastMissed.filter())
    router.message.register(announcements.announcements, CommandFilter("announcements"))
    router.callback_query.register(announcements.read_one, AnnouncementRead.filter())
    return router
