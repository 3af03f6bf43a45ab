"""What people are told while a request waits for an answer.

The requester hears of each step: the receivers were reminded, the on-call workers or the
region's coordination were alerted (the expiry itself is :func:`.notify.tell_requester_declined`),
each time with the next services of the same search one tap away.

The people alerted at escalation get the request itself (the summary receivers see; the note
only for on-call workers, who act for the service, never for coordinators) with what they may
do: accept it for the service, call the service, send it to one of the service's receivers.
What those buttons do is :mod:`.escalation`. This module renders and sends, nothing else.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import Text
from bot.messenger import Button
from bot.models.core import Worker
from bot.models.handoffs import Handoff, HandoffRecipient
from bot.services.handoffs.notify import (
    CALL,
    DECLINE,
    ESC_ACCEPT,
    NEXT,
    REASSIGN,
    delete,
    esc,
    request_buttons,
    request_text,
    send,
    sign,
    text_for,
    who,
)
from bot.services.handoffs.queries import note_of, worker_by_id

if TYPE_CHECKING:
    from bot.app import App
    from bot.models.cases import Case


def next_buttons(app: App, t: Text, handoff: Handoff, requester: Worker) -> list[list[Button]]:
    """The requester's one tap to the next services of the same search (the case is kept)."""
    return [[Button(t.gettext("See the next services"),
                    sign(app, NEXT, handoff.id, requester.telegram_id))]]


def _about(handoff: Handoff, case: Case) -> dict[str, str]:
    return {"code": esc(case.code), "service": esc(handoff.service_name)}


async def tell_requester_reminded(app: App, session: AsyncSession, handoff: Handoff, case: Case,
                                  requester: Worker) -> None:
    """First step of an unanswered request: its receivers were reminded."""
    t = text_for(app, requester)
    text = t.gettext("⏰ No answer yet for case <code>{code}</code> → {service}: we reminded "
                     "the receiving workers.", **_about(handoff, case))
    text += "\n" + t.gettext("The next services for the same search are one tap away.")
    send(app, session, requester, text, next_buttons(app, t, handoff, requester))


async def tell_requester_escalated(app: App, session: AsyncSession, handoff: Handoff, case: Case,
                                   requester: Worker, *, on_call: int, coordinators: int) -> None:
    """Second step: who was alerted (on-call workers of the service, the region's
    coordination), or that nobody else could be."""
    t = text_for(app, requester)
    parts = []
    if on_call:
        parts.append(t.ngettext("{n} on-call worker of the service",
                                "{n} on-call workers of the service", on_call))
    if coordinators:
        parts.append(t.gettext("the region's coordination"))
    if parts:
        alerted = parts[0] if len(parts) == 1 else t.gettext(
            "{first} and {second}", first=parts[0], second=parts[1])
        text = t.gettext("⚠️ Still no answer for case <code>{code}</code> → {service}: we "
                         "alerted {alerted}.", alerted=alerted, **_about(handoff, case))
    else:
        text = t.gettext("⚠️ Still no answer for case <code>{code}</code> → {service}, and "
                         "nobody else can be alerted (no on-call worker, no coordination for "
                         "the region).", **_about(handoff, case))
    text += "\n" + t.gettext("The next services for the same search are one tap away.")
    send(app, session, requester, text, next_buttons(app, t, handoff, requester))


def escalation_buttons(app: App, t: Text, handoff: Handoff, user_id: int, *, on_call: bool
                       ) -> list[list[Button]]:
    """Accept for the service (and decline, for an on-call worker of the service); call the
    service; send the request to one of its receivers."""
    first = [Button(t.gettext("✅ Accept for the service"),
                    sign(app, ESC_ACCEPT, handoff.id, user_id))]
    if on_call:
        first.append(Button(t.gettext("Decline"), sign(app, DECLINE, handoff.id, user_id)))
    return [first, [
        Button(t.gettext("📞 Call the service"), sign(app, CALL, handoff.id, user_id)),
        Button(t.gettext("↪️ Reassign"), sign(app, REASSIGN, handoff.id, user_id)),
    ]]


def escalation_text(app: App, t: Text, handoff: Handoff, case: Case, requester: Worker | None,
                    note: str | None, *, on_call: bool) -> str:
    """Why this person gets the request, what they may do, then the request itself."""
    since = t.datetime(handoff.created_at)
    if on_call:
        head = t.gettext("🚨 <b>You are on call</b>: nobody has answered this request to "
                         "{service} since {time}.", service=esc(handoff.service_name), time=since)
        todo = t.gettext("You may accept it for the service, decline it, call the service or "
                         "send it to one of its receiving workers.")
    else:
        head = t.gettext("⚠️ <b>Unanswered request</b>: nobody has answered this request to "
                         "{service} since {time}.", service=esc(handoff.service_name), time=since)
        todo = t.gettext("You may accept it for the service (you then follow the case), call "
                         "the service or send it to one of its receiving workers.")
    body = request_text(app, t, handoff, case, requester, note, with_note=on_call)
    return f"{head}\n{todo}\n\n{body}"


async def send_escalation(app: App, session: AsyncSession, handoff: Handoff, case: Case,
                          worker: Worker, row: HandoffRecipient, *, on_call: bool) -> None:
    """The escalated request to one on-call worker or coordinator (its id kept on ``row``)."""
    t = text_for(app, worker)
    requester = await worker_by_id(session, handoff.requester_id)
    note = note_of(app, handoff.note_enc) if on_call else None
    send(app, session, worker,
         escalation_text(app, t, handoff, case, requester, note, on_call=on_call),
         escalation_buttons(app, t, handoff, worker.telegram_id, on_call=on_call), record=row)


async def send_reassigned(app: App, session: AsyncSession, handoff: Handoff, case: Case,
                          worker: Worker, row: HandoffRecipient, actor: Worker) -> None:
    """The request, sent to one receiver by the person who reassigned it (in place of an
    earlier copy)."""
    t = text_for(app, worker)
    requester = await worker_by_id(session, handoff.requester_id)
    head = t.gettext("↪️ Request sent to you by {who}: nobody has answered it since {time}.",
                     who=who(actor), time=t.datetime(handoff.created_at))
    text = head + "\n\n" + request_text(app, t, handoff, case, requester,
                                        note_of(app, handoff.note_enc))
    if row.message_id is not None:
        delete(app, session, row)
    send(app, session, worker, text, request_buttons(app, t, handoff, worker.telegram_id),
         record=row)


async def tell_requester_reassigned(app: App, session: AsyncSession, handoff: Handoff,
                                    case: Case, requester: Worker, actor: Worker,
                                    target: Worker) -> None:
    """The requester learns who the request went to, and by whom."""
    t = text_for(app, requester)
    text = t.gettext("↪️ Case <code>{code}</code> → {service}: request sent on by {who}. Now "
                     "waiting for: {name}.", who=who(actor), name=who(target),
                     **_about(handoff, case))
    send(app, session, requester, text, next_buttons(app, t, handoff, requester))
