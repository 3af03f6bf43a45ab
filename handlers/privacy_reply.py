"""The shared chat reply to a message the privacy screen flagged; used by every feature.

Usage in any handler that takes free text (handoff notes, thread messages, reminders, error
reports, broadcasts)::

    from handlers.privacy_reply import screened_or_refused

    text = await screened_or_refused(message, app, session, context="handoff.note")
    if text is None:
        return          # flagged (deleted, user told which kinds) or the screen failed
    ...store or relay ``text``...

or, when a service raised :class:`bot.services.screening.IdentifyingText`::

    except IdentifyingText as exc:
        await refuse_identifying(message, exc.result, app=app, session=session)

:func:`refuse_identifying` deletes the user's message (possible within 48 h in a private chat),
answers in the current locale naming the kinds found (never the text) and how to rephrase with
the case code, and records an audit entry with kinds and counts only (when ``session`` is given).
A step whose text is not about a case passes its own ``wording`` (e.g. :data:`ORGANISATION_WORDING`)
so that the advice fits.

:func:`refuse_unscreenable` answers a photo, file, voice note, contact, location... (which the
screen cannot read): deleted, explained, audited by content type only
(:class:`handlers.middlewares.media.MediaMiddleware` calls it at every step).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from aiogram.exceptions import TelegramAPIError
from aiogram.types import Message
from aiogram.utils.i18n import gettext as _
from babel.lists import format_list
from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import BABEL_LOCALES, N_
from bot.services import audit, screening, workers
from handlers.ops.metrics import record_refusal
from handlers.ui import lang

if TYPE_CHECKING:
    from bot.app import App

log = logging.getLogger(__name__)

KIND_LABELS = {
    "PERSON": N_("a person's name"),
    "DOB": N_("a date of birth"),
    "PHONE": N_("a phone number"),
    "EMAIL": N_("an email address"),
    "ADDRESS": N_("an address or a place where someone can be found"),
    "POSTAL_CODE": N_("a postal code"),
    "RAMQ": N_("a health insurance number (RAMQ)"),
    "SIN": N_("a social insurance number"),
    "HANDLE": N_("a social media username"),
    "SCHOOL": N_("the name of a school"),
    "PLATE": N_("a licence plate"),
    "FILE_NUMBER": N_("a file number"),
}
OTHER_KIND = N_("identifying information")

# (deleted, not deleted) refusals; ``{kinds}`` names what was found, never the text itself.
CASE_WORDING = (
    N_("Your message contained {kinds}. It was not transmitted and I deleted it from the "
       "conversation. Rewrite it with the case code (e.g. K7-4QX), without names or contact "
       "details. Copies may remain on your device."),
    N_("Your message contained {kinds}. It was not transmitted. I could not delete it from "
       "the conversation: please delete it yourself. Rewrite it with the case code (e.g. "
       "K7-4QX), without names or contact details. Copies may remain on your device."),
)
ORGANISATION_WORDING = (
    N_("The organisation name contained {kinds}. I did not save it and I deleted it from the "
       "conversation. Write the organisation's name again, without a person's name or contact "
       "details."),
    N_("The organisation name contained {kinds}. I did not save it. I could not delete it from "
       "the conversation: please delete it yourself. Write the organisation's name again, "
       "without a person's name or contact details."),
)
UNSCREENABLE_WORDING = (
    N_("Relais can't check photos, files, voice or video messages, stickers, contacts or "
       "locations for identifying information, so I deleted this message. Write it in words "
       "instead, without names or contact details."),
    N_("Relais can't check photos, files, voice or video messages, stickers, contacts or "
       "locations for identifying information. I could not delete this message: please delete "
       "it yourself. Write it in words instead, without names or contact details."),
)


def current_language() -> str:
    """The update's language; French outside an update (no language context set)."""
    try:
        return lang()
    except LookupError:
        return "fr"


def kinds_in_words(kinds: list[str], lang: str) -> str:
    """"un nom de personne et un numéro de téléphone" / "a person's name and a phone number"."""
    labels = [_(KIND_LABELS.get(kind, OTHER_KIND)) for kind in kinds] or [_(OTHER_KIND)]
    labels = list(dict.fromkeys(labels))
    return format_list(labels, locale=BABEL_LOCALES.get(lang, "fr_CA"))


def refusal_text(kinds: list[str], deleted: bool,
                 wording: tuple[str, str] = CASE_WORDING) -> str:
    found = kinds_in_words(kinds, current_language())
    return _(wording[0] if deleted else wording[1]).format(kinds=found)


async def _delete(message: Message) -> bool:
    try:
        await message.delete()
    except TelegramAPIError as exc:  # older than 48 h, or already gone
        log.info("could not delete a flagged message: %s", type(exc).__name__)
        return False
    return True


async def refuse_identifying(
    message: Message,
    result: Any,
    *,
    app: App | None = None,
    session: AsyncSession | None = None,
    context: str = "",
    wording: tuple[str, str] = CASE_WORDING,
) -> None:
    """Delete the flagged message, say which kinds were found, audit kinds and counts only."""
    kinds = screening.kinds_of(result)
    counts = screening.kind_counts(result)
    deleted = await _delete(message)
    await message.answer(refusal_text(kinds, deleted, wording))
    log.info("flagged message refused: %s", counts)
    record_refusal(app, kinds)
    await _audit_refusal(
        message, app, session, "privacy.refused", context,
        kinds=",".join(kinds),
        counts=",".join(f"{k}:{n}" for k, n in sorted(counts.items())),
        deleted=deleted,
    )


async def _audit_refusal(
    message: Message, app: App | None, session: AsyncSession | None, action: str,
    context: str, **details: Any,
) -> None:
    """Audit a refusal: who and in which step, with codes and counts only (no session: none)."""
    if session is None:
        return
    user_id = message.from_user.id if message.from_user else None
    actor = await workers.by_telegram_id(session, user_id) if user_id else None
    await audit.record(
        session,
        at=app.clock.now() if app is not None else datetime.now(UTC),
        action=action,
        actor=actor,
        actor_telegram_id=user_id,
        context=context or None,
        **details,
    )


async def refuse_unavailable(
    message: Message, *, app: App | None = None, session: AsyncSession | None = None,
    context: str = "",
) -> None:
    """The screen failed: say that nothing was stored or transmitted (fail closed)."""
    await message.answer(_(screening.ScreenUnavailable.message))
    await _audit_refusal(message, app, session, "privacy.unavailable", context)


async def screened_or_refused(
    message: Message, app: App, session: AsyncSession, *, context: str = "",
    wording: tuple[str, str] = CASE_WORDING,
) -> str | None:
    """The message's text if the screen finds nothing identifying; else refuse and return None."""
    text = message.text or message.caption
    if not text or not text.strip():
        await message.answer(_("Please write your message as text."))
        return None
    try:
        result = await screening.screen_text(app, session, text, current_language())
    except screening.ScreenUnavailable:
        await refuse_unavailable(message, app=app, session=session, context=context)
        return None
    if result.identifying:
        await refuse_identifying(message, result, app=app, session=session, context=context,
                                 wording=wording)
        return None
    return text


async def refuse_unscreenable(
    message: Message, *, app: App | None = None, session: AsyncSession | None = None,
    context: str = "",
) -> None:
    """A message the screen cannot read (photo, file, voice, contact, location...): delete it,
    explain, and audit its content type only. A refused deletion is said, never fatal."""
    deleted = await _delete(message)
    await message.answer(_(UNSCREENABLE_WORDING[0] if deleted else UNSCREENABLE_WORDING[1]))
    kind = str(getattr(message.content_type, "value", message.content_type))
    log.info("unscreenable message refused: %s", kind)
    await _audit_refusal(message, app, session, "privacy.unscreenable", context,
                         content_type=kind, deleted=deleted)
