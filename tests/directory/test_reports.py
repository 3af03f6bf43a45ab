"""Error reports on a listing, as a service: who is told, in which language, what is audited."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from bot.app import App
from bot.db.effects import commit
from bot.messenger import OutgoingMessage
from bot.models.core import AuditEntry, Worker
from bot.models.directory import DirectoryService
from bot.models.inbox import OutboxMessage
from bot.services.directory import receivers
from bot.services.directory.reports import REPORT_WINDOW, report_error, report_expired
from bot.services.organisations import get_or_create_organisation
from tests.directory.conftest import NOW

SHELTER = "Refuge Rive-Sud – urgence 12-17"  # a listing of region 16 in the sample directory
REPORT = "Le numéro ne répond plus depuis lundi"


@dataclass
class Recorder:
    """A messenger that keeps what it sends."""

    sent: list[OutgoingMessage] = field(default_factory=list)

    async def send(self, message: OutgoingMessage) -> int:
        self.sent.append(message)
        return len(self.sent)

    async def edit(self, message: OutgoingMessage, message_id: int) -> None:
        return None

    async def delete(self, chat_id: int, message_id: int) -> None:
        return None


@pytest.fixture
def recorder(seeded: App) -> Recorder:
    seeded.messenger = recorder = Recorder()
    return recorder


async def add_worker(app: App, name: str, telegram_id: int, *, role: str = "worker",
                     region: str = "16", lang: str = "fr") -> int:
    async with app.sessionmaker() as session:
        org = await get_or_create_organisation(session, "Maison Tremplin (fictif)",
                                               now=app.clock.now())
        worker = Worker(telegram_id=telegram_id, display_name=name, role=role, language=lang,
                        organisation_id=org.id, created_at=app.clock.now())
        worker.set_regions([region])
        session.add(worker)
        await session.commit()
        return worker.id


async def shelter_id(app: App) -> int:
    async with app.sessionmaker() as session:
        return await session.scalar(select(DirectoryService.id).where(
            DirectoryService.name == SHELTER))


async def report(app: App, reporter_id: int, service_id: int) -> int:
    """Report an error as ``reporter_id``, commit, and run what the commit lets out."""
    async with app.sessionmaker() as session:
        reporter = await session.get(Worker, reporter_id)
        told = await report_error(app, session, reporter, service_id, REPORT)
        assert not app.messenger.sent  # nothing leaves before the commit
        assert await session.scalar(select(func.count()).select_from(OutboxMessage)) == told
        await commit(session, app.sessionmaker)
        return told


async def audited(app: App) -> AuditEntry:
    async with app.sessionmaker() as session:
        entries = (await session.scalars(select(AuditEntry).where(
            AuditEntry.action == "directory.error_reported"))).all()
    assert len(entries) == 1
    return entries[0]


async def test_without_receivers_the_regions_coordinators_are_told(seeded: App,
                                                                   recorder: Recorder) -> None:
    alice = await add_worker(seeded, "alice", 501)
    await add_worker(seeded, "carole", 502, role="coordinator", lang="en")
    await add_worker(seeded, "dora", 503, role="coordinator", region="06")
    service_id = await shelter_id(seeded)
    assert await report(seeded, alice, service_id) == 1
    [sent] = recorder.sent
    assert sent.chat_id == 502  # carole, coordinator of region 16; not dora (06)
    # in carole's language, the listing's English name included
    assert sent.text.startswith("⚠️ <b>Error reported</b> in the listing of <b>South Shore refuge")
    assert sent.text.endswith("resolve the report in /reports.")  # coordinators resolve it there
    assert "by alice (Maison Tremplin (fictif))" in sent.text and REPORT in sent.text
    entry = await audited(seeded)
    assert (entry.actor_id, entry.subject_type, entry.subject_id) == (alice, "service",
                                                                      str(service_id))
    assert entry.details == {"recipients": 1}  # who and how many, never the words


async def test_receivers_are_told_instead_but_not_the_reporter(seeded: App,
                                                               recorder: Recorder) -> None:
    alice = await add_worker(seeded, "alice", 501)
    bruno = await add_worker(seeded, "bruno", 504)
    await add_worker(seeded, "carole", 502, role="coordinator", lang="en")
    service_id = await shelter_id(seeded)
    async with seeded.sessionmaker() as session:
        for receiver in (alice, bruno):
            worker = await session.get(Worker, receiver)
            await receivers.add_receiver(session, service_id, worker, seeded.clock.now())
        await session.commit()
    assert await report(seeded, alice, service_id) == 1
    [sent] = recorder.sent
    assert sent.chat_id == 504 and sent.text.startswith("⚠️ <b>Erreur signalée</b>")
    assert (await audited(seeded)).details == {"recipients": 1}


async def test_nobody_to_tell_is_still_audited(seeded: App, recorder: Recorder) -> None:
    alice = await add_worker(seeded, "alice", 501)
    assert await report(seeded, alice, await shelter_id(seeded)) == 0
    assert not recorder.sent
    assert (await audited(seeded)).details == {"recipients": 0}


def test_a_report_left_past_its_window_is_forgotten() -> None:
    started = NOW.timestamp()
    assert not report_expired(started, NOW + timedelta(seconds=REPORT_WINDOW))
    assert report_expired(started, NOW + timedelta(seconds=REPORT_WINDOW + 1))
    assert report_expired(0, NOW)  # no report under way
