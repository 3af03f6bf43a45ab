"""Warm handoffs in chat: request from a search result, accept / decline / ask, move it on,
the follow-up, the next services after a decline, ``/handoffs`` and ``/receivers``.

Every button about a handoff or a case carries signed callback data bound to the user it was
sent to (``handlers.secure``); every action re-checks the worker's part in it (services).
Writing in the case thread is the cases feature's flow (its ``case.reply`` button).

- :mod:`.request`: which case, priority, note, send;
- :mod:`.answer`: accept, decline, the later moves and their reasons;
- :mod:`.questions`: questions between the two sides;
- :mod:`.outcomes`: the requester's outcome (its controls and the day-after follow-up);
- :mod:`.next_step`: the next services after a decline, an expiry, or while a request waits;
- :mod:`.escalation`: an escalated request's actions (accept for the service, call, reassign);
- :mod:`.listing`: ``/handoffs`` and one handoff opened from it;
- :mod:`.receivers`: ``/receivers``.
"""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command as CommandFilter

from bot.i18n import N_
from bot.services.handoffs import notify
from handlers.commands import Command
from handlers.directory import RequestHandoff
from handlers.handoffs import (
    answer,
    escalation,
    group,
    listing,
    next_step,
    outcomes,
    questions,
    receivers,
    request,
)
from handlers.handoffs.common import (
    NEW_CASE,
    PICK_CASE,
    PRIORITY,
    RECEIVER_SERVICE,
    RECEIVER_TOGGLE,
    SEND,
    SHOW,
    HandoffFlow,
)
from handlers.secure import SecureCallback

__all__ = ["COMMANDS", "RequestHandoff", "build_router"]

COMMANDS = (
    Command("handoffs", N_("Your handoffs (coordinators: those of your regions)")),
    Command("receivers", N_("Who receives a service's handoffs (/receivers SERVICE)"),
            coordinator_only=True),
)


def build_router() -> Router:
    """Register the handoff handlers, in the order they must be tried."""
    router = Router(name="handoffs")
    free_text = (F.text, ~F.text.startswith("/"))
    # asking for a handoff
    router.callback_query.register(request.request_from_result, RequestHandoff.filter())
    router.callback_query.register(request.new_case, SecureCallback.filter(action=NEW_CASE))
    router.callback_query.register(request.pick_case, SecureCallback.filter(action=PICK_CASE))
    router.callback_query.register(request.pick_priority, SecureCallback.filter(action=PRIORITY))
    router.callback_query.register(request.send_without_note, SecureCallback.filter(action=SEND))
    router.callback_query.register(group.toggle, SecureCallback.filter(action=group.ALSO))
    for step in (HandoffFlow.question, HandoffFlow.reason_note, HandoffFlow.note):
        router.message.register(request.cancel_flow, step, CommandFilter("cancel"))
    router.message.register(request.type_note, HandoffFlow.note, *free_text)
    # the receiving side: accept, decline, move, ask
    router.callback_query.register(answer.accept, SecureCallback.filter(action=notify.ACCEPT))
    router.callback_query.register(answer.decline, SecureCallback.filter(action=notify.DECLINE))
    router.callback_query.register(answer.move, SecureCallback.filter(action=notify.MOVE))
    router.message.register(answer.type_reason, HandoffFlow.reason_note, *free_text)
    router.callback_query.register(questions.ask, SecureCallback.filter(action=notify.ASK))
    router.message.register(questions.type_question, HandoffFlow.question, *free_text)
    # follow-up and the next services
    router.callback_query.register(
        outcomes.followup, SecureCallback.filter(action=notify.FOLLOWUP))
    router.callback_query.register(
        outcomes.ask_outcome, SecureCallback.filter(action=notify.OUTCOME))
    router.callback_query.register(
        next_step.next_services, SecureCallback.filter(action=notify.NEXT))
    # an escalated request: accept for the service, call it, reassign it
    router.callback_query.register(
        escalation.accept_for_service, SecureCallback.filter(action=notify.ESC_ACCEPT))
    router.callback_query.register(escalation.call, SecureCallback.filter(action=notify.CALL))
    router.callback_query.register(
        escalation.ask_receiver, SecureCallback.filter(action=notify.REASSIGN))
    router.callback_query.register(
        escalation.reassign, SecureCallback.filter(action=escalation.REASSIGN_TO))
    # /handoffs and /receivers
    router.message.register(listing.list_handoffs, CommandFilter("handoffs"))
    router.callback_query.register(listing.show, SecureCallback.filter(action=SHOW))
    router.message.register(receivers.receivers, CommandFilter("receivers"))
    router.callback_query.register(
        receivers.receiver_service, SecureCallback.filter(action=RECEIVER_SERVICE))
    router.callback_query.register(
        receivers.receiver_toggle, SecureCallback.filter(action=RECEIVER_TOGGLE))
    return router
