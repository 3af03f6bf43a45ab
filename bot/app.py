"""The application's shared parts, built once per process and passed to whoever needs them."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.clock import Clock, SystemClock
from bot.config import Settings
from bot.db.engine import make_engine, make_sessionmaker
from bot.i18n import Translator

if TYPE_CHECKING:
    from redis.asyncio import Redis

    from bot.messenger import Messenger


@dataclass
class App:
    """Settings, database, clock and translations, plus feature services built on first use."""

    settings: Settings
    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    clock: Clock
    translator: Translator
    redis: Redis | None = None
    messenger: Messenger | None = None
    redis_prefix: str = "relais"
    services: dict[str, Any] = field(default_factory=dict)

    @cached_property
    def gazetteer(self) -> Any:
        from knowledge.places import load_gazetteer

        return load_gazetteer()

    @cached_property
    def taxonomy(self) -> Any:
        from knowledge.taxonomy import load_taxonomy

        return load_taxonomy()

    async def close(self) -> None:
        """Release connections."""
        await self.engine.dispose()
        if self.redis is not None:
            await self.redis.aclose()


def build_app(
    settings: Settings, *, clock: Clock | None = None, redis_prefix: str = "relais"
) -> App:
    """Build the application parts from settings; nothing connects until first used."""
    engine = make_engine(settings.database_url)
    redis = None
    if settings.redis_url:
        from redis.asyncio import Redis

        redis = Redis.from_url(settings.redis_url)
    clock = clock or SystemClock()
    return App(
        settings=settings,
        engine=engine,
        sessionmaker=make_sessionmaker(engine),
        clock=clock,
        translator=Translator(settings.locales_dir, settings.default_language, settings.zone,
                              clock=clock.now),
        redis=redis,
        redis_prefix=redis_prefix,
    )
