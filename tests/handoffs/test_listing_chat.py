"""``/handoffs`` read on a phone: one entry per line (code, status in words, the service cut at a
word with "…", the time in words), short buttons only to open one's own entries, and a
coordinator's list that starts with its heading (no blank line)."""

from __future__ import annotations

import pytest

from tests.handoffs.conftest import add_case, add_service, offer_button
from tests.handoffs.test_chat import EN, FR

LONG = "Hébergement d'urgence jeunesse du Grand Montréal métropolitain et des environs"
W = {"fr": {"mine": "Vos prises en charge", "status": "demandée", "when": "15 janv. à 10 h",
            "regions": "Prises en charge de vos régions"},
     "en": {"mine": "Your handoffs", "status": "requested", "when": "Jan 15, 10:00 AM",
            "regions": "Handoffs of your regions"}}


async def request(chat, app, svc, case, words):  # type: ignore[no-untyped-def]
    await offer_button(app, chat, "alice", svc.id)
    await chat.press("alice", "Request handoff")
    await chat.press("alice", case.code)
    await chat.press("alice", words["urgent"])
    await chat.press("alice", words["without"])


@pytest.mark.parametrize("lang", ["fr", "en"])
async def test_handoffs_list_one_line_each_short_buttons(app, chat, lang):
    w, words = W[lang], FR if lang == "fr" else EN
    alice = await chat.register("alice", org="Organisme A (fictif)", lang=lang)
    bob = await chat.register("bob", org="Maison B (fictive)", lang=lang)
    await chat.register("cora", role="coordinator", org="Table (fictive)", lang=lang)
    long_svc = await add_service(app, LONG, receivers=(bob,))
    short_svc = await add_service(app, "Maison B", receivers=(bob,))
    first, second = await add_case(app, alice), await add_case(app, alice)
    await request(chat, app, long_svc, first, words)
    await request(chat, app, short_svc, second, words)

    events = await chat.say("alice", "/handoffs")
    lines = chat.texts("alice", events).split("\n")
    assert lines[0] == w["mine"] and len(lines) == 3
    for line in lines[1:]:
        assert w["status"] in line and w["when"] in line
    long_line = next(line for line in lines if first.code in line)
    shown = next(part for part in long_line.split(" · ") if part.startswith("Hébergement"))
    assert shown.endswith("…") and len(shown) <= 35
    assert LONG.startswith(shown[:-1]) and LONG[len(shown) - 1] == " "  # cut between words
    assert "Maison B" in next(line for line in lines if second.code in line)
    buttons = chat.buttons("alice")
    assert sorted(b.split(". ")[1] for b in buttons) == sorted([first.code, second.code])
    assert all(len(b) <= 12 for b in buttons) and buttons[0].startswith("1. ")

    events = await chat.press("alice", first.code)  # a button opens its entry
    assert first.code in chat.texts("alice", events)

    events = await chat.say("cora", "/handoffs")  # a coordinator with none of their own
    seen = chat.texts("cora", events)
    assert seen.split("\n")[0].startswith(w["regions"])
    assert first.code in seen and second.code in seen
    assert chat.buttons("cora") == []
