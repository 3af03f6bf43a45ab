"""Audience selection in SQL and the region limits of coordinators."""

from __future__ import annotations

import pytest

from bot.errors import NotAllowed
from bot.models.core import Sector
from bot.services.broadcasts import audience as aud
from bot.services.organisations import get_or_create_organisation
from tests.support.chat import Chat


async def people(chat: Chat) -> dict:
    app = chat.app
    async with app.sessionmaker() as session:
        await get_or_create_organisation(session, "Police (fictive)", now=app.clock.now(),
                                         sector=Sector.POLICE.value)
        await get_or_create_organisation(session, "Refuge (fictif)", now=app.clock.now(),
                                         sector=Sector.SHELTER.value)
        await session.commit()
    return {
        "coord": await chat.register("coord", role="coordinator", regions=("06",)),
        "admin": await chat.register("admin", role="admin", regions=()),
        "w06": await chat.register("w06", regions=("06",)),
        "w06b": await chat.register("w06b", regions=("06", "13")),
        "w13": await chat.register("w13", regions=("13",)),
        "cop06": await chat.register("cop06", regions=("06",), org="Police (fictive)"),
        "shelter13": await chat.register("shelter13", regions=("13",), org="Refuge (fictif)"),
        "oncall06": await chat.register("oncall06", regions=("06",), on_call=True),
        "coord13": await chat.register("coord13", role="coordinator", regions=("13",)),
    }


async def names(app, audience, exclude=None) -> set[str]:  # type: ignore[no-untyped-def]
    async with app.sessionmaker() as session:
        rows = await session.scalars(aud.recipients_query(audience, exclude_worker_id=exclude))
        return {w.display_name for w in rows.all()}


async def test_audiences_select_the_right_workers(bchat, app):
    p = await people(bchat)
    coord = await bchat.worker("coord")
    admin = await bchat.worker("admin")
    mine = aud.make_audience(coord, aud.MINE)
    assert mine.regions == ("06",)
    assert await names(app, mine, coord.id) == {"w06", "w06b", "cop06", "oncall06"}
    police = aud.make_audience(coord, aud.SECTOR, value=Sector.POLICE.value)
    assert await names(app, police) == {"cop06"}
    assert await names(app, aud.make_audience(coord, aud.ONCALL)) == {"oncall06"}
    coords = aud.make_audience(coord, aud.ROLE, value="coordinator")
    assert await names(app, coords) == {"coord"}  # coord13 is not in 06
    # an administrator addresses the whole province
    shelters = aud.make_audience(admin, aud.SECTOR, value=Sector.SHELTER.value)
    assert shelters.regions == ()
    assert await names(app, shelters) == {"shelter13"}
    assert await names(app, aud.make_audience(admin, aud.REGIONS, regions=["13"])) == {
        "w06b", "w13", "shelter13", "coord13"}
    async with app.sessionmaker() as session:
        assert await aud.count_recipients(session, mine, exclude_worker_id=coord.id) == 4
    assert p


async def test_coordinator_cannot_address_other_regions(bchat, app):
    await people(bchat)
    coord = await bchat.worker("coord")
    with pytest.raises(NotAllowed):
        aud.make_audience(coord, aud.REGIONS, regions=["06", "13"])
    worker = await bchat.worker("w06")
    with pytest.raises(NotAllowed):
        aud.make_audience(worker, aud.MINE)


async def test_inactive_and_blocked_workers_are_left_out(bchat, app):
    await people(bchat)
    async with app.sessionmaker() as session:
        from sqlalchemy import update

        from bot.models.core import Worker

        await session.execute(update(Worker).where(Worker.display_name == "w06").values(active=False))
        await session.execute(
            update(Worker).where(Worker.display_name == "w06b").values(blocked_bot=True))
        await session.commit()
    coord = await bchat.worker("coord")
    assert await names(app, aud.make_audience(coord, aud.MINE), coord.id) == {"cop06", "oncall06"}


async def test_region_buttons_offer_only_own_regions(bchat, app):
    await people(bchat)
    await bchat.say("coord", "/broadcast", lang="fr")
    await bchat.say("coord", "La formation de mardi est reportée.\n---\nTuesday's training is postponed.")
    await bchat.press("coord", "Des régions choisies")
    labels = bchat.buttons("coord")
    assert any("06" in label for label in labels)
    assert not any("13 " in label for label in labels)
    await bchat.press("coord", "06")
    assert any(label.startswith("✅ 06") for label in bchat.buttons("coord"))
    events = await bchat.press("coord", "Terminé")
    assert "4 personnes" in bchat.texts("coord", events)
    # a forged button for region 13 is refused
    message = bchat.telegram.latest_with_buttons(bchat.user_id("coord"))
    await bchat.say("coord", "/broadcast")
    await bchat.say("coord", "Autre annonce pour la région.\n---\nAnother notice for the region.")
    await bchat.press("coord", "Des régions choisies")
    message = bchat.telegram.latest_with_buttons(bchat.user_id("coord"))
    events = await bchat._run(bchat.console.feed(
        bchat.telegram.user_presses(bchat.user_id("coord"), message, "bcr:13")))
    assert "vos propres régions" in bchat.texts("coord", events)
