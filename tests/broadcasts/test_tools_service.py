"""Who may change an item of the library, decided by the service."""

from __future__ import annotations

import pytest

from bot.errors import NotAllowed, NotFound
from bot.models.core import Worker
from bot.services import tools
from bot.services.organisations import get_or_create_organisation


async def add_worker(session, app, name: str, *, role: str, regions: tuple[str, ...]  # type: ignore[no-untyped-def]
                     ) -> Worker:
    organisation = await get_or_create_organisation(session, "Organisme test (fictif)",
                                                    now=app.clock.now())
    worker = Worker(telegram_id=len(name) * 1000 + ord(name[0]), display_name=name, role=role,
                    organisation=organisation, created_at=app.clock.now())
    worker.set_regions(list(regions))
    session.add(worker)
    await session.flush()
    return worker


async def test_editable_tool_checks_the_editor_and_that_the_item_is_still_there(app):
    async with app.sessionmaker() as session:
        author = await add_worker(session, app, "author", role="coordinator", regions=("06",))
        other = await add_worker(session, app, "other", role="coordinator", regions=("02",))
        worker = await add_worker(session, app, "worker", role="worker", regions=("06",))
        now = app.clock.now()
        tool = await tools.add_tool(
            session, author=author, lang="fr", title="Guide fictif", summary="Un résumé.",
            content="https://example.org/guide", tags="guide", now=now, today=now.date(),
        )
        assert await tools.editable_tool(session, author, tool.id) is tool
        for outsider in (other, worker):
            with pytest.raises(NotAllowed):
                await tools.editable_tool(session, outsider, tool.id)
        await tools.retire_tool(session, worker=author, tool_id=tool.id, now=now)
        with pytest.raises(NotFound):
            await tools.editable_tool(session, author, tool.id)
