"""Failures and refusals that do not pass the bot session or the shared refusal helper are
counted too: bulk sends of the lean sender, and texts refused through the error middleware."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer

from bot.messenger import OutgoingMessage, RecipientBlocked, RetryAfter, SendFailed
from handlers.console.fake_api import error
from handlers.lean_sender import LeanTelegramMessenger, build_messenger, metric_of
from handlers.ops.metrics import Metrics, build_metrics
from handlers.runtime import build_bot
from tests.standin.server import StandIn, serving

TOKEN = "4242:metrics-paths"
USER, BLOCKED = 5_560_001, 5_560_002


def value(metrics: Metrics, name: str, **labels: str) -> float:
    """One sample of the exposition, 0 when absent."""
    wanted = ",".join(f'{k}="{v}"' for k, v in labels.items())
    pattern = rf"^{name}{{{re.escape(wanted)}}} (\S+)$" if labels else rf"^{name} (\S+)$"
    found = re.search(pattern, metrics.render().decode(), re.MULTILINE)
    return float(found.group(1)) if found else 0.0


@pytest.mark.parametrize(("exc", "expected"), [
    (RetryAfter(7), ("retry_after", 7)),
    (RecipientBlocked("Forbidden: bot was blocked by the user"), ("forbidden", None)),
    (SendFailed("TelegramServerError"), ("server_error", None)),
    (SendFailed("network"), ("network", None)),
    (SendFailed("something new"), ("other", None)),
])
def test_lean_failures_map_to_the_sessions_error_classes(exc: Exception,
                                                         expected: tuple[str, Any]) -> None:
    assert metric_of(exc) == expected


@pytest.fixture
async def lean() -> AsyncIterator[tuple[StandIn, LeanTelegramMessenger, Metrics]]:
    async with serving(TOKEN, {USER: "Alice", BLOCKED: "Bob"}, blocked=(BLOCKED,)) as server:
        session = AiohttpSession(api=TelegramAPIServer.from_base(server.base_url))
        bot = build_bot(None, session=session, token=TOKEN)  # type: ignore[arg-type]
        metrics = build_metrics()
        messenger = build_messenger(bot, metrics)
        assert isinstance(messenger, LeanTelegramMessenger)
        yield server, messenger, metrics
        await bot.session.close()


async def test_bulk_sends_count_their_failures_and_pauses(lean) -> None:  # type: ignore[no-untyped-def]
    server, messenger, metrics = lean
    assert await messenger.send(OutgoingMessage(USER, "Rappel")) > 0
    with pytest.raises(RecipientBlocked):
        await messenger.send(OutgoingMessage(BLOCKED, "Rappel"))
    server.telegram.fault = lambda method, params: error(
        429, "Too Many Requests: retry after 3", retry_after=3)
    with pytest.raises(RetryAfter):
        await messenger.send(OutgoingMessage(USER, "Rappel"))
    assert value(metrics, "relais_telegram_errors_total", error="forbidden") == 1
    assert value(metrics, "relais_telegram_errors_total", error="retry_after") == 1
    assert value(metrics, "relais_telegram_retry_after_total") == 1
    assert value(metrics, "relais_telegram_retry_after_seconds_total") == 3
    assert "Rappel" not in metrics.render().decode()
