"""The transition table, checked over every (from, to, side) triple."""

from __future__ import annotations

import itertools

import pytest

from bot.services.handoffs.lifecycle import (
    REASON_REQUIRED,
    REASONS,
    ReasonRequired,
    Side,
    Status,
    TransitionRefused,
    allowed_targets,
    check,
)

S = Status
ALLOWED = {
    (S.REQUESTED, S.ACCEPTED, Side.RECEIVER),
    (S.REQUESTED, S.REJECTED, Side.RECEIVER),
    (S.REQUESTED, S.CANCELLED, Side.REQUESTER),
    (S.ACCEPTED, S.IN_PROGRESS, Side.RECEIVER),
    (S.ACCEPTED, S.ON_HOLD, Side.RECEIVER),
    (S.ACCEPTED, S.CANCELLED, Side.REQUESTER),
    (S.ACCEPTED, S.COMPLETED, Side.RECEIVER),
    (S.ACCEPTED, S.FAILED, Side.RECEIVER),
    (S.IN_PROGRESS, S.ON_HOLD, Side.RECEIVER),
    (S.ON_HOLD, S.IN_PROGRESS, Side.RECEIVER),
    (S.IN_PROGRESS, S.CANCELLED, Side.REQUESTER),
    (S.IN_PROGRESS, S.COMPLETED, Side.RECEIVER),
    (S.IN_PROGRESS, S.FAILED, Side.RECEIVER),
    (S.ON_HOLD, S.CANCELLED, Side.REQUESTER),
    (S.ON_HOLD, S.COMPLETED, Side.RECEIVER),
    (S.ON_HOLD, S.FAILED, Side.RECEIVER),
} | {(s, S.ENTERED_IN_ERROR, Side.REQUESTER) for s in S if s is not S.ENTERED_IN_ERROR}

MATRIX = list(itertools.product(list(S), list(S), list(Side)))


def a_reason(target: Status) -> str | None:
    return next(iter(REASONS[target])) if target in REASONS else None


@pytest.mark.parametrize(("frm", "to", "side"), MATRIX, ids=lambda v: str(v))
def test_matrix(frm: Status, to: Status, side: Side) -> None:
    if (frm, to, side) in ALLOWED:
        check(frm, to, side, a_reason(to))
    else:
        with pytest.raises(TransitionRefused):
            check(frm, to, side, a_reason(to))


@pytest.mark.parametrize("target", sorted(REASON_REQUIRED))
def test_reason_required(target: Status) -> None:
    frm = S.REQUESTED if target in (S.REJECTED, S.CANCELLED) else S.ACCEPTED
    side = Side.REQUESTER if target is S.CANCELLED else Side.RECEIVER
    with pytest.raises(ReasonRequired):
        check(frm, target, side, None)
    with pytest.raises(ReasonRequired):
        check(frm, target, side, "not-a-reason")
    check(frm, target, side, a_reason(target))


def test_allowed_targets_for_buttons() -> None:
    assert allowed_targets(S.REQUESTED, Side.RECEIVER) == [S.ACCEPTED, S.REJECTED]
    assert set(allowed_targets(S.IN_PROGRESS, Side.RECEIVER)) == {S.ON_HOLD, S.COMPLETED, S.FAILED}
    assert set(allowed_targets(S.COMPLETED, Side.REQUESTER)) == {S.ENTERED_IN_ERROR}
    assert allowed_targets(S.COMPLETED, Side.RECEIVER) == []
