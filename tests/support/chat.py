"""Conversation tests: local users talk to the real dispatcher through the console channel.

Each action returns the bot actions it caused (:class:`Event`), so a test asserts what each user
sees, in their language.
"""

from __future__ import annotations

import io

from sqlalchemy import select

from bot.app import App
from bot.models.core import Worker
from bot.services import demo
from bot.services.organisations import get_or_create_organisation
from handlers.console.driver import Console
from handlers.console.fake_api import Event


class Chat:
    def __init__(self, app: App) -> None:
        self.app = app
        self.out = io.StringIO()
        self.console = Console(app, out=self.out)
        self.telegram = self.console.telegram

    async def start(self) -> None:
        await self.console.start()

    async def close(self) -> None:
        await self.console.close()

    def user_id(self, name: str) -> int:
        return demo.local_user_id(name)

    async def register(
        self,
        name: str,
        *,
        role: str = "worker",
        regions: tuple[str, ...] = ("06",),
        org: str = "Organisme test (fictif)",
        lang: str | None = None,
        on_call: bool = False,
    ) -> Worker:
        """A registered worker, as if they had used an invitation."""
        async with self.app.sessionmaker() as session:
            organisation = await get_or_create_organisation(session, org, now=self.app.clock.now())
            worker = Worker(
                telegram_id=self.user_id(name), display_name=name, role=role,
                organisation_id=organisation.id, created_at=self.app.clock.now(),
                language=lang, on_call=on_call,
            )
            worker.set_regions(list(regions))
            session.add(worker)
            await session.commit()
        self.telegram.add_user(self.user_id(name), name)
        self.console.users.setdefault(
            self.user_id(name), _local(name, self.user_id(name))
        )
        return worker

    async def worker(self, name: str) -> Worker | None:
        async with self.app.sessionmaker() as session:
            return await session.scalar(
                select(Worker).where(Worker.telegram_id == self.user_id(name))
            )

    def as_user(self, name: str, lang: str | None = None) -> None:
        """Make NAME the acting user (a Telegram user, registered or not)."""
        user_id = self.user_id(name)
        known = self.telegram.users.get(user_id, {})
        self.telegram.add_user(user_id, name, lang or known.get("language_code"))
        self.console.users.setdefault(user_id, _local(name, user_id))
        self.console.current = self.console.users[user_id]

    async def _run(self, action) -> list[Event]:  # type: ignore[no-untyped-def]
        start = len(self.telegram.events)
        await action
        return self.telegram.events[start:]

    async def say(self, name: str, text: str, lang: str | None = None) -> list[Event]:
        self.as_user(name, lang)
        return await self._run(self.console.handle_line(text))

    async def press(self, name: str, button: int | str) -> list[Event]:
        """Press a button of NAME's latest message with buttons, by number or by label."""
        self.as_user(name)
        if isinstance(button, str):
            button = self.button_number(name, button)
        return await self._run(self.console.press(button))

    def buttons(self, name: str) -> list[str]:
        message = self.telegram.latest_with_buttons(self.user_id(name)) or {}
        rows = message.get("reply_markup", {}).get("inline_keyboard", [])
        return [b["text"] for row in rows for b in row]

    def button_number(self, name: str, label: str) -> int:
        labels = self.buttons(name)
        exact = [i for i, text in enumerate(labels, 1) if label.lower() == text.lower()]
        matches = exact or [i for i, text in enumerate(labels, 1) if label.lower() in text.lower()]
        if not matches:
            raise AssertionError(f"no button like {label!r} for {name}: {labels}")
        return matches[0]

    def seen_by(self, name: str, events: list[Event] | None = None) -> list[Event]:
        chat_id = self.user_id(name)
        return [e for e in (self.telegram.events if events is None else events)
                if e.chat_id == chat_id]

    def files(self, name: str, events: list[Event] | None = None,
              kind: str | None = None) -> list[Event]:
        """The photos and documents NAME received (``kind``: only "photo" or "document"); each
        event's text is "[file name] caption", its ``size`` the file's bytes."""
        kinds = (kind,) if kind else ("photo", "document")
        return [e for e in self.seen_by(name, events) if e.kind in kinds]

    def texts(self, name: str, events: list[Event] | None = None) -> str:
        """Everything NAME saw (in ``events``, or ever), as one string."""
        return "\n".join(e.text for e in self.seen_by(name, events))


def _local(name: str, user_id: int):  # type: ignore[no-untyped-def]
    from handlers.console.driver import LocalUser

    return LocalUser(name=name, user_id=user_id)
