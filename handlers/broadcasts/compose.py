"""Writing an announcement: the text (screened; French and/or English, two versions separated
by a line ``---`` or the second added afterwards), then the audience, then the preview with the
exact number of recipients."""

from __future__ import annotations

import html
from collections.abc import Mapping
from typing import Any

from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.app import App
from bot.models.core import Worker
from bot.services.broadcasts import audience as aud
from bot.services.broadcasts import drafts
from bot.services.broadcasts.compose import other_language, render, split_versions
from handlers.broadcasts.keys import (
    LANGUAGE_NAMES,
    BcAudience,
    BcRegion,
    BcValue,
    BcVersion,
    audience_keyboard,
    confirm_keyboard,
    regions_keyboard,
    role_keyboard,
    sector_keyboard,
    version_keyboard,
)
from handlers.privacy_reply import screened_or_refused
from handlers.ui import lang


class BroadcastStates(StatesGroup):
    text = State()
    second = State()
    audience = State()


async def coordinator_draft(worker: Worker, state: FSMContext) -> Mapping[str, Any]:
    """The opening of every button after the text: a coordinator, with a draft still open."""
    return drafts.coordinator_draft(worker, await state.get_data())


async def ask_audience(message: Message, worker: Worker, state: FSMContext) -> None:
    """Ask who should receive the announcement."""
    await state.set_state(BroadcastStates.audience)
    await message.answer(_("Who should receive it?"), reply_markup=audience_keyboard(worker))


async def preview(
    message: Message, app: App, session: AsyncSession, worker: Worker, state: FSMContext,
    audience: aud.Audience,
) -> None:
    """Keep the audience in the draft; show each version as workers will see it, and how many
    workers it will reach."""
    data = drafts.open_draft(await state.get_data())
    await state.update_data(kind=audience.kind, regions=list(audience.regions),
                            value=audience.value)
    n = await aud.count_recipients(session, audience, exclude_worker_id=worker.id)
    t = app.translator.text(lang())
    label = f"{worker.display_name} ({worker.organisation.name})" if worker.organisation \
        else worker.display_name
    for code in ("fr", "en"):
        if body := data["versions"].get(code):
            await message.answer(
                _("Preview — version in {language}:").format(language=_(LANGUAGE_NAMES[code]))
                + "\n\n" + render(app.translator.text(code), label, body)
            )
    where = html.escape(aud.describe(audience, t))
    if n == 0:
        await message.answer(
            _("No worker of this audience can receive it ({audience}).").format(audience=where),
            reply_markup=confirm_keyboard(None),
        )
        return
    await message.answer(
        t.ngettext("This announcement will reach {n} worker: {audience}.",
                   "This announcement will reach {n} workers: {audience}.", n,
                   audience=where),
        reply_markup=confirm_keyboard(
            t.ngettext("Send to {n} worker", "Send to {n} workers", n)),
    )


async def start(message: Message, worker: Worker, state: FSMContext) -> None:
    """``/broadcast``: ask a coordinator for the text."""
    drafts.require_coordinator(worker)
    await state.clear()
    await state.set_state(BroadcastStates.text)
    await message.answer(_(
        "Write your announcement (no information that could identify a youth).\n"
        "You can write it in French and in English: put the two versions one after the "
        "other, separated by a line with only ---"
    ))


async def first_text(
    message: Message, app: App, session: AsyncSession, worker: Worker, state: FSMContext
) -> None:
    """The text: with two versions, on to the audience; with one, offer to add the other."""
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
        reply_markup=version_keyboard(first, other),
    )


async def version_choice(
    query: CallbackQuery, callback_data: BcVersion, worker: Worker, state: FSMContext
) -> None:
    """Add the other language's version, or go on with one."""
    data = await coordinator_draft(worker, state)
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


async def second_text(
    message: Message, app: App, session: AsyncSession, worker: Worker, state: FSMContext
) -> None:
    """The other language's version (screened), then the audience."""
    data = drafts.open_draft(await state.get_data())
    text = await screened_or_refused(message, app, session, context="broadcast.text")
    if text is None:
        return
    await state.update_data(versions=drafts.with_second_version(data["versions"], text))
    await ask_audience(message, worker, state)


async def audience_kind(
    query: CallbackQuery, callback_data: BcAudience, app: App, session: AsyncSession,
    worker: Worker, state: FSMContext,
) -> None:
    """A kind of audience: ask for its regions, sector or role, or show the preview."""
    await coordinator_draft(worker, state)
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
        await preview(query.message, app, session, worker, state, aud.make_audience(worker, kind))


async def region_toggle(
    query: CallbackQuery, callback_data: BcRegion, app: App, session: AsyncSession,
    worker: Worker, state: FSMContext,
) -> None:
    """A region ticked or unticked; Done shows the preview."""
    data = await coordinator_draft(worker, state)
    chosen = list(data.get("regions") or [])
    if callback_data.code == "done":
        audience = aud.make_audience(worker, aud.REGIONS, regions=chosen)
        await query.answer()
        await preview(query.message, app, session, worker, state, audience)
        return
    chosen = drafts.toggle_region(worker, chosen, callback_data.code)
    await state.update_data(regions=chosen)
    await query.answer()
    await query.message.edit_reply_markup(reply_markup=regions_keyboard(worker, chosen))


async def audience_value(
    query: CallbackQuery, callback_data: BcValue, app: App, session: AsyncSession,
    worker: Worker, state: FSMContext,
) -> None:
    """The sector or role of the audience: show the preview."""
    data = await coordinator_draft(worker, state)
    audience = aud.make_audience(worker, data.get("kind") or "", value=callback_data.value)
    await query.answer()
    await preview(query.message, app, session, worker, state, audience)
