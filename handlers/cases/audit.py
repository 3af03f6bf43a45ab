"""``/audit CODE``: a case's audit trail as a CSV file, for coordinators of its region."""

from __future__ import annotations

from aiogram.filters import CommandObject
from aiogram.types import BufferedInputFile, Message
from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext
from sqlalchemy.ext.asyncio import AsyncSession

from bot.app import App
from bot.errors import NotFound
from bot.models.core import Worker
from bot.services import cases
from handlers.middlewares.errors import error_text


async def export_audit(
    message: Message, command: CommandObject, session: AsyncSession, worker: Worker, app: App
) -> None:
    """``/audit CODE``: the CSV (who, what, when; never message text); ``/audit`` alone: how to."""
    args = (command.args or "").strip()
    if not args:
        await message.answer(_("Send /audit followed by a case code, for example "
                               "/audit K7-4QX."))
        return
    try:
        export = await cases.export_audit_trail(session, worker, args, now=app.clock.now())
    except NotFound as exc:  # answered here so that the "audit.denied" entry is kept
        await message.answer(error_text(exc))
        return
    await message.answer_document(
        BufferedInputFile(export.csv, filename=f"audit-{export.code}.csv"),
        caption=ngettext(
            "Audit trail of case {code}: {n} entry (who, what, when; no message text).",
            "Audit trail of case {code}: {n} entries (who, what, when; no message text).",
            export.entries,
        ).format(code=export.code, n=export.entries),
        protect_content=True,
    )
