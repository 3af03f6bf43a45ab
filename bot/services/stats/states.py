"""The states a handoff is counted in: its lifecycle status read as people read it.

Pure, and importing only the lifecycle, so that the recording, the purge fold and the figures
can all use it without import cycles. An expiry is stored as "rejected" with reason
"no-response" and a withdrawn request of an urgent group as "cancelled" with reason
"accepted-elsewhere"; figures count them apart from declines and cancellations.
"""

from __future__ import annotations

from bot.i18n import N_
from bot.services.handoffs.lifecycle import EXPIRED_REASON, Status

#: ``bot.services.handoffs.group.ACCEPTED_ELSEWHERE`` (not imported: that module pulls in the
#: database and notifications; tests check the two agree).
WITHDRAWN_REASON = "accepted-elsewhere"

#: Every state shown in figures, in display order (charts stack them in this order).
STATES: tuple[str, ...] = (
    "waiting", "active", "completed", "failed", "declined", "expired", "withdrawn", "cancelled",
)
#: Handoffs entered in error: left out of every figure.
ERROR = "error"
#: States of a handoff that was accepted at some point and is not withdrawn or in error.
ACCEPTED_STATES: frozenset[str] = frozenset({"active", "completed", "failed"})
#: States in which nothing more happens.
ENDED_STATES: frozenset[str] = frozenset(
    {"completed", "failed", "declined", "expired", "withdrawn", "cancelled"})

STATE_LABELS: dict[str, str] = {
    "waiting": N_("Waiting for an answer"),
    "active": N_("Accepted, under way"),
    "completed": N_("Completed"),
    "failed": N_("Failed"),
    "declined": N_("Declined"),
    "expired": N_("Expired, no answer"),
    "withdrawn": N_("Withdrawn (accepted elsewhere)"),
    "cancelled": N_("Cancelled"),
}

_BY_STATUS: dict[str, str] = {
    Status.REQUESTED: "waiting",
    Status.ACCEPTED: "active",
    Status.IN_PROGRESS: "active",
    Status.ON_HOLD: "active",
    Status.COMPLETED: "completed",
    Status.FAILED: "failed",
    Status.REJECTED: "declined",
    Status.CANCELLED: "cancelled",
    Status.ENTERED_IN_ERROR: ERROR,
}


def state_of(status: str, reason: str | None) -> str:
    """The state a stored ``status`` and ``status_reason`` count in (one of :data:`STATES`, or
    :data:`ERROR`). Raises ``ValueError`` for an unknown status."""
    state = _BY_STATUS[Status(status)]
    if state == "declined" and reason == EXPIRED_REASON:
        return "expired"
    if state == "cancelled" and reason == WITHDRAWN_REASON:
        return "withdrawn"
    return state
