"""Turning 18 reminders, and the directory's verification requests and capacity nudges."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import delete, select

from bot.models.reminders import JobState, ScheduledJob
from bot.services.reminders.dispatcher import Dispatcher
from bot.services.reminders.turning18 import schedule_turning_18
from handlers.runtime import stop_background
from tests.reminders.conftest import run_once
from tests.support.chat import Chat


@pytest.fixture
async def rchat(chat: Chat) -> AsyncIterator[Chat]:
    await stop_background([t for t in chat.console.tasks if t.get_name() == "bot.jobs.reminders"])
    async with chat.app.sessionmaker() as session:  # what its first pass seeded (the sweep)
        await session.execute(delete(ScheduledJob))
        await session.commit()
    yield chat


async def open_keys(app) -> list[str]:  # type: ignore[no-untyped-def]
    async with app.sessionmaker() as session:
        rows = await session.scalars(
            select(ScheduledJob).where(ScheduledJob.state == JobState.PENDING.value)
            .order_by(ScheduledJob.due_at, ScheduledJob.key)
        )
        return [f"{r.key}@{r.due_at:%Y-%m-%d %H:%M}" for r in rows]


async def test_turning_18_schedules_and_reschedules(rchat: Chat, app, clock) -> None:  # type: ignore[no-untyped-def]
    alice = await rchat.register("alice", lang="fr")
    bob = await rchat.register("bob", lang="en")
    now = clock.now()  # 15 January 2026

    async def call(month: str, people) -> None:  # type: ignore[no-untyped-def]
        async with app.sessionmaker() as session:
            await schedule_turning_18(session, "K7-4QX", month, people, now=now,
                                      zone=app.settings.zone, region="06")
            await session.commit()

    await call("2026-09", [alice, bob.id])
    expected = [
        f"t18:K7-4QX:2026-09:{alice.id}:6@2026-03-01 14:00",
        f"t18:K7-4QX:2026-09:{bob.id}:6@2026-03-01 14:00",
        f"t18:K7-4QX:2026-09:{alice.id}:1@2026-08-01 13:00",
        f"t18:K7-4QX:2026-09:{bob.id}:1@2026-08-01 13:00",
    ]
    assert await open_keys(app) == expected
    await call("2026-09", [alice, bob])  # idempotent
    assert await open_keys(app) == expected
    await call("2026-05", [alice, bob])  # month corrected: 6 months before is past
    assert await open_keys(app) == [
        f"t18:K7-4QX:2026-05:{alice.id}:1@2026-04-01 13:00",
        f"t18:K7-4QX:2026-05:{bob.id}:1@2026-04-01 13:00",
    ]
    clock.set(datetime(2026, 4, 1, 13, 0, tzinfo=UTC))
    before = len(rchat.telegram.events)
    await run_once(app)
    events = rchat.telegram.events[before:]
    assert rchat.texts("alice", events).startswith(
        "🎂 Dossier K7-4QX\u00a0: le ou la jeune aura 18 ans en mai 2026, dans 1 mois.")
    assert rchat.texts("bob", events).startswith(
        "🎂 Case K7-4QX: the youth turns 18 in May 2026, in 1 month.")
    assert rchat.buttons("alice") == ["🔎 Services de transition (18 ans et +)"]
    seen = await rchat.press("alice", "Services de transition")
    text = rchat.texts("alice", seen)
    assert text.startswith("Services de transition à la vie adulte (18 ans et +)\u00a0:")
    assert "/find transition-18 06" in text


async def make_service(app, worker, *, assured: date | None, capacity_age: timedelta | None):  # type: ignore[no-untyped-def]
    from bot.models.directory import (
        DirectoryOrganization,
        DirectoryService,
        DirectoryUnit,
        ServiceCapacity,
        ServiceReceiver,
    )

    now = app.clock.now()
    async with app.sessionmaker() as session:
        org = DirectoryOrganization(hsds_id="org-t", name="Organisme test (fictif)")
        session.add(org)
        await session.flush()
        service = DirectoryService(hsds_id="svc-t", organization_id=org.id,
                                   name="Hébergement test (fictif)", name_en="Test shelter",
                                   assured_date=assured)
        session.add(service)
        await session.flush()
        session.add(ServiceReceiver(service_id=service.id, worker_id=worker.id, created_at=now))
        if capacity_age is not None:
            unit = DirectoryUnit(hsds_id="unit-t", name="lits")
            session.add(unit)
            await session.flush()
            session.add(ServiceCapacity(hsds_id="cap-t", service_id=service.id, unit_id=unit.id,
                                        available=2, updated=now - capacity_age))
        await session.commit()
        return service.id


async def sweep(app) -> None:  # type: ignore[no-untyped-def]
    dispatcher = Dispatcher(app)
    await dispatcher.ensure_periodic()
    await dispatcher.ensure_periodic()  # twice: still one sweep
    await dispatcher.run_once()  # the sweep schedules the requests
    await dispatcher.run_once()  # which are sent


async def test_verification_and_capacity_prompts(rchat: Chat, app, clock) -> None:  # type: ignore[no-untyped-def]
    from bot.models.directory import DirectoryService, ServiceCapacity

    rita = await rchat.register("rita", lang="fr")
    service_id = await make_service(app, rita, assured=date(2025, 11, 1),
                                    capacity_age=timedelta(hours=30))
    before = len(rchat.telegram.events)
    await sweep(app)
    text = rchat.texts("rita", rchat.telegram.events[before:])
    assert "📋 La fiche «\u00a0Hébergement test (fictif)\u00a0» est-elle toujours exacte" in text
    assert "Dernière vérification\u00a0: 1 novembre 2025." in text
    assert "🛏️ La disponibilité affichée pour «\u00a0Hébergement test (fictif)\u00a0» date d'il y a" in text
    assert "Toujours 2 lits de libre?" in text
    seen = await rchat.press("rita", "Toujours bon")
    assert "✅ Disponibilité confirmée" in rchat.texts("rita", seen)
    seen = await rchat.press("rita", "Toujours exacte")
    assert "marquée comme vérifiée aujourd'hui" in rchat.texts("rita", seen)
    async with app.sessionmaker() as session:
        service = await session.get(DirectoryService, service_id)
        capacity = await session.scalar(select(ServiceCapacity))
        assert service.assured_date == clock.now().astimezone(app.settings.zone).date()
        assert capacity.updated == clock.now()
    # an hour later the next sweep finds nothing to ask
    clock.advance(timedelta(hours=1))
    before = len(rchat.telegram.events)
    await sweep(app)
    assert rchat.texts("rita", rchat.telegram.events[before:]) == ""


async def test_needs_changes_in_two_taps(rchat: Chat, app, clock) -> None:  # type: ignore[no-untyped-def]
    from bot.models.directory import DirectoryService

    rita = await rchat.register("rita", lang="en")
    service_id = await make_service(app, rita, assured=None, capacity_age=None)
    await sweep(app)
    assert "Last verified: never." in rchat.texts("rita")
    await rchat.press("rita", "Needs changes")
    assert rchat.buttons("rita") == ["Closed for now", "No longer offered", "Something else changed"]
    seen = await rchat.press("rita", "Closed for now")
    assert "Noted: the service is shown as closed for now." in rchat.texts("rita", seen)
    async with app.sessionmaker() as session:
        assert (await session.get(DirectoryService, service_id)).status == "temporarily closed"
    # the same button again is refused (the request is closed)
    seen = await rchat.press("rita", 1) if rchat.buttons("rita") else []
    assert seen == []


async def test_listing_correction_is_confirmed_only_once_stored(rchat: Chat, app) -> None:  # type: ignore[no-untyped-def]
    """"Closed for now" whose commit fails: no "Thank you" and no "Noted", only the apology; the
    listing stays as it was and the buttons stay to try again."""
    from bot.models.directory import DirectoryService
    from tests.support.commits import failing_commit

    rita = await rchat.register("rita", lang="en")
    service_id = await make_service(app, rita, assured=None, capacity_age=None)
    await sweep(app)
    await rchat.press("rita", "Needs changes")
    with failing_commit(DirectoryService, changed=True):
        seen = await rchat.press("rita", "Closed for now")
    said = rchat.texts("rita", seen) + " ".join(e.text or "" for e in seen)
    assert "Sorry" in said and "Noted" not in said and "Thank you" not in said
    async with app.sessionmaker() as session:
        assert (await session.get(DirectoryService, service_id)).status == "active"
    seen = await rchat.press("rita", "Closed for now")
    assert "Noted: the service is shown as closed for now." in rchat.texts("rita", seen)
