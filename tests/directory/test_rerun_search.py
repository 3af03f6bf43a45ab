""""Next services" after a decline or an expiry: the same stored search, widened the same way."""

from __future__ import annotations

from sqlalchemy import select

from bot.app import App
from bot.models.directory import DirectoryService
from bot.services.directory import interpret
from bot.services.handoffs.routing import rerun_search


async def test_next_services_keep_the_criteria_and_widen_to_laval(seeded: App) -> None:
    """Seen: after the Montréal shelter declined, "nothing else matches" while Laval had a bed."""
    found = interpret("hebergement urgence 15 ans montreal ce soir", "fr",
                      gazetteer=seeded.gazetteer, taxonomy=seeded.taxonomy)
    stored = found.criteria.to_dict()
    async with seeded.sessionmaker() as session:
        boussole = await session.scalar(select(DirectoryService.id).where(
            DirectoryService.name == "Boussole – hébergement d'urgence 12-17"))
        results = await rerun_search(seeded, session, stored, exclude={boussole})
    assert len(results) == 3 and boussole not in {r.service_id for r in results}
    first = results[0]
    assert first.entry.name == "L'Envolée – urgence 12-17" and first.via_region == "13"
    assert all(r.via_region for r in results)  # every one marked with its region
    for result in results:  # the stored criteria still hold: shelters for a 15-year-old, open
        assert "hebergement-urgence-jeunesse" in result.entry.categories
        assert (result.entry.min_age or 0) <= 15 <= (result.entry.max_age or 99)
        assert result.open_now is not False
