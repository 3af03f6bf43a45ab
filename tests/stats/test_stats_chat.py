"""``/stats`` through the real dispatcher: the period, the region, the summary, the charts and the
CSV, in each reader's language; refusals; tampered buttons; the audit entry."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from bot.errors import InvalidInput, NotAllowed
from bot.models.core import AuditEntry, Worker
from bot.services.stats import report
from bot.services.stats.charts import TITLES
from bot.services.stats.demo_activity import add_activity
from bot.services.stats.periods import Period
from tests.support.chat import Chat

CHARTS = ["handoffs-by-month.png", "time-to-acceptance.png", "cross-region-flows.png",
          "unmet-need.png"]
FRENCH_PERIODS = ["Ce mois-ci", "Le mois dernier", "12 derniers mois", "Cette année",
                  "L'année dernière"]


async def invent_activity(app, months: int = 6) -> None:  # type: ignore[no-untyped-def]
    """A few months of invented handoffs and searches up to the test clock's today."""
    async with app.sessionmaker() as session:
        await add_activity(session, now=app.clock.now(), zone=app.settings.zone, months=months)
        await session.commit()


def asked(summary: str, words: str) -> int:
    """The number after "words:" in a summary ("1 234" read as 1234)."""
    found = re.search(words + r"\s*:\s*(\d[\d\s]*\d|\d)\n", summary)
    assert found, summary
    return int(re.sub(r"\s", "", found.group(1)))


async def stats_audit(app) -> list[AuditEntry]:  # type: ignore[no-untyped-def]
    async with app.sessionmaker() as session:
        return list((await session.scalars(
            select(AuditEntry).where(AuditEntry.action == "stats.viewed"))).all())


def assert_figures(chat: Chat, name: str, events, titles: dict[str, str]) -> None:  # type: ignore[no-untyped-def]
    """Four charts (names, captions) of a sensible size, then the CSV, which can be forwarded (anonymous: made for funders)."""
    photos = chat.files(name, events, kind="photo")
    assert [e.text.split("]")[0].lstrip("[") for e in photos] == CHARTS
    for event in photos:
        file_name = event.text.split("]")[0].lstrip("[")
        assert event.text.startswith(f"[{file_name}] {titles[file_name]}")
        assert 10_000 < event.size < 2_000_000
    documents = chat.files(name, events, kind="document")
    assert len(documents) == 1 and not documents[0].protected and documents[0].size > 500
    # the order a reader sees: the summary (edited question), the photos, the CSV
    kinds = [e.kind for e in chat.seen_by(name, events) if e.kind != "notice"]
    assert kinds[-5:] == ["photo"] * 4 + ["document"] and kinds.count("edit") == 2


async def test_a_coordinator_sees_their_figures_in_french(chat: Chat, app) -> None:  # type: ignore[no-untyped-def]
    await invent_activity(app)
    await chat.register("claire", role="coordinator", regions=("06",), lang="fr")
    events = await chat.say("claire", "/stats")
    assert chat.texts("claire", events) == "📊 Quelle période?"
    assert chat.buttons("claire") == FRENCH_PERIODS
    events = await chat.press("claire", "12 derniers mois")
    edits = [e.text for e in chat.seen_by("claire", events) if e.kind == "edit"]
    assert edits[0] == "⏳ Préparation des chiffres…"
    summary = edits[1]
    assert summary.startswith("Chiffres\u00a0: 12 derniers mois (févr. 2025 à janv. 2026)\n")
    assert "Régions\u00a0: Montréal" in summary
    assert asked(summary, "Demandes de prise en charge") > 20
    french = app.translator.text("fr")
    assert all(french.gettext(title) != title for title in TITLES.values())  # in French
    assert_figures(chat, "claire", events, {n: french.gettext(t) for n, t in TITLES.items()})
    csv = chat.files("claire", events, kind="document")[0].text
    assert csv.startswith("[relais-stats-2025-02_2026-01-r06.csv] ")
    assert "Les mêmes chiffres en tableaux (CSV)" in csv
    [entry] = await stats_audit(app)
    assert entry.actor_id == (await chat.worker("claire")).id
    assert entry.details == {"period": "2025-02..2026-01", "regions": 1, "charts": 4}
    assert chat.buttons("claire") == []  # the question's buttons are gone


async def test_an_admin_sees_every_region_in_english(chat: Chat, app) -> None:  # type: ignore[no-untyped-def]
    await invent_activity(app)
    await chat.register("ada", role="admin", regions=(), lang="en")
    await chat.say("ada", "/stats")
    assert chat.buttons("ada") == ["This month", "Last month", "Last 12 months", "This year",
                                   "Last year"]
    events = await chat.press("ada", "Last month")  # no region question for admins
    summary = [e.text for e in chat.seen_by("ada", events) if e.kind == "edit"][1]
    assert summary.startswith("Figures: December 2025\n")
    assert asked(summary, "Handoffs requested") > 20
    english = app.translator.text("en")
    assert_figures(chat, "ada", events, {n: english.gettext(t) for n, t in TITLES.items()})
    csv = chat.files("ada", events, kind="document")[0].text
    assert csv.startswith("[relais-stats-2025-12.csv] The same figures as tables (CSV)")
    [entry] = await stats_audit(app)
    assert entry.details == {"period": "2025-12..2025-12", "regions": 17, "charts": 4}


async def test_a_coordinator_of_two_regions_is_asked_which(chat: Chat, app) -> None:  # type: ignore[no-untyped-def]
    await invent_activity(app, months=2)
    await chat.register("coco", role="coordinator", regions=("06", "13"), lang="fr")
    await chat.say("coco", "/stats")
    events = await chat.press("coco", "Ce mois-ci")
    assert chat.texts("coco", events) == "📊 Quelle région?"
    assert chat.buttons("coco") == ["Toutes mes régions", "06 Montréal", "13 Laval"]
    assert await stats_audit(app) == []
    events = await chat.press("coco", "13 Laval")
    assert len(chat.files("coco", events, kind="document")) == 1
    assert "[relais-stats-2026-01-r13.csv]" in chat.texts("coco", events)
    [entry] = await stats_audit(app)
    assert entry.details["regions"] == 1
    # all of mine, from the same (old) keyboard: still works
    await chat.say("coco", "/stats")
    await chat.press("coco", "Ce mois-ci")
    events = await chat.press("coco", "Toutes mes régions")
    assert "[relais-stats-2026-01.csv]" in chat.texts("coco", events)
    assert [e.details["regions"] for e in await stats_audit(app)] == [1, 2]


async def test_plain_workers_are_refused_in_their_language(chat: Chat, app) -> None:  # type: ignore[no-untyped-def]
    await chat.register("wanda", role="worker", lang="en")
    await chat.register("willy", role="worker", lang="fr")
    events = await chat.say("wanda", "/stats")
    assert chat.texts("wanda", events) == "This command is for coordinators."
    events = await chat.say("willy", "/stats")
    french = app.translator.text("fr").gettext("This command is for coordinators.")
    assert chat.texts("willy", events) == french != "This command is for coordinators."
    assert chat.files("wanda") == [] and await stats_audit(app) == []
    help_text = chat.texts("wanda", await chat.say("wanda", "/help"))
    assert "/stats" not in help_text
    await chat.register("coco", role="coordinator", regions=("06",), lang="en")
    assert "/stats — Figures of your regions" in chat.texts("coco", await chat.say("coco", "/help"))


async def test_tampered_buttons_get_a_clear_answer_and_nothing_is_lost(chat: Chat, app) -> None:  # type: ignore[no-untyped-def]
    await chat.register("coco", role="coordinator", regions=("06", "13"), lang="en")
    await chat.say("coco", "/stats")
    user = chat.user_id("coco")
    question = chat.telegram.latest_with_buttons(user)
    stale = "This button is not valid any more. Choose again, or send /stats."
    for data, answer in (("stp:week", stale), ("stp:y12345", stale), ("stg:12m:99", stale),
                         ("stg:forever:06", stale),
                         ("stg:12m:10", "You can see the figures of your own regions only.")):
        before = len(chat.telegram.events)
        await chat.console.feed(chat.telegram.user_presses(user, question, data))
        seen = chat.seen_by("coco", chat.telegram.events[before:])
        assert [(e.kind, e.text) for e in seen] == [("notice", answer)], data
    async with app.sessionmaker() as session:  # asking for another region is kept in the audit
        denied = (await session.scalars(
            select(AuditEntry).where(AuditEntry.action == "stats.denied"))).all()
    assert [e.actor_id for e in denied] == [(await chat.worker("coco")).id]
    before = len(chat.telegram.events)
    await chat.console.feed(chat.telegram.user_presses(user, question, "stg:12m:06:extra"))
    seen = chat.seen_by("coco", chat.telegram.events[before:])
    assert [(e.kind, e.text) for e in seen] == [  # no stats button at all: the stale answer
        ("notice", "This button is no longer valid.")]
    assert await stats_audit(app) == []
    # the question and its buttons are still there: a real choice works
    assert len(chat.buttons("coco")) == 5
    events = await chat.press("coco", "Last 12 months")
    assert chat.texts("coco", events) == "📊 Which region?"


def test_who_sees_which_regions() -> None:
    admin, coordinator, worker = (Worker(role=r) for r in ("admin", "coordinator", "worker"))
    coordinator.set_regions(["06", "13"])
    worker.set_regions(["06"])
    assert report.scope(admin) is None and report.scope(admin, "10") == ("10",)
    assert report.scope(coordinator) == ("06", "13") and report.scope(coordinator, "13") == ("13",)
    with pytest.raises(report.OtherRegion):
        report.scope(coordinator, "10")
    with pytest.raises(InvalidInput):
        report.scope(coordinator, "99")
    with pytest.raises(NotAllowed):
        report.scope(worker)
    twelve = Period("12m", "2025-02", "2026-01")
    assert report.csv_name(twelve, None) == "relais-stats-2025-02_2026-01.csv"
    assert report.csv_name(Period("month", "2026-01", "2026-01"), ("13",)) == (
        "relais-stats-2026-01-r13.csv")
