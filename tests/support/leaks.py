"""Where did a text end up? Scan every column of every table, and every Redis key of the app.

After a flow that must keep nothing of what a user typed, a test asserts that none of the typed
words is anywhere::

    from tests.support.leaks import assert_no_leak, find_leaks

    await assert_no_leak(app, ["jess", "tremblay", "555-1234", "gmail"])
    assert await find_leaks(app, ["zorglub"]) == []
    # with the conversation harness, in-memory conversation state too (without Redis)
    await assert_no_leak(app, ["jess"], storage=chat_storage(chat))

The search is case-insensitive. Every value of every row of every table of ``Base.metadata`` is
turned into text (``str()``; JSON as written, bytes decoded) and searched: encrypted columns hold
ciphertext, so a hit there would mean something was stored in clear. When the app has Redis,
every key under ``app.redis_prefix`` and its value (strings, hashes, lists, sets, sorted sets,
streams) are searched too; given the dispatcher's FSM storage, so is in-memory conversation
state (when there is no Redis). A hit names where it was (table, column and row, or Redis key), never
more of the stored value than the needle itself.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from bot.app import App
from bot.db.base import Base
from bot.models import load_all_models


@dataclass(frozen=True)
class Leak:
    """One place where a needle was found."""

    where: str  # "table.column[row key]" or "redis:<key>"
    needle: str

    def __str__(self) -> str:
        return f"{self.needle!r} in {self.where}"


def as_text(value: Any) -> str:
    """A stored value as searchable text (JSON kept unescaped, bytes decoded)."""
    if value is None:
        return ""
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).decode("utf-8", errors="replace")
    if isinstance(value, dict | list | tuple):
        try:
            return json.dumps(value, ensure_ascii=False, default=str)
        except (TypeError, ValueError):
            return str(value)
    return str(value)


def _hits(text: str, needles: list[str]) -> list[str]:
    lowered = text.casefold()
    return [needle for needle in needles if needle in lowered]


async def database_leaks(app: App, needles: Iterable[str]) -> list[Leak]:
    """Every (table, column, row) of the database holding one of ``needles``."""
    wanted = [n.casefold() for n in needles if n]
    load_all_models()
    found: list[Leak] = []
    async with app.engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            rows = await connection.execute(select(table))
            key_columns = [c.name for c in table.primary_key.columns]
            for row in rows.mappings():
                row_key = ",".join(str(row[c]) for c in key_columns) if key_columns else "?"
                for column in table.columns:
                    for needle in _hits(as_text(row[column]), wanted):
                        found.append(Leak(f"{table.name}.{column.name}[{row_key}]", needle))
    return found


async def _redis_value(redis: Any, key: Any) -> str:
    kind = await redis.type(key)
    kind = kind.decode() if isinstance(kind, bytes) else str(kind)
    if kind == "string":
        value: Any = await redis.get(key)
    elif kind == "hash":
        value = await redis.hgetall(key)
    elif kind == "list":
        value = await redis.lrange(key, 0, -1)
    elif kind == "set":
        value = await redis.smembers(key)
    elif kind == "zset":
        value = await redis.zrange(key, 0, -1, withscores=True)
    elif kind == "stream":
        value = await redis.xrange(key)
    else:  # "none": expired meanwhile
        return ""
    return _flatten(value)


def _flatten(value: Any) -> str:
    if isinstance(value, dict):
        return " ".join(f"{_flatten(k)} {_flatten(v)}" for k, v in value.items())
    if isinstance(value, list | tuple | set | frozenset):
        return " ".join(_flatten(v) for v in value)
    return as_text(value)


async def redis_leaks(app: App, needles: Iterable[str]) -> list[Leak]:
    """Every Redis key under the app's prefix whose name or value holds one of ``needles``."""
    if app.redis is None:
        return []
    wanted = [n.casefold() for n in needles if n]
    found: list[Leak] = []
    async for key in app.redis.scan_iter(match=f"{app.redis_prefix}:*", count=500):
        name = as_text(key)
        for needle in dict.fromkeys(_hits(name, wanted) + _hits(
                await _redis_value(app.redis, key), wanted)):
            found.append(Leak(f"redis:{name}", needle))
    return found


def memory_state_leaks(storage: Any, needles: Iterable[str]) -> list[Leak]:
    """Conversation states and data of an in-memory FSM storage (aiogram's ``MemoryStorage``,
    used without Redis) holding one of ``needles``; nothing for another storage."""
    records = getattr(storage, "storage", None)
    if not isinstance(records, dict):
        return []
    wanted = [n.casefold() for n in needles if n]
    found: list[Leak] = []
    for key, record in records.items():
        text = f"{as_text(getattr(record, 'data', None))} {getattr(record, 'state', None) or ''}"
        for needle in _hits(text, wanted):
            found.append(Leak(f"memory state of chat {getattr(key, 'chat_id', '?')}", needle))
    return found


async def find_leaks(app: App, needles: Iterable[str], *, storage: Any = None) -> list[Leak]:
    """Every place in the database, in Redis and (given the dispatcher's FSM ``storage``) in
    in-memory conversation state holding one of ``needles`` (case-insensitive)."""
    needles = list(needles)
    return [*await database_leaks(app, needles), *await redis_leaks(app, needles),
            *memory_state_leaks(storage, needles)]


async def assert_no_leak(app: App, needles: Iterable[str], *, storage: Any = None) -> None:
    """Fail, naming where, if any of ``needles`` is stored anywhere."""
    leaks = await find_leaks(app, needles, storage=storage)
    assert not leaks, "typed text found in storage: " + "; ".join(map(str, leaks))


async def redis_keys(app: App, pattern: str = "*") -> list[str]:
    """The app's Redis keys matching ``<prefix>:<pattern>`` (empty without Redis)."""
    if app.redis is None:
        return []
    return [as_text(key) async for key in app.redis.scan_iter(
        match=f"{app.redis_prefix}:{pattern}", count=500)]


def chat_storage(chat: Any) -> Any:
    """The FSM storage of a :class:`tests.support.chat.Chat` harness's dispatcher."""
    dispatcher = chat.console.dispatcher
    return dispatcher.fsm.storage if dispatcher is not None else None
