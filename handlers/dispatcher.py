"""Build the dispatcher: storage, middlewares and every feature's router, from the app."""

from __future__ import annotations

from aiogram import Dispatcher, Router
from aiogram.fsm.storage.base import BaseEventIsolation, BaseStorage
from aiogram.fsm.storage.memory import MemoryStorage, SimpleEventIsolation
from aiogram.fsm.storage.redis import DefaultKeyBuilder

from bot.app import App
from bot.plugins import import_modules
from handlers.inline_filters import check_commands_first, run_filters_inline
from handlers.isolation import (
    CROSS_PROCESS_POLL_SECONDS,
    LocalFirstIsolation,
    StateReadingIsolation,
    StateReadingStorage,
)
from handlers.middlewares.chat_turn import ChatTurnMiddleware, WorkerReadMiddleware
from handlers.middlewares.database import DatabaseMiddleware
from handlers.middlewares.errors import ErrorReplyMiddleware
from handlers.middlewares.flow import CommandLeavesFlowMiddleware
from handlers.middlewares.language import LanguageMiddleware, build_i18n
from handlers.middlewares.media import MediaMiddleware
from handlers.middlewares.metrics import UpdateMetricsMiddleware
from handlers.middlewares.worker import WorkerMiddleware
from handlers.ops.metrics import metrics_of
from handlers.quick_routing import skip_routers_that_refuse
from handlers.reminders.held import ReleaseHeld

# Order matters: state-specific and command handlers first, free text and fallbacks last.
ROUTER_MODULES: tuple[str, ...] = (
    "handlers.onboarding",
    "handlers.language",
    "handlers.team",
    "handlers.oncall",
    "handlers.cases",
    "handlers.handoffs",
    "handlers.reminders",
    "handlers.broadcasts",
    "handlers.tools",
    "handlers.stats",
    "handlers.directory",
    "handlers.secure",
    "handlers.fallback",
)


def build_storage(app: App) -> tuple[BaseStorage, BaseEventIsolation]:
    """Redis storage and event isolation when Redis is configured, memory otherwise."""
    if app.redis is None:
        return MemoryStorage(), SimpleEventIsolation()
    key_builder = DefaultKeyBuilder(prefix=f"{app.redis_prefix}:fsm", with_bot_id=True)
    # A chat's lock outlives a process killed while holding it only as long as an update's claim
    # (aiogram's default is 60 s): after a crash, that chat's updates wait no longer than that.
    lock = {"timeout": app.settings.inbox_claim_seconds, "sleep": CROSS_PROCESS_POLL_SECONDS}
    # A conversation's state and data expire (RELAIS_STATE_TTL_HOURS after their last change):
    # nothing of an abandoned flow lingers in Redis.
    ttl = int(app.settings.state_ttl_hours * 3600)
    storage = StateReadingStorage(app.redis, key_builder=key_builder, state_ttl=ttl, data_ttl=ttl)
    return storage, LocalFirstIsolation(StateReadingIsolation(storage, lock))


def build_routers() -> list[Router]:
    """Every feature's router, fresh (a router belongs to one dispatcher)."""
    return [module.build_router() for module in import_modules(ROUTER_MODULES)]


def build_dispatcher(app: App) -> Dispatcher:
    """A fresh dispatcher with its own routers, so tests can build one per test."""
    storage, isolation = build_storage(app)
    # aiogram's FSM middleware is replaced by one that asks for the chat's turn without
    # waiting for it (``dispatcher.fsm`` still holds the storage, and closes it at shutdown)
    dispatcher = Dispatcher(storage=storage, events_isolation=isolation, app=app,
                            disable_fsm=True)
    dispatcher.update.outer_middleware(ChatTurnMiddleware(storage, isolation))
    i18n = build_i18n(app.translator)
    dispatcher["i18n"] = i18n
    # first after the turn, so it times the whole update, commit included
    dispatcher.update.outer_middleware(UpdateMetricsMiddleware(metrics_of(app)))
    # one transaction per update, which also marks it handled (a redelivery is skipped)
    dispatcher.update.outer_middleware(DatabaseMiddleware(
        app.sessionmaker, app.clock, i18n, app.settings.default_language,
        app.settings.inbox_claim_seconds))
    # the worker read while the turn is on its way, then the turn waited for
    dispatcher.update.outer_middleware(WorkerReadMiddleware())
    for observer in (dispatcher.message, dispatcher.callback_query):
        observer.outer_middleware(WorkerMiddleware(i18n))
        observer.outer_middleware(LanguageMiddleware(i18n, app.settings.default_language))
        observer.outer_middleware(ErrorReplyMiddleware(app.clock))
        # whatever a worker back from blocking the bot sends, their held reminders come
        observer.outer_middleware(ReleaseHeld())
    dispatcher.message.outer_middleware(CommandLeavesFlowMiddleware())
    # photos, files, voice, contacts, locations...: deleted and explained, step kept
    dispatcher.message.outer_middleware(MediaMiddleware())
    dispatcher.include_routers(*build_routers())
    skip_routers_that_refuse(dispatcher)  # before the filters are wrapped: it reads them
    run_filters_inline(dispatcher)  # after every router is in: aiogram would thread them
    check_commands_first(dispatcher)  # free text skips every command's parsing
    return dispatcher
