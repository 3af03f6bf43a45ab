"""The Bot API stand-in: :class:`FakeTelegram` served over HTTP as Telegram serves it.

``POST /bot<token>/<method>`` with form fields, multipart or JSON; ``getUpdates`` long polling;
and, when a webhook is set, updates POSTed to it with the ``X-Telegram-Bot-Api-Secret-Token``
header. Only loopback addresses are used.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
from aiohttp import web

from handlers.console.fake_api import FakeTelegram

WEBHOOK_TIMEOUT = 10.0  # seconds Telegram waits for a webhook answer before trying again


class StandIn:
    """Runs a :class:`FakeTelegram` behind an aiohttp server on 127.0.0.1."""

    def __init__(self, token: str, telegram: FakeTelegram | None = None) -> None:
        self.token = token
        self.telegram = telegram or FakeTelegram()
        self.telegram.queue_updates = True
        self.runner: web.AppRunner | None = None
        self.port = 0  # set before start to listen on that port (0: any free one)
        self._pusher: asyncio.Task[None] | None = None
        self.send_delay = 0.0  # seconds each sendMessage takes, to catch a process mid-burst
        self.webhook_deliveries: list[tuple[int, int]] = []  # (update_id, HTTP status)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> None:
        app = web.Application(client_max_size=20 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        self.runner = web.AppRunner(app, access_log=None)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", self.port)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def stop(self) -> None:
        if self._pusher is not None:
            self._pusher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._pusher
        if self.runner is not None:
            await self.runner.cleanup()

    async def _handle(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.json_response(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401
            )
        fields = await self._fields(request)
        if self.send_delay and request.match_info["method"].lower() == "sendmessage":
            await asyncio.sleep(self.send_delay)
        status, body = await self.telegram.call(request.match_info["method"], fields)
        if request.match_info["method"].lower() == "setwebhook" and status == 200:
            self._start_pusher()
        return web.json_response(body, status=status)

    @staticmethod
    async def _fields(request: web.Request) -> dict[str, Any]:
        if request.content_type == "application/json":
            data = await request.json()
            return {k: v if isinstance(v, str) else json.dumps(v) for k, v in data.items()}
        fields: dict[str, Any] = {}
        if request.content_type.startswith("multipart/"):
            reader = await request.multipart()
            async for part in reader:
                if part.filename:  # type: ignore[union-attr]
                    content = await part.read()  # type: ignore[union-attr]
                    fields["_filename"] = part.filename  # type: ignore[union-attr]
                    fields["_size"] = str(len(content))
                else:
                    fields[part.name] = await part.text()  # type: ignore[union-attr]
            return fields
        return dict(await request.post())

    def _start_pusher(self) -> None:
        if self._pusher is None or self._pusher.done():
            self._pusher = asyncio.create_task(self._push_updates())

    async def _push_updates(self) -> None:
        """Deliver pending updates to the webhook, as Telegram does, until it is removed."""
        # Telegram gives up on a webhook request that hangs and delivers it again later; a
        # request to a process killed mid-answer must not hold the queue for aiohttp's 5 minutes.
        timeout = aiohttp.ClientTimeout(total=WEBHOOK_TIMEOUT)
        async with aiohttp.ClientSession(timeout=timeout) as client:
            while self.telegram.webhook.get("url"):
                if not self.telegram.pending:
                    await asyncio.sleep(0.02)
                    continue
                update = self.telegram.pending[0]
                headers = {}
                if secret := self.telegram.webhook.get("secret_token"):
                    headers["X-Telegram-Bot-Api-Secret-Token"] = secret
                try:
                    async with client.post(
                        self.telegram.webhook["url"], json=update, headers=headers
                    ) as response:
                        self.webhook_deliveries.append((update["update_id"], response.status))
                        if response.status == 200:
                            self.telegram.pending.pop(0)
                            continue
                except (aiohttp.ClientError, TimeoutError):
                    pass
                await asyncio.sleep(0.2)  # retry later, like Telegram


@contextlib.asynccontextmanager
async def serving(token: str, users: dict[int, str], blocked: tuple[int, ...] = ()
                  ) -> AsyncIterator[StandIn]:
    """A running stand-in that knows ``users`` (id: first name), ``blocked`` having blocked
    the bot; stopped after."""
    server = StandIn(token)
    await server.start()
    for user_id, name in users.items():
        server.telegram.add_user(user_id, name)
    server.telegram.blocked.update(blocked)
    try:
        yield server
    finally:
        await server.stop()
