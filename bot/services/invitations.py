"""Single-use, expiring invitations: the only way into Relais.

The token travels once in a deep link; only its SHA-256 is stored, so a copy of the database
cannot be used to register.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import InvalidInput, NotAllowed
from bot.i18n import N_
from bot.models.core import Invitation, Organisation, Role, Worker
from bot.services import audit
from bot.services.organisations import get_or_create_organisation
from bot.services.workers import require_coordinator
from knowledge.regions import load_regions

TOKEN_BYTES = 24  # 32 URL-safe characters, well under Telegram's 64


class InvitationInvalid(InvalidInput):
    message = N_("This invitation link is not valid. Ask your coordinator for a new one.")
    audit_action = "invitation.rejected"


class InvitationUsed(InvalidInput):
    message = N_("This invitation link has already been used. Ask your coordinator for a new one.")


class InvitationExpired(InvalidInput):
    message = N_("This invitation link has expired. Ask your coordinator for a new one.")


class AlreadyRegistered(InvalidInput):
    message = N_("You are already registered with Relais.")


@dataclass(frozen=True)
class NewInvitation:
    """A freshly created invitation and the token to put in the link (shown once)."""

    invitation: Invitation
    token: str


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def deep_link(bot_username: str, token: str) -> str:
    return f"https://t.me/{bot_username}?start={token}"


def check_regions(codes: list[str]) -> list[str]:
    """Refuse region codes that are not one of the 17 official ones."""
    known = load_regions()
    wrong = [code for code in codes if code not in known]
    if wrong:
        raise InvalidInput(N_("Unknown region code: {codes}."), codes=", ".join(wrong))
    return sorted(set(codes))


async def create_invitation(
    session: AsyncSession,
    *,
    now: datetime,
    role: str,
    organisation_name: str,
    regions: list[str],
    ttl: timedelta,
    created_by: Worker | None = None,
) -> NewInvitation:
    """Create an invitation; a coordinator may invite only into their regions, and not admins."""
    if role not in {r.value for r in Role}:
        raise InvalidInput(N_("Unknown role: {role}."), role=role)
    regions = check_regions(regions)
    if created_by is not None and not created_by.is_admin:
        if not created_by.is_coordinator:
            raise NotAllowed(N_("Only coordinators can invite workers."))
        if role == Role.ADMIN.value:
            raise NotAllowed(N_("Only administrators can invite administrators."))
        regions = regions or created_by.regions
        if not set(regions) <= set(created_by.regions):
            raise NotAllowed(N_("You can only invite workers into your own regions."))
    organisation = await get_or_create_organisation(session, organisation_name, now=now)
    token = secrets.token_urlsafe(TOKEN_BYTES)
    invitation = Invitation(
        token_hash=hash_token(token),
        role=role,
        organisation_id=organisation.id,
        regions=regions,
        created_by=created_by.id if created_by else None,
        created_at=now,
        expires_at=now + ttl,
    )
    session.add(invitation)
    await session.flush()
    await audit.record(
        session,
        at=now,
        action="invitation.created",
        actor=created_by,
        subject_type="invitation",
        subject_id=str(invitation.id),
        role=role,
        **({} if created_by else {"system": "cli"}),
    )
    return NewInvitation(invitation=invitation, token=token)


async def redeem_invitation(
    session: AsyncSession,
    *,
    token: str,
    now: datetime,
    telegram_id: int,
    display_name: str,
    language: str | None,
    telegram_language: str | None = None,
) -> Worker:
    """Register a Telegram user from an invitation token, once."""
    existing = await session.scalar(select(Worker).where(Worker.telegram_id == telegram_id))
    if existing is not None and existing.active:
        raise AlreadyRegistered()
    invitation = await session.scalar(
        select(Invitation).where(Invitation.token_hash == hash_token(token))
    )
    if invitation is None:
        raise InvitationInvalid()
    if invitation.used_at is not None:
        raise InvitationUsed()
    if invitation.expires_at <= now:
        raise InvitationExpired()
    # Claim it with one conditional update, the same on every backend: of two people starting
    # at the same moment, the second one's update finds it used and changes nothing.
    claimed = await session.execute(
        update(Invitation)
        .where(Invitation.id == invitation.id, Invitation.used_at.is_(None),
               Invitation.expires_at > now)
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:
        raise InvitationUsed()
    worker = existing or Worker(telegram_id=telegram_id, created_at=now)
    worker.display_name = display_name[:200]
    worker.language = language
    worker.telegram_language = telegram_language
    worker.role = invitation.role
    worker.organisation_id = invitation.organisation_id
    worker.active = True
    worker.blocked_bot = False
    worker.set_regions(invitation.regions)
    session.add(worker)
    await session.flush()
    invitation.used_at = now
    invitation.used_by = worker.id
    await audit.record(
        session,
        at=now,
        action="worker.registered",
        actor=worker,
        subject_type="invitation",
        subject_id=str(invitation.id),
        role=invitation.role,
    )
    return worker


# ---- the invitation flow of the chat (``/invite``, then ``/start TOKEN``) ----------------------

ALL_REGIONS = "all"  # the choice "all of my regions" under ``/invite``


def invitable_roles(inviter: Worker) -> list[str]:
    """The roles a coordinator may offer, in the order of the buttons."""
    require_coordinator(inviter)
    roles = [Role.WORKER.value, Role.COORDINATOR.value]
    if inviter.is_admin:
        roles.append(Role.ADMIN.value)
    return roles


def check_invite_role(inviter: Worker, role: str) -> str:
    """The role chosen for an invitation, if this coordinator may invite with it."""
    require_coordinator(inviter)
    if role not in {r.value for r in Role} or (role == Role.ADMIN.value and not inviter.is_admin):
        raise NotAllowed(N_("You cannot invite with this role."))
    return role


def invitable_regions(inviter: Worker) -> tuple[list[str], bool]:
    """The region codes offered to a coordinator, and whether "all my regions" is offered too."""
    codes = sorted(load_regions()) if inviter.is_admin else inviter.regions
    return codes, len(codes) > 1 and not inviter.is_admin


def clean_organisation_name(typed: str) -> str | None:
    """The organisation's name as typed, spaces tidied; None unless 2 to 200 characters."""
    name = " ".join(typed.split())
    return name if 2 <= len(name) <= 200 else None


async def invite_from_chat(
    session: AsyncSession,
    *,
    inviter: Worker,
    role: str,
    organisation_name: str,
    region: str,
    now: datetime,
    ttl: timedelta,
) -> NewInvitation:
    """The invitation a coordinator made with the buttons; ``region`` may be :data:`ALL_REGIONS`."""
    require_coordinator(inviter)
    regions = inviter.regions if region == ALL_REGIONS else [region]
    return await create_invitation(
        session, now=now, role=role, organisation_name=organisation_name, regions=regions,
        ttl=ttl, created_by=inviter,
    )


@dataclass(frozen=True)
class Registration:
    """Who just registered from an invitation link, and with which organisation."""

    worker: Worker
    organisation: Organisation


async def register_from_link(
    session: AsyncSession,
    *,
    token: str,
    now: datetime,
    telegram_id: int,
    display_name: str,
    telegram_language: str | None,
) -> Registration:
    """``/start TOKEN``: register the Telegram user (language not chosen yet) and say where."""
    worker = await redeem_invitation(
        session, token=token, now=now, telegram_id=telegram_id, display_name=display_name,
        language=None, telegram_language=telegram_language,
    )
    organisation = await session.get_one(Organisation, worker.organisation_id)
    return Registration(worker=worker, organisation=organisation)
