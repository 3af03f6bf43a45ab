"""A small round-robin HTTP proxy: what a load balancer in front of several webhook processes does.

Each POST goes to the next backend in turn, with its path, body and headers (the webhook secret
among them); the backend's status and body come back as they are. A backend that cannot be
reached answers 502, so the caller (the Bot API stand-in) retries later, as Telegram would.
The proxy counts what it sent where, so a test can say the updates were spread.
"""

from __future__ import annotations

import asyncio
import itertools
import json
from collections import Counter
from collections.abc import Sequence

import aiohttp
from aiohttp import web

# hop-by-hop headers, and those aiohttp sets again for the forwarded request
SKIPPED_HEADERS = frozenset({"host", "content-length", "connection", "keep-alive",
                             "transfer-encoding", "upgrade"})


class RoundRobinProxy:
    """Listens on 127.0.0.1 (a free port) and forwards each request to the next backend."""

    def __init__(self, backends: Sequence[str], *, timeout: float = 30.0) -> None:
        if not backends:
            raise ValueError("a proxy needs at least one backend")
        self.backends = [b.rstrip("/") for b in backends]
        self._next = itertools.cycle(range(len(self.backends)))
        self._lock = asyncio.Lock()
        self.timeout = aiohttp.ClientTimeout(total=timeout)
        self.sent: Counter[int] = Counter()  # backend index -> requests forwarded
        self.statuses: list[tuple[int, int]] = []  # (backend index, status answered)
        self.updates: list[tuple[int, int]] = []  # (backend index, update_id) of JSON updates
        self.port = 0
        self._runner: web.AppRunner | None = None
        self._client: aiohttp.ClientSession | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> None:
        self._client = aiohttp.ClientSession(timeout=self.timeout)
        app = web.Application(client_max_size=4 * 1024 * 1024)
        app.router.add_route("*", "/{tail:.*}", self._forward)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
        if self._client is not None:
            await self._client.close()

    async def _pick(self) -> int:
        async with self._lock:
            return next(self._next)

    async def _forward(self, request: web.Request) -> web.Response:
        assert self._client is not None
        index = await self._pick()
        self.sent[index] += 1
        headers = {k: v for k, v in request.headers.items()
                   if k.lower() not in SKIPPED_HEADERS}
        body = await request.read()
        if (update_id := _update_id(body)) is not None:
            self.updates.append((index, update_id))
        try:
            async with self._client.request(request.method, self.backends[index] + request.path_qs,
                                            data=body, headers=headers) as response:
                payload = await response.read()
                status = response.status
                content_type = response.headers.get("Content-Type")
        except (TimeoutError, aiohttp.ClientError):
            self.statuses.append((index, 502))
            return web.Response(status=502, text="backend unreachable")
        self.statuses.append((index, status))
        reply = web.Response(status=status, body=payload)
        if content_type:
            reply.headers["Content-Type"] = content_type
        return reply


def _update_id(body: bytes) -> int | None:
    """The ``update_id`` of a Telegram update body (None for anything else)."""
    try:
        data = json.loads(body)
    except ValueError:
        return None
    value = data.get("update_id") if isinstance(data, dict) else None
    return value if isinstance(value, int) else None
