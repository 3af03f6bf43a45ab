"""After an accept: offer the receiver a one-tap update of the service's free places.

A youth just took one of the places searches show, so the figure is likely one too high. The
receiver who accepted is offered "−1" or "keep the current count" (the directory's own capacity
buttons, :mod:`bot.services.directory.capacity` stores it). Only where a figure is shown and
where that receiver may store one (the directory lets a service's named receivers do it).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession

from bot.models.core import Worker
from bot.models.directory import ServiceReceiver
from bot.models.handoffs import Handoff
from bot.services.directory.capacity import current_capacity

if TYPE_CHECKING:
    from bot.app import App


@dataclass(frozen=True)
class PlacesOffer:
    """The service's figure as searches show it, for the buttons."""

    service_id: int
    service_name: str
    available: int
    unit: str


async def offer_after_accept(app: App, session: AsyncSession, handoff: Handoff,
                             worker: Worker) -> PlacesOffer | None:
    """What to offer ``worker``, who just accepted ``handoff``; None when the service shows no
    figure or they may not update it."""
    if handoff.service_id is None or handoff.owner_id != worker.id:
        return None
    if not worker.is_admin and await session.get(
            ServiceReceiver, (handoff.service_id, worker.id)) is None:
        return None
    current = await current_capacity(app, session, handoff.service_id)
    if current is None:
        return None
    return PlacesOffer(handoff.service_id, handoff.service_name, max(0, int(current.available)),
                       current.unit)
