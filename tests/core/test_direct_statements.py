"""On PostgreSQL the worker's read and the handled mark go straight to asyncpg (``bot.db.direct``):
the worker comes out as the ORM would load it and behaves as a loaded one; the mark is stored as
it runs, refused twice as an ``IntegrityError``, and kept in the transaction after another
write; a connection the server dropped is replaced; anyone watching the engine's statements
gets SQLAlchemy's path. What the server holds is read from other sessions."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import asyncpg
import pytest
from sqlalchemy import inspect, select, text
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.app import App
from bot.db.postgres_driver import FirstWriteConnection
from bot.models.core import AuditEntry, Organisation, ProcessedUpdate, Worker
from bot.models.stats import SearchCount
from bot.services import workers
from bot.services.directory.criteria import Criteria
from bot.services.directory.search import SearchOutcome
from bot.services.inbox import mark_handled
from bot.services.stats.recording import record_search
from tests.support.statements import statements

NOW = datetime(2026, 3, 2, 3, 0, tzinfo=UTC)
TELEGRAM_ID = 5_550_001
BOT = 42


@pytest.fixture
def direct_calls(backend: str, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The statements that went straight to asyncpg (PostgreSQL only)."""
    if backend != "postgresql":
        pytest.skip("PostgreSQL only: SQLite has its own short path")
    calls: list[str] = []
    original = FirstWriteConnection.run_direct

    async def counted(self, operation, parameters):  # type: ignore[no-untyped-def]
        calls.append(" ".join(operation.split()[:3]))
        return await original(self, operation, parameters)

    monkeypatch.setattr(FirstWriteConnection, "run_direct", counted)
    return calls


async def add_worker(app: App) -> int:
    async with app.sessionmaker() as session:
        organisation = Organisation(name="Organisme fictif (essai)", sector="community",
                                    regions=["06", "13"], created_at=NOW)
        worker = Worker(telegram_id=TELEGRAM_ID, display_name="Alex (fictif)", language="fr",
                        telegram_language="fr-CA", role="coordinator",
                        organisation=organisation, on_call=True, on_call_until=NOW,
                        timezone="America/Toronto", created_at=NOW)
        worker.set_regions(["13", "06"])
        session.add(worker)
        await session.commit()
        return worker.id


def state_of(worker: Worker) -> tuple[dict[str, object], dict[str, object], list[str]]:
    columns = {a.key: getattr(worker, a.key) for a in inspect(Worker).column_attrs}
    organisation = {a.key: getattr(worker.organisation, a.key)
                    for a in inspect(Organisation).column_attrs}
    return columns, organisation, worker.regions


async def test_the_worker_read_directly_is_the_one_the_orm_loads(app: App, direct_calls):
    await add_worker(app)
    async with app.sessionmaker() as session:
        direct = await workers.by_telegram_id(session, TELEGRAM_ID)
        assert direct_calls == ["SELECT workers.id, workers.telegram_id,"]
        assert direct is not None and inspect(direct).persistent and direct in session
        assert not session.dirty and not session.new
        async with app.sessionmaker() as other:
            orm = (await other.scalars(workers._worker_query(),
                                       {"telegram_id": TELEGRAM_ID})).unique().one()
            assert state_of(direct) == state_of(orm)
    assert state_of(direct)[2] == ["06", "13"]
    assert state_of(direct)[1]["regions"] == ["06", "13"]
    assert state_of(direct)[0]["on_call_until"] == NOW
    async with app.sessionmaker() as session:
        assert await workers.by_telegram_id(session, TELEGRAM_ID + 1) is None


async def test_a_worker_read_directly_is_changed_and_stored_as_a_loaded_one(app: App,
                                                                            direct_calls):
    await add_worker(app)
    async with app.sessionmaker() as session:
        worker = await workers.by_telegram_id(session, TELEGRAM_ID)
        assert worker is not None
        worker.language = "en"
        worker.set_regions(["01"])
        await session.commit()
    async with app.sessionmaker() as session:
        worker = await workers.by_telegram_id(session, TELEGRAM_ID)
        assert worker is not None
        assert (worker.language, worker.regions) == ("en", ["01"])
        assert worker.organisation is not None
        assert worker.organisation.name == "Organisme fictif (essai)"


async def test_a_worker_the_session_holds_already_is_the_one_returned(app: App, direct_calls):
    worker_id = await add_worker(app)
    async with app.sessionmaker() as session:
        held = await session.get(Worker, worker_id)
        held.display_name = "Changé, pas encore écrit"  # type: ignore[union-attr]
        assert await workers.by_telegram_id(session, TELEGRAM_ID) is held
        found, thread_open = await workers.with_open_thread(session, TELEGRAM_ID, now=NOW)
        assert (found, thread_open) == (held, False)


async def test_a_worker_added_and_not_yet_written_is_found(app: App, direct_calls):
    async with app.sessionmaker() as session:
        added = Worker(telegram_id=TELEGRAM_ID, display_name="Sam (fictif)", created_at=NOW)
        session.add(added)
        assert await workers.by_telegram_id(session, TELEGRAM_ID) is added
        assert direct_calls == []  # the ORM's query, which writes it first
        await session.rollback()


async def test_a_mark_written_directly_is_stored_as_it_runs_and_refused_twice(app: App,
                                                                             direct_calls):
    await add_worker(app)
    async with app.sessionmaker() as session:
        await workers.by_telegram_id(session, TELEGRAM_ID)
        await mark_handled(session, BOT, 7, NOW, kept=False)
        assert direct_calls[-1] == "INSERT INTO processed_updates"
        async with app.sessionmaker() as other:  # stored before the commit
            assert list(await other.scalars(select(ProcessedUpdate.update_id))) == [7]
        await session.commit()
    async with app.sessionmaker() as session:
        with pytest.raises(IntegrityError):
            await mark_handled(session, BOT, 7, NOW, kept=False)
        await session.rollback()


async def test_a_mark_after_another_write_stays_in_its_transaction(app: App, direct_calls):
    async with app.sessionmaker() as session:
        session.add(AuditEntry(at=NOW, action="test.probe", actor_id=None))
        await mark_handled(session, BOT, 8, NOW, kept=False)
        assert direct_calls == []
        await session.rollback()
    async with app.sessionmaker() as session:
        assert list(await session.scalars(select(ProcessedUpdate.update_id))) == []


async def test_a_connection_the_server_dropped_is_replaced(app: App, direct_calls,
                                                          postgres_database):
    await add_worker(app)
    async with app.sessionmaker() as session:
        pid = (await session.execute(text("SELECT pg_backend_pid()"))).scalar_one()
        admin = await asyncpg.connect(
            postgres_database.url.replace("postgresql+asyncpg://", "postgresql://"))
        try:
            await admin.execute("SELECT pg_terminate_backend($1)", pid)
        finally:
            await admin.close()
        with pytest.raises(DBAPIError) as raised:
            await workers.by_telegram_id(session, TELEGRAM_ID)
        assert raised.value.connection_invalidated
    async with app.sessionmaker() as session:
        assert await workers.by_telegram_id(session, TELEGRAM_ID) is not None


async def test_a_watched_engine_sends_every_statement_through_sqlalchemy(app: App,
                                                                        direct_calls):
    await add_worker(app)
    async with app.sessionmaker() as session:
        with statements(app) as sent:
            assert await workers.by_telegram_id(session, TELEGRAM_ID) is not None
            await mark_handled(session, BOT, 9, NOW, kept=False)
        await session.commit()
    assert direct_calls == []
    assert [s.split(" (")[0].split(",")[0] for s in sent] == [
        "SELECT workers.id", "INSERT INTO processed_updates"]


async def test_a_search_s_counts_go_straight_with_the_mark(app: App, direct_calls):
    criteria = Criteria(regions=("06",), needs=("hebergement-urgence-jeunesse",), age=16)
    async with app.sessionmaker() as session:
        await session.execute(text("SELECT 1"))
        record_search(session, criteria, SearchOutcome(criteria=criteria), now=NOW,
                      zone=ZoneInfo("America/Toronto"))
        await mark_handled(session, BOT, 10, NOW, kept=False)
        assert [call.split(" AS")[0] for call in direct_calls] == ["WITH late0"]
        await session.rollback()  # stored as it ran: nothing left to undo
    async with app.sessionmaker() as session:
        counted = await session.scalars(select(SearchCount.count).where(SearchCount.need == "*"))
        assert list(counted) == [1]
        assert list(await session.scalars(select(ProcessedUpdate.update_id))) == [10]


async def test_the_session_s_connection_is_asked_for_once_per_transaction(app: App, direct_calls,
                                                                          monkeypatch):
    await add_worker(app)
    asked = []
    connection = AsyncSession.connection

    async def counted(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        asked.append(1)
        return await connection(self, *args, **kwargs)

    monkeypatch.setattr(AsyncSession, "connection", counted)
    async with app.sessionmaker() as session:
        await workers.by_telegram_id(session, TELEGRAM_ID)
        await mark_handled(session, BOT, 9001, NOW, kept=False)
        assert len(asked) == 1, "the worker's read and the mark, on the connection found once"
        backend_pid = (await session.execute(text("SELECT pg_backend_pid()"))).scalar()
        await session.commit()  # the connection goes back to the pool
        async with app.sessionmaker() as other:  # and another session takes it
            assert (await other.execute(text("SELECT pg_backend_pid()"))).scalar() == backend_pid
            await workers.by_telegram_id(session, TELEGRAM_ID)  # a new transaction
            assert len(asked) == 2, "asked again, not the connection the other session holds"
            assert (await session.execute(text("SELECT pg_backend_pid()"))).scalar() != backend_pid
    assert direct_calls.count("SELECT workers.id, workers.telegram_id,") == 2


@pytest.fixture
def direct_sql(direct_calls: list[str], monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The whole SQL of the statements that went straight to asyncpg (PostgreSQL only)."""
    sql: list[str] = []
    counted = FirstWriteConnection.run_direct

    async def kept(self, operation, parameters):  # type: ignore[no-untyped-def]
        sql.append(" ".join(operation.split()))
        return await counted(self, operation, parameters)

    monkeypatch.setattr(FirstWriteConnection, "run_direct", kept)
    return sql


async def test_a_mark_alone_commits_without_waiting_for_the_disk_and_only_it(
        app: App, direct_sql, postgres_database):
    await add_worker(app)
    async with app.sessionmaker() as session:
        await workers.by_telegram_id(session, TELEGRAM_ID)
        assert await mark_handled(session, BOT, 11, NOW, kept=False)
        assert "set_config('synchronous_commit', 'off', true)" in direct_sql[-1]
        # the setting held for the mark's own transaction, not for the connection after it
        assert (await session.execute(text("SHOW synchronous_commit"))).scalar() == "on"
        await session.commit()
    async with app.sessionmaker() as session:
        assert list(await session.scalars(select(ProcessedUpdate.update_id))) == [11]
    # what the statement does: within a transaction, its commit does not wait for the disk
    admin = await asyncpg.connect(
        postgres_database.url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        transaction = admin.transaction()
        await transaction.start()
        await admin.execute(direct_sql[-1], 12, BOT, NOW)
        assert await admin.fetchval("SHOW synchronous_commit") == "off"
        await transaction.rollback()
        assert await admin.fetchval("SHOW synchronous_commit") == "on"
    finally:
        await admin.close()


async def test_a_mark_that_is_not_alone_waits_for_the_disk(app: App, direct_sql):
    criteria = Criteria(regions=("06",), needs=("hebergement-urgence-jeunesse",), age=16)
    async with app.sessionmaker() as session:  # with a search's counts: one statement
        record_search(session, criteria, SearchOutcome(criteria=criteria), now=NOW,
                      zone=ZoneInfo("America/Toronto"))
        await mark_handled(session, BOT, 13, NOW, kept=False)
        await session.commit()
    assert len(direct_sql) == 1 and "set_config" not in direct_sql[0]
    with statements(app) as sent:
        async with app.sessionmaker() as session:  # after another write: in its transaction
            session.add(AuditEntry(at=NOW, action="test.probe", actor_id=None))
            await mark_handled(session, BOT, 14, NOW, kept=False)
            await session.commit()
        async with app.sessionmaker() as session:  # with an inbox copy to delete
            await mark_handled(session, BOT, 15, NOW, kept=True)
            await session.commit()
    marks = [s for s in sent if s.startswith("INSERT INTO processed_updates")]
    assert len(marks) == 2 and not any("set_config" in s for s in sent)
    assert len(direct_sql) == 1


async def test_a_worker_without_organisation_or_regions_is_read_directly(app: App,
                                                                         direct_calls):
    async with app.sessionmaker() as session:
        session.add(Worker(telegram_id=TELEGRAM_ID, display_name="Sam (fictif)", created_at=NOW))
        await session.commit()
    async with app.sessionmaker() as session:
        worker = await workers.by_telegram_id(session, TELEGRAM_ID)
        assert direct_calls == ["SELECT workers.id, workers.telegram_id,"]
        assert worker is not None and inspect(worker).persistent
        assert (worker.organisation, worker.regions) == (None, [])
        worker.set_regions(["06"])
        await session.commit()
    async with app.sessionmaker() as session:
        worker = await workers.by_telegram_id(session, TELEGRAM_ID)
        assert worker is not None and worker.regions == ["06"]
        await session.refresh(worker)  # expired and loaded again as any persistent object
        assert worker.display_name == "Sam (fictif)" and worker.regions == ["06"]


async def test_whoever_listens_for_attaches_hears_of_a_worker_read_directly(app: App,
                                                                            direct_calls):
    from sqlalchemy import event

    from bot.db.effects import UnitOfWorkSession

    await add_worker(app)
    heard: list[str] = []

    def attached(_session, instance):  # type: ignore[no-untyped-def]
        heard.append(type(instance).__name__)

    event.listen(UnitOfWorkSession, "after_attach", attached)
    try:
        async with app.sessionmaker() as session:
            worker = await workers.by_telegram_id(session, TELEGRAM_ID)
            assert worker is not None and worker in session and worker.regions == ["06", "13"]
            assert not session.dirty and not session.new
    finally:
        event.remove(UnitOfWorkSession, "after_attach", attached)
    assert sorted(heard) == ["Organisation", "Worker", "WorkerRegion", "WorkerRegion"]


async def test_a_worker_read_through_sqlalchemy_is_read_as_columns_too(app: App):
    """On SQLite, or with the engine watched: the same columns, on the session's connection,
    and the worker loaded as the ORM loads it (the ORM's query, with its joined loads, is kept
    for a session with changes to flush)."""
    await add_worker(app)
    async with app.sessionmaker() as session:
        with statements(app) as sent:
            worker = await workers.by_telegram_id(session, TELEGRAM_ID)
        assert len(sent) == 1 and "worker_regions.region" in sent[0]
        assert "worker_regions_1" not in sent[0], "not the ORM's joined load"
        assert worker is not None and inspect(worker).persistent and worker in session
        assert not session.dirty and not session.new
        async with app.sessionmaker() as other:
            orm = (await other.scalars(workers._worker_query(),
                                       {"telegram_id": TELEGRAM_ID})).unique().one()
            assert state_of(worker) == state_of(orm)
        worker.language = "en"
        with statements(app) as sent:  # a change to flush: the ORM's query flushes it first
            again, _open = await workers.with_open_thread(session, TELEGRAM_ID, now=NOW)
        assert again is worker and sent[0].startswith("UPDATE workers")
        await session.commit()
    async with app.sessionmaker() as session:
        worker = await workers.by_telegram_id(session, TELEGRAM_ID)
        assert worker is not None and worker.language == "en" and worker.regions == ["06", "13"]
