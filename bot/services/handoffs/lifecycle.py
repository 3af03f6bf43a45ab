"""The handoff lifecycle (FHIR SDOH referral Task): statuses, who may move them, and reasons.

Pure: no database, no Telegram. :func:`check` raises :class:`TransitionRefused` (a
:class:`bot.errors.NotAllowed` with a translatable message) for anything not in the table.
"""

from __future__ import annotations

import enum

from bot.errors import InvalidInput, NotAllowed
from bot.i18n import N_


class Status(enum.StrEnum):
    REQUESTED = "requested"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    IN_PROGRESS = "in-progress"
    ON_HOLD = "on-hold"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"
    ENTERED_IN_ERROR = "entered-in-error"


class Side(enum.StrEnum):
    """Who moves a handoff: the worker who asked, or the receiving side (recipients, owner)."""

    REQUESTER = "requester"
    RECEIVER = "receiver"


class Priority(enum.StrEnum):
    ROUTINE = "routine"
    URGENT = "urgent"


S = Status
#: (from, to) -> the side allowed to make that move.
TRANSITIONS: dict[tuple[Status, Status], Side] = {
    (S.REQUESTED, S.ACCEPTED): Side.RECEIVER,
    (S.REQUESTED, S.REJECTED): Side.RECEIVER,
    (S.REQUESTED, S.CANCELLED): Side.REQUESTER,
    (S.ACCEPTED, S.IN_PROGRESS): Side.RECEIVER,
    (S.ACCEPTED, S.ON_HOLD): Side.RECEIVER,
    (S.ACCEPTED, S.CANCELLED): Side.REQUESTER,
    (S.ACCEPTED, S.COMPLETED): Side.RECEIVER,
    (S.ACCEPTED, S.FAILED): Side.RECEIVER,
    (S.IN_PROGRESS, S.ON_HOLD): Side.RECEIVER,
    (S.ON_HOLD, S.IN_PROGRESS): Side.RECEIVER,
    (S.IN_PROGRESS, S.CANCELLED): Side.REQUESTER,
    (S.IN_PROGRESS, S.COMPLETED): Side.RECEIVER,
    (S.IN_PROGRESS, S.FAILED): Side.RECEIVER,
    (S.ON_HOLD, S.CANCELLED): Side.REQUESTER,
    (S.ON_HOLD, S.COMPLETED): Side.RECEIVER,
    (S.ON_HOLD, S.FAILED): Side.RECEIVER,
}
for _status in Status:
    if _status is not S.ENTERED_IN_ERROR:
        TRANSITIONS[(_status, S.ENTERED_IN_ERROR)] = Side.REQUESTER
del _status

#: A reason describes the current status for these (earlier reasons live in the history).
REASON_REQUIRED = frozenset({S.REJECTED, S.CANCELLED, S.ON_HOLD, S.FAILED})
#: Statuses after which nothing more happens (except entered-in-error).
ENDED = frozenset({S.REJECTED, S.COMPLETED, S.FAILED, S.CANCELLED, S.ENTERED_IN_ERROR})
#: Statuses in which the two workers follow the youth together.
ACTIVE = frozenset({S.ACCEPTED, S.IN_PROGRESS, S.ON_HOLD})
OPEN = frozenset({S.REQUESTED}) | ACTIVE

# Reasons, stored as codes and shown in words.
DECLINE_REASONS: dict[str, str] = {
    "not-eligible": N_("Not eligible"),
    "no-capacity": N_("No capacity"),
    "no-contact": N_("Could not reach the youth"),
    "referred-elsewhere": N_("Referred elsewhere"),
    "other": N_("Other"),
}
CANCEL_REASONS: dict[str, str] = {
    "no-longer-needed": N_("No longer needed"),
    "youth-declined": N_("The youth changed their mind"),
    "referred-elsewhere": N_("Referred elsewhere"),
    "other": N_("Other"),
}
HOLD_REASONS: dict[str, str] = {
    "waitlist": N_("Waiting list"),
    "no-contact": N_("Cannot reach the youth for now"),
    "assessment": N_("Further assessment needed"),
    "other": N_("Other"),
}
FAIL_REASONS: dict[str, str] = {
    "did-not-arrive": N_("The youth did not arrive"),
    "no-contact": N_("Lost contact with the youth"),
    "not-eligible": N_("Not eligible after all"),
    "other": N_("Other"),
}
SYSTEM_REASONS: dict[str, str] = {
    "no-response": N_("No response"),
    "error": N_("Entered in error"),
    # An urgent request sent to several services at once: another one accepted it first.
    "accepted-elsewhere": N_("Accepted by another service"),
}
REASONS: dict[Status, dict[str, str]] = {
    S.REJECTED: DECLINE_REASONS,
    S.CANCELLED: CANCEL_REASONS,
    S.ON_HOLD: HOLD_REASONS,
    S.FAILED: FAIL_REASONS,
}
#: What the requester records after an accepted handoff (``handoffs.outcome``); the receiver's
#: statuses stay their own. "not-yet" is no outcome: the follow-up asks again later.
OUTCOMES: dict[str, str] = {
    "arrived": N_("Arrived or admitted"),
    "no-show": N_("Did not show up"),
    "placed-elsewhere": N_("Placed elsewhere"),
    "other": N_("Other"),
}
NOT_YET = "not-yet"
#: Codes stored by earlier versions, read as today's.
LEGACY_OUTCOMES: dict[str, str] = {"not-arrived": "no-show", "received": "arrived"}
STATUS_LABELS: dict[Status, str] = {
    S.REQUESTED: N_("requested"),
    S.ACCEPTED: N_("accepted"),
    S.REJECTED: N_("declined"),
    S.IN_PROGRESS: N_("in progress"),
    S.ON_HOLD: N_("on hold"),
    S.COMPLETED: N_("completed"),
    S.FAILED: N_("failed"),
    S.CANCELLED: N_("cancelled"),
    S.ENTERED_IN_ERROR: N_("entered in error"),
}


#: An unanswered request is stored as rejected with reason "no-response" (the lifecycle has no
#: "expired" status) but people read it as expired, never as declined.
EXPIRED_REASON = "no-response"
EXPIRED_LABEL = N_("expired, no response")


def is_expired(status: Status | str, reason: str | None) -> bool:
    """Whether a stored status and reason are an expiry (no receiver answered in time)."""
    return Status(status) is S.REJECTED and reason == EXPIRED_REASON


#: A request of an urgent group withdrawn because another service accepted first (helper D).
WITHDRAWN_LABEL = N_("withdrawn, accepted by another service")


def status_label(status: Status | str, reason: str | None = None) -> str:
    """The untranslated words of a status as people read it ("expired, no response" for an
    expiry, else the status's label)."""
    if Status(status) is S.CANCELLED and reason == "accepted-elsewhere":
        return WITHDRAWN_LABEL
    return EXPIRED_LABEL if is_expired(status, reason) else STATUS_LABELS[Status(status)]


class TransitionRefused(NotAllowed):
    """The move is not in the lifecycle, or not for this side."""


class ReasonRequired(InvalidInput):
    """The move needs a reason from the list."""


def reason_label(code: str | None) -> str | None:
    """The untranslated label of a reason code (any list), or None."""
    if code is None:
        return None
    for table in (*REASONS.values(), SYSTEM_REASONS, OUTCOMES):
        if code in table:
            return table[code]
    return None


def allowed_targets(current: Status | str, side: Side) -> list[Status]:
    """The statuses ``side`` may move a handoff to from ``current`` (for buttons)."""
    current = Status(current)
    return [to for (frm, to), who in TRANSITIONS.items() if frm is current and who is side]


def check(current: Status | str, target: Status | str, side: Side, reason: str | None = None,
          *, current_reason: str | None = None) -> None:
    """Raise unless ``side`` may move a handoff from ``current`` to ``target`` with ``reason``
    (``current_reason`` words the current status: an expiry reads "expired, no response")."""
    current, target = Status(current), Status(target)
    if current is target:
        raise TransitionRefused(
            N_("This handoff is already {status}."), status=status_label(current, current_reason)
        )
    who = TRANSITIONS.get((current, target))
    if who is None:
        raise TransitionRefused(
            N_("A handoff that is {current} cannot become {target}."),
            current=status_label(current, current_reason),
            target=STATUS_LABELS[target],
        )
    if who is not side:
        if who is Side.REQUESTER:
            raise TransitionRefused(N_("Only the worker who asked for this handoff can do that."))
        raise TransitionRefused(N_("Only the receiving worker can do that."))
    if target in REASON_REQUIRED:
        allowed = set(REASONS[target]) | set(SYSTEM_REASONS)
        if not reason or reason not in allowed:
            raise ReasonRequired(N_("Please choose a reason."))
