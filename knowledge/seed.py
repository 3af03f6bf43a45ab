"""Load the invented sample directory into an empty directory.

Only ever into a try database (``relais try``, ``relais find``: see ``bot.cli.common``); tests
load it into their own databases.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.models.core import Organisation
from bot.models.directory import DirectoryOrganization, DirectoryService
from bot.services.organisations import get_or_create_organisation

SAMPLE_PATH = Path(__file__).parent / "data" / "sample_directory.json"


async def link_organisations(session: AsyncSession, now: datetime) -> int:
    """Make every directory organisation a Relais organisation (``directory_org_id`` set), so
    that its workers can be registered as receivers of its services."""
    linked = 0
    for hsds_id, name in (await session.execute(
        select(DirectoryOrganization.hsds_id, DirectoryOrganization.name)
    )).all():
        existing = await session.scalar(
            select(Organisation).where(Organisation.directory_org_id == hsds_id)
        )
        if existing is not None:
            continue
        organisation = await get_or_create_organisation(
            session, name[:200], now=now, directory_org_id=hsds_id
        )
        if organisation.directory_org_id is None:
            organisation.directory_org_id = hsds_id
        linked += 1
    await session.flush()
    return linked


async def ensure_sample_directory(app: Any, path: Path = SAMPLE_PATH) -> int:
    """Import the sample when the directory is empty; returns how many services were loaded.

    ``x_updated_hours_ago`` / ``x_verified_days_ago`` are applied relative to ``app.clock.now()``,
    so capacities and verification dates look as fresh as when the file was written.
    """
    from bot.services.directory.index import app_holder
    from knowledge.hsds_import import import_path

    now = app.clock.now()
    async with app.sessionmaker() as session:
        count = await session.scalar(select(func.count()).select_from(DirectoryService))
        if count:
            return 0
        report = await import_path(session, path, now=now, gazetteer=app.gazetteer,
                                   taxonomy=app.taxonomy)
        await link_organisations(session, now)
        await session.commit()
    app_holder(app).invalidate()
    return report.services
