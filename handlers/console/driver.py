"""The console channel: local users talk to the real dispatcher; what the bot does is printed.

Script lines (the ``relais try`` contract):
- ``@NAME`` acts from then on as local user NAME; ``@NAME lang=fr`` also sets their Telegram
  ``language_code``;
- ``!N`` presses button N of the latest bot message to the current user that has buttons;
- ``~N`` waits N seconds, so that scheduled messages can arrive;
- anything else is sent as a text message.
"""

from __future__ import annotations

import asyncio
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import TextIO

from aiogram import Bot, Dispatcher

from bot.app import App
from bot.services import demo
from handlers.console.fake_api import Event, FakeTelegram
from handlers.console.session import ConsoleSession
from handlers.runtime import build_bot, prepare, start_background, stop_background

USER_LINE = re.compile(r"^@(?P<name>[\w.\-]{1,32})(?:\s+lang=(?P<lang>[a-zA-Z_\-]{2,10}))?\s*$")
PRESS_LINE = re.compile(r"^!(?P<n>\d{1,3})\s*$")
WAIT_LINE = re.compile(r"^~(?P<seconds>\d+(?:\.\d+)?)\s*$")
DEFAULT_USER = "me"


def format_buttons(rows: list[list[dict]]) -> list[str]:
    """Buttons numbered from 1 in reading order, one keyboard row per line."""
    lines, number = [], 0
    for row in rows:
        cells = []
        for button in row:
            number += 1
            cells.append(f"[{number}] {button.get('text', '')}")
        lines.append("  ".join(cells))
    return lines


def format_event(event: Event, name: str) -> str:
    """One printed block per bot action."""
    if event.kind == "delete":
        return f"bot (deleted) -> {name}: message {event.message_id}"
    if event.kind == "notice":
        return f"bot (notice) -> {name}: {event.text}"
    header = f"bot (edited) -> {name}:" if event.kind == "edit" else f"bot -> {name}:"
    return "\n".join([header, event.text, *format_buttons(event.buttons)])


@dataclass
class LocalUser:
    name: str
    user_id: int


class Console:
    """Drives the dispatcher for local users and prints every bot action."""

    def __init__(
        self, app: App, out: TextIO = sys.stdout, *, register_all: bool = False
    ) -> None:
        self.app = app
        self.out = out
        self.register_all = register_all
        self.telegram = FakeTelegram(username=app.settings.bot_username)
        self.telegram.listeners.append(self._print)
        self.users: dict[int, LocalUser] = {}
        self.current: LocalUser | None = None
        self.bot: Bot | None = None
        self.dispatcher: Dispatcher | None = None
        self.tasks: list[asyncio.Task[None]] = []

    async def start(self) -> None:
        self.bot = build_bot(self.app, session=ConsoleSession(self.telegram))
        self.dispatcher = await prepare(self.app, self.bot)
        await self._know_registered_users()
        self.tasks = start_background(self.app)

    async def _know_registered_users(self) -> None:
        """Workers registered in earlier runs have a chat with the bot, as on Telegram."""
        async with self.app.sessionmaker() as session:
            for worker in await demo.registered_workers(session):
                self.telegram.add_user(
                    worker.telegram_id, worker.display_name, worker.telegram_language
                )
                self.users.setdefault(
                    worker.telegram_id, LocalUser(worker.display_name, worker.telegram_id)
                )

    async def close(self) -> None:
        await stop_background(self.tasks)
        if self.bot is not None:
            await self.bot.session.close()

    def _print(self, event: Event) -> None:
        user = self.users.get(event.chat_id)
        name = user.name if user else str(event.chat_id)
        self.out.write(format_event(event, name) + "\n\n")
        self.out.flush()

    async def switch_user(self, name: str, lang: str | None = None) -> LocalUser:
        """Act as local user NAME from now on.

        On a database with no worker yet, the first user is registered as a coordinator (the
        newcomer trying Relais); later users start unregistered unless ``register_all``.
        """
        user_id = demo.local_user_id(name)
        user = self.users.get(user_id) or LocalUser(name=name, user_id=user_id)
        self.users[user_id] = user
        known = self.telegram.users.get(user_id, {})
        lang = lang or known.get("language_code")
        self.telegram.add_user(user_id, name, lang)
        async with self.app.sessionmaker() as session:
            first = not await demo.any_worker(session)
            if first or self.register_all:
                await demo.ensure_demo_worker(
                    session,
                    name=name,
                    role=demo.demo_role(first),
                    now=self.app.clock.now(),
                    telegram_language=lang,
                )
                await session.commit()
        self.current = user
        return user

    async def handle_line(self, line: str) -> None:
        """Handle one script line to the end."""
        line = line.rstrip("\r\n")
        if not line.strip():
            return
        if match := USER_LINE.match(line.strip()):
            await self.switch_user(match["name"], match["lang"])
            return
        if self.current is None:
            await self.switch_user(DEFAULT_USER)
        assert self.current is not None
        if match := WAIT_LINE.match(line.strip()):
            await asyncio.sleep(float(match["seconds"]))
        elif match := PRESS_LINE.match(line.strip()):
            await self.press(int(match["n"]))
        else:
            await self.feed(self.telegram.user_sends(self.current.user_id, line))

    async def press(self, number: int) -> None:
        assert self.current is not None
        message = self.telegram.latest_with_buttons(self.current.user_id)
        buttons = [b for row in (message or {}).get("reply_markup", {}).get(
            "inline_keyboard", []) for b in row]
        if not 1 <= number <= len(buttons):
            self.complain(f"no button {number} on the latest message with buttons")
            return
        button = buttons[number - 1]
        if button.get("url"):
            self.complain(f"button {number} opens {button['url']}")
            return
        assert message is not None
        await self.feed(
            self.telegram.user_presses(self.current.user_id, message, button["callback_data"])
        )

    async def feed(self, update: dict) -> None:
        assert self.dispatcher is not None and self.bot is not None
        await self.dispatcher.feed_raw_update(self.bot, update)

    def complain(self, text: str) -> None:
        print(f"console: {text}", file=sys.stderr, flush=True)


async def run_script(console: Console, lines: TextIO) -> None:
    """Read and handle lines until the end of the input."""
    for line in lines:
        await console.handle_line(line)


async def run_interactive(console: Console, ask: Callable[[str], str] = input) -> None:
    """A prompt per line; background messages keep arriving while it waits."""
    print("Relais console. @NAME switches user, !N presses a button, ~N waits. Ctrl-D quits.")
    while True:
        name = console.current.name if console.current else DEFAULT_USER
        try:
            line = await asyncio.to_thread(ask, f"{name}> ")
        except EOFError:
            return
        await console.handle_line(line)
