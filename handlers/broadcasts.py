"""Coordinators' announcements (``/broadcast``) and everyone's ``/announcements``.

Flow: write the text (screened; French and/or English, two versions separated by a line
``---`` or the second added afterwards) -> choose the audience with buttons -> preview with the
exact number of recipients -> send. Delivery is the outbox's job (``bot.jobs.broadcasts``); the
author's progress message is edited in place and ends with a report.
"""

from __future__ import annotations

import html

from aiogram import F, Router
from aiogram.filters import Command as CommandFilter
from aiogram.filters.callback_data import CallbackData
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message
from aiogram.utils.i18n import get_i18n
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.app import App
from bot.errors import NotAllowed
from bot.i18n import N_
from bot.models.broadcasts import BroadcastStatus, DeliveryStatus
from bot.models.core import Role, Worker
from bot.services.broadcasts import audience as aud
from bot.services.broadcasts import outbox
from bot.services.broadcasts.compose import clean, other_language, render, split_versions
from bot.services.broadcasts.delivery import wake
from bot.services.broadcasts.outbox import Counts
from bot.services.broadcasts.progress import (
    CANCEL_PREFIX,
    MISSED_PREFIX,
    progress_buttons,
    progress_text,
)
from handlers.commands import Command
from handlers.messenger import markup
from handlers.privacy_reply import screened_or_refused
from knowledge.regions import region_name

COMMANDS = (
    Command("broadcast", N_("Send an announcement to the workers of your regions"),
            coordinator_only=True),
    Command("announcements", N_("Recent announcements for your regions")),
)

LANGUAGE_NAMES = {"fr": N_("French"), "en": N_("English")}
ADD_VERSION = {"en": N_("Add the English version"), "fr": N_("Add the French version")}
ONLY_VERSION = {"fr": N_("Send in French only"), "en": N_("Send in English only")}
MISSED_REASONS = {
    DeliveryStatus.BLOCKED.value: N_("blocked the bot"),
    DeliveryStatus.FAILED.value: N_("delivery failed"),
    DeliveryStatus.CANCELLED.value: N_("not sent (cancelled)"),
}


class BroadcastStates(StatesGroup):
    text = State()
    second = State()
    audience = State()


class BcVersion(CallbackData, prefix="bcv"):
    action: str  # add | skip


class BcAudience(CallbackData, prefix="bca"):
    kind: str


class BcRegion(CallbackData, prefix="bcr"):
    code: str  # a region code, or "done"


class BcValue(CallbackData, prefix="bcs"):
    value: str  # a sector or a role


class BcConfirm(CallbackData, prefix="bcg"):
    action: str  # send | audience | discard


class BroadcastCancel(CallbackData, prefix=CANCEL_PREFIX):
    broadcast_id: int


class BroadcastMissed(CallbackData, prefix=MISSED_PREFIX):
    broadcast_id: int


class AnnouncementRead(CallbackData, prefix="bcn"):
    broadcast_id: int


def lang() -> str:
    return get_i18n().current_locale


def keyboard(rows: list[list[tuple[str, str]]]) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text=t, callback_data=d) for t, d in row]
                         for row in rows]
    )


def require_coordinator(worker: Worker) -> None:
    if not worker.is_coordinator:
        raise NotAllowed(N_("This command is for coordinators."))


def audience_keyboard(worker: Worker) -> InlineKeyboardMarkup:
    mine = (_("Everyone in my regions") if worker.regions or not worker.is_admin
            else _("Everyone (all of Québec)"))
    return keyboard([
        [(mine, BcAudience(kind=aud.MINE).pack())],
        [(_("Chosen regions"), BcAudience(kind=aud.REGIONS).pack())],
        [(_("Organisations of a sector"), BcAudience(kind=aud.SECTOR).pack())],
        [(_("On-call workers"), BcAudience(kind=aud.ONCALL).pack())],
        [(_("A role"), BcAudience(kind=aud.ROLE).pack())],
        [(_("Cancel"), BcConfirm(action="discard").pack())],
    ])


def regions_keyboard(worker: Worker, chosen: list[str]) -> InlineKeyboardMarkup:
    codes = aud.allowed_regions(worker)
    buttons = [
        (("✅ " if code in chosen else "▫️ ") + f"{code} {region_name(code, lang())}",
         BcRegion(code=code).pack())
        for code in codes
    ]
    rows = [buttons[i:i + 2] for i in range(0, len(buttons), 2)]
    rows.append([(_("Done"), BcRegion(code="done").pack())])
    return keyboard(rows)


def sector_keyboard() -> InlineKeyboardMarkup:
    return keyboard([[(_(aud.SECTOR_LABELS[s]), BcValue(value=s).pack())]
                     for s in aud.AUDIENCE_SECTORS])


def role_keyboard() -> InlineKeyboardMarkup:
    return keyboard([[(_(aud.ROLE_LABELS[r]), BcValue(value=r).pack())]
                     for r in (Role.WORKER.value, Role.COORDINATOR.value, Role.ADMIN.value)])


async def draft(state: FSMContext) -> dict:
    data = await state.get_data()
    if not data.get("versions"):
        raise NotAllowed(N_("This announcement was already sent or discarded. "
                            "Start again with /broadcast."))
    return data


def build_router(app: App) -> Router:
    router = Router(name="broadcasts")
    t_of = app.translator.text

    async def ask_audience(message: Message, worker: Worker, state: FSMContext) -> None:
        await state.set_state(BroadcastStates.audience)
        await message.answer(_("Who should receive it?"), reply_markup=audience_keyboard(worker))

    async def preview(
        message: Message, session: AsyncSession, worker: Worker, state: FSMContext,
        audience: aud.Audience,
    ) -> None:
        data = await draft(state)
        await state.update_data(kind=audience.kind, regions=list(audience.regions),
                                value=audience.value)
        n = await aud.count_recipients(session, audience, exclude_worker_id=worker.id)
        t = t_of(lang())
        label = f"{worker.display_name} ({worker.organisation.name})" if worker.organisation \
            else worker.display_name
        for code in ("fr", "en"):
            if body := data["versions"].get(code):
                await message.answer(
                    _("Preview — version in {language}:").format(language=_(LANGUAGE_NAMES[code]))
                    + "\n\n" + render(t_of(code), label, body)
                )
        where = html.escape(aud.describe(audience, t))
        if n == 0:
            await message.answer(
                _("No worker of this audience can receive it ({audience}).").format(audience=where),
                reply_markup=keyboard([
                    [(_("Change the audience"), BcConfirm(action="audience").pack())],
                    [(_("Cancel"), BcConfirm(action="discard").pack())],
                ]),
            )
            return
        await message.answer(
            t.ngettext("This announcement will reach {n} worker: {audience}.",
                       "This announcement will reach {n} workers: {audience}.", n,
                       audience=where),
            reply_markup=keyboard([
                [(t.ngettext("Send to {n} worker", "Send to {n} workers", n),
                  BcConfirm(action="send").pack())],
                [(_("Change the audience"), BcConfirm(action="audience").pack())],
                [(_("Cancel"), BcConfirm(action="discard").pack())],
            ]),
        )

    @router.message(CommandFilter("broadcast"))
    async def start(message: Message, worker: Worker, state: FSMContext) -> None:
        require_coordinator(worker)
        await state.clear()
        await state.set_state(BroadcastStates.text)
        await message.answer(_(
            "Write your announcement (no information that could identify a youth).\n"
            "You can write it in French and in English: put the two versions one after the "
            "other, separated by a line with only ---"
        ))

    @router.message(BroadcastStates.text, F.text, ~F.text.startswith("/"))
    async def first_text(
        message: Message, session: AsyncSession, worker: Worker, state: FSMContext
    ) -> None:
        text = await screened_or_refused(message, app, session, context="broadcast.text")
        if text is None:
            return  # flagged: deleted and explained; nothing stored, still waiting for a text
        versions = split_versions(text, lang())
        await state.update_data(versions=versions)
        if len(versions) == 2:
            await ask_audience(message, worker, state)
            return
        (first,) = versions
        other = other_language(first)
        await state.set_state(None)
        await message.answer(
            _("Workers who read {language} will receive this version too, unless you add one.")
            .format(language=_(LANGUAGE_NAMES[other])),
            reply_markup=keyboard([
                [(_(ADD_VERSION[other]), BcVersion(action="add").pack())],
                [(_(ONLY_VERSION[first]), BcVersion(action="skip").pack())],
            ]),
        )

    @router.callback_query(BcVersion.filter())
    async def version_choice(
        query: CallbackQuery, callback_data: BcVersion, worker: Worker, state: FSMContext
    ) -> None:
        require_coordinator(worker)
        data = await draft(state)
        await query.answer()
        if callback_data.action == "add":
            (first,) = data["versions"]
            await state.set_state(BroadcastStates.second)
            await query.message.answer(
                _("Write the version in {language}.").format(
                    language=_(LANGUAGE_NAMES[other_language(first)]))
            )
            return
        await ask_audience(query.message, worker, state)

    @router.message(BroadcastStates.second, F.text, ~F.text.startswith("/"))
    async def second_text(
        message: Message, session: AsyncSession, worker: Worker, state: FSMContext
    ) -> None:
        data = await draft(state)
        text = await screened_or_refused(message, app, session, context="broadcast.text")
        if text is None:
            return
        versions = dict(data["versions"])
        (first,) = versions
        versions[other_language(first)] = clean(text)
        await state.update_data(versions=versions)
        await ask_audience(message, worker, state)

    @router.callback_query(BcAudience.filter())
    async def audience_kind(
        query: CallbackQuery, callback_data: BcAudience, session: AsyncSession, worker: Worker,
        state: FSMContext,
    ) -> None:
        require_coordinator(worker)
        await draft(state)
        await query.answer()
        kind = callback_data.kind
        await state.update_data(kind=kind, regions=[], value=None)
        if kind == aud.REGIONS:
            await query.message.answer(_("Choose the regions, then press Done."),
                                       reply_markup=regions_keyboard(worker, []))
        elif kind == aud.SECTOR:
            await query.message.answer(_("Which sector?"), reply_markup=sector_keyboard())
        elif kind == aud.ROLE:
            await query.message.answer(_("Which role?"), reply_markup=role_keyboard())
        else:
            await preview(query.message, session, worker, state, aud.make_audience(worker, kind))

    @router.callback_query(BcRegion.filter())
    async def region_toggle(
        query: CallbackQuery, callback_data: BcRegion, session: AsyncSession, worker: Worker,
        state: FSMContext,
    ) -> None:
        require_coordinator(worker)
        data = await draft(state)
        chosen = list(data.get("regions") or [])
        if callback_data.code == "done":
            audience = aud.make_audience(worker, aud.REGIONS, regions=chosen)
            await query.answer()
            await preview(query.message, session, worker, state, audience)
            return
        if callback_data.code not in aud.allowed_regions(worker):
            raise NotAllowed(N_("You can only address your own regions ({regions})."),
                             regions=", ".join(aud.allowed_regions(worker)) or "—")
        if callback_data.code in chosen:
            chosen.remove(callback_data.code)
        else:
            chosen.append(callback_data.code)
        await state.update_data(regions=sorted(chosen))
        await query.answer()
        await query.message.edit_reply_markup(reply_markup=regions_keyboard(worker, chosen))

    @router.callback_query(BcValue.filter())
    async def audience_value(
        query: CallbackQuery, callback_data: BcValue, session: AsyncSession, worker: Worker,
        state: FSMContext,
    ) -> None:
        require_coordinator(worker)
        data = await draft(state)
        audience = aud.make_audience(worker, data.get("kind") or "", value=callback_data.value)
        await query.answer()
        await preview(query.message, session, worker, state, audience)

    @router.callback_query(BcConfirm.filter())
    async def confirm(
        query: CallbackQuery, callback_data: BcConfirm, session: AsyncSession, worker: Worker,
        state: FSMContext,
    ) -> None:
        require_coordinator(worker)
        if callback_data.action == "discard":
            await state.clear()
            await query.answer()
            await query.message.answer(_("Announcement discarded. Nothing was sent."))
            return
        data = await draft(state)
        if callback_data.action == "audience":
            await query.answer()
            await ask_audience(query.message, worker, state)
            return
        audience = aud.make_audience(worker, data.get("kind") or "",
                                     regions=data.get("regions") or (), value=data.get("value"))
        now = app.clock.now()
        broadcast = await outbox.create_broadcast(
            session, author=worker, audience=audience, versions=data["versions"], now=now,
            default_language=app.settings.default_language, author_language=lang(),
        )
        await state.clear()
        await query.answer(_("Sending…"))
        t = t_of(lang())
        sent = await query.message.answer(
            progress_text(t, broadcast, Counts(total=broadcast.total)),
            reply_markup=markup(progress_buttons(t, broadcast)),
        )
        broadcast.progress_message_id = sent.message_id
        await session.commit()
        wake(app)

    @router.callback_query(BroadcastCancel.filter())
    async def cancel_sending(
        query: CallbackQuery, callback_data: BroadcastCancel, session: AsyncSession,
        worker: Worker,
    ) -> None:
        broadcast = await outbox.cancel(session, worker, callback_data.broadcast_id,
                                        app.clock.now())
        if broadcast.status not in (BroadcastStatus.CANCELLING.value,):
            await query.answer(_("This announcement has already been fully sent."))
            return
        await session.commit()
        await query.answer(_("Cancelling: workers who have not received it yet won't."))
        t = t_of(lang())
        counts = await outbox.counts(session, broadcast.id)
        await query.message.edit_text(progress_text(t, broadcast, counts), reply_markup=None)
        wake(app)

    @router.callback_query(BroadcastMissed.filter())
    async def missed(
        query: CallbackQuery, callback_data: BroadcastMissed, session: AsyncSession,
        worker: Worker,
    ) -> None:
        broadcast = await outbox.get_managed(session, worker, callback_data.broadcast_id)
        rows = await outbox.not_received(session, broadcast.id)
        await query.answer()
        if not rows:
            await query.message.answer(_("Everyone received it."))
            return
        lines = [_("Workers who did not receive the announcement:")]
        for person, delivery in rows:
            name = html.escape(person.display_name) if person else "—"
            org = html.escape(person.organisation.name) if person and person.organisation else "—"
            lines.append(f"• {name} — {org} · {_(MISSED_REASONS.get(delivery.status, ''))}")
        await send_chunks(query.message, lines)

    @router.message(CommandFilter("announcements"))
    async def announcements(message: Message, session: AsyncSession, worker: Worker) -> None:
        items = await outbox.recent_for(session, worker, limit=5)
        if not items:
            await message.answer(_("No recent announcement for your regions."))
            return
        code = lang()
        t = t_of(code)
        blocks = [_("Recent announcements:")]
        buttons = []
        for number, item in enumerate(items, 1):
            body = item.text_for(code)
            short = body if len(body) <= 600 else body[:600].rstrip() + "…"
            blocks.append(
                f"<b>{number}.</b> {html.escape(t.datetime(item.created_at, 'short'))} · "
                f"{html.escape(item.author_label)}\n{html.escape(short)}"
            )
            if short != body:
                buttons.append([(_("Read no. {number} in full").format(number=number),
                                 AnnouncementRead(broadcast_id=item.id).pack())])
        await message.answer("\n\n".join(blocks),
                             reply_markup=keyboard(buttons) if buttons else None)

    @router.callback_query(AnnouncementRead.filter())
    async def read_one(
        query: CallbackQuery, callback_data: AnnouncementRead, session: AsyncSession,
        worker: Worker,
    ) -> None:
        items = await outbox.recent_for(session, worker, limit=50)
        item = next((b for b in items if b.id == callback_data.broadcast_id), None)
        if item is None:
            await query.answer(_("This announcement is no longer available."), show_alert=True)
            return
        await query.answer()
        await query.message.answer(render(t_of(lang()), item.author_label, item.text_for(lang())))

    return router


async def send_chunks(message: Message, lines: list[str], limit: int = 4000) -> None:
    """Send ``lines`` in as few messages of at most ``limit`` characters as possible."""
    chunk: list[str] = []
    size = 0
    for line in lines:
        if chunk and size + len(line) + 1 > limit:
            await message.answer("\n".join(chunk))
            chunk, size = [], 0
        chunk.append(line[:limit])
        size += len(line) + 1
    if chunk:
        await message.answer("\n".join(chunk))
