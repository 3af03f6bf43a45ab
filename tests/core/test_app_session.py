"""The app's session (``bot.db.engine.AppSession``) closes at once when it holds no transaction
(its commit gave the connection back), and as SQLAlchemy does when it holds one: the
connection goes back to the pool and what was not committed is not stored."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, inspect, select

from bot.app import App
from bot.models.core import Organisation

NOW = datetime(2026, 3, 2, 3, 0, tzinfo=UTC)


def checked_out(app: App) -> int:
    return app.engine.sync_engine.pool.checkedout()  # type: ignore[attr-defined]


async def organisations(app: App) -> int:
    async with app.sessionmaker() as session:
        return (await session.scalar(select(func.count()).select_from(Organisation))) or 0


async def test_a_committed_session_closes_at_once_and_forgets_its_objects(app: App):
    async with app.sessionmaker() as session:
        organisation = Organisation(name="Organisme fictif (essai)", sector="community",
                                    regions=["06"], created_at=NOW)
        session.add(organisation)
        await session.commit()
        assert session.sync_session.get_transaction() is None
    assert inspect(organisation).detached and organisation.name == "Organisme fictif (essai)"
    assert checked_out(app) == 0
    assert await organisations(app) == 1


async def test_a_session_left_in_a_transaction_gives_its_connection_back_unstored(app: App):
    async with app.sessionmaker() as session:
        session.add(Organisation(name="Jamais enregistré (fictif)", sector="community",
                                 regions=["06"], created_at=NOW))
        await session.flush()  # written in the transaction, not committed
        assert checked_out(app) == 1
    assert checked_out(app) == 0
    assert await organisations(app) == 0
    session = app.sessionmaker()
    await session.scalar(select(func.count()).select_from(Organisation))
    await session.close()  # close() itself, outside a with block
    assert checked_out(app) == 0
