"""Partner organisations whose workers use Relais."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models.core import Organisation, Sector


async def get_or_create_organisation(
    session: AsyncSession,
    name: str,
    *,
    now: datetime,
    sector: str = Sector.OTHER.value,
    directory_org_id: str | None = None,
) -> Organisation:
    """Find an organisation by exact name, or create it."""
    name = " ".join(name.split())
    organisation = await session.scalar(select(Organisation).where(Organisation.name == name))
    if organisation is None:
        organisation = Organisation(
            name=name, sector=sector, regions=[], created_at=now, directory_org_id=directory_org_id
        )
        session.add(organisation)
        await session.flush()
    return organisation
