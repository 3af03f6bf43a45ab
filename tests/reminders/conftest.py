"""Helpers of the reminders tests: a recording messenger, workers, a dispatcher pass."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

import pytest

from bot.app import App
from bot.messenger import OutgoingMessage
from bot.models.core import Worker
from bot.services.reminders.dispatcher import Dispatcher, DispatchReport

Fault = Callable[[OutgoingMessage], Exception | None]


@dataclass
class Recorder:
    """A messenger that records what it sends; ``faults`` may raise instead of sending."""

    sent: list[OutgoingMessage] = field(default_factory=list)
    faults: list[Fault] = field(default_factory=list)
    after_send: Callable[[OutgoingMessage], None] | None = None
    next_id: int = 100

    async def send(self, message: OutgoingMessage) -> int:
        for fault in list(self.faults):
            exc = fault(message)
            if exc is not None:
                raise exc
        self.sent.append(message)
        self.next_id += 1
        if self.after_send is not None:
            self.after_send(message)
        return self.next_id

    async def edit(self, message: OutgoingMessage, message_id: int) -> None:
        return None

    async def delete(self, chat_id: int, message_id: int) -> None:
        return None

    def to(self, chat_id: int) -> list[str]:
        return [m.text for m in self.sent if m.chat_id == chat_id]


@pytest.fixture
def recorder(app: App) -> Recorder:
    recorder = Recorder()
    app.messenger = recorder
    return recorder


_counter = iter(range(10_000, 10**9))


async def add_worker(
    app: App,
    name: str = "w",
    *,
    language: str | None = "fr",
    timezone: str | None = None,
    quiet: tuple[str, str] = ("21:00", "08:00"),
    on_call: bool = False,
    now: datetime | None = None,
) -> Worker:
    async with app.sessionmaker() as session:
        worker = Worker(
            telegram_id=next(_counter), display_name=name, language=language,
            timezone=timezone, quiet_start=quiet[0], quiet_end=quiet[1], on_call=on_call,
            created_at=now or app.clock.now(),
        )
        session.add(worker)
        await session.commit()
        return worker


async def run_once(app: App, **options) -> DispatchReport:  # type: ignore[no-untyped-def]
    return await Dispatcher(app, **options).run_once()
