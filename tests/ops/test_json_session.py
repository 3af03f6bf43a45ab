"""The bot's session sends calls as JSON (``handlers.json_session``) against the Bot API stand-in
over HTTP: Telegram receives the same fields as from aiogram's form, the answers are the same
objects, and every failure raises the same aiogram exception."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from types import SimpleNamespace
from typing import Any

import pytest
from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.session.middlewares.base import BaseRequestMiddleware
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import TelegramAPIError, TelegramNetworkError
from aiogram.methods import SendMessage
from aiogram.types import BotCommand, BufferedInputFile, InlineKeyboardButton, InlineKeyboardMarkup

from handlers.console.fake_api import error
from handlers.json_session import JsonSession
from handlers.runtime import build_bot
from tests.standin.server import StandIn, serving

TOKEN = "4242:json-session-test"
USER = 5_550_321
BLOCKED = 5_550_322

KEYBOARD = InlineKeyboardMarkup(inline_keyboard=[
    [InlineKeyboardButton(text="🤝 1 · Demander", callback_data="hand:17")],
    [InlineKeyboardButton(text="Lien", url="https://example.org/a?b=1"),
     InlineKeyboardButton(text="➡️", callback_data="pg:abc:2")],
])


def make_bot(base_url: str, session_class: type[AiohttpSession]) -> Bot:
    """A bot as ``relais run`` builds it (HTML parse mode by default) on the given session."""
    session = session_class(api=TelegramAPIServer.from_base(base_url))
    return build_bot(None, session=session, token=TOKEN)  # type: ignore[arg-type]


@pytest.fixture
async def standin() -> AsyncIterator[StandIn]:
    async with serving(TOKEN, {USER: "Alice", BLOCKED: "Bob"}, blocked=(BLOCKED,)) as server:
        yield server


@pytest.fixture
def content_types(monkeypatch) -> list[str]:  # type: ignore[no-untyped-def]
    """The content type of each request the stand-in reads."""
    seen: list[str] = []
    read = StandIn._fields

    async def recorded(request):  # type: ignore[no-untyped-def]
        seen.append(request.content_type)
        return await read(request)

    monkeypatch.setattr(StandIn, "_fields", staticmethod(recorded))
    return seen


@pytest.fixture
async def bots(standin: StandIn) -> AsyncIterator[tuple[Bot, Bot]]:
    form, json_bot = make_bot(standin.base_url, AiohttpSession), make_bot(standin.base_url,
                                                                           JsonSession)
    yield form, json_bot
    await form.session.close()
    await json_bot.session.close()


def test_relais_runs_on_the_json_session() -> None:
    app = SimpleNamespace(settings=SimpleNamespace(telegram_api="http://127.0.0.1:9"))
    assert isinstance(build_bot(app, token=TOKEN).session, JsonSession)  # type: ignore[arg-type]


async def _both(standin: StandIn, bots: tuple[Bot, Bot], call: Any,
                differ: tuple[str, ...] = ()) -> tuple[Any, Any]:
    """``call(bot, 0)`` with the form bot, then ``call(bot, 1)`` with the JSON bot; the two
    requests must be the same but for the fields in ``differ``, present in both."""
    first = await call(bots[0], 0)
    second = await call(bots[1], 1)
    (m1, p1), (m2, p2) = standin.telegram.requests[-2:]
    assert m1 == m2
    for field in differ:
        assert p1.pop(field) and p2.pop(field)
    assert p2 == p1
    return first, second


def _same_message(first: Any, second: Any) -> None:
    one = first.model_dump(exclude={"message_id", "date"})
    two = second.model_dump(exclude={"message_id", "date"})
    assert two == one
    assert second.message_id == first.message_id + 1  # the stand-in numbers messages per chat


async def test_messages_go_out_the_same_and_come_back_the_same(standin, bots, content_types) -> None:  # type: ignore[no-untyped-def]
    first, second = await _both(standin, bots, lambda bot, _i: bot.send_message(
        USER, "<b>Ressources</b> &amp; suivi", reply_markup=KEYBOARD))
    assert content_types[-2:] == ["application/x-www-form-urlencoded", "application/json"]
    _same_message(first, second)
    assert standin.telegram.requests[-1][1]["parse_mode"] == "HTML"
    first, second = await _both(standin, bots, lambda bot, _i: bot.send_message(
        USER, "sans clavier", protect_content=True, disable_notification=False))
    _same_message(first, second)


async def test_edits_deletions_and_commands_go_out_the_same(standin, bots) -> None:  # type: ignore[no-untyped-def]
    sent = [await bots[0].send_message(USER, "avant"), await bots[0].send_message(USER, "avant")]
    edited = await _both(standin, bots, lambda bot, i: bot.edit_message_text(
        text="après", chat_id=USER, message_id=sent[i].message_id, reply_markup=KEYBOARD),
        differ=("message_id",))
    assert edited[0].text == edited[1].text == "après"
    await _both(standin, bots, lambda bot, _i: bot.set_my_commands(
        [BotCommand(command="help", description="Aide"),
         BotCommand(command="find", description="Chercher")], language_code="fr"))
    me = await _both(standin, bots, lambda bot, _i: bot.get_me())
    assert me[1] == me[0]
    removed = await _both(standin, bots, lambda bot, i: bot.delete_message(
        USER, sent[i].message_id), differ=("message_id",))
    assert removed == (True, True)


async def test_a_file_keeps_aiograms_form(standin, bots, content_types) -> None:  # type: ignore[no-untyped-def]
    document = BufferedInputFile(b"code;nombre\nA;3\n", filename="chiffres.csv")
    first, second = await _both(standin, bots, lambda bot, _i: bot.send_document(
        USER, document, caption="Chiffres"), differ=("document",))
    assert standin.telegram.requests[-1][1]["_filename"] == "chiffres.csv"
    assert content_types[-1] == "multipart/form-data"
    assert second.document.file_name == first.document.file_name == "chiffres.csv"


async def test_an_unread_call_goes_out_the_same_and_returns_nothing(standin, bots) -> None:  # type: ignore[no-untyped-def]
    async def unread(bot: Bot, _i: int) -> Any:
        return await bot.session.call_unread(  # type: ignore[attr-defined]
            bot, SendMessage(chat_id=USER, text="<b>Page</b> 1", reply_markup=KEYBOARD))

    async def read(bot: Bot, _i: int) -> Any:
        return await bot.send_message(USER, "<b>Page</b> 1", reply_markup=KEYBOARD)

    bots_json = (bots[1], bots[1])
    sent, unread_result = await _both(standin, bots_json, lambda bot, i: (read, unread)[i](bot, i))
    assert unread_result is None and sent.text == "Page 1"
    assert standin.telegram.messages[(USER, sent.message_id + 1)]["text"] == "Page 1"


FAULTS: dict[str, Any] = {
    "429": lambda: error(429, "Too Many Requests: retry after 7", retry_after=7),
    "403": lambda: error(403, "Forbidden: bot was blocked by the user"),
    "400": lambda: error(400, "Bad Request: can't parse entities"),
    "404": lambda: error(404, "Not Found"),
    "401": lambda: error(401, "Unauthorized"),
    "409": lambda: error(409, "Conflict: terminated by other getUpdates request"),
    "413": lambda: error(413, "Request Entity Too Large"),
    "500": lambda: error(500, "Internal Server Error"),
    "migrate": lambda: error(400, "Bad Request: group chat was upgraded to a supergroup chat",
                             migrate_to_chat_id=-100123),
    "200 not ok": lambda: (200, {"ok": False, "description": "odd"}),
}


@pytest.mark.parametrize("fault", sorted(FAULTS))
async def test_failures_raise_aiograms_exceptions(standin, bots, fault: str) -> None:  # type: ignore[no-untyped-def]
    standin.telegram.fault = lambda method, params: FAULTS[fault]()
    outcomes = []
    for bot in bots:
        with pytest.raises(TelegramAPIError) as caught:
            await bot.send_message(USER, "x", reply_markup=KEYBOARD)
        outcomes.append((type(caught.value), str(caught.value)))
    assert outcomes[1] == outcomes[0]


@pytest.mark.parametrize("fault", sorted(FAULTS))
async def test_an_unread_call_fails_like_any_call_and_is_counted(standin, bots, fault: str) -> None:  # type: ignore[no-untyped-def]
    seen: list[str] = []

    class Watch(BaseRequestMiddleware):
        async def __call__(self, make_request, bot, method):  # type: ignore[no-untyped-def]
            try:
                return await make_request(bot, method)
            except TelegramAPIError as exc:
                seen.append(type(exc).__name__)
                raise

    json_bot = bots[1]
    json_bot.session.middleware(Watch())
    standin.telegram.fault = lambda method, params: FAULTS[fault]()
    outcomes = []
    for call in (lambda: json_bot.send_message(USER, "x"),
                 lambda: json_bot.session.call_unread(json_bot, SendMessage(chat_id=USER,
                                                                             text="x"))):
        with pytest.raises(TelegramAPIError) as caught:
            await call()
        outcomes.append((type(caught.value), str(caught.value)))
    assert outcomes[1] == outcomes[0]
    assert seen == [outcomes[0][0].__name__] * 2


async def test_real_refusals_raise_aiograms_exceptions(standin, bots) -> None:  # type: ignore[no-untyped-def]
    for chat_id, text in ((BLOCKED, "x"), (404404, "x"), (USER, "<b>unbalanced"),
                          (USER, "x" * 5000)):
        outcomes = []
        for bot in bots:
            with pytest.raises(TelegramAPIError) as caught:
                await bot.send_message(chat_id, text)
            outcomes.append((type(caught.value), str(caught.value)))
        assert outcomes[1] == outcomes[0]


async def test_a_server_nobody_answers_is_a_network_error() -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    bot = make_bot(f"http://127.0.0.1:{port}", JsonSession)
    try:
        with pytest.raises(TelegramNetworkError):
            await bot.send_message(USER, "x")
    finally:
        await bot.session.close()


async def test_a_call_that_takes_too_long_is_aiograms_timeout(standin, bots) -> None:  # type: ignore[no-untyped-def]
    standin.send_delay = 1.0
    outcomes = []
    for bot in bots:
        bot.session.timeout = 0.1
        with pytest.raises(TelegramNetworkError) as caught:
            await bot.send_message(USER, "x")
        outcomes.append((type(caught.value), str(caught.value)))
    assert outcomes[1] == outcomes[0]
    assert "timeout" in outcomes[0][1].lower()
    standin.send_delay = 0.0
    bots[1].session.timeout = 5.0
    assert (await bots[1].send_message(USER, "after")).text == "after"
