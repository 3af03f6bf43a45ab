"""Delivery through the outbox: progress, report, cancel, blocked workers, 429, exactly once."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import timedelta

from sqlalchemy import select

from bot.app import build_app
from bot.clock import SystemClock
from bot.messenger import OutgoingMessage, RetryAfter
from bot.models.broadcasts import Broadcast, BroadcastDelivery
from bot.models.core import Worker
from bot.services.broadcasts import outbox
from bot.services.broadcasts.delivery import BroadcastDispatcher
from bot.services.ratelimit import LocalRateLimiter, build_limiter
from handlers.console.fake_api import error
from tests.broadcasts.helpers import (
    deliver_all,
    dispatcher,
    make_broadcast,
    recipients_sent,
    sends_to,
)


def edits(chat, name="alice"):  # type: ignore[no-untyped-def]
    return [e.text for e in chat.seen_by(name) if e.kind == "edit"]


async def test_progress_is_edited_at_most_every_interval_then_report(bchat, app, clock):
    bid = await make_broadcast(bchat, 30)
    worker = dispatcher(app, batch_size=10, progress_interval=2.0)
    await worker.run_once()
    assert edits(bchat)[-1].endswith("10 / 30 envoyés")
    await worker.run_once()  # a few milliseconds later: no edit
    assert len(edits(bchat)) == 1
    clock.advance(2.5)
    await worker.run_once()
    assert len(edits(bchat)) == 2 and edits(bchat)[-1].endswith("30 / 30 envoyés")
    assert await worker.run_once() == 0
    # the final state: progress edited without buttons, then a report
    assert "Annonce envoyée" in edits(bchat)[-1]
    report = sends_to(bchat, "alice")[-1]
    assert "Livrée\u00a0: 30 personnes" in report and "Personnes qui ont bloqué le robot (comptes désormais inactifs)\u00a0: 0" in report
    assert Counter(recipients_sent(bchat)).most_common(1)[0][1] == 1
    assert len(recipients_sent(bchat)) == 30
    async with app.sessionmaker() as session:
        assert (await session.get(Broadcast, bid)).status == "done"
    # another dispatcher with no memory of the last text never fails on "not modified"
    other = dispatcher(app)
    clock.advance(5)
    await other.tick({bid})


async def test_bilingual_texts_per_worker(bchat, app):
    await make_broadcast(bchat, 4)  # languages alternate fr, en
    await deliver_all(app)
    by_chat = {e.chat_id: e.text for e in bchat.telegram.events if e.kind == "send"}
    assert "Annonce de test" in by_chat[5_000_000] and "Annonce</b>" not in by_chat[5_000_000]
    assert "Test announcement" in by_chat[5_000_001]
    assert by_chat[5_000_001].startswith("📢 Announcement")


async def test_cancel_stops_the_rest_and_reports(bchat, app):
    bid = await make_broadcast(bchat, 30)
    worker = dispatcher(app, batch_size=10)
    await worker.run_once()
    events = await bchat.press("alice", "Annuler l'envoi")
    assert any("Annulation" in e.text for e in events)
    await worker.drain()
    assert len(recipients_sent(bchat)) == 10
    report = sends_to(bchat, "alice")[-1]
    assert "Non envoyée (annulation)\u00a0: 20" in report
    async with app.sessionmaker() as session:
        assert (await session.get(Broadcast, bid)).status == "cancelled"
    events = await bchat.press("alice", "Qui ne l'a pas reçue")
    listing = bchat.texts("alice", events)
    assert listing.count("non envoyée (annulation)") == 20


async def test_someone_else_cannot_cancel(bchat, app):
    bid = await make_broadcast(bchat, 3)
    await bchat.register("mallory", role="coordinator", regions=("06",))
    message = bchat.telegram.latest_with_buttons(bchat.user_id("alice"))
    bchat.as_user("mallory")
    events = await bchat._run(bchat.console.feed(
        bchat.telegram.user_presses(bchat.user_id("mallory"), message, f"bcx:{bid}")))
    assert "n'existe pas" in bchat.texts("mallory", events)
    async with app.sessionmaker() as session:
        assert (await session.get(Broadcast, bid)).status == "sending"


async def test_blocked_workers_are_marked_and_listed(bchat, app):
    await make_broadcast(bchat, 5)
    bchat.telegram.blocked.update({5_000_001, 5_000_003})
    await deliver_all(app)
    async with app.sessionmaker() as session:
        blocked = (await session.scalars(
            select(Worker.telegram_id).where(Worker.blocked_bot.is_(True)))).all()
    assert sorted(blocked) == [5_000_001, 5_000_003]
    report = sends_to(bchat, "alice")[-1]
    assert "Livrée\u00a0: 3 personnes" in report and "Personnes qui ont bloqué le robot (comptes désormais inactifs)\u00a0: 2" in report
    assert "3 / 5 envoyés · 2 blocages" in edits(bchat)[-1]
    events = await bchat.press("alice", "Qui ne l'a pas reçue")
    listing = bchat.texts("alice", events)
    assert "w00001" in listing and "w00003" in listing and "w00000" not in listing
    assert listing.count("a bloqué le robot") == 2


async def test_retry_after_pauses_everything_and_everyone_is_served_once(bchat, app, clock):
    await make_broadcast(bchat, 40)
    answered = Counter()

    def fault(method, params):  # type: ignore[no-untyped-def]
        if method == "sendMessage" and params.get("chat_id", 0) >= 5_000_000:
            answered["send"] += 1
            if answered["send"] % 7 == 3:  # one request in seven: 429
                answered["429"] += 1
                return error(429, "Too Many Requests: retry after 3", retry_after=3)
        return None

    bchat.telegram.fault = fault
    limiter = build_limiter(app, rate=1000, per_chat_rate=1000)  # Redis-backed on PostgreSQL runs
    start = clock.now()
    worker = BroadcastDispatcher(app, limiter=limiter, batch_size=10, concurrency=1)
    await worker.drain()
    sent = Counter(recipients_sent(bchat))
    assert len(sent) == 40 and set(sent.values()) == {1}
    assert answered["429"] >= 5
    assert limiter.pauses and all(p == 3 for p in limiter.pauses)
    assert worker.stats.pauses == limiter.pauses
    # each pause was waited out (the fake clock moved at least 3 s per pause)
    assert clock.now() - start >= timedelta(seconds=3 * len(limiter.pauses))


async def test_retry_after_reaches_the_limiter_from_the_messenger(bchat, app, clock):
    """The aiogram messenger maps Telegram's 429 to RetryAfter with its seconds."""
    await bchat.register("alice", role="coordinator")
    bchat.telegram.fault = lambda method, params: error(429, "Too Many Requests", retry_after=7)
    try:
        await app.messenger.send(OutgoingMessage(chat_id=bchat.user_id("alice"), text="x"))
    except RetryAfter as exc:
        assert exc.seconds == 7
    else:
        raise AssertionError("no RetryAfter")


async def test_lease_expiry_hands_rows_to_another_dispatcher(bchat, app, clock):
    await make_broadcast(bchat, 6)
    async with app.sessionmaker() as session:
        taken = await outbox.claim(session, me="crashed", now=clock.now(),
                                   lease=timedelta(seconds=60), limit=6)
    assert len(taken) == 6
    survivor = dispatcher(app, name="survivor")
    assert await survivor.run_once() == 0  # leased: not taken over yet
    clock.advance(61)
    assert await survivor.run_once() == 6
    assert len(recipients_sent(bchat)) == 6
    # the crashed process coming back cannot overwrite the survivor's results
    async with app.sessionmaker() as session:
        await outbox.settle(session, me="crashed", now=clock.now(), outcomes=[
            outbox.Outcome(row.id, "failed", error="late") for row in taken])
        statuses = (await session.scalars(select(BroadcastDelivery.status))).all()
    assert set(statuses) == {"sent"}


async def test_two_dispatchers_with_two_engines_deliver_exactly_once(bchat, app, settings):
    """Two concurrent dispatchers, each with its own engine (as two processes would)."""
    await make_broadcast(bchat, 120)
    apps = [build_app(settings, clock=SystemClock(), redis_prefix="bc-two") for _ in range(2)]
    sent: list[int] = []

    class SlowMessenger:
        def __init__(self) -> None:
            self.next_id = 0

        async def send(self, message):  # type: ignore[no-untyped-def]
            await asyncio.sleep(0.001)
            sent.append(message.chat_id)
            self.next_id += 1
            return self.next_id

        async def edit(self, message, message_id):  # type: ignore[no-untyped-def]
            return None

        async def delete(self, chat_id, message_id):  # type: ignore[no-untyped-def]
            return None

    try:
        workers = [
            BroadcastDispatcher(a, messenger=SlowMessenger(), name=f"d{i}", batch_size=7,
                                concurrency=4, limiter=LocalRateLimiter(5000, 5000))
            for i, a in enumerate(apps)
        ]
        await asyncio.gather(*(w.drain() for w in workers))
    finally:
        for a in apps:
            await a.close()
    generated = [c for c in sent if 5_000_000 <= c < 6_000_000]
    assert len(generated) == 120 and len(set(generated)) == 120
    assert sent.count(bchat.user_id("alice")) == 1  # one final report, from one of the two
    assert all(w.stats.sent > 0 for w in workers), [w.stats.sent for w in workers]
    async with app.sessionmaker() as session:
        statuses = Counter((await session.scalars(select(BroadcastDelivery.status))).all())
    assert statuses == {"sent": 120}


async def test_background_loop_delivers_and_stops_cleanly(bchat, app):
    """``run()`` (the background loop) delivers everything and gives rows back on stop."""
    await make_broadcast(bchat, 25)
    app.clock = SystemClock()  # the loop polls in real time
    worker = BroadcastDispatcher(app, limiter=LocalRateLimiter(1000, 1000), batch_size=10,
                                 idle_seconds=0.05)
    task = asyncio.create_task(worker.run())
    for _ in range(100):
        await asyncio.sleep(0.05)
        async with app.sessionmaker() as session:
            done = (await session.scalar(select(Broadcast.status))) == "done"
        if done:
            break
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    assert done
    assert sorted(recipients_sent(bchat)) == list(range(5_000_000, 5_000_025))
