"""A graceful stop: SIGTERM to a real ``relais run`` (long polling, SQLite) while it is busy.

The stand-in answers ``sendMessage`` slowly, so that when the signal comes an update is in hand
(its reply on the wire) and the reminder dispatcher holds a batch of claimed jobs, one of them
being sent. The operator must see: no update taken after the signal, the one in hand finished
(reply delivered, marked handled), the job being sent finished and the others given back at once
(not left leased until their lease runs out), and exit status 0 within a bounded time.
"""

from __future__ import annotations

import asyncio
import signal
import time
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from aiohttp import web
from sqlalchemy import select

from bot.models.core import ProcessedUpdate, Worker
from bot.models.inbox import InboxUpdate
from bot.models.reminders import ScheduledJob
from tests.ops.conftest import TOKEN, WORKERS, prepare_database, running_relais
from tests.standin.server import StandIn

ALICE, BOB = WORKERS
SEND_DELAY = 3.0  # seconds each sendMessage takes at the stand-in
JOBS = 12  # reminders due for Bob: far more than can be sent before the stop
EXIT_WITHIN = 20.0  # seconds from SIGTERM to exit (the old stop sent every claimed job first)
WAIT = 60.0


class WatchedStandIn(StandIn):
    """The stand-in, noting each call (method, chat id) as it arrives, before any delay."""

    def __init__(self, token: str) -> None:
        super().__init__(token)
        self.arrived: list[tuple[str, str | None]] = []

    async def _fields(self, request: web.Request) -> dict[str, Any]:  # type: ignore[override]
        fields = await StandIn._fields(request)
        chat = fields.get("chat_id")
        self.arrived.append((request.match_info["method"].lower(),
                             None if chat is None else str(chat)))
        return fields


@pytest.fixture
async def standin() -> AsyncIterator[WatchedStandIn]:
    server = WatchedStandIn(TOKEN)
    await server.start()
    for number, user_id in enumerate(WORKERS):
        server.telegram.add_user(user_id, f"Ops{number}", "fr")
    try:
        yield server
    finally:
        await server.stop()


def open_app(database_url: str):  # type: ignore[no-untyped-def]
    """An app of the test's own on the process's database (to schedule and to look)."""
    from bot.app import build_app
    from bot.config import Settings

    return build_app(Settings(_env_file=None, database_url=database_url))  # type: ignore[call-arg]


async def schedule_reminders(database_url: str, count: int) -> None:
    """``count`` urgent reminders for Bob, due now (urgent: quiet hours never hold them)."""
    from bot.services import scheduler
    from bot.services.reminders.personal import KIND

    app = open_app(database_url)
    try:
        async with app.sessionmaker() as session:
            bob = await session.scalar(select(Worker).where(Worker.telegram_id == BOB))
            now = app.clock.now()
            for _ in range(count):
                await scheduler.schedule(session, KIND, now - timedelta(seconds=1), now=now,
                                         worker=bob, payload={"case": "K7-4QX"}, urgent=True)
            await session.commit()
    finally:
        await app.close()


async def stored(database_url: str) -> tuple[set[int], set[int], list[ScheduledJob]]:
    """(handled update ids, update ids left in the inbox, the reminders)."""
    from bot.services.reminders.personal import KIND

    app = open_app(database_url)
    try:
        async with app.sessionmaker() as session:
            handled = set((await session.scalars(select(ProcessedUpdate.update_id))).all())
            inbox = set((await session.scalars(select(InboxUpdate.update_id))).all())
            jobs = list((await session.scalars(
                select(ScheduledJob).where(ScheduledJob.kind == KIND))).all())
        return handled, inbox, jobs
    finally:
        await app.close()


async def until(condition, what: str, limit: float = WAIT) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + limit
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)


def sends_to(standin: StandIn, chat_id: int) -> list[str]:
    return [e.text for e in standin.telegram.events if e.kind == "send" and e.chat_id == chat_id]


@pytest.mark.timeout(180)
async def test_sigterm_finishes_the_update_in_hand_and_gives_back_the_jobs(
        standin: WatchedStandIn, sqlite_file_url: str) -> None:
    url = sqlite_file_url
    await prepare_database(url)
    standin.send_delay = SEND_DELAY
    async with running_relais(standin, url, extra_env={"RELAIS_LOG_LEVEL": "INFO"}) as relais:
        try:
            await until(lambda: relais.returncode is not None
                        or ("getupdates", None) in standin.arrived, "the first getUpdates")
            assert relais.returncode is None, relais.stderr()[-3000:]

            # Bob's reminders fall due: the dispatcher claims them in one batch and sends them
            # one at a time, slowly; meanwhile Alice asks for help
            await schedule_reminders(url, JOBS)
            await until(lambda: ("sendmessage", str(BOB)) in standin.arrived,
                        "the first reminder to be on the wire")
            in_hand = standin.telegram.user_sends(ALICE, "/help")["update_id"]
            await until(lambda: ("sendmessage", str(ALICE)) in standin.arrived,
                        "the reply to the update in hand to be on the wire")

            relais.process.send_signal(signal.SIGTERM)
            signalled = time.monotonic()
            await until(lambda: "no new updates" in relais.stderr(), "the stop to begin")
            await asyncio.sleep(0.5)  # a getUpdates already on its way is not a new one
            mark = len(standin.arrived)
            late = standin.telegram.user_sends(ALICE, "/help")["update_id"]

            await until(lambda: relais.returncode is not None, "the process to exit")
            took = time.monotonic() - signalled
        except BaseException:
            print(relais.stderr()[-5000:])
            raise
        log = relais.stderr()

    assert relais.returncode == 0, log[-3000:]
    assert took < EXIT_WITHIN, f"took {took:.1f} s to stop"
    assert "Traceback" not in log, log[-3000:]

    # no update taken after the signal: no getUpdates, the late one still waits at Telegram
    assert [m for m, _chat in standin.arrived[mark:] if m == "getupdates"] == []
    assert late in [u["update_id"] for u in standin.telegram.pending]

    # the update in hand was finished: its reply arrived, it is marked handled, once
    handled, inbox, jobs = await stored(url)
    assert sends_to(standin, ALICE), "the reply to the update in hand arrived"
    assert in_hand in handled and late not in handled
    assert inbox == set(), "nothing left half-handled in the inbox"

    # the reminder being sent was finished; the claimed others were given back, unsent
    states = sorted(job.state for job in jobs)
    sent = [job for job in jobs if job.state == "sent"]
    back = [job for job in jobs if job.state == "pending"]
    assert len(sent) + len(back) == JOBS, states
    assert sent and back, states
    assert len(sends_to(standin, BOB)) == len(sent), "one message per sent reminder, no more"
    assert all(job.lease_owner is None and job.lease_expires_at is None for job in back)
    assert all(job.attempts == 0 for job in back), "giving back is not a failed attempt"
