"""Several processes, one bot: three ``relais run --webhook`` behind a round-robin proxy.

PostgreSQL + Redis only (skipped without ``RELAIS_TEST_DATABASE_URL`` and
``RELAIS_TEST_REDIS_URL``). The Bot API stand-in delivers every update by webhook to the proxy,
which hands each one to the next process; a whole warm handoff (search, new case, request,
accept, thread messages both ways) must look to the two users exactly as with one process, every
update must be handled once, and a reminder falling due must arrive once although three
dispatchers are watching the jobs table.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from handlers.console.fake_api import Event, FakeTelegram
from tests.ops.conftest import RelaisProcess, free_port, prepare_database, running_relais
from tests.standin.server import StandIn
from tests.support.databases import PG_ENV, REDIS_ENV
from tests.support.proxy import RoundRobinProxy

pytestmark = pytest.mark.skipif(
    not (os.environ.get(PG_ENV) and os.environ.get(REDIS_ENV)),
    reason="needs PostgreSQL and Redis (RELAIS_TEST_DATABASE_URL, RELAIS_TEST_REDIS_URL)",
)

PROCESSES = 3
WAIT = 60.0  # the longest any single step may take on a loaded machine
SEARCH = "hébergement jeune 15 ans montréal"
SECRET = "ops-processes-webhook-secret-0123456789"
# A bot id and users of this run only: Redis keys carry the bot id (conversation state) or the
# chat id (rate limiter), so this test cleans exactly its own keys.
BOT_ID = 4_300_000_000 + os.getpid()
TOKEN = f"{BOT_ID}:ops-three-processes"
ALICE = 7_300_000_000 + os.getpid() * 2  # asks for the handoff
BOB = ALICE + 1  # receives it


# ---- the database and Redis of this test ---------------------------------------------------


def _admin_dsn() -> str:
    return os.environ[PG_ENV].replace("postgresql+asyncpg://", "postgresql://")


@contextlib.asynccontextmanager
async def fresh_postgres() -> AsyncIterator[str]:
    """``relais_ops_<pid>``, created for the test and dropped after it; its async URL."""
    import asyncpg

    name = f"relais_ops_{os.getpid()}"
    connection = await asyncpg.connect(_admin_dsn(), timeout=10)
    try:
        await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await connection.execute(f'CREATE DATABASE "{name}"')
    finally:
        await connection.close()
    base = _admin_dsn().rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://", 1)
    try:
        yield f"{base}/{name}"
    finally:
        connection = await asyncpg.connect(_admin_dsn(), timeout=10)
        try:
            await connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        finally:
            await connection.close()


async def forget_redis(url: str, bot_id: int, chats: tuple[int, ...]) -> None:
    """Delete this test's keys only: its bot's conversation state, its chats' rate slots."""
    from redis.asyncio import Redis

    client = Redis.from_url(url)
    try:
        patterns = [f"relais:fsm:{bot_id}:*"] + [f"relais:ratelimit:*:chat:{c}" for c in chats]
        for pattern in patterns:
            keys = [key async for key in client.scan_iter(match=pattern, count=500)]
            if keys:
                await client.delete(*keys)
    finally:
        await client.aclose()


def open_app(database_url: str):  # type: ignore[no-untyped-def]
    """An app of the test's own on the processes' database (to prepare and to look)."""
    from bot.app import build_app
    from bot.config import Settings

    return build_app(Settings(_env_file=None, database_url=database_url))  # type: ignore[call-arg]


async def make_receiver(database_url: str) -> int:
    """Bob receives for the service a search for :data:`SEARCH` ranks first; its id."""
    from sqlalchemy import select

    from bot.models.core import Worker
    from bot.models.directory import ServiceReceiver
    from bot.services.directory.answers import answer_page
    from bot.services.directory.criteria import interpret

    app = open_app(database_url)
    try:
        criteria = interpret(SEARCH, "fr", gazetteer=app.gazetteer, taxonomy=app.taxonomy).criteria
        async with app.sessionmaker() as session:
            outcome = await answer_page(app, session, criteria, now=app.clock.now())
            assert outcome.results, "the sample directory has no answer to the search"
            service_id = outcome.results[0].service_id
            bob = await session.scalar(select(Worker).where(Worker.telegram_id == BOB))
            assert bob is not None
            bob.on_call = True  # quiet hours never hold what he is sent, whatever the hour
            session.add(ServiceReceiver(service_id=service_id, worker_id=bob.id,
                                        created_at=app.clock.now()))
            await session.commit()
        return service_id
    finally:
        await app.close()


# ---- the users -----------------------------------------------------------------------------


class Users:
    """Alice and Bob typing and tapping; their updates queue on the stand-in."""

    def __init__(self, telegram: FakeTelegram) -> None:
        self.telegram = telegram
        self.update_ids: list[int] = []

    def mark(self) -> int:
        return len(self.telegram.events)

    def says(self, user_id: int, text: str) -> int:
        mark = self.mark()
        self.update_ids.append(self.telegram.user_sends(user_id, text)["update_id"])
        return mark

    def presses(self, user_id: int, match: Callable[[dict[str, Any]], bool]) -> int:
        """Tap the first button ``match`` accepts, in the newest bot message that has one."""
        message, button = self.find_button(user_id, match)
        mark = self.mark()
        update = self.telegram.user_presses(user_id, message, button["callback_data"])
        self.update_ids.append(update["update_id"])
        return mark

    def find_button(self, user_id: int, match: Callable[[dict[str, Any]], bool]
                    ) -> tuple[dict[str, Any], dict[str, Any]]:
        for message_id in range(self.telegram.last_message_id.get(user_id, 0), 0, -1):
            message = self.telegram.messages.get((user_id, message_id)) or {}
            if not message.get("from", {}).get("is_bot"):
                continue
            for row in message.get("reply_markup", {}).get("inline_keyboard", []):
                for button in row:
                    if "callback_data" in button and match(button):
                        return message, button
        raise AssertionError(f"no such button in chat {user_id}: {self.labels(user_id)}")

    def labels(self, user_id: int) -> list[str]:
        message = self.telegram.latest_with_buttons(user_id) or {}
        rows = message.get("reply_markup", {}).get("inline_keyboard", [])
        return [b["text"] for row in rows for b in row]

    def seen(self, user_id: int, since: int) -> list[Event]:
        return [e for e in self.telegram.events[since:]
                if e.chat_id == user_id and e.kind in ("send", "edit")]

    async def sees(self, user_id: int, needle: str, since: int, limit: float = WAIT) -> str:
        """Wait until ``user_id`` was sent (or shown by an edit) a text with ``needle``."""
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            for event in self.seen(user_id, since):
                if needle.lower() in event.text.lower():
                    return event.text
            await asyncio.sleep(0.05)
        texts = [e.text[:80] for e in self.seen(user_id, since)]
        raise AssertionError(f"{user_id} never saw {needle!r}; saw {texts}")


def label(text: str) -> Callable[[dict[str, Any]], bool]:
    return lambda button: text.lower() in button["text"].lower()


def data(value: str) -> Callable[[dict[str, Any]], bool]:
    return lambda button: button["callback_data"] == value


# ---- the processes -------------------------------------------------------------------------


async def wait_listening(relais: RelaisProcess, port: int, limit: float = WAIT) -> None:
    """Wait until the process's webhook server answers (it starts after migrations)."""
    deadline = time.monotonic() + limit
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=2)) as client:
        while time.monotonic() < deadline:
            if relais.returncode is not None:
                raise AssertionError(f"relais exited {relais.returncode} at start:\n"
                                     f"{relais.stderr()[-3000:]}")
            with contextlib.suppress(aiohttp.ClientError, OSError, asyncio.TimeoutError):
                async with client.get(f"http://127.0.0.1:{port}/health") as response:
                    if response.status == 200:
                        return
            await asyncio.sleep(0.2)
    raise AssertionError(f"the webhook server never answered:\n{relais.stderr()[-3000:]}")


async def set_webhook(standin: StandIn, url: str) -> None:
    """``setWebhook`` over HTTP, as ``relais webhook set`` does: the stand-in starts pushing."""
    async with aiohttp.ClientSession() as client, client.post(
            f"{standin.base_url}/bot{TOKEN}/setWebhook",
            data={"url": url, "secret_token": SECRET}) as response:
        assert (await response.json())["ok"] is True


async def handled(database_url: str) -> tuple[list[int], int]:
    """(update ids in ``processed_updates`` for this bot, rows left in the inbox)."""
    from sqlalchemy import func, select

    from bot.models.core import ProcessedUpdate
    from bot.models.inbox import InboxUpdate

    app = open_app(database_url)
    try:
        async with app.sessionmaker() as session:
            ids = list((await session.scalars(
                select(ProcessedUpdate.update_id).where(ProcessedUpdate.bot_id == BOT_ID))).all())
            left = await session.scalar(select(func.count()).select_from(InboxUpdate))
        return ids, int(left or 0)
    finally:
        await app.close()


async def schedule_reminder(database_url: str, seconds: float) -> tuple[int, str]:
    """A reminder for Alice about her new case, due in ``seconds``: (job id, case code)."""
    from sqlalchemy import select

    from bot.models.cases import Case
    from bot.models.core import Worker
    from bot.services import scheduler
    from bot.services.reminders.personal import KIND

    app = open_app(database_url)
    try:
        async with app.sessionmaker() as session:
            alice = await session.scalar(select(Worker).where(Worker.telegram_id == ALICE))
            code = await session.scalar(select(Case.code))
            assert alice is not None and code is not None
            now = app.clock.now()
            job = await scheduler.schedule(
                session, KIND, now + timedelta(seconds=seconds), now=now, worker=alice,
                ref=code, payload={"case": code}, urgent=True, created_by=alice)
            await session.commit()
            return job.id, code
    finally:
        await app.close()


async def job_row(database_url: str, job_id: int) -> tuple[str, int]:
    from bot.models.reminders import ScheduledJob

    app = open_app(database_url)
    try:
        async with app.sessionmaker() as session:
            job = await session.get(ScheduledJob, job_id)
            assert job is not None
            return job.state, job.attempts
    finally:
        await app.close()


# ---- the test ------------------------------------------------------------------------------


@pytest.mark.timeout(240)
async def test_three_webhook_processes_serve_one_bot(tmp_path: Path) -> None:
    from cryptography.fernet import Fernet

    redis_url = os.environ[REDIS_ENV]
    standin = StandIn(TOKEN)
    await standin.start()
    standin.telegram.add_user(ALICE, "Alice", "fr")
    standin.telegram.add_user(BOB, "Bob", "fr")
    users = Users(standin.telegram)
    data_key = Fernet.generate_key().decode()  # one key: any process reads what another stored
    processes: list[RelaisProcess] = []
    ports = [free_port() for _ in range(PROCESSES)]
    proxy = RoundRobinProxy([f"http://127.0.0.1:{port}" for port in ports])
    try:
        async with fresh_postgres() as database_url, contextlib.AsyncExitStack() as stack:
            await prepare_database(database_url, (ALICE, BOB), sample_directory=True)
            service_id = await make_receiver(database_url)
            for number, port in enumerate(ports):
                processes.append(await stack.enter_async_context(running_relais(
                    standin, database_url, "run", "--webhook", redis_url=redis_url,
                    health_port=0, stderr_path=tmp_path / f"relais-{number}.log",
                    extra_env={"RELAIS_BOT_TOKEN": TOKEN, "RELAIS_WEBHOOK_SECRET": SECRET,
                               "RELAIS_WEBHOOK_HOST": "127.0.0.1",
                               "RELAIS_WEBHOOK_PORT": str(port), "RELAIS_DATA_KEY": data_key,
                               "RELAIS_HEALTH_PORT": "0"})))
            try:
                await asyncio.gather(*(wait_listening(p, port)
                                       for p, port in zip(processes, ports, strict=True)))
                await proxy.start()
                await set_webhook(standin, proxy.url + "/telegram")
                await warm_handoff(users, service_id)
                await reminder_once(users, database_url)
                await handled_once(users, standin, proxy, database_url)
            except BaseException:
                for number, relais in enumerate(processes):
                    print(f"--- relais {number} (exit {relais.returncode})\n"
                          f"{relais.stderr()[-4000:]}")
                raise
            codes = await asyncio.gather(*(p.stop() for p in processes))
            assert codes == [0] * PROCESSES, "every process stops cleanly on SIGTERM"
    finally:
        await proxy.stop()
        await standin.stop()
        await forget_redis(redis_url, BOT_ID, (ALICE, BOB))


async def warm_handoff(users: Users, service_id: int) -> None:
    """Search, new case, urgent request, accept, then a message each way in the case thread."""
    from handlers.directory import RequestHandoff

    since = users.says(ALICE, SEARCH)
    await users.sees(ALICE, "1.", since)
    users.find_button(ALICE, data(RequestHandoff(service_id=service_id).pack()))

    since = users.presses(ALICE, data(RequestHandoff(service_id=service_id).pack()))
    await users.sees(ALICE, "Pour quel dossier", since)
    since = users.presses(ALICE, label("Nouveau dossier"))
    await users.sees(ALICE, "consent", since)
    since = users.presses(ALICE, label("le ou la jeune consent"))
    await users.sees(ALICE, "Priorité", since)
    since = users.presses(ALICE, label("Urgente"))
    await users.sees(ALICE, "sans note", since)
    since = users.presses(ALICE, label("Envoyer sans note"))
    await users.sees(ALICE, "1 personne avisée", since)
    request = await users.sees(BOB, "Demande de prise en charge", since)
    assert "URGENT" in request

    since = users.presses(BOB, label("Accepter"))
    await users.sees(ALICE, "acceptée par Ops1", since)

    since = users.presses(BOB, label("Écrire dans le fil"))
    await users.sees(BOB, "", since)  # the prompt comes back before Bob types
    since = users.says(BOB, "On l'attend à 19 h, lit réservé.")
    await users.sees(ALICE, "On l'attend à 19 h, lit réservé.", since)

    since = users.presses(ALICE, label("Répondre"))
    await users.sees(ALICE, "", since)
    since = users.says(ALICE, "Parfait, merci!")
    await users.sees(BOB, "Parfait, merci!", since)
    assert "Ops0" in "\n".join(e.text for e in users.seen(BOB, since)), "who wrote it"


async def reminder_once(users: Users, database_url: str) -> None:
    """A reminder due in a few seconds reaches Alice once, though three dispatchers run."""
    since = users.mark()
    job_id, code = await schedule_reminder(database_url, seconds=3)
    await users.sees(ALICE, code, since)
    await asyncio.sleep(6)  # several passes of every dispatcher: a second copy would show
    reminders = [e for e in users.seen(ALICE, since) if e.kind == "send" and "🔔" in e.text]
    assert len(reminders) == 1, [e.text[:60] for e in reminders]
    assert await job_row(database_url, job_id) == ("sent", 1)


async def handled_once(users: Users, standin: StandIn, proxy: RoundRobinProxy,
                       database_url: str) -> None:
    """Spread over the three processes, each update recorded and handled once, no reply twice."""
    expected = sorted(users.update_ids)
    deadline = time.monotonic() + WAIT
    while True:
        ids, left = await handled(database_url)
        if sorted(ids) == expected and left == 0 or time.monotonic() > deadline:
            break
        await asyncio.sleep(0.5)
    assert sorted(ids) == expected, "every update handled, none twice, none unknown"
    assert left == 0, "the inbox is empty once everything is handled"

    accepted = Counter(update_id for update_id, status in standin.webhook_deliveries
                       if status == 200)
    assert sorted(accepted) == expected and set(accepted.values()) == {1}
    assert sorted(proxy.sent) == list(range(PROCESSES)), f"spread: {dict(proxy.sent)}"
    assert min(proxy.sent.values()) >= 2, f"spread: {dict(proxy.sent)}"
    landed = {proxy_index for proxy_index, update_id in proxy.updates if update_id in expected}
    assert landed == set(range(PROCESSES)), "the handoff's own updates reached all three"

    sends = Counter((e.chat_id, e.text) for e in standin.telegram.events if e.kind == "send")
    twice = [text[:60] for (_chat, text), n in sends.items() if n > 1]
    assert not twice, f"replies sent twice: {twice}"
