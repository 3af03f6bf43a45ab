"""Coordinators' team management: ``/invite``, ``/workers``; everyone's ``/oncall``."""

from __future__ import annotations

import html
from datetime import timedelta
from typing import Annotated

from aiogram import F, Router
from aiogram.filters import Command as CommandFilter
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import get_i18n
from aiogram.utils.i18n import gettext as _
from pydantic import Field
from sqlalchemy.ext.asyncio import AsyncSession

from bot.app import App
from bot.errors import NotAllowed
from bot.i18n import N_
from bot.models.core import Role, Worker
from bot.services import invitations, workers
from handlers.commands import Command
from handlers.privacy_reply import ORGANISATION_WORDING, screened_or_refused
from knowledge.regions import load_regions, region_name

COMMANDS = (
    Command("oncall", N_("Turn your on-call status on or off")),
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


def require_coordinator(worker: Worker) -> None:
    if not worker.is_coordinator:
        raise NotAllowed(N_("This command is for coordinators."))


def buttons(rows: list[list[tuple[str, str]]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [InlineKeyboardButton(text=text, callback_data=data) for text, data in row]
            for row in rows
        ]
    )


def role_keyboard(worker: Worker) -> InlineKeyboardMarkup:
    roles = [Role.WORKER.value, Role.COORDINATOR.value]
    if worker.is_admin:
        roles.append(Role.ADMIN.value)
    return buttons([[(_(ROLE_LABELS[r]), InviteRole(role=r).pack()) for r in roles]])


def region_keyboard(worker: Worker, lang: str) -> InlineKeyboardMarkup:
    codes = sorted(load_regions()) if worker.is_admin else worker.regions
    rows = [[(f"{c} {region_name(c, lang)}", InviteRegion(region=c).pack())] for c in codes]
    if len(codes) > 1 and not worker.is_admin:
        rows.append([(_("All my regions"), InviteRegion(region="all").pack())])
    return buttons(rows)


def esc(value: str) -> str:
    return html.escape(value, quote=False)


def worker_line(worker: Worker, *, markup: bool = True) -> str:
    """One line about a worker: escaped for a message (``markup``), plain for a button."""
    status = "" if worker.active else " · " + _("inactive")
    on_call = " · " + _("on call") if worker.on_call else ""
    org = worker.organisation.name if worker.organisation else "—"
    name = worker.display_name
    if markup:
        name, org = esc(name), esc(org)
    return f"{name} — {org} · {_(ROLE_LABELS[worker.role])}{on_call}{status}"


def worker_keyboard(worker: Worker) -> InlineKeyboardMarkup:
    toggle = ("deactivate", _("Deactivate")) if worker.active else ("activate", _("Reactivate"))
    role = (
        ("role-worker", _("Make worker"))
        if worker.role == Role.COORDINATOR.value
        else ("role-coordinator", _("Make coordinator"))
    )
    return buttons(
        [[(label, WorkerChange(worker_id=worker.id, action=action).pack())]
         for action, label in (toggle, role)]
    )


def build_router(app: App) -> Router:
    router = Router(name="team")

    @router.message(CommandFilter("oncall"))
    async def toggle_on_call(message: Message, session: AsyncSession, worker: Worker) -> None:
        await workers.set_on_call(session, worker, not worker.on_call, app.clock.now())
        await message.answer(
            _("You are now on call: urgent handoffs of your organisation reach you at any hour.")
            if worker.on_call
            else _("You are no longer on call.")
        )

    @router.message(CommandFilter("invite"))
    async def invite(message: Message, worker: Worker, state: FSMContext) -> None:
        require_coordinator(worker)
        await state.clear()
        await message.answer(_("Which role for the new person?"), reply_markup=role_keyboard(worker))

    @router.callback_query(InviteRole.filter())
    async def invite_role(
        query: CallbackQuery, callback_data: InviteRole, worker: Worker, state: FSMContext
    ) -> None:
        require_coordinator(worker)
        if callback_data.role not in ROLE_LABELS or (
            callback_data.role == Role.ADMIN.value and not worker.is_admin
        ):
            raise NotAllowed(N_("You cannot invite with this role."))
        await state.set_state(InviteStates.organisation)
        await state.update_data(role=callback_data.role)
        await query.answer()
        await query.message.answer(_("Name of their organisation?"))

    @router.message(InviteStates.organisation, F.text, ~F.text.startswith("/"))
    async def invite_organisation(
        message: Message, session: AsyncSession, worker: Worker, state: FSMContext
    ) -> None:
        # Screened before it is kept in the conversation state or stored: a name typed here may
        # be anything (a youth's name, a phone number...).
        typed = await screened_or_refused(message, app, session, context="invite.organisation",
                                          wording=ORGANISATION_WORDING)
        if typed is None:
            return  # refused (deleted, kinds named) or screen unavailable: still at this step
        name = " ".join(typed.split())
        if not 2 <= len(name) <= 200:
            await message.answer(_("Please write the organisation's name (2 to 200 characters)."))
            return
        await state.update_data(organisation=name)
        await message.answer(
            _("Which region will they work in?"),
            reply_markup=region_keyboard(worker, get_i18n().current_locale),
        )

    @router.callback_query(InviteRegion.filter())
    async def invite_region(
        query: CallbackQuery,
        callback_data: InviteRegion,
        session: AsyncSession,
        worker: Worker,
        state: FSMContext,
    ) -> None:
        require_coordinator(worker)
        data = await state.get_data()
        if "organisation" not in data:
            await query.answer(_("This invitation was already made. Start again with /invite."))
            return
        regions = worker.regions if callback_data.region == "all" else [callback_data.region]
        created = await invitations.create_invitation(
            session,
            now=app.clock.now(),
            role=data["role"],
            organisation_name=data["organisation"],
            regions=regions,
            ttl=timedelta(hours=app.settings.invite_ttl_hours),
            created_by=worker,
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

    @router.message(CommandFilter("workers"))
    async def list_workers(message: Message, session: AsyncSession, worker: Worker) -> None:
        require_coordinator(worker)
        regions = None if worker.is_admin else worker.regions
        team = await workers.workers_in_regions(session, regions)
        if not team:
            await message.answer(_("No worker is registered in your regions yet."))
            return
        rows = [[(worker_line(w, markup=False)[:60], WorkerPick(worker_id=w.id).pack())]
                for w in team[:50]]
        await message.answer(_("Workers of your regions:"), reply_markup=buttons(rows))

    @router.callback_query(WorkerPick.filter())
    async def show_worker(
        query: CallbackQuery, callback_data: WorkerPick, session: AsyncSession, worker: Worker
    ) -> None:
        require_coordinator(worker)
        target = await workers.managed_worker(session, worker, callback_data.worker_id)
        await query.answer()
        await query.message.answer(worker_line(target), reply_markup=worker_keyboard(target))

    @router.callback_query(WorkerChange.filter())
    async def change_worker(
        query: CallbackQuery, callback_data: WorkerChange, session: AsyncSession, worker: Worker
    ) -> None:
        require_coordinator(worker)
        now, target_id = app.clock.now(), callback_data.worker_id
        match callback_data.action:
            case "activate" | "deactivate":
                target = await workers.set_active(
                    session, worker, target_id, callback_data.action == "activate", now
                )
            case "role-worker" | "role-coordinator":
                role = callback_data.action.removeprefix("role-")
                target = await workers.set_role(session, worker, target_id, role, now)
            case _:
                raise NotAllowed(N_("This button is not valid."))
        await query.answer(_("Saved."))
        await query.message.edit_text(worker_line(target), reply_markup=worker_keyboard(target))

    return router

