"""What the author sees: the live progress message and the final report, in their language.

Buttons carry callback data in the format of aiogram's ``CallbackData.pack()`` (``prefix:id``);
``handlers/broadcasts.py`` declares the matching classes (``BroadcastCancel``,
``BroadcastMissed``).
"""

from __future__ import annotations

import html

from bot.i18n import Text
from bot.messenger import Button
from bot.models.broadcasts import Broadcast, BroadcastStatus
from bot.services.broadcasts.audience import describe
from bot.services.broadcasts.outbox import Counts, audience_of

CANCEL_PREFIX = "bcx"
MISSED_PREFIX = "bcm"


def cancel_data(broadcast_id: int) -> str:
    return f"{CANCEL_PREFIX}:{broadcast_id}"


def missed_data(broadcast_id: int) -> str:
    return f"{MISSED_PREFIX}:{broadcast_id}"


def tally(t: Text, counts: Counts, total: int) -> str:
    """"1 240 / 3 000 envoyés · 2 blocages" / "1,240 / 3,000 sent · 2 blocked"."""
    parts = [t.ngettext("{n} / {total} sent", "{n} / {total} sent", counts.sent,
                        total=t.number(total))]
    if counts.blocked:
        parts.append(t.ngettext("{n} blocked", "{n} blocked", counts.blocked))
    if counts.failed:
        parts.append(t.ngettext("{n} failed", "{n} failed", counts.failed))
    return " · ".join(parts)


def progress_text(t: Text, broadcast: Broadcast, counts: Counts) -> str:
    audience = html.escape(describe(audience_of(broadcast), t))
    if broadcast.status == BroadcastStatus.SENDING.value:
        title = t.gettext("📢 Sending the announcement — {audience}", audience=audience)
    elif broadcast.status == BroadcastStatus.CANCELLING.value:
        title = t.gettext("📢 Cancelling the announcement — {audience}", audience=audience)
    elif broadcast.status == BroadcastStatus.CANCELLED.value:
        title = t.gettext("📢 Announcement cancelled — {audience}", audience=audience)
    else:
        title = t.gettext("📢 Announcement sent — {audience}", audience=audience)
    return f"{title}\n{tally(t, counts, broadcast.total)}"


def progress_buttons(t: Text, broadcast: Broadcast) -> list[list[Button]]:
    if broadcast.status != BroadcastStatus.SENDING.value:
        return []
    return [[Button(t.gettext("Cancel sending"), data=cancel_data(broadcast.id))]]


def report_text(t: Text, broadcast: Broadcast, counts: Counts) -> str:
    lines = [
        t.gettext("Report on the announcement — {audience}",
                  audience=html.escape(describe(audience_of(broadcast), t))),
        t.ngettext("Delivered: {n} worker", "Delivered: {n} workers", counts.sent),
        t.gettext("Blocked the bot (now marked inactive): {n}", n=t.number(counts.blocked)),
        t.gettext("Failed: {n}", n=t.number(counts.failed)),
    ]
    if counts.cancelled:
        lines.append(t.gettext("Not sent (cancelled): {n}", n=t.number(counts.cancelled)))
    return "\n".join(lines)


def report_buttons(t: Text, broadcast: Broadcast, counts: Counts) -> list[list[Button]]:
    if counts.sent >= counts.total:
        return []
    return [[Button(t.gettext("Who did not receive it"), data=missed_data(broadcast.id))]]
