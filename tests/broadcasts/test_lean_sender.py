"""The lean sendMessage (handlers/lean_sender.py) against the Bot API stand-in over HTTP: the same
request as aiogram's, and the same exceptions as ``handlers.messenger.translate`` for every answer.
"""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer

from bot.messenger import Button, OutgoingMessage, RecipientBlocked, RetryAfter, SendFailed
from handlers.console.fake_api import error
from handlers.lean_sender import LeanTelegramMessenger, build_messenger, error_for
from handlers.messenger import TelegramMessenger
from handlers.runtime import build_bot
from tests.standin.server import StandIn, serving

TOKEN = "4242:lean-sender-test"
USER = 5_550_123
BLOCKED = 5_550_124


def make_bot(base_url: str) -> Bot:
    """A bot as ``relais run`` builds it (HTML parse mode by default), on the given API."""
    session = AiohttpSession(api=TelegramAPIServer.from_base(base_url))
    return build_bot(None, session=session, token=TOKEN)  # type: ignore[arg-type]


@pytest.fixture
async def standin() -> AsyncIterator[StandIn]:
    async with serving(TOKEN, {USER: "Alice", BLOCKED: "Bob"}, blocked=(BLOCKED,)) as server:
        yield server


@pytest.fixture
async def messengers(standin: StandIn) -> AsyncIterator[tuple[TelegramMessenger, LeanTelegramMessenger]]:
    aiogram_bot, lean_bot = make_bot(standin.base_url), make_bot(standin.base_url)
    lean = build_messenger(lean_bot)
    assert isinstance(lean, LeanTelegramMessenger)
    yield TelegramMessenger(aiogram_bot), lean
    await aiogram_bot.session.close()
    await lean_bot.session.close()


MESSAGES = [
    OutgoingMessage(USER, "🔔 <b>Rappel</b>\nappeler l'organisme &amp; confirmer"),
    OutgoingMessage(USER, "Suivi", buttons=[[Button("✅ Fait", data="rem:done:7")],
                                           [Button("⏰ 1 h", data="rem:s1h:7"),
                                            Button("Lien", url="https://example.org/a?b=1")]],
                    protect_content=True),
    OutgoingMessage(USER, "sans protection", protect_content=False),
]


@pytest.mark.parametrize("message", MESSAGES)
async def test_same_request_and_message_as_aiogram(standin: StandIn, messengers, message) -> None:  # type: ignore[no-untyped-def]
    """Telegram receives the same fields either way, and both return its message id."""
    plain, lean = messengers
    first = await plain.send(message)
    second = await lean.send(message)
    assert second == first + 1  # the stand-in numbers messages per chat
    (m1, p1), (m2, p2) = standin.telegram.requests[-2:]
    assert m1 == m2 == "sendMessage"
    assert p2 == p1
    assert p2["parse_mode"] == "HTML"
    sent = [e for e in standin.telegram.events if e.kind == "send"][-2:]
    assert sent[0].text == sent[1].text and sent[0].buttons == sent[1].buttons
    assert sent[0].protected == sent[1].protected == message.protect_content
    assert standin.telegram.messages[(USER, second)]["text"] == sent[1].text


def _outcome(exc: BaseException) -> tuple[Any, ...]:
    extra = exc.seconds if isinstance(exc, RetryAfter) else getattr(exc, "permanent", None)
    return type(exc), str(exc), extra


FAULTS: dict[str, Any] = {
    "429": lambda: error(429, "Too Many Requests: retry after 7", retry_after=7),
    "429 without status": lambda: (400, {"ok": False, "error_code": 400,
                                         "description": "Bad Request: flood",
                                         "parameters": {"retry_after": 3}}),
    "403": lambda: error(403, "Forbidden: bot was blocked by the user"),
    "400 chat": lambda: error(400, "Bad Request: chat not found"),
    "400 deactivated": lambda: error(400, "Bad Request: user is deactivated"),
    "400 other": lambda: error(400, "Bad Request: can't parse entities"),
    "404": lambda: error(404, "Not Found"),
    "404 chat": lambda: error(404, "Not Found: chat not found"),
    "401": lambda: error(401, "Unauthorized"),
    "409": lambda: error(409, "Conflict: terminated by other getUpdates request"),
    "413": lambda: error(413, "Request Entity Too Large"),
    "500": lambda: error(500, "Internal Server Error"),
    "502 restart": lambda: error(502, "Bad Gateway: restart"),
    "migrate": lambda: error(400, "Bad Request: group chat was upgraded to a supergroup chat",
                             migrate_to_chat_id=-100123),
    "418": lambda: error(418, "I'm a teapot"),
    "200 not ok": lambda: (200, {"ok": False, "description": "odd"}),
}


@pytest.mark.parametrize("fault", sorted(FAULTS))
async def test_errors_map_like_translate(standin: StandIn, messengers, fault: str) -> None:  # type: ignore[no-untyped-def]
    """Each failed answer gives the exception handlers.messenger.translate makes of aiogram's."""
    plain, lean = messengers
    standin.telegram.fault = lambda method, params: FAULTS[fault]()
    outcomes = []
    for messenger in (plain, lean):
        with pytest.raises((RecipientBlocked, RetryAfter, SendFailed)) as caught:
            await messenger.send(MESSAGES[0])
        outcomes.append(_outcome(caught.value))
    assert outcomes[1] == outcomes[0]


async def test_real_refusals_of_the_standin(standin: StandIn, messengers) -> None:  # type: ignore[no-untyped-def]
    plain, lean = messengers
    cases = [OutgoingMessage(BLOCKED, "x"), OutgoingMessage(404404, "x"),
             OutgoingMessage(USER, "<b>unbalanced"), OutgoingMessage(USER, "x" * 5000),
             OutgoingMessage(USER, "x", buttons=[[Button("b", data="d" * 65)]])]
    for message in cases:
        outcomes = []
        for messenger in (plain, lean):
            with pytest.raises((RecipientBlocked, RetryAfter, SendFailed)) as caught:
                await messenger.send(message)
            outcomes.append(_outcome(caught.value))
        assert outcomes[1] == outcomes[0]
    assert isinstance(outcomes[0], tuple)
    with pytest.raises(RecipientBlocked):
        await lean.send(OutgoingMessage(BLOCKED, "x"))


async def test_network_failure_is_a_transient_send_failure() -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    bot = make_bot(f"http://127.0.0.1:{port}")
    try:
        for messenger in (TelegramMessenger(bot), LeanTelegramMessenger(bot)):
            with pytest.raises(SendFailed) as caught:
                await messenger.send(MESSAGES[0])
            assert str(caught.value) == "network" and not caught.value.permanent
    finally:
        await bot.session.close()


def test_error_for_reads_only_what_it_needs() -> None:
    assert isinstance(error_for(429, {"parameters": {"retry_after": 2}}), RetryAfter)
    assert error_for(429, {"parameters": {"retry_after": 2}}).seconds == 2.0  # type: ignore[attr-defined]
    assert isinstance(error_for(403, {}), RecipientBlocked)
    failed = error_for(400, {"description": "Bad Request: message is too long"})
    assert isinstance(failed, SendFailed) and failed.permanent
    failed = error_for(503, {"parameters": "garbage"})
    assert isinstance(failed, SendFailed) and not failed.permanent


async def test_other_sessions_keep_the_aiogram_messenger() -> None:
    from handlers.console.fake_api import FakeTelegram
    from handlers.console.session import ConsoleSession

    bot = build_bot(None, session=ConsoleSession(FakeTelegram()), token=TOKEN)  # type: ignore[arg-type]
    messenger = build_messenger(bot)
    assert type(messenger) is TelegramMessenger
