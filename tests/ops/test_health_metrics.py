"""Health, readiness and metrics of ``relais run``: a real process against the Bot API
stand-in, plus the database figures and the counters checked in-process."""

from __future__ import annotations

import asyncio
import re
import time
from datetime import timedelta
from pathlib import Path

import pytest
from aiogram.exceptions import TelegramForbiddenError, TelegramRetryAfter
from prometheus_client.parser import text_string_to_metric_families

from bot.app import App, build_app
from bot.config import Settings
from bot.db.migrate import upgrade
from bot.models.broadcasts import Broadcast, BroadcastDelivery
from bot.models.cases import Case
from bot.models.handoffs import Handoff
from bot.models.reminders import ScheduledJob
from bot.services import ops_figures
from handlers.console.fake_api import error
from handlers.ops import metrics as ops_metrics
from handlers.ops.health import Readiness
from handlers.ops.telegram_errors import install as install_error_counter
from handlers.runtime import build_bot
from tests.ops.conftest import TOKEN, WORKERS, prepare_database, running_relais, wait_for_sends
from tests.standin.server import StandIn

PHONE_TEXT = "appelle-la au 514 555 0199"
Sample = tuple[str, dict[str, str], float]


def samples(body: str) -> list[Sample]:
    """Every sample of a Prometheus text exposition (parsed by the official parser)."""
    return [(s.name, dict(s.labels), s.value)
            for family in text_string_to_metric_families(body) for s in family.samples]


def value(body: str, name: str, **labels: str) -> float:
    """The sample ``name{labels}``; fails when it is not exposed."""
    for sample_name, sample_labels, sample_value in samples(body):
        if sample_name == name and sample_labels == labels:
            return sample_value
    raise AssertionError(f"{name}{labels} not in /metrics")


async def metrics_until(relais, check, limit: float = 30.0) -> str:  # type: ignore[no-untyped-def]
    """``/metrics`` once ``check(body)`` holds (the counters move just after the reply)."""
    deadline = time.monotonic() + limit
    body = ""
    while time.monotonic() < deadline:
        status, body = await relais.get("/metrics")
        assert status == 200
        if check(body):
            return body
        await asyncio.sleep(0.2)
    raise AssertionError(f"/metrics never matched; last:\n{body}")


# ---- a real process ------------------------------------------------------------------------


@pytest.mark.timeout(180)
async def test_polling_process_health_readiness_and_metrics(
        standin: StandIn, sqlite_file_url: str, tmp_path: Path) -> None:
    await prepare_database(sqlite_file_url)
    async with running_relais(standin, sqlite_file_url,
                              stderr_path=tmp_path / "relais.log") as relais:
        await relais.wait_healthy()
        assert await relais.get("/healthz") == (200, "ok\n")
        assert await relais.wait_for("/readyz", 200, "ready", limit=60) == "ready\n"

        # /help from a registered worker: counted as a handled message, and timed.
        before = (await relais.get("/metrics"))[1]
        assert value(before, "relais_updates_total", type="message", outcome="handled") == 0
        standin.telegram.user_sends(WORKERS[0], "/help")
        await wait_for_sends(standin.telegram, WORKERS[0], 1, limit=60)
        after = await metrics_until(relais, lambda body: value(
            body, "relais_updates_total", type="message", outcome="handled") >= 1)
        assert value(after, "relais_update_seconds_count", type="message") >= 1
        assert value(after, "relais_update_seconds_sum", type="message") > 0
        assert value(after, "relais_update_seconds_bucket", type="message", le="+Inf") >= 1

        # A phone number typed as a search: refused by the screen, counted by kind only.
        standin.telegram.user_sends(WORKERS[1], PHONE_TEXT)
        refusal = (await wait_for_sends(standin.telegram, WORKERS[1], 1, limit=60))[0]
        assert "514" not in refusal
        body = await metrics_until(relais, lambda body: value(
            body, "relais_privacy_refusals_total", kind="PHONE") >= 1)
        assert value(body, "relais_privacy_refusals_total", kind="PHONE") == 1
        assert value(body, "relais_privacy_refusals_total", kind="EMAIL") == 0
        labels = {v for _n, sample_labels, _v in samples(body) for v in sample_labels.values()}
        for label in labels:
            assert re.fullmatch(r"[A-Za-z0-9_.+\-]+", label), label
            for secret in ("514", "555 0199", "0199", "appelle", *map(str, WORKERS)):
                assert secret not in label, (secret, label)
        # the database figures are served (no handoff, no broadcast here; the periodic checks
        # of a fresh process may be due for a moment, so the reminder gauges are only present:
        # their values are tested on crafted rows below)
        assert value(body, "relais_figures_up") == 1
        assert value(body, "relais_handoffs", status="requested") == 0
        assert value(body, "relais_broadcast_queue_depth") == 0
        for gauge in ("relais_reminders_due", "relais_reminders_late"):
            assert re.search(rf"^{gauge} \d", body, re.MULTILINE), gauge

        # The Bot API goes away: not ready, with one line naming it, and errors counted.
        await standin.stop()
        down = await relais.wait_for("/readyz", 503, "telegram: Bot API not reachable",
                                     limit=60)
        assert down.strip() == "telegram: Bot API not reachable (TelegramNetworkError)", down
        assert TOKEN not in down and "127.0.0.1" not in down
        assert (await relais.get("/healthz"))[0] == 200  # alive all the same
        await metrics_until(relais, lambda body: value(
            body, "relais_telegram_errors_total", error="network") >= 1)
    assert relais.returncode == 0, relais.stderr()[-3000:]
    logs = relais.stderr()
    assert PHONE_TEXT not in logs and "514 555" not in logs, "message text must never be logged"


@pytest.mark.timeout(180)
async def test_webhook_process_serves_health(standin: StandIn, sqlite_file_url: str,
                                             tmp_path: Path) -> None:
    from tests.ops.conftest import free_port

    await prepare_database(sqlite_file_url)
    port = free_port()
    env = {"RELAIS_WEBHOOK_URL": f"http://127.0.0.1:{port}/webhook",
           "RELAIS_WEBHOOK_SECRET": "ops-Secret_123", "RELAIS_WEBHOOK_PORT": str(port)}
    async with running_relais(standin, sqlite_file_url, "run", "--webhook", extra_env=env,
                              stderr_path=tmp_path / "relais.log") as relais:
        await relais.wait_healthy()
        assert await relais.wait_for("/readyz", 200, "ready", limit=60) == "ready\n"
        status, body = await relais.get("/metrics")
        assert status == 200
        assert value(body, "relais_updates_total", type="callback_query", outcome="error") == 0
    assert relais.returncode == 0, relais.stderr()[-3000:]


# ---- readiness checks in-process -----------------------------------------------------------


async def test_readiness_names_a_database_behind_the_migrations(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'old.db'}"
    await upgrade(url, "0007_meta")
    server = StandIn(TOKEN)
    await server.start()
    app = build_app(Settings(_env_file=None, database_url=url,  # type: ignore[call-arg]
                             telegram_api=server.base_url))
    bot = build_bot(app, token=TOKEN)
    try:
        problems = await Readiness(app, bot).problems()
        heads = ops_figures.code_heads()
        assert problems == [f"migrations: database at 0007_meta, code at {', '.join(sorted(heads))} "
                            "(run `relais db upgrade`)"]
        await upgrade(url)
        assert await Readiness(app, bot).problems() == []
    finally:
        await bot.session.close()
        await app.close()
        await server.stop()


async def test_readiness_without_a_database_says_so_without_its_url(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'missing' / 'relais.db'}"  # folder does not exist
    server = StandIn(TOKEN)
    await server.start()
    app = build_app(Settings(_env_file=None, database_url=url,  # type: ignore[call-arg]
                             telegram_api=server.base_url))
    bot = build_bot(app, token=TOKEN)
    try:
        problems = await Readiness(app, bot).problems()
    finally:
        await bot.session.close()
        await app.close()
        await server.stop()
    assert problems == ["database: not answering (OperationalError)",
                        "migrations: not checked (no database)"]
    assert not any(str(tmp_path) in line for line in problems)


def stand_in_bot(app: App, server: StandIn):  # type: ignore[no-untyped-def]
    from aiogram.client.session.aiohttp import AiohttpSession
    from aiogram.client.telegram import TelegramAPIServer

    session = AiohttpSession(api=TelegramAPIServer.from_base(server.base_url))
    return build_bot(app, session=session, token=TOKEN)


async def test_ready_on_each_backend_and_get_me_cached(app: App) -> None:
    """Database (and Redis, on the PostgreSQL run) answer: ready; probes share one getMe."""
    server = StandIn(TOKEN)
    await server.start()
    bot = stand_in_bot(app, server)
    try:
        readiness = Readiness(app, bot, telegram_cache_seconds=60)
        for _ in range(5):
            assert await readiness.problems() == []
        calls = [m for m, _p in server.telegram.requests if m.lower() == "getme"]
        assert len(calls) == 1
    finally:
        await bot.session.close()
        await server.stop()


async def test_readiness_names_redis_when_it_does_not_answer(tmp_path: Path) -> None:
    from tests.ops.conftest import free_port

    url = f"sqlite+aiosqlite:///{tmp_path / 'r.db'}"
    await upgrade(url)
    server = StandIn(TOKEN)
    await server.start()
    app = build_app(Settings(_env_file=None, database_url=url,  # type: ignore[call-arg]
                             redis_url=f"redis://127.0.0.1:{free_port()}/0"))
    bot = stand_in_bot(app, server)
    try:
        problems = await Readiness(app, bot).problems()
    finally:
        await bot.session.close()
        await app.close()
        await server.stop()
    assert problems == ["redis: not answering (ConnectionError)"]


# ---- Telegram errors -----------------------------------------------------------------------


async def test_telegram_errors_are_counted_by_class_and_429_pauses(tmp_path: Path) -> None:
    server = StandIn(TOKEN)
    await server.start()
    app = build_app(Settings(_env_file=None,  # type: ignore[call-arg]
                             database_url=f"sqlite+aiosqlite:///{tmp_path / 'x.db'}",
                             telegram_api=server.base_url))
    bot = build_bot(app, token=TOKEN)
    metrics = ops_metrics.build_metrics()
    install_error_counter(bot, metrics)
    install_error_counter(bot, metrics)  # once per session, however often it is called
    answers = iter([error(429, "Too Many Requests: retry after 7", retry_after=7),
                    error(403, "Forbidden: bot was blocked by the user")])
    server.telegram.fault = lambda method, params: next(answers, None)
    try:
        with pytest.raises(TelegramRetryAfter):
            await bot.get_me()
        with pytest.raises(TelegramForbiddenError):
            await bot.send_message(WORKERS[0], "secret text")
        await bot.get_me()  # answered: not counted
    finally:
        await bot.session.close()
        await app.close()
        await server.stop()
    body = metrics.render().decode()
    assert value(body, "relais_telegram_errors_total", error="retry_after") == 1
    assert value(body, "relais_telegram_errors_total", error="forbidden") == 1
    assert value(body, "relais_telegram_errors_total", error="network") == 0
    assert value(body, "relais_telegram_retry_after_total") == 1
    assert value(body, "relais_telegram_retry_after_seconds_total") == 7
    assert "secret text" not in body and "blocked" not in body


# ---- the update middleware -----------------------------------------------------------------


async def test_update_outcomes() -> None:
    from aiogram.dispatcher.event.bases import UNHANDLED
    from aiogram.types import Update

    from handlers.middlewares.metrics import UpdateMetricsMiddleware

    metrics = ops_metrics.build_metrics()
    middleware = UpdateMetricsMiddleware(metrics)
    message = Update.model_validate({"update_id": 1, "message": {
        "message_id": 1, "date": 0, "chat": {"id": 5, "type": "private"}, "text": "x"}})
    query = Update.model_validate({"update_id": 2, "callback_query": {
        "id": "q", "from": {"id": 5, "is_bot": False, "first_name": "A"}, "chat_instance": "c",
        "data": "d"}})

    async def handled(_event, data):  # type: ignore[no-untyped-def]
        data["session"] = object()  # what the database middleware does before the handlers

    async def already_handled(_event, _data):  # type: ignore[no-untyped-def]
        return None

    async def unwanted(_event, data):  # type: ignore[no-untyped-def]
        data["session"] = object()
        return UNHANDLED

    async def failing(_event, data):  # type: ignore[no-untyped-def]
        raise RuntimeError("boom")

    await middleware(handled, message, {})
    await middleware(already_handled, message, {})
    await middleware(unwanted, query, {})
    with pytest.raises(RuntimeError):
        await middleware(failing, query, {})
    body = metrics.render().decode()
    assert value(body, "relais_updates_total", type="message", outcome="handled") == 1
    assert value(body, "relais_updates_total", type="message", outcome="skipped") == 1
    assert value(body, "relais_updates_total", type="callback_query", outcome="skipped") == 1
    assert value(body, "relais_updates_total", type="callback_query", outcome="error") == 1
    assert value(body, "relais_update_seconds_count", type="message") == 2
    # no metric set (tests, console): the update goes through untouched
    assert await UpdateMetricsMiddleware(None)(unwanted, message, {}) is UNHANDLED


def test_registries_are_per_metric_set() -> None:
    first, second = ops_metrics.build_metrics(), ops_metrics.build_metrics()
    first.refused(["PHONE", "PHONE", "NAME-NOT-A-KIND"])
    assert value(first.render().decode(), "relais_privacy_refusals_total", kind="PHONE") == 1
    assert value(first.render().decode(), "relais_privacy_refusals_total", kind="OTHER") == 1
    assert value(second.render().decode(), "relais_privacy_refusals_total", kind="PHONE") == 0
    ops_metrics.record_refusal(None, ["PHONE"])  # no app: nothing, no error


# ---- database figures (both backends) ------------------------------------------------------


async def test_figures_count_crafted_rows(app: App) -> None:
    from bot.models.core import Organisation, Worker

    now = app.clock.now()
    late = app.settings.reminder_late_seconds
    async with app.sessionmaker() as session:
        org = Organisation(name="Organisme fictif", created_at=now)
        session.add(org)
        await session.flush()
        worker = Worker(telegram_id=WORKERS[0], display_name="Ops", role="worker",
                        organisation_id=org.id, created_at=now, language="fr")
        session.add(worker)
        case = Case(code="K7-4QX", created_at=now, updated_at=now)
        session.add(case)
        await session.flush()
        for status in ("requested", "requested", "accepted", "completed"):
            session.add(Handoff(case_id=case.id, status=status, created_at=now, updated_at=now))

        def job(state: str, due_ago: float, deferred_ago: float | None = None) -> ScheduledJob:
            due = now - timedelta(seconds=due_ago)
            deferred = None if deferred_ago is None else now - timedelta(seconds=deferred_ago)
            return ScheduledJob(kind="test", worker_id=worker.id, state=state, due_at=due,
                                next_attempt_at=deferred or due, deferred_to=deferred,
                                created_at=now, updated_at=now, payload={})

        session.add_all([
            job("pending", 10),             # due
            job("sending", late + 60),      # due and late
            job("pending", late + 60),      # due and late
            job("pending", -60),            # not due yet
            job("sent", late + 60),         # sent: neither
            job("held", late + 60),         # held (recipient blocked): neither
            job("pending", late + 600, deferred_ago=-30),  # quiet hours: due later
            job("pending", late + 600, deferred_ago=5),    # deferred, due, not late
        ])
        broadcast = Broadcast(author_chat_id=1, audience_kind="all", created_at=now)
        session.add(broadcast)
        await session.flush()
        for number, status in enumerate(("pending", "pending", "sending", "sent", "failed")):
            session.add(BroadcastDelivery(broadcast_id=broadcast.id, chat_id=100 + number,
                                          language="fr", status=status, next_attempt_at=now))
        await session.commit()

    async with app.sessionmaker() as session:
        figures = await ops_figures.read_figures(session, now=now, late_seconds=late)
    assert figures.handoffs_by_status["requested"] == 2
    assert figures.handoffs_by_status["accepted"] == 1
    assert figures.handoffs_by_status["completed"] == 1
    assert figures.handoffs_by_status["cancelled"] == 0  # every status is shown
    assert (figures.reminders_due, figures.reminders_late) == (4, 2)
    assert figures.broadcast_queue == 3

    # served as gauges at scrape time, labelled by status only
    metrics = ops_metrics.build_metrics()
    await metrics.refresh_figures(app.sessionmaker, now, late)
    body = metrics.render().decode()
    assert value(body, "relais_handoffs", status="requested") == 2
    assert value(body, "relais_reminders_due") == 4
    assert value(body, "relais_reminders_late") == 2
    assert value(body, "relais_broadcast_queue_depth") == 3
    assert value(body, "relais_figures_up") == 1
    assert "K7-4QX" not in body


async def test_figures_absent_when_the_database_is_away(tmp_path: Path) -> None:
    app = build_app(Settings(_env_file=None,  # type: ignore[call-arg]
                             database_url=f"sqlite+aiosqlite:///{tmp_path / 'no' / 'x.db'}"))
    metrics = ops_metrics.build_metrics()
    try:
        await metrics.refresh_figures(app.sessionmaker, app.clock.now(), 120)
    finally:
        await app.close()
    body = metrics.render().decode()
    assert value(body, "relais_figures_up") == 0
    assert not [name for name, _labels, _value in samples(body)
                if name in ("relais_reminders_due", "relais_handoffs")]  # no made-up zero
