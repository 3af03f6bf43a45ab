"""Local users of the console channel: registered without an invitation, marked as a demo."""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models.core import Role, Sector, Worker
from bot.services import audit, workers
from bot.services.organisations import get_or_create_organisation

DEMO_ORGANISATION = "Équipe de démonstration (fictive)"
DEMO_REGIONS = ["06", "13", "16"]


def local_user_id(name: str) -> int:
    """A stable Telegram-like user id for a console user name, the same in every run."""
    digest = hashlib.sha256(name.strip().lower().encode("utf-8")).digest()
    return 100_000_000 + int.from_bytes(digest[:4], "big") % 900_000_000


async def ensure_demo_worker(
    session: AsyncSession,
    *,
    name: str,
    role: str,
    now: datetime,
    telegram_language: str | None = None,
) -> Worker:
    """Register a console user (once) in the demo organisation and regions."""
    telegram_id = local_user_id(name)
    worker = await workers.by_telegram_id(session, telegram_id)
    if worker is not None:
        if telegram_language:
            worker.telegram_language = telegram_language
        return worker
    organisation = await get_or_create_organisation(
        session, DEMO_ORGANISATION, now=now, sector=Sector.COMMUNITY.value
    )
    worker = Worker(
        telegram_id=telegram_id,
        display_name=name,
        role=role,
        organisation_id=organisation.id,
        telegram_language=telegram_language,
        created_at=now,
    )
    worker.set_regions(DEMO_REGIONS)
    session.add(worker)
    await session.flush()
    await audit.record(
        session, at=now, action="worker.demo_registered", actor=worker, role=role
    )
    return worker


async def any_worker(session: AsyncSession) -> bool:
    """Whether anyone is registered yet (the console's first user becomes coordinator)."""
    return await session.scalar(select(Worker.id).limit(1)) is not None


async def registered_workers(session: AsyncSession) -> list[Worker]:
    """Every registered worker (the console opens a chat for each)."""
    return list((await session.scalars(select(Worker).order_by(Worker.id))).all())


def demo_role(first: bool) -> str:
    return Role.COORDINATOR.value if first else Role.WORKER.value
