"""An aiogram session that talks to :class:`FakeTelegram` in-process instead of over HTTP.

Requests are encoded exactly as aiogram's HTTP session encodes them and answers are checked by
aiogram's own ``check_response``, so errors (403 blocked, 429 retry_after, 400) surface as the real
``TelegramAPIError`` exceptions.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from typing import Any

from aiogram import Bot
from aiogram.client.session.base import BaseSession
from aiogram.methods import TelegramMethod
from aiogram.methods.base import TelegramType
from aiogram.types import BufferedInputFile, InputFile

from handlers.console.fake_api import FakeTelegram


class ConsoleSession(BaseSession):
    def __init__(self, telegram: FakeTelegram) -> None:
        super().__init__()
        self.telegram = telegram

    def encode(self, bot: Bot, method: TelegramMethod[Any]) -> dict[str, Any]:
        """Form fields as aiogram's HTTP session would send them."""
        files: dict[str, InputFile] = {}
        fields: dict[str, Any] = {}
        for key, value in method.model_dump(warnings=False).items():
            prepared = self.prepare_value(value, bot=bot, files=files)
            if prepared:
                fields[key] = prepared
        for attached in files.values():
            fields["_filename"] = attached.filename or "document"
            if isinstance(attached, BufferedInputFile):
                fields["_size"] = str(len(attached.data))
        return fields

    async def make_request(
        self, bot: Bot, method: TelegramMethod[TelegramType], timeout: int | None = None
    ) -> TelegramType:
        status, body = await self.telegram.call(method.__api_method__, self.encode(bot, method))
        response = self.check_response(
            bot=bot, method=method, status_code=status, content=self.json_dumps(body)
        )
        return response.result  # type: ignore[return-value]

    async def stream_content(
        self,
        url: str,
        headers: dict[str, Any] | None = None,
        timeout: int = 30,
        chunk_size: int = 65536,
        raise_for_status: bool = True,
    ) -> AsyncGenerator[bytes, None]:
        yield b""

    async def close(self) -> None:
        return None
