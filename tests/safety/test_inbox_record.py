"""The inbox's record step (:meth:`bot.services.inbox.Inbox.record`), on each backend: a batch
is stored claimed and encrypted, a redelivery is left out, and an update handled already is
neither returned nor left behind."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from bot.models.inbox import InboxUpdate
from bot.services import inbox
from bot.services.inbox import Inbox, Received

BOT = 42


def updates(*ids: int) -> list[Received]:
    return [Received(i, {"update_id": i, "message": {"text": f"bed {i}"}}) for i in ids]


async def stored(app) -> dict[int, InboxUpdate]:  # type: ignore[no-untyped-def]
    async with app.sessionmaker() as session:
        return {row.update_id: row for row in (await session.scalars(select(InboxUpdate))).all()}


async def test_a_batch_is_stored_claimed_and_encrypted(app, clock):
    box = Inbox(app, owner="first")
    returned = await box.record(BOT, updates(1, 2, 3))
    assert [u.update_id for u in returned] == [1, 2, 3]
    rows = await stored(app)
    assert sorted(rows) == [1, 2, 3]
    assert {row.claimed_by for row in rows.values()} == {"first"}
    assert all(row.claimed_until == clock.now() + box.claim for row in rows.values())
    assert all("bed" not in row.payload_enc for row in rows.values())
    clock.advance(box.claim + timedelta(seconds=1))
    taken = await Inbox(app, owner="second").claim_stale(BOT)
    assert [(u.update_id, u.payload["message"]["text"]) for u in taken] == [
        (1, "bed 1"), (2, "bed 2"), (3, "bed 3")]


async def test_a_redelivery_is_left_out_and_only_new_updates_return(app):
    box = Inbox(app)
    await box.record(BOT, updates(1, 2))
    again = await box.record(BOT, updates(1, 2, 3))
    assert [u.update_id for u in again] == [3]
    assert await box.record(BOT, updates(3)) == []
    assert sorted(await stored(app)) == [1, 2, 3]


async def test_an_update_handled_already_is_not_returned_nor_kept(app, clock):
    async with app.sessionmaker() as session:
        await inbox.mark_handled(session, BOT, 7, clock.now())
        await session.commit()
    returned = await Inbox(app).record(BOT, updates(7, 8))
    assert [u.update_id for u in returned] == [8]
    assert sorted(await stored(app)) == [8]
