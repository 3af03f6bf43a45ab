"""The states figures count in: every stored status and reason read as people read it."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from bot.config import DEFAULT_LOCALES_DIR
from bot.i18n import Translator
from bot.services.handoffs import group
from bot.services.handoffs.lifecycle import Status
from bot.services.stats.states import (
    ACCEPTED_STATES,
    ERROR,
    STATE_LABELS,
    STATES,
    WITHDRAWN_REASON,
    state_of,
)


@pytest.mark.parametrize(("status", "reason", "state"), [
    ("requested", None, "waiting"),
    ("accepted", None, "active"),
    ("in-progress", None, "active"),
    ("on-hold", "waitlist", "active"),
    ("completed", None, "completed"),
    ("failed", "did-not-arrive", "failed"),
    ("rejected", "no-capacity", "declined"),
    ("rejected", None, "declined"),
    ("rejected", "no-response", "expired"),
    ("cancelled", "accepted-elsewhere", "withdrawn"),
    ("cancelled", "no-longer-needed", "cancelled"),
    ("cancelled", "no-response", "cancelled"),
    ("entered-in-error", "error", ERROR),
])
def test_each_status_and_reason_has_its_state(status, reason, state):
    assert state_of(status, reason) == state


def test_every_status_is_counted_somewhere_and_error_nowhere():
    found = {state_of(status.value, None) for status in Status}
    assert found - {ERROR} <= set(STATES) and ERROR in found
    assert ERROR not in STATES
    assert STATES == ("waiting", "active", "completed", "failed", "declined", "expired",
                      "withdrawn", "cancelled")
    assert set(STATES) >= ACCEPTED_STATES and "withdrawn" not in ACCEPTED_STATES
    with pytest.raises(ValueError):
        state_of("lost", None)


def test_the_withdrawn_reason_is_the_urgent_groups():
    assert WITHDRAWN_REASON == group.ACCEPTED_ELSEWHERE


def test_labels_in_both_languages():
    translator = Translator(DEFAULT_LOCALES_DIR, "fr", ZoneInfo("America/Toronto"))
    french, english = translator.text("fr"), translator.text("en")
    assert set(STATE_LABELS) == set(STATES)
    assert english.gettext(STATE_LABELS["expired"]) == "Expired, no answer"
    assert french.gettext(STATE_LABELS["expired"]) == "Expirée, sans réponse"
    assert french.gettext(STATE_LABELS["withdrawn"]) == "Retirée (acceptée ailleurs)"
    for state in STATES:
        assert french.gettext(STATE_LABELS[state]) != english.gettext(STATE_LABELS[state]) or (
            state == "completed")
    assert len({french.gettext(label) for label in STATE_LABELS.values()}) == len(STATES)
