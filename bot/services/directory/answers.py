"""The chat's answer to a question, a page at a time: the few services that can take the youth.

Searches read the in-memory index of the app's database (rebuilt when the directory changes);
a page holds :data:`PAGE_SIZE` results so that the answer stays short on a phone.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from bot.services.directory.criteria import Criteria
from bot.services.directory.index import app_holder
from bot.services.directory.search import SearchOutcome, rank

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from bot.app import App

PAGE_SIZE = 3


async def answer_page(app: App, session: AsyncSession, criteria: Criteria, *, now: datetime,
                      page: int = 0) -> SearchOutcome:
    """Page ``page`` (from 0) of the services for ``criteria``, best first."""
    index = await app_holder(app).get(session)
    return rank(index, criteria, now=now, limit=PAGE_SIZE, offset=page * PAGE_SIZE)



async def service_phone(app: App, session: AsyncSession, service_id: int, lang: str
                        ) -> tuple[str, str] | None:
    """The name (in ``lang``) and the number on a service's card, as the search shows it;
    None for an unknown service or one without a number."""
    index = await app_holder(app).get(session)
    entry = index.get(service_id)
    if entry is None or not entry.phone:
        return None
    return entry.display_name(lang), entry.phone
