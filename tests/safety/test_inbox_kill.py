"""Nothing lost when a process dies: ``kill -9`` of ``relais run`` in the middle of a burst,
then a restart; every update is handled once, and the only duplicates are replies that Telegram
had accepted when the process died (their update's commit had not happened).

A reply is an effect after its update's commit: a process killed between the two has stored the
reminder and marked the update handled, and that one confirmation never goes out. The test
allows exactly those (at most the reminders stored but not yet confirmed when the kill came),
and waits for everything else."""

from __future__ import annotations

import asyncio
import re
import signal

from cryptography.fernet import Fernet
from sqlalchemy import func, select

from bot.db.engine import make_engine, make_sessionmaker
from bot.models.reminders import ScheduledJob
from bot.services.reminders.personal import KIND
from tests.core.test_end_to_end import USER, free_port, relais, relais_env, stop

BURST = 40
NOTED = re.compile(r"about bed (\d+)\b")


async def stored_reminders(db_url: str) -> int:
    engine = make_engine(db_url)
    try:
        async with make_sessionmaker(engine)() as session:
            return int(await session.scalar(
                select(func.count()).select_from(ScheduledJob).where(ScheduledJob.kind == KIND)))
    finally:
        await engine.dispose()


def answered(telegram) -> list[int]:  # type: ignore[no-untyped-def]
    """The burst numbers the user got a "noted" reply for, once per reply."""
    return [int(m.group(1)) for e in telegram.events
            if e.chat_id == USER and e.kind == "send" and (m := NOTED.search(e.text))]


async def wait_until(predicate, seconds: float = 60) -> None:  # type: ignore[no-untyped-def]
    async def loop() -> None:
        while not await predicate():  # noqa: ASYNC110 - the state lives in another process
            await asyncio.sleep(0.05)

    await asyncio.wait_for(loop(), seconds)


async def kill_mid_burst(standin, env, db_url, *args: str) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    """Start ``relais run *args``, kill -9 it after its first reply; (replies, stored) then."""
    process = await relais(env, "run", *args)

    async def first_reply() -> bool:
        if process.returncode is not None:
            raise AssertionError((await process.communicate())[1].decode()[-2000:])
        return bool(answered(standin.telegram))

    try:
        await wait_until(first_reply)
    finally:
        process.send_signal(signal.SIGKILL)
        await process.wait()
    await asyncio.sleep(0.2)  # replies Telegram accepted before the death are all counted
    return len(answered(standin.telegram)), await stored_reminders(db_url)


async def finish_and_check(standin, env, db_url, before: int, stored: int, *args: str
                           ) -> dict[str, int]:  # type: ignore[no-untyped-def]
    """Restart, wait until every update is handled and answered (but for the confirmations the
    kill may have cut off after their commit), and check nothing was handled twice."""
    unconfirmed = stored - before  # committed before the kill, reply not received then
    process = await relais(env, "run", *args)
    try:
        async def all_handled() -> bool:
            return (await stored_reminders(db_url) == BURST
                    and len(set(answered(standin.telegram))) >= BURST - unconfirmed)

        try:
            await wait_until(all_handled)
        except TimeoutError:
            missing = sorted(set(range(1, BURST + 1)) - set(answered(standin.telegram)))
            raise AssertionError(
                f"after 60 s: {await stored_reminders(db_url)} reminders stored, replies missing "
                f"for {missing}; {len(standin.telegram.pending)} update(s) still at Telegram; "
                f"before the kill: {before} replies, {stored} stored") from None
        await asyncio.sleep(0.5)  # anything sent twice would arrive now
    finally:
        err = await stop(process)
    assert "about bed" not in err.decode(), "message text must never be logged"
    replies = answered(standin.telegram)
    assert await stored_reminders(db_url) == BURST, "one reminder per message, none twice"
    lost = BURST - len(set(replies))
    assert lost <= unconfirmed, "only a confirmation cut off by the kill may be missing"
    return {"replies": len(replies), "duplicates": len(replies) - len(set(replies)), "lost": lost}


async def setup(standin, db_url, redis_url, **extra: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    env = relais_env(db_url, redis_url, standin.base_url, RELAIS_INBOX_CLAIM_SECONDS="2",
                     RELAIS_DATA_KEY=Fernet.generate_key().decode(), **extra)
    admin = await relais(env, "admin", "add", str(USER))
    _, err = await admin.communicate()
    assert admin.returncode == 0, err.decode()
    standin.telegram.add_user(USER, "Camille", "en")
    standin.send_delay = 0.05
    return env


async def test_polling_kill_9_mid_burst_loses_nothing(standin, db_url, redis_url):
    env = await setup(standin, db_url, redis_url)
    for n in range(1, BURST + 1):
        standin.telegram.user_sends(USER, f"/remind in 2 hours call back the shelter about bed {n}")
    before, stored = await kill_mid_burst(standin, env, db_url)
    assert stored < BURST, "the kill came too late to test anything"
    figures = await finish_and_check(standin, env, db_url, before, stored)
    print(f"\npolling kill -9: {before} replies and {stored} reminders stored before the kill; "
          f"after restart {figures['replies']} replies, {figures['duplicates']} duplicate(s), "
          f"{figures['lost']} confirmation(s) cut off")
    assert figures["duplicates"] <= before, "only replies sent before the kill may repeat"


async def test_webhook_kill_9_mid_burst_loses_nothing(standin, db_url, redis_url):
    port = free_port()
    env = await setup(standin, db_url, redis_url,
                      RELAIS_WEBHOOK_URL=f"http://127.0.0.1:{port}",
                      RELAIS_WEBHOOK_SECRET="k" * 40, RELAIS_WEBHOOK_PORT=str(port))
    setter = await relais(env, "webhook", "set")
    _, err = await setter.communicate()
    assert setter.returncode == 0, err.decode()
    for n in range(1, BURST + 1):
        standin.telegram.user_sends(USER, f"/remind in 2 hours call back the shelter about bed {n}")
    before, stored = await kill_mid_burst(standin, env, db_url, "--webhook")
    assert stored < BURST, "the kill came too late to test anything"
    figures = await finish_and_check(standin, env, db_url, before, stored, "--webhook")
    print(f"\nwebhook kill -9: {before} replies and {stored} reminders stored before the kill; "
          f"after restart {figures['replies']} replies, {figures['duplicates']} duplicate(s), "
          f"{figures['lost']} confirmation(s) cut off")
    assert figures["duplicates"] <= before, "only replies sent before the kill may repeat"
