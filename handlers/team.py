"""Coordinators' team management: ``/invite``, ``/workers`` (``/oncall`` is handlers.oncall)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated

from aiogram import F, Router
from aiogram.filters import Command as CommandFilter
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import gettext as _
from pydantic import Field
from sqlalchemy.ext.asyncio import AsyncSession

from bot.app import App
from bot.i18n import N_
from bot.models.core import Role, Worker
from bot.services import invitations, oncall, workers
from handlers.commands import Command
from handlers.oncall import on_call_list
from handlers.privacy_reply import ORGANISATION_WORDING, screened_or_refused
from handlers.replies import reply_after_commit
from handlers.ui import esc, keyboard, lang
from knowledge.regions import region_name

COMMANDS = (
    Command("invite", N_("Invite a worker (invitation link)"), coordinator_only=True),
    Command("workers", N_("Workers of your regions"), coordinator_only=True),
)

ROLE_LABELS = {
    Role.WORKER.value: N_("worker"),
    Role.COORDINATOR.value: N_("coordinator"),
    Role.ADMIN.value: N_("administrator"),
}


class InviteStates(StatesGroup):
    organisation = State()


class InviteRole(CallbackData, prefix="inv"):
    role: str


class InviteRegion(CallbackData, prefix="invr"):
    region: str  # a region code, or "all" for all of the coordinator's regions


WorkerId = Annotated[int, Field(ge=0, le=2**31 - 1)]  # made-up larger numbers: a stale button


class WorkerPick(CallbackData, prefix="wk"):
    worker_id: WorkerId


class WorkerChange(CallbackData, prefix="wkc"):
    worker_id: WorkerId
    action: str  # activate | deactivate | role-worker | role-coordinator


# ---- what the chat shows ------------------------------------------------------------------


def role_keyboard(worker: Worker) -> InlineKeyboardMarkup:
    """One button per role this coordinator may invite with."""
    roles = invitations.invitable_roles(worker)
    return keyboard([[(_(ROLE_LABELS[r]), InviteRole(role=r).pack()) for r in roles]])


def region_keyboard(worker: Worker, code: str) -> InlineKeyboardMarkup:
    """One button per region this coordinator may invite into, then "all my regions"."""
    codes, offer_all = invitations.invitable_regions(worker)
    rows = [[(f"{c} {region_name(c, code)}", InviteRegion(region=c).pack())] for c in codes]
    if offer_all:
        rows.append([(_("All my regions"), InviteRegion(region=invitations.ALL_REGIONS).pack())])
    return keyboard(rows)


def worker_line(worker: Worker, *, markup: bool = True, now: datetime | None = None) -> str:
    """One line about a worker: escaped for a message (``markup``), plain for a button; "on
    call" only while it lasts at ``now``."""
    status = "" if worker.active else " · " + _("inactive")
    on_duty = oncall.is_on_call(worker, now) if now is not None else worker.on_call
    on_call = " · " + _("on call") if on_duty else ""
    org = worker.organisation.name if worker.organisation else "—"
    name = worker.display_name
    if markup:
        name, org = esc(name), esc(org)
    return f"{name} — {org} · {_(ROLE_LABELS[worker.role])}{on_call}{status}"


def worker_keyboard(worker: Worker) -> InlineKeyboardMarkup:
    """(De)activate the worker, and make them worker or coordinator."""
    toggle = ("deactivate", _("Deactivate")) if worker.active else ("activate", _("Reactivate"))
    role = (
        ("role-worker", _("Make worker"))
        if worker.role == Role.COORDINATOR.value
        else ("role-coordinator", _("Make coordinator"))
    )
    return keyboard(
        [[(label, WorkerChange(worker_id=worker.id, action=action).pack())]
         for action, label in (toggle, role)]
    )


# ---- handlers -----------------------------------------------------------------------------


async def invite(message: Message, worker: Worker, state: FSMContext) -> None:
    """``/invite``: ask which role the new person gets."""
    workers.require_coordinator(worker)
    await state.clear()
    await message.answer(_("Which role for the new person?"), reply_markup=role_keyboard(worker))


async def invite_role(
    query: CallbackQuery, callback_data: InviteRole, worker: Worker, state: FSMContext
) -> None:
    """A role button under ``/invite``: keep the role, ask for the organisation."""
    role = invitations.check_invite_role(worker, callback_data.role)
    await state.set_state(InviteStates.organisation)
    await state.update_data(role=role)
    await query.answer()
    await query.message.answer(_("Name of their organisation?"))


async def invite_organisation(
    message: Message, session: AsyncSession, worker: Worker, state: FSMContext, app: App
) -> None:
    """The organisation's name, typed: screened, kept, then the region is asked."""
    # Screened before it is kept in the conversation state or stored: a name typed here may
    # be anything (a youth's name, a phone number...).
    typed = await screened_or_refused(message, app, session, context="invite.organisation",
                                      wording=ORGANISATION_WORDING)
    if typed is None:
        return  # refused (deleted, kinds named) or screen unavailable: still at this step
    name = invitations.clean_organisation_name(typed)
    if name is None:
        await message.answer(_("Please write the organisation's name (2 to 200 characters)."))
        return
    await state.update_data(organisation=name)
    await message.answer(
        _("Which region will they work in?"), reply_markup=region_keyboard(worker, lang()),
    )


async def invite_region(
    query: CallbackQuery,
    callback_data: InviteRegion,
    session: AsyncSession,
    worker: Worker,
    state: FSMContext,
    app: App,
) -> None:
    """A region button: create the invitation and show its link, once."""
    workers.require_coordinator(worker)
    data = await state.get_data()
    if "organisation" not in data:
        await query.answer(_("This invitation was already made. Start again with /invite."))
        return
    created = await invitations.invite_from_chat(
        session,
        inviter=worker,
        role=data["role"],
        organisation_name=data["organisation"],
        region=callback_data.region,
        now=app.clock.now(),
        ttl=timedelta(hours=app.settings.invite_ttl_hours),
    )
    await state.clear()
    await query.answer()
    link = invitations.deep_link(app.settings.bot_username, created.token)
    await query.message.answer(
        _("Invitation for {org} ({role}), valid {hours} h, usable once:\n{link}\n\n"
          "Send it to the person privately; it registers whoever opens it first.").format(
            org=esc(data["organisation"]), role=_(ROLE_LABELS[data["role"]]),
            hours=app.settings.invite_ttl_hours, link=link,
        )
    )


async def list_workers(message: Message, session: AsyncSession, worker: Worker, app: App
                       ) -> None:
    """``/workers``: who is on call now, then a button per worker of the coordinator's regions."""
    team = await workers.managed_team(session, worker)
    if not team:
        await message.answer(_("No worker is registered in your regions yet."))
        return
    now = app.clock.now()
    rows = [[(worker_line(w, markup=False, now=now)[:60], WorkerPick(worker_id=w.id).pack())]
            for w in team[:50]]
    on_duty = await on_call_list(app, session, worker)
    await message.answer(on_duty + "\n\n" + _("Workers of your regions:"),
                         reply_markup=keyboard(rows))


async def show_worker(
    query: CallbackQuery, callback_data: WorkerPick, session: AsyncSession, worker: Worker,
    app: App,
) -> None:
    """A worker's button: their line and what the coordinator may change."""
    target = await workers.coordinated_worker(session, worker, callback_data.worker_id)
    await query.answer()
    await query.message.answer(worker_line(target, now=app.clock.now()),
                               reply_markup=worker_keyboard(target))


async def change_worker(
    query: CallbackQuery, callback_data: WorkerChange, session: AsyncSession, worker: Worker,
    app: App,
) -> None:
    """A change button under a worker: apply it and show the worker as they are now."""
    target = await workers.change_worker(
        session, worker, callback_data.worker_id, callback_data.action, app.clock.now()
    )
    reply_after_commit(session, query.answer, _("Saved."))
    reply_after_commit(session, query.message.edit_text, worker_line(target, now=app.clock.now()),
                       reply_markup=worker_keyboard(target))


def build_router() -> Router:
    """Register the team commands and their buttons."""
    router = Router(name="team")
    router.message.register(invite, CommandFilter("invite"))
    router.callback_query.register(invite_role, InviteRole.filter())
    router.message.register(invite_organisation, InviteStates.organisation, F.text,
                            ~F.text.startswith("/"))
    router.callback_query.register(invite_region, InviteRegion.filter())
    router.message.register(list_workers, CommandFilter("workers"))
    router.callback_query.register(show_worker, WorkerPick.filter())
    router.callback_query.register(change_worker, WorkerChange.filter())
    return router
