"""Places available now in a service, as its receivers see and change them from the chat.

The figure shown is the in-memory index's (what searches show); "one more" and "one less" start
from it, never below zero, and :func:`receivers.set_capacity` decides who may store it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.models.core import Worker
from bot.models.directory import DirectoryService
from bot.services.directory import receivers
from bot.services.directory.index import Capacity, app_holder

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from bot.app import App


@dataclass(frozen=True)
class CapacityUpdate:
    """What was stored: the service, the places now available, and their unit (``"place"``…)."""

    service: DirectoryService
    available: int
    unit: str


async def current_capacity(app: App, session: AsyncSession, service_id: int) -> Capacity | None:
    """The service's capacity as searches show it, None when unknown."""
    entry = (await app_holder(app).get(session)).get(service_id)
    return entry.capacity if entry is not None else None


async def update_capacity(app: App, session: AsyncSession, worker: Worker, service_id: int,
                          op: str, value: int) -> CapacityUpdate:
    """Store the places available now: ``value`` itself (``op="set"``) or added to the current
    figure (``op="add"``, never below zero); only the service's receivers may."""
    if op == "add":
        current = await current_capacity(app, session, service_id)
        base = current.available if current else 0
        value = max(0, int(base) + value)
    saved = await receivers.set_capacity(session, worker, service_id, value, app.clock.now())
    service = await receivers.get_service(session, service_id)
    unit = saved.unit.name if saved.unit is not None else "place"
    return CapacityUpdate(service=service, available=value, unit=unit)
