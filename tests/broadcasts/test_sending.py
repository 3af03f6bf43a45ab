"""Sending from the chat: deliveries wait for the progress message, which follows the commit;
the draft's checks (coordinators only, their own regions)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.errors import NotAllowed
from bot.models.broadcasts import Broadcast
from bot.models.core import Worker
from bot.services.broadcasts import audience as aud
from bot.services.broadcasts import drafts, outbox, sending
from tests.broadcasts.helpers import broadcasts, sends_to
from tests.support.commits import failing_commit

DRAFT = {"versions": {"fr": "La table régionale se réunit jeudi (fictif)."}, "kind": aud.MINE}


async def claimable(app) -> int:  # type: ignore[no-untyped-def]
    async with app.sessionmaker() as session:
        rows = await outbox.claim(session, me="test", now=app.clock.now(),
                                  lease=timedelta(seconds=60), limit=100)
        await outbox.release(session, me="test", ids=[r.id for r in rows], now=app.clock.now())
        return len(rows)


async def test_deliveries_wait_for_the_progress_message(bchat, app) -> None:  # type: ignore[no-untyped-def]
    alice = await bchat.register("alice", role="coordinator", lang="fr")
    await bchat.register("bob", lang="fr")
    await bchat.register("carla", lang="en")
    async with app.sessionmaker() as session:
        author = await session.get(Worker, alice.id)
        broadcast = await sending.start(app, session, author, DRAFT, author_language="fr")
        await session.commit()
    assert broadcast.total == 2
    assert await claimable(app) == 0, "sent before the author's progress message exists"

    await sending.progress_shown(app, broadcast.id, 4242)
    async with app.sessionmaker() as session:
        assert (await session.get(Broadcast, broadcast.id)).progress_message_id == 4242
    assert await claimable(app) == 2


async def test_held_deliveries_go_anyway_after_the_hold(bchat, app, clock) -> None:  # type: ignore[no-untyped-def]
    alice = await bchat.register("alice", role="coordinator", lang="fr")
    await bchat.register("bob", lang="fr")
    async with app.sessionmaker() as session:
        await sending.start(app, session, await session.get(Worker, alice.id), DRAFT,
                            author_language="fr")
        await session.commit()
    clock.advance(sending.HOLD)  # the process died before the progress message
    assert await claimable(app) == 1


async def test_a_failed_commit_announces_no_sending(bchat, app) -> None:  # type: ignore[no-untyped-def]
    await bchat.register("alice", role="coordinator", lang="fr")
    await bchat.register("bob", lang="fr")
    await bchat.say("alice", "/broadcast")
    await bchat.say("alice", "La table régionale se réunit jeudi à 13 h.")
    await bchat.press("alice", "Envoyer en français seulement")
    await bchat.press("alice", "Tout le monde")
    with failing_commit(Broadcast):
        events = await bchat.press("alice", "Envoyer")
    seen = bchat.seen_by("alice", events)
    assert [e.kind for e in seen] == ["send"] and "Désolé" in seen[0].text
    assert await broadcasts(app) == []
    assert not sends_to(bchat, "bob")


async def test_draft_checks(bchat, app) -> None:  # type: ignore[no-untyped-def]
    bob = await bchat.register("bob", lang="fr")
    alice = await bchat.register("alice", role="coordinator", regions=("06",), lang="fr")
    with pytest.raises(NotAllowed):
        drafts.coordinator_draft(bob, DRAFT)
    with pytest.raises(NotAllowed):  # sent or discarded already
        drafts.coordinator_draft(alice, {})
    async with app.sessionmaker() as session:
        author = await session.scalar(select(Worker).where(Worker.id == alice.id))
        assert drafts.toggle_region(author, [], "06") == ["06"]
        assert drafts.toggle_region(author, ["06"], "06") == []
        with pytest.raises(NotAllowed):
            drafts.toggle_region(author, [], "13")
