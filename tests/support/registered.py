"""A Relais database ready for real processes: schema at head, optionally the sample directory,
and Telegram users registered as active workers (used by the ops tests and the benchmarks)."""

from __future__ import annotations

from collections.abc import Sequence


async def prepare_relais_database(database_url: str, user_ids: Sequence[int], *,
                                  sample_directory: bool = False, name: str = "User",
                                  organisation: str = "Organisme fictif") -> None:
    """Migrate, load the sample directory if asked, and register each of ``user_ids`` not yet
    registered as a French-speaking worker of region 06 (``{name}{number}``)."""
    from sqlalchemy import select

    from bot.app import build_app
    from bot.config import Settings
    from bot.db.migrate import upgrade
    from bot.models.core import Worker
    from bot.services.organisations import get_or_create_organisation

    await upgrade(database_url)
    app = build_app(Settings(_env_file=None, database_url=database_url))  # type: ignore[call-arg]
    try:
        if sample_directory:
            from knowledge.seed import ensure_sample_directory

            await ensure_sample_directory(app)
        async with app.sessionmaker() as session:
            org = await get_or_create_organisation(session, organisation, now=app.clock.now())
            known = set((await session.scalars(select(Worker.telegram_id))).all())
            for number, user_id in enumerate(user_ids):
                if user_id in known:
                    continue
                worker = Worker(telegram_id=user_id, display_name=f"{name}{number}",
                                role="worker", organisation_id=org.id,
                                created_at=app.clock.now(), language="fr")
                worker.set_regions(["06"])
                session.add(worker)
            await session.commit()
    finally:
        await app.close()
