"""Handoff messages, rendered in each recipient's language and sent through ``app.messenger``.

A message about a case carries the case code, the status, the needs in words and the action
buttons; the note only to the request's receivers and to participants. Dynamic values are
HTML-escaped (HTML parse mode is the default). Every message is sent with ``protect_content``.

Buttons are signed for the one user they are sent to (``bot.services.crypto.sign_callback``, the
scheme ``handlers.secure`` verifies).

This module renders and sends; it decides nothing and moves nothing, so it reads through
:mod:`.queries` only and never imports :mod:`.service`.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING

from babel import Locale
from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import N_, Text
from bot.messenger import Button, OutgoingMessage
from bot.models.core import Worker
from bot.models.handoffs import Handoff, HandoffRecipient
from bot.services import crypto, outgoing
from bot.services.cases import AGE_BANDS, LANGUAGE_NAMES
from bot.services.handoffs.lifecycle import (
    ACTIVE,
    OUTCOMES,
    REASONS,
    Priority,
    Side,
    Status,
    allowed_targets,
    is_expired,
    reason_label,
    status_label,
)
from bot.services.handoffs.queries import note_of, recipients, worker_by_id
from bot.services.handoffs.routing import ACTING_ROLES
from knowledge.regions import region_name

if TYPE_CHECKING:
    from bot.app import App
    from bot.models.cases import Case

log = logging.getLogger(__name__)

# Actions of signed buttons (≤ 64 bytes with the signature: keep them short).
ACCEPT = "ho.acc"
DECLINE = "ho.dec"
ASK = "ho.ask"
OPEN = "ho.open"
FOLLOWUP = "ho.fu"
NEXT = "ho.next"
WRITE = "ho.write"
# What the people alerted at escalation may do (handled by handlers.handoffs.escalation).
ESC_ACCEPT = "ho.eacc"
CALL = "ho.call"
REASSIGN = "ho.rea"


def sign(app: App, action: str, object_id: int | str, user_id: int, extra: str = "") -> str:
    return crypto.sign_callback(app, action, object_id, user_id, extra)


def esc(value: object) -> str:
    return html.escape(str(value), quote=False)


def text_for(app: App, worker: Worker) -> Text:
    return app.translator.text(worker.preferred_language)


def org_name(worker: Worker | None) -> str:
    if worker is None or worker.organisation is None:
        return "—"
    return worker.organisation.name


def who(worker: Worker | None) -> str:
    """"Name (Organisation)", escaped."""
    if worker is None:
        return "—"
    return f"{esc(worker.display_name)} ({esc(org_name(worker))})"


def status_words(t: Text, status: str, reason: str | None = None) -> str:
    """A status in words; an expiry reads "expired, no response", never "declined"."""
    return t.gettext(status_label(status, reason))


def reason_words(t: Text, code: str | None) -> str:
    label = reason_label(code)
    return t.gettext(label) if label else esc(code or "")


def needs_words(app: App, t: Text, needs: Sequence[str]) -> str:
    words = []
    for code in needs:
        try:
            words.append(app.taxonomy.label(code, t.lang))
        except (KeyError, AttributeError):
            words.append(code)
    return esc(", ".join(words)) if words else "—"


def language_words(t: Text, codes: Sequence[str]) -> str:
    names = Locale.parse(t.locale).languages
    return esc(", ".join(
        t.gettext(LANGUAGE_NAMES[c]) if c in LANGUAGE_NAMES else names.get(c, c) for c in codes
    )) if codes else "—"


def region_words(t: Text, codes: Sequence[str]) -> str:
    out = []
    for code in codes:
        try:
            out.append(region_name(code, t.lang))
        except KeyError:
            out.append(code)
    return esc(", ".join(out)) if out else "—"


def age_words(t: Text, case: Case) -> str:
    if case.age is not None:
        return t.ngettext("{n} year old", "{n} years old", case.age)
    return t.gettext(AGE_BANDS.get(case.age_band or "unknown", AGE_BANDS["unknown"]))


def priority_words(t: Text, priority: str) -> str:
    if priority == Priority.URGENT.value:
        return t.gettext("URGENT")
    return t.gettext("routine")


def summary(app: App, t: Text, handoff: Handoff, case: Case) -> str:
    """The lines every handoff message starts with: code, service, status, needs."""
    return "\n".join([
        t.gettext("Case <code>{code}</code> → {service}", code=esc(case.code),
                  service=esc(handoff.service_name)),
        t.gettext("Status: <b>{status}</b>", status=status_words(t, handoff.status,
                                                               handoff.status_reason)),
        t.gettext("Needs: {needs}", needs=needs_words(app, t, handoff.needs or case.needs)),
    ])


def request_text(
    app: App, t: Text, handoff: Handoff, case: Case, requester: Worker | None,
    note: str | None, *, with_note: bool = True,
) -> str:
    lines = [
        t.gettext("🔔 <b>Handoff request</b> ({priority})",
                  priority=priority_words(t, handoff.priority)),
        t.gettext("Case <code>{code}</code> → {service}", code=esc(case.code),
                  service=esc(handoff.service_name)),
        t.gettext("Age: {age}", age=age_words(t, case)),
        t.gettext("Needs: {needs}", needs=needs_words(app, t, handoff.needs or case.needs)),
        t.gettext("Languages: {languages}", languages=language_words(t, case.languages or [])),
        t.gettext("Regions: {regions}", regions=region_words(
            t, list(dict.fromkeys(r for r in (case.region_current, case.region_origin) if r))
            or ([handoff.region] if handoff.region else []))),
        t.gettext("Requested by: {who}", who=who(requester)),
    ]
    if handoff.group_key:  # an urgent request sent to several services at once (helper D)
        lines.append(t.gettext("📨 Sent to several services at once: the first to accept takes "
                               "it, the others are then withdrawn."))
    if note and with_note:
        lines.append(t.gettext("Note: {note}", note=esc(note)))
    return "\n".join(lines)


def request_buttons(app: App, t: Text, handoff: Handoff, user_id: int) -> list[list[Button]]:
    return [
        [Button(t.gettext("Accept"), sign(app, ACCEPT, handoff.id, user_id)),
         Button(t.gettext("Decline"), sign(app, DECLINE, handoff.id, user_id))],
        [Button(t.gettext("Ask a question"), sign(app, ASK, handoff.id, user_id))],
    ]


def send(app: App, session: AsyncSession, worker: Worker, text: str,
         buttons: list[list[Button]] | None = None, *,
         record: HandoffRecipient | None = None) -> bool:
    """Queue one protected message, sent once the transaction commits (its id is then kept on
    ``record``); False when the worker cannot receive it."""
    return outgoing.send(app, session, worker, OutgoingMessage(
        chat_id=worker.telegram_id, text=text, buttons=buttons or [], protect_content=True),
        record=record)


def delete(app: App, session: AsyncSession, recipient: HandoffRecipient) -> None:
    outgoing.delete(app, session, recipient.chat_id, recipient.message_id)


def edit(app: App, session: AsyncSession, recipient: HandoffRecipient, text: str,
         buttons: list[list[Button]] | None = None) -> None:
    outgoing.edit(app, session, recipient.chat_id, recipient.message_id, OutgoingMessage(
        chat_id=recipient.chat_id or 0, text=text, buttons=buttons or [], protect_content=True))


async def send_request(
    app: App, session: AsyncSession, handoff: Handoff, case: Case, worker: Worker,
    row: HandoffRecipient, *, note: str | None, reminder: bool = False,
) -> None:
    """The request with its Accept / Decline / Ask buttons, to one receiver (its message id is
    kept on ``row``); a reminder replaces the first copy."""
    t = text_for(app, worker)
    requester = await worker_by_id(session, handoff.requester_id)
    text = request_text(app, t, handoff, case, requester, note)
    if reminder:
        text = t.gettext("⏰ Reminder: this request is still waiting for an answer.") + "\n" + text
    if reminder and row.message_id is not None:  # the reminder replaces the first copy
        delete(app, session, row)
    send(app, session, worker, text, request_buttons(app, t, handoff, worker.telegram_id),
         record=row)


# ---- buttons for the two sides -----------------------------------------------------------------

MOVE = "ho.mv"
ACTION_LABELS: dict[Status, str] = {
    Status.ACCEPTED: N_("Accept"),
    Status.REJECTED: N_("Decline"),
    Status.IN_PROGRESS: N_("In progress"),
    Status.ON_HOLD: N_("Put on hold"),
    Status.COMPLETED: N_("Completed"),
    Status.FAILED: N_("Failed"),
    Status.CANCELLED: N_("Cancel the handoff"),
    Status.ENTERED_IN_ERROR: N_("Entered in error"),
}


def thread_buttons(app: App, t: Text, case: Case, user_id: int) -> list[Button]:
    """The cases feature's own thread and case buttons (it handles ``case.reply``/``case.view``)."""
    return [
        Button(t.gettext("✍️ Write in the thread"),
               crypto.sign_callback(app, "case.reply", case.id, user_id)),
        Button(t.gettext("Open the case"), crypto.sign_callback(app, "case.view", case.id, user_id)),
    ]


def control_buttons(app: App, t: Text, handoff: Handoff, case: Case, worker: Worker,
                    side: Side) -> list[list[Button]]:
    """What ``worker`` may do next on an accepted handoff, plus the thread."""
    rows: list[list[Button]] = []
    moves = [s for s in allowed_targets(handoff.status, side)
             if s not in (Status.ACCEPTED, Status.REJECTED, Status.ENTERED_IN_ERROR)]
    row: list[Button] = []
    for status in moves:
        row.append(Button(t.gettext(ACTION_LABELS[status]),
                          sign(app, MOVE, handoff.id, worker.telegram_id, status.value)))
        if len(row) == 2:
            rows.append(row)
            row = []
    if row:
        rows.append(row)
    if handoff.status in {s.value for s in ACTIVE}:
        rows.append(thread_buttons(app, t, case, worker.telegram_id))
    rows.extend(outcome_row(app, t, handoff, worker, side))  # outcomes (helper D)
    return rows


def reason_buttons(app: App, t: Text, handoff: Handoff, worker: Worker, target: Status
                   ) -> list[list[Button]]:
    return [[Button(t.gettext(label),
                    sign(app, MOVE, handoff.id, worker.telegram_id, f"{target.value}.{code}"))]
            for code, label in REASONS[target].items()]


# ---- the messages ------------------------------------------------------------------------------


async def update_request_messages(app: App, session: AsyncSession, handoff: Handoff, case: Case,
                                  actor: Worker | None) -> None:
    """Once a request is answered (or cancelled, or expired), edit every copy of it."""
    owner = await session.get(Worker, handoff.owner_id) if handoff.owner_id else None
    note = note_of(app, handoff.note_enc)
    for row in await recipients(session, handoff.id):
        worker = await session.get(Worker, row.worker_id)
        if worker is None:
            continue
        t = text_for(app, worker)
        head = summary(app, t, handoff, case)
        buttons: list[list[Button]] = []
        if handoff.status == Status.ACCEPTED.value and owner is not None and owner.id == worker.id:
            text = t.gettext("✅ You accepted this handoff. You now follow case {code} with {who}.",
                             code=esc(case.code),
                             who=who(await session.get(Worker, handoff.requester_id)
                                     if handoff.requester_id else None))
            text += "\n" + head
            if note:
                text += "\n" + t.gettext("Note: {note}", note=esc(note))
            buttons = control_buttons(app, t, handoff, case, worker, Side.RECEIVER)
        elif handoff.status == Status.ACCEPTED.value:
            text = t.gettext("Handoff accepted by {who}.", who=who(owner)) + "\n" + head
        elif handoff.status == Status.REJECTED.value and handoff.status_reason == "no-response":
            text = t.gettext("⌛ This request expired without an answer.") + "\n" + head
        elif handoff.status == Status.REJECTED.value:
            text = t.gettext("Declined by {who}: {reason}.", who=who(actor),
                             reason=reason_words(t, handoff.status_reason)) + "\n" + head
        else:
            text = t.gettext("This request was withdrawn by the worker who asked for it.") \
                + "\n" + head
        edit(app, session, row, text, buttons)


async def tell_requester_accepted(app: App, session: AsyncSession, handoff: Handoff, case: Case,
                                  requester: Worker, owner: Worker | None) -> None:
    t = text_for(app, requester)
    text = (t.gettext("✅ Handoff accepted by {who}.", who=who(owner)) + "\n"
            + summary(app, t, handoff, case) + "\n"
            + t.gettext("You can now write to each other in the case thread."))
    send(app, session, requester, text,
               control_buttons(app, t, handoff, case, requester, Side.REQUESTER))


async def tell_requester_declined(app: App, session: AsyncSession, handoff: Handoff, case: Case,
                                  requester: Worker, actor: Worker | None,
                                  note: str | None) -> None:
    t = text_for(app, requester)
    if actor is None:
        text = t.gettext("⌛ Case <code>{code}</code> → {service}: request expired, no response.",
                         service=esc(handoff.service_name), code=esc(case.code))
    else:
        text = t.gettext("❌ {who} declined the handoff for case {code}: {reason}.",
                         who=who(actor), code=esc(case.code),
                         reason=reason_words(t, handoff.status_reason))
        if note:
            text += "\n" + t.gettext("Note: {note}", note=esc(note))
    text += "\n" + t.gettext("The next services for the same search are one tap away.")
    send(app, session, requester, text, [[Button(
        t.gettext("See the next services"), sign(app, NEXT, handoff.id, requester.telegram_id))]])


async def tell_status(app: App, session: AsyncSession, handoff: Handoff, case: Case,
                      worker: Worker, actor: Worker | None, note: str | None) -> None:
    t = text_for(app, worker)
    status = status_words(t, handoff.status, handoff.status_reason)
    if handoff.status_reason and not is_expired(handoff.status, handoff.status_reason):
        status += " — " + reason_words(t, handoff.status_reason)
    text = t.gettext("Case <code>{code}</code> → {service}: now <b>{status}</b> ({who}).",
                     code=esc(case.code), service=esc(handoff.service_name), status=status,
                     who=who(actor) if actor else "Relais")
    if note:
        text += "\n" + t.gettext("Note: {note}", note=esc(note))
    side = Side.REQUESTER if worker.id == handoff.requester_id else Side.RECEIVER
    send(app, session, worker, text, control_buttons(app, t, handoff, case, worker, side))


OUTCOME = "ho.out"
#: The icon before each outcome's label (lifecycle.OUTCOMES) on its button.
OUTCOME_ICONS: dict[str, str] = {"arrived": "✅ ", "no-show": "❌ ", "placed-elsewhere": "↪️ "}
OUTCOME_WORDS: dict[str, str] = {
    "arrived": N_("the youth arrived or was admitted"),
    "no-show": N_("the youth did not show up"),
    "placed-elsewhere": N_("the youth was placed elsewhere"),
    "other": N_("other outcome (see the case thread)"),
}


def outcome_buttons(app: App, t: Text, handoff: Handoff, user_id: int, *,
                    not_yet: bool = False) -> list[list[Button]]:
    """The outcomes the requester may record (FOLLOWUP buttons, extra = the outcome code), two
    a row; the follow-up adds "not yet", which asks again a day later."""
    cells = [Button(OUTCOME_ICONS.get(code, "") + t.gettext(label),
                    sign(app, FOLLOWUP, handoff.id, user_id, code))
             for code, label in OUTCOMES.items()]
    rows = [cells[i:i + 2] for i in range(0, len(cells), 2)]
    if not_yet:
        rows.append([Button(t.gettext("⏳ Not yet: ask me again tomorrow"),
                            sign(app, FOLLOWUP, handoff.id, user_id, "not-yet"))])
    return rows


def outcome_row(app: App, t: Text, handoff: Handoff, worker: Worker, side: Side
                ) -> list[list[Button]]:
    """The requester's "Record the outcome" on a handoff's controls, once it was accepted."""
    if (side is not Side.REQUESTER or handoff.accepted_at is None
            or handoff.status == Status.ENTERED_IN_ERROR.value):
        return []
    return [[Button(t.gettext("📋 Record the outcome"),
                    sign(app, OUTCOME, handoff.id, worker.telegram_id))]]


async def ask_followup(app: App, session: AsyncSession, handoff: Handoff, case: Case,
                       requester: Worker) -> None:
    """The day-after question: how did it go? The outcomes, and "not yet"."""
    t = text_for(app, requester)
    owner = await worker_by_id(session, handoff.owner_id)
    text = t.gettext("📋 Follow-up on case <code>{code}</code> → {service} (accepted by {who}): "
                     "how did it go for the youth?",
                     code=esc(case.code), service=esc(handoff.service_name), who=who(owner))
    send(app, session, requester, text,
         outcome_buttons(app, t, handoff, requester.telegram_id, not_yet=True))


async def tell_owner_followup(app: App, session: AsyncSession, handoff: Handoff, case: Case,
                              owner: Worker, requester: Worker) -> None:
    """The receiver hears the outcome the requester recorded (their own statuses stay)."""
    t = text_for(app, owner)
    code = handoff.outcome or "not-yet"
    if code in OUTCOME_WORDS:
        text = t.gettext("📋 Case <code>{code}</code> → {service}: {who} recorded the outcome: "
                         "{outcome}.", code=esc(case.code), service=esc(handoff.service_name),
                         who=who(requester), outcome=t.gettext(OUTCOME_WORDS[code]))
    else:
        text = t.gettext("📋 Case <code>{code}</code> → {service}: according to {who}, the youth "
                         "has not arrived yet. We will ask again tomorrow.",
                         code=esc(case.code), service=esc(handoff.service_name),
                         who=who(requester))
    send(app, session, owner, text, control_buttons(app, t, handoff, case, owner, Side.RECEIVER))


async def send_question(app: App, session: AsyncSession, handoff: Handoff, case: Case | None,
                        to: Worker, asker: Worker, text: str, *, answer: bool = False) -> None:
    """A question from the other side of a request, with "Reply" (its answer); or, with
    ``answer``, the answer to one, with "Ask another question".

    The button's extra names the person to write to: digits alone answer them (the extra of
    every "Reply" ever sent), ``q`` and digits ask them a new question."""
    t = text_for(app, to)
    code, service = esc(case.code if case else "?"), esc(handoff.service_name)
    if answer:
        body = t.gettext("💬 Answer about case <code>{code}</code> → {service}, from {who}:",
                         code=code, service=service, who=who(asker))
        button = Button(t.gettext("Ask another question"),
                        sign(app, ASK, handoff.id, to.telegram_id, f"q{asker.id}"))
    else:
        body = t.gettext("❓ Question about case <code>{code}</code> → {service}, from {who}:",
                         code=code, service=service, who=who(asker))
        button = Button(t.gettext("Reply"),
                        sign(app, ASK, handoff.id, to.telegram_id, str(asker.id)))
    send(app, session, to, body + "\n\n" + esc(text.strip()[:1500]), [[button]])


async def remind_receivers(app: App, session: AsyncSession, handoff: Handoff, case: Case) -> int:
    """Send the request again to its receivers (in place of their first copy); how many."""
    note = note_of(app, handoff.note_enc)
    reminded = 0
    for row in await recipients(session, handoff.id):
        if row.role not in ACTING_ROLES:
            continue
        worker = await session.get(Worker, row.worker_id)
        if worker is not None:
            await send_request(app, session, handoff, case, worker, row, note=note, reminder=True)
            reminded += 1
    return reminded
