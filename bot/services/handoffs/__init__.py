"""Warm handoffs: lifecycle (pure), service (create, accept, decline, move, cancel), routing
(who receives), notify (messages in each recipient's language), timers (SLA and follow-up).

``case_timeline`` is the cases feature's timeline hook (``bot.services.cases.TIMELINE_MODULES``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from bot.models.cases import Case


async def case_timeline(session: AsyncSession, case: Case) -> list:
    """Handoff events of a case as timeline entries (no note text: notes stay in the handoff)."""
    from bot.services.handoffs.history import case_timeline as build

    return await build(session, case)
