"""A case's handoff events as lines of the case timeline (``/case CODE``): who, what, when,
why. Entry texts are msgids translated when shown; no note text ever goes in."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.i18n import N_
from bot.models.cases import Case
from bot.models.core import Worker
from bot.models.handoffs import Handoff, HandoffEvent
from bot.services.handoffs.lifecycle import Status

STATUS_LINES: dict[str, str] = {
    Status.ACCEPTED.value: N_("handoff to {service} accepted by {who}"),
    Status.REJECTED.value: N_("handoff to {service} declined by {who}"),
    Status.IN_PROGRESS.value: N_("handoff to {service} in progress ({who})"),
    Status.ON_HOLD.value: N_("handoff to {service} on hold ({who})"),
    Status.COMPLETED.value: N_("handoff to {service} completed ({who})"),
    Status.FAILED.value: N_("handoff to {service} failed ({who})"),
    Status.CANCELLED.value: N_("handoff to {service} cancelled by {who}"),
    Status.ENTERED_IN_ERROR.value: N_("handoff to {service} marked as entered in error by {who}"),
}
# The timeline shows parameters as given, so each reason is a whole sentence of its own.
REASON_LINES: dict[tuple[str, str], str] = {
    ("rejected", "not-eligible"): N_("handoff to {service} declined by {who}: not eligible"),
    ("rejected", "no-capacity"): N_("handoff to {service} declined by {who}: no capacity"),
    ("rejected", "no-contact"): N_("handoff to {service} declined by {who}: could not reach "
                                   "the youth"),
    ("rejected", "referred-elsewhere"): N_("handoff to {service} declined by {who}: referred "
                                           "elsewhere"),
    ("rejected", "other"): N_("handoff to {service} declined by {who}: other reason"),
    ("rejected", "no-response"): N_("handoff to {service} expired, no response"),
    ("cancelled", "no-longer-needed"): N_("handoff to {service} cancelled by {who}: no longer "
                                          "needed"),
    ("cancelled", "youth-declined"): N_("handoff to {service} cancelled by {who}: the youth "
                                        "changed their mind"),
    ("cancelled", "referred-elsewhere"): N_("handoff to {service} cancelled by {who}: referred "
                                            "elsewhere"),
    ("cancelled", "other"): N_("handoff to {service} cancelled by {who}: other reason"),
    ("cancelled", "accepted-elsewhere"): N_("request to {service} withdrawn: another service "
                                            "accepted first"),
    ("on-hold", "waitlist"): N_("handoff to {service} on hold ({who}): waiting list"),
    ("on-hold", "no-contact"): N_("handoff to {service} on hold ({who}): cannot reach the "
                                  "youth for now"),
    ("on-hold", "assessment"): N_("handoff to {service} on hold ({who}): further assessment "
                                  "needed"),
    ("on-hold", "other"): N_("handoff to {service} on hold ({who}): other reason"),
    ("failed", "did-not-arrive"): N_("handoff to {service} failed ({who}): the youth did not "
                                     "arrive"),
    ("failed", "no-contact"): N_("handoff to {service} failed ({who}): lost contact"),
    ("failed", "not-eligible"): N_("handoff to {service} failed ({who}): not eligible after all"),
    ("failed", "other"): N_("handoff to {service} failed ({who}): other reason"),
}
KIND_LINES: dict[str, str] = {
    "created": N_("handoff requested to {service} by {who}"),
    "seen": N_("request to {service} seen by {who}"),
    "reminded": N_("request to {service} not answered yet: receivers reminded"),
    "escalated": N_("request to {service} not answered: escalated to on-call and coordinator"),
    "reassigned": N_("request to {service} sent to another receiving worker by {who}"),
    "followup.asked": N_("follow-up on {service}: outcome asked"),
}
FOLLOWUP_LINES: dict[str, str] = {  # the requester's outcome (bot.services.handoffs.outcomes)
    "arrived": N_("outcome of {service} ({who}): the youth arrived or was admitted"),
    "no-show": N_("outcome of {service} ({who}): the youth did not show up"),
    "placed-elsewhere": N_("outcome of {service} ({who}): the youth was placed elsewhere"),
    "other": N_("outcome of {service} ({who}): other"),
    "not-yet": N_("follow-up on {service} ({who}): the youth has not arrived yet"),
    "not-arrived": N_("follow-up on {service} ({who}): the youth did not arrive"),
}
#: Who an escalation reached ((on-call workers?, coordinators?) -> line); older events without
#: these details keep the "escalated" line above.
ESCALATED_LINES: dict[tuple[bool, bool], str] = {
    (True, True): N_("request to {service} not answered: on-call worker and coordination "
                     "alerted"),
    (True, False): N_("request to {service} not answered: on-call worker alerted"),
    (False, True): N_("request to {service} not answered: coordination alerted"),
    (False, False): N_("request to {service} not answered: nobody else could be alerted"),
}
SYSTEM = "Relais"


def line_for(event: HandoffEvent) -> str | None:
    if event.kind == "status":
        if event.reason and (event.to_status, event.reason) in REASON_LINES:
            return REASON_LINES[(event.to_status or "", event.reason)]
        return STATUS_LINES.get(event.to_status or "")
    details = event.details or {}
    if event.kind == "escalated" and "on_call" in details:
        return ESCALATED_LINES[(bool(details.get("on_call")), bool(details.get("coordinators")))]
    if event.kind == "followup":
        return FOLLOWUP_LINES.get(str((event.details or {}).get("outcome")))
    return KIND_LINES.get(event.kind)


async def case_timeline(session: AsyncSession, case: Case) -> list:
    from bot.services.cases import TimelineEntry

    rows = (await session.execute(
        select(HandoffEvent, Handoff.service_name)
        .join(Handoff, Handoff.id == HandoffEvent.handoff_id)
        .where(Handoff.case_id == case.id)
        .order_by(HandoffEvent.at, HandoffEvent.id))).all()
    names: dict[int, str] = {}
    entries = []
    for event, service in rows:
        text = line_for(event)
        if text is None:
            continue
        who = SYSTEM
        if event.actor_id:
            if event.actor_id not in names:
                worker = await session.get(Worker, event.actor_id)
                names[event.actor_id] = worker.display_name if worker else "?"
            who = names[event.actor_id]
        entries.append(TimelineEntry(
            event.at, text, {"service": service, "who": who},
            f"handoff.{event.kind}"))
    return entries
