"""aiogram's aiohttp session, sending each Bot API call without a file as one JSON body.

aiogram posts every call as a form: each field prepared on its own (keyboards dumped to JSON
strings), then encoded by aiohttp's ``FormData``. The Bot API takes the same fields as a JSON
body for every method that uploads no file, which is one ``json.dumps``: about a fifth of a
reply's cost on our stand-in (0.19 ms of 0.89 ms for a page of results with its keyboard).

Only the request's encoding changes. The fields are aiogram's own (``model_dump`` and
``prepare_value``, the bot's defaults resolved), dropped when aiogram's form drops them (empty);
answers, errors and their exceptions go through aiogram's ``check_response`` as before, and a
call with a file (``sendDocument``) keeps aiogram's form. The JSON calls go through kept
connections of :class:`bot.http_line.HttpLine` rather than aiohttp's client (a third of the CPU
per call), with aiogram's limit of connections and its certificates; a network failure or a
timeout raises aiogram's ``TelegramNetworkError``, as before. No proxy: Relais sets none.

:meth:`JsonSession.call_unread` is for a call whose answer nobody reads (a reply sent after the
commit, :mod:`handlers.replies`): a success is not turned into aiogram's objects (the ``Message``
and its parts, a tenth of a millisecond); a failure raises the same exception as any call, and
both go through the session's middlewares (the error counter).
"""

from __future__ import annotations

import asyncio
import json
from http import HTTPStatus
from typing import Any, cast

from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.exceptions import TelegramNetworkError
from aiogram.methods import TelegramMethod
from aiogram.methods.base import TelegramType

from bot.http_line import HttpLine


class JsonSession(AiohttpSession):
    """:class:`AiohttpSession` with JSON bodies (see the module's docstring)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if kwargs.get("proxy") is not None:
            raise ValueError("JsonSession calls the Bot API directly, not through a proxy")
        super().__init__(*args, **kwargs)
        self._line: HttpLine | None = None  # opened at the first call

    def json_body(self, bot: Bot, method: TelegramMethod[Any]) -> bytes | None:
        """The call's fields as JSON, or None when it carries a file."""
        files: dict[str, Any] = {}
        fields: dict[str, Any] = {}
        for key, value in method.model_dump(warnings=False).items():
            prepared = self.prepare_value(value, bot=bot, files=files, _dumps_json=False)
            if prepared is None or prepared == "":  # what aiogram's form leaves out
                continue
            fields[key] = prepared
        if files:
            return None
        return json.dumps(fields, ensure_ascii=False).encode()

    async def make_request(
        self, bot: Bot, method: TelegramMethod[TelegramType],
        timeout: int | None = None,  # noqa: ASYNC109 - aiogram's signature
    ) -> TelegramType:
        body = self.json_body(bot, method)
        if body is None:
            return await super().make_request(bot, method, timeout)
        status, raw_result = await self._post(bot, method, body, timeout)
        response = self.check_response(bot=bot, method=method, status_code=status,
                                       content=raw_result)
        return cast(TelegramType, response.result)

    async def call_unread(self, bot: Bot, method: TelegramMethod[Any]) -> None:
        """Make a call whose answer nobody reads (see the module's docstring)."""
        await self.middleware.wrap_middlewares(self._unread_request)(bot, method)

    async def _unread_request(self, bot: Bot, method: TelegramMethod[Any]) -> None:
        body = self.json_body(bot, method)
        if body is None:
            await super().make_request(bot, method)
            return
        status, raw_result = await self._post(bot, method, body, None)
        try:
            ok = HTTPStatus.OK <= status <= HTTPStatus.IM_USED and json.loads(raw_result)["ok"]
        except (ValueError, TypeError, KeyError):
            ok = False
        if ok is not True:  # aiogram reads the failure and raises its exception
            self.check_response(bot=bot, method=method, status_code=status, content=raw_result)

    async def _post(self, bot: Bot, method: TelegramMethod[Any], body: bytes,
                    request_timeout: float | None) -> tuple[int, str]:
        """POST the JSON body: (HTTP status, answer's text); network failures as aiogram's."""
        if self._line is None:  # aiogram's limit and certificates (certifi's)
            self._line = HttpLine(limit=self._connector_init["limit"],
                                  ssl_context=self._connector_init["ssl"])
        url = self.api.api_url(token=bot.token, method=method.__api_method__)
        try:
            async with asyncio.timeout(self.timeout if request_timeout is None
                                       else request_timeout):
                status, answer = await self._line.post(url, body)
        except TimeoutError as e:
            raise TelegramNetworkError(method=method, message="Request timeout error") from e
        except (OSError, ValueError) as e:
            raise TelegramNetworkError(method=method, message=f"{type(e).__name__}: {e}") from e
        return status, answer.decode("utf-8", errors="replace")

    async def close(self) -> None:
        if self._line is not None:
            await self._line.close()
            self._line = None
        await super().close()
