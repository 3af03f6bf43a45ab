"""A chat's Redis lock is taken and its conversation state and data read in one trip to Redis
(``handlers.isolation``), with aiogram's lock semantics (one holder across processes, a timeout)
and its state semantics (a write, or another process's, is read afresh)."""

from __future__ import annotations

import asyncio
import os
import uuid

import pytest
from aiogram.fsm.storage.base import StorageKey
from aiogram.fsm.storage.redis import DefaultKeyBuilder
from redis.asyncio import Redis

from bot.redis_line import RedisLine
from handlers.isolation import ACQUIRE, StateReadingIsolation, StateReadingStorage
from handlers.turn import TurnNotTaken
from tests.support.databases import REDIS_ENV

pytestmark = pytest.mark.skipif(not os.environ.get(REDIS_ENV),
                                reason="Redis only (RELAIS_TEST_REDIS_URL)")

KEY = StorageKey(bot_id=42, chat_id=7001, user_id=7001)


@pytest.fixture
async def redis():  # type: ignore[no-untyped-def]
    client = Redis.from_url(os.environ[REDIS_ENV])
    prefix = f"relais-test-{uuid.uuid4().hex[:8]}"
    client.test_prefix = prefix  # type: ignore[attr-defined]
    yield client
    keys = [key async for key in client.scan_iter(f"{prefix}:*")]
    if keys:
        await client.delete(*keys)
    await client.aclose()


def storage_on(redis) -> StateReadingStorage:  # type: ignore[no-untyped-def]
    """The storage of one process (each process has its own objects on the same Redis)."""
    builder = DefaultKeyBuilder(prefix=f"{redis.test_prefix}:fsm", with_bot_id=True)
    return StateReadingStorage(redis, key_builder=builder)


def commands_sent(monkeypatch, *clients) -> list[str]:  # type: ignore[no-untyped-def]
    """The names of the commands the clients (redis-py's, or a lock's line) send from now on,
    in order."""
    sent: list[str] = []

    def count(client) -> None:  # type: ignore[no-untyped-def]
        if isinstance(client, RedisLine):
            line_call = client.call

            def called(*args):  # type: ignore[no-untyped-def]
                sent.append(str(args[0]).upper())
                return line_call(*args)

            monkeypatch.setattr(client, "call", called)
            return
        original = client.execute_command

        async def counted(*args, **kwargs):  # type: ignore[no-untyped-def]
            sent.append(str(args[0]).upper())
            return await original(*args, **kwargs)

        monkeypatch.setattr(client, "execute_command", counted)

    for client in clients:
        count(client)
    return sent


async def test_the_lock_the_state_and_the_data_come_in_one_trip(redis, monkeypatch):
    storage = storage_on(redis)
    isolation = StateReadingIsolation(storage, {"timeout": 30, "sleep": 0.01})
    await storage.set_state(KEY, "CaseWizard:age")
    await storage.set_data(KEY, {"directory_queries": {"ab12cd": {"wizard": True}}})
    async with isolation.lock(KEY):  # once, so the script is known to Redis
        await storage.get_state(KEY)
    sent = commands_sent(monkeypatch, redis, isolation.line)  # the lock's own line too
    async with isolation.lock(KEY):
        assert await storage.get_state(KEY) == "CaseWizard:age"
        assert await storage.get_data(KEY) == {"directory_queries": {"ab12cd": {"wizard": True}}}
        assert sent == ["EVALSHA"]
        assert 0 < await redis.pttl(storage.key_builder.build(KEY, "lock")) <= 30_000
    assert sent == ["EVALSHA", "PTTL", "EVALSHA"]  # the lock's release
    assert await redis.exists(storage.key_builder.build(KEY, "lock")) == 0


async def test_data_read_with_the_lock_is_served_once_then_read_from_redis(redis, monkeypatch):
    mine, theirs = storage_on(redis), storage_on(redis)
    await mine.set_data(KEY, {"step": 1})
    async with StateReadingIsolation(mine, {"timeout": 30}).lock(KEY):
        await theirs.set_data(KEY, {"step": 2})  # after the lock's read
        assert await mine.get_data(KEY) == {"step": 1}  # what the lock read
        assert await mine.get_data(KEY) == {"step": 2}  # later reads go to Redis
    async with StateReadingIsolation(mine, {"timeout": 30}).lock(KEY):
        await mine.set_data(KEY, {"step": 3})  # a write drops the value read with the lock
        assert await mine.get_data(KEY) == {"step": 3}
    async with StateReadingIsolation(mine, {"timeout": 30}).lock(KEY):
        await mine.set_data(KEY, {})
        assert await mine.get_data(KEY) == {}
    async with StateReadingIsolation(mine, {"timeout": 30}).lock(KEY):
        assert await mine.get_data(KEY) == {}  # no data: read as none with the lock


async def test_a_chat_with_no_state_reads_none(redis):
    storage = storage_on(redis)
    async with StateReadingIsolation(storage, {"timeout": 30}).lock(KEY):
        assert await storage.get_state(KEY) is None


async def test_later_reads_and_writes_go_to_redis(redis):
    mine, theirs = storage_on(redis), storage_on(redis)
    await mine.set_state(KEY, "first")
    async with StateReadingIsolation(mine, {"timeout": 30}).lock(KEY):
        assert await mine.get_state(KEY) == "first"
        await theirs.set_state(KEY, "changed elsewhere")
        assert await mine.get_state(KEY) == "changed elsewhere"
        await mine.set_state(KEY, "mine")
        assert await theirs.get_state(KEY) == "mine"
    async with StateReadingIsolation(mine, {"timeout": 30}).lock(KEY):
        await mine.set_state(KEY, None)
        assert await mine.get_state(KEY) is None
    assert await theirs.get_state(KEY) is None


async def test_a_chat_locked_by_another_process_waits_its_turn(redis):
    mine, theirs = storage_on(redis), storage_on(redis)
    await theirs.set_state(KEY, "before")
    entered = asyncio.Event()
    release = asyncio.Event()
    seen: list[str | None] = []

    async def other_process() -> None:
        async with StateReadingIsolation(theirs, {"timeout": 30, "sleep": 0.01}).lock(KEY):
            entered.set()
            await release.wait()
            await theirs.set_state(KEY, "after")
            await theirs.set_data(KEY, {"left": "by the other process"})

    async def this_process() -> None:
        async with StateReadingIsolation(mine, {"timeout": 30, "sleep": 0.01}).lock(KEY):
            seen.append(await mine.get_state(KEY))
            seen.append((await mine.get_data(KEY)).get("left"))

    other = asyncio.create_task(other_process())
    await entered.wait()
    waiting = asyncio.create_task(this_process())
    await asyncio.sleep(0.1)
    assert seen == [] and not waiting.done()
    release.set()
    await asyncio.wait_for(asyncio.gather(other, waiting), 5)
    # read with the lock, once the other process let it go
    assert seen == ["after", "by the other process"]


async def test_a_lock_left_by_a_dead_process_expires(redis):
    storage = storage_on(redis)
    lock_key = storage.key_builder.build(KEY, "lock")
    await redis.set(lock_key, b"dead-process", px=200)
    isolation = StateReadingIsolation(storage, {"timeout": 30, "sleep": 0.01})
    await asyncio.wait_for(_enter(isolation), 5)
    assert await redis.exists(lock_key) == 0


async def test_a_lock_that_ran_out_is_not_taken_from_its_new_holder(redis, caplog):
    storage = storage_on(redis)
    lock_key = storage.key_builder.build(KEY, "lock")
    isolation = StateReadingIsolation(storage, {"timeout": 0.2, "sleep": 0.01})
    async with isolation.lock(KEY):
        await asyncio.sleep(0.3)  # the lock runs out; another process takes the chat
        await redis.set(lock_key, b"other-process", px=5000)
    # given back without raising (the update was stored), and the other holder keeps it
    assert await redis.get(lock_key) == b"other-process"
    assert "lock ran out" in caplog.text


async def test_two_holders_wait_for_each_other_in_one_process(redis):
    storage = storage_on(redis)
    isolation = StateReadingIsolation(storage, {"timeout": 30, "sleep": 0.01})
    inside: list[int] = []
    order: list[str] = []

    async def hold(name: str) -> None:
        async with isolation.lock(KEY):
            inside.append(1)
            assert len(inside) == 1  # never two at once
            await asyncio.sleep(0.05)
            order.append(name)
            inside.pop()

    await asyncio.wait_for(asyncio.gather(hold("a"), hold("b")), 5)
    assert sorted(order) == ["a", "b"]
    assert await redis.exists(storage.key_builder.build(KEY, "lock")) == 0


async def _enter(isolation: StateReadingIsolation) -> None:
    async with isolation.lock(KEY):
        pass


def isolation_of(storage: StateReadingStorage) -> StateReadingIsolation:
    """One process's isolation (it names the process that gives a chat's lock back)."""
    return StateReadingIsolation(storage, {"timeout": 30, "sleep": 0.01})


async def test_a_turn_says_whether_what_was_read_before_it_is_up_to_date(redis):
    here, there = isolation_of(storage_on(redis)), isolation_of(storage_on(redis))
    async with here.turn(KEY) as turn:
        assert await turn.taken() is False, "nobody known to have had the chat: read again"
    async with here.turn(KEY) as turn:
        assert await turn.taken() is True, "this process had the chat last"
    async with there.lock(KEY):
        pass
    async with here.turn(KEY) as turn:
        assert await turn.taken() is False, "another process had the chat since"
    async with here.turn(KEY) as turn:
        assert await turn.taken() is True


async def test_a_turn_that_had_to_wait_is_not_up_to_date(redis):
    storage = storage_on(redis)
    here = isolation_of(storage)
    async with here.turn(KEY) as turn:
        await turn.taken()
    # a holder that never gives the lock back (a process that died): its timeout frees it
    await redis.set(storage.key_builder.build(KEY, "lock"), "someone", px=200)
    went_on = False
    async with here.turn(KEY) as turn:
        went_on = True  # the update goes on while its turn is asked for
        assert not turn.done()
        assert await asyncio.wait_for(turn.taken(), 5) is False
    assert went_on


async def test_a_turn_not_waited_for_is_still_given_back(redis):
    storage = storage_on(redis)
    here = isolation_of(storage)
    async with here.turn(KEY):
        pass  # the update failed before it waited for its turn
    assert await redis.exists(storage.key_builder.build(KEY, "lock")) == 0
    assert await redis.get(storage.key_builder.build(KEY, "holder")) == here.holder.encode()
    async with here.turn(KEY) as turn:
        assert await turn.taken() is True


async def test_a_turn_redis_cannot_give_is_said_so(redis):
    away = Redis.from_url("redis://127.0.0.1:1/0")  # nothing listens there
    storage = StateReadingStorage(away, key_builder=DefaultKeyBuilder(prefix="x"))
    async with isolation_of(storage).turn(KEY) as turn:
        with pytest.raises(TurnNotTaken):
            await turn.taken()
    await away.aclose()


async def test_a_chat_is_read_ahead_after_a_turn_found_up_to_date_until_one_is_not(redis):
    here, there = isolation_of(storage_on(redis)), isolation_of(storage_on(redis))
    found = []
    for _ in range(3):
        async with here.turn(KEY) as turn:
            found.append((turn.ahead, await turn.taken()))
    assert found == [(False, False), (False, True), (True, True)]
    async with there.lock(KEY):
        pass
    async with here.turn(KEY) as turn:
        assert (turn.ahead, await turn.taken()) == (True, False)  # read twice, once
    async with here.turn(KEY) as turn:
        assert (turn.ahead, await turn.taken()) == (False, True)  # read within the turn


async def test_turns_of_many_chats_at_once_share_one_connection_and_each_reads_its_own(
        redis, monkeypatch):
    storage = storage_on(redis)
    here = isolation_of(storage)
    opened = []
    connect = here.line._connect

    async def counted():  # type: ignore[no-untyped-def]
        opened.append(1)
        return await connect()

    monkeypatch.setattr(here.line, "_connect", counted)
    keys = [StorageKey(bot_id=42, chat_id=8000 + i, user_id=8000 + i) for i in range(20)]
    for number, key in enumerate(keys):
        await storage.set_state(key, f"Step:{number}")

    async def one(key: StorageKey) -> str | None:
        async with here.turn(key) as turn:
            await turn.taken()
            return await storage.get_state(key)

    found = await asyncio.gather(*(one(key) for key in keys))
    assert found == [f"Step:{number}" for number in range(len(keys))]
    for key in keys:
        assert await redis.exists(storage.key_builder.build(key, "lock")) == 0
    assert opened == [1]  # the 40 scripts went through one connection, opened once
    await here.close()


async def test_a_turn_after_redis_dropped_the_connection_opens_a_new_one(redis):
    storage = storage_on(redis)
    here = isolation_of(storage)
    async with here.turn(KEY) as turn:
        await turn.taken()
    await redis.client_kill_filter(_id=await here.line.call("CLIENT", "ID"))
    async with here.turn(KEY) as turn:
        assert await asyncio.wait_for(turn.taken(), 5) is True  # this process had it last
    assert await redis.exists(storage.key_builder.build(KEY, "lock")) == 0
    await here.close()


async def test_a_take_asked_again_with_its_token_finds_the_lock_its_own(redis):
    storage = storage_on(redis)
    here = isolation_of(storage)
    keys = [storage.key_builder.build(KEY, part) for part in ("lock", "state", "data", "holder")]
    first = await here.line.script(ACQUIRE, keys, ["token-a", 30_000])
    again = await here.line.script(ACQUIRE, keys, ["token-a", 30_000])
    other = await here.line.script(ACQUIRE, keys, ["token-b", 30_000])
    assert (int(first[0]), int(again[0]), int(other[0])) == (1, 1, 0)
    await redis.delete(keys[0])
    await here.close()
