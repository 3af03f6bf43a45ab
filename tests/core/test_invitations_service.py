"""The invitation flow's decisions, without a chat: roles, regions, names, and registering."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.errors import NotAllowed
from bot.models.core import Invitation
from bot.services import invitations
from tests.core.test_team_service import add_worker


def test_clean_organisation_name_tidies_spaces_and_bounds_length():
    assert invitations.clean_organisation_name("  Maison   de la Rue ") == "Maison de la Rue"
    assert invitations.clean_organisation_name(" x ") is None
    assert invitations.clean_organisation_name("x" * 201) is None


async def test_roles_and_regions_a_coordinator_may_offer(app):
    async with app.sessionmaker() as session:
        coord = await add_worker(session, app, "coord", role="coordinator", regions=("06", "13"))
        admin = await add_worker(session, app, "admin", role="admin", regions=())
        worker = await add_worker(session, app, "worker")
        assert invitations.invitable_roles(coord) == ["worker", "coordinator"]
        assert invitations.invitable_roles(admin) == ["worker", "coordinator", "admin"]
        assert invitations.invitable_regions(coord) == (["06", "13"], True)
        codes, offer_all = invitations.invitable_regions(admin)
        assert len(codes) == 17 and offer_all is False
        assert invitations.check_invite_role(coord, "coordinator") == "coordinator"
        assert invitations.check_invite_role(admin, "admin") == "admin"
        for role in ("admin", "superuser"):
            with pytest.raises(NotAllowed):
                invitations.check_invite_role(coord, role)
        with pytest.raises(NotAllowed):
            invitations.check_invite_role(worker, "worker")


async def test_invitation_from_the_chat_then_registration_from_the_link(app):
    async with app.sessionmaker() as session:
        coord = await add_worker(session, app, "coord", role="coordinator", regions=("06", "13"))
        created = await invitations.invite_from_chat(
            session, inviter=coord, role="worker", organisation_name="Maison Fictive",
            region=invitations.ALL_REGIONS, now=app.clock.now(), ttl=timedelta(hours=1),
        )
        stored = await session.scalar(select(Invitation))
        assert stored.regions == ["06", "13"] and stored.created_by == coord.id
        with pytest.raises(NotAllowed):  # a region that is not theirs
            await invitations.invite_from_chat(
                session, inviter=coord, role="worker", organisation_name="Maison Fictive",
                region="02", now=app.clock.now(), ttl=timedelta(hours=1),
            )
        registration = await invitations.register_from_link(
            session, token=created.token, now=app.clock.now(), telegram_id=555_001,
            display_name="Newbie", telegram_language="en",
        )
        assert registration.organisation.name == "Maison Fictive"
        assert registration.worker.regions == ["06", "13"]
        assert registration.worker.language is None
        assert registration.worker.telegram_language == "en"
        with pytest.raises(invitations.InvitationUsed):
            await invitations.register_from_link(
                session, token=created.token, now=app.clock.now(), telegram_id=555_002,
                display_name="Late", telegram_language=None,
            )
