"""The 3 a.m. path never dead-ends, as a worker sees it in the chat (French and English):
the neighbouring regions' services when fewer than three can take the youth now, "Neighbouring
regions" in one tap, "Call" where nobody receives a handoff, and greetings answered as such."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.app import App
from bot.models.core import AuditEntry
from bot.models.directory import DirectoryService
from bot.services.directory import receivers
from tests.support.chat import Chat
from tests.support.commits import failing_commit

W = {
    "fr": {"near": "Région voisine\u00a0: ", "few": "Moins de trois services de la région",
           "call": "Appeler", "request": "Demander une prise en charge", "more": "Plus de résultats",
           "neighbours": "🧭 Régions voisines", "asked": "Services des régions voisines",
           "beds0": "0 lit", "laval": "Laval", "saved": "Enregistré."},
    "en": {"near": "Neighbouring region: ", "few": "Fewer than three services of",
           "call": "Call", "request": "Request handoff", "more": "More results",
           "neighbours": "🧭 Neighbouring regions", "asked": "Services of the regions next to",
           "beds0": "0 beds", "laval": "Laval", "saved": "Saved."},
}
MONTREAL = {"fr": "hebergement urgence 15 ans montreal ce soir",
            "en": "emergency shelter for a 15 year old in montreal tonight"}
ST_JEROME = {"fr": "hebergement urgence 14 ans a st-jerome cette nuit",
             "en": "emergency shelter for a 14 year old in st-jerome tonight"}
ANY_NEED_MONTREAL = {"fr": "un jeune de 15 ans à Montréal", "en": "a 15 year old in Montreal"}


def results(text: str) -> list[str]:
    """The numbered result blocks of an answer, each as one string."""
    blocks = text.split("\n\n")
    return [b for b in blocks if b[:1].isdigit() and ". " in b.splitlines()[0]]


async def service_id(app: App, name: str) -> int:
    async with app.sessionmaker() as session:
        found = await session.scalar(select(DirectoryService.id).where(DirectoryService.name == name))
    assert found is not None
    return found


@pytest.mark.parametrize("lang", ["fr", "en"])
async def test_montreal_tonight_adds_the_free_bed_in_laval(chat: Chat, seeded: App, lang: str) -> None:
    """Seen: one shelter, while a 12-17 shelter in Laval next door had a free bed."""
    w = W[lang]
    await chat.register("alice", regions=("06",), lang=lang)
    text = (await chat.say("alice", MONTREAL[lang]))[-1].text
    shown = results(text)
    assert len(shown) == 3 and w["few"] in text
    assert "Boussole" in shown[0] and w["near"] not in shown[0]  # the region's own first
    assert "L'Envolée" in shown[1] and w["near"] + w["laval"] in shown[1]  # nearest: Laval
    assert w["near"] + "Mont" in shown[2]  # then Montérégie (Longueuil)


@pytest.mark.parametrize("lang", ["fr", "en"])
async def test_full_shelter_in_st_jerome_is_not_a_dead_end(chat: Chat, seeded: App, lang: str) -> None:
    """Seen: one shelter with 0 beds and nothing else."""
    w = W[lang]
    await chat.register("alice", regions=("15",), lang=lang)
    first = (await chat.say("alice", ST_JEROME[lang]))[-1].text
    shown = results(first)
    assert len(shown) == 3 and all(w["near"] in block for block in shown)
    assert "L'Envolée" in shown[0] and w["near"] + w["laval"] in shown[0]
    assert "Le Versant" not in first  # full: below the shelters with a bed
    later = ""
    for _ in range(3):
        later += (await chat.press("alice", w["more"]))[-1].text
        if "Le Versant" in later:
            break
    block = next(b for b in results(later) if "Le Versant" in b)
    assert w["beds0"] in block and w["near"] not in block


@pytest.mark.parametrize("lang", ["fr", "en"])
async def test_neighbouring_regions_in_one_tap(chat: Chat, seeded: App, lang: str) -> None:
    w = W[lang]
    await chat.register("alice", regions=("06",), lang=lang)
    text = (await chat.say("alice", ANY_NEED_MONTREAL[lang]))[-1].text
    assert w["near"] not in text and w["neighbours"] in chat.buttons("alice")
    text = (await chat.press("alice", w["neighbours"]))[-1].text
    shown = results(text)
    assert text.startswith("🔎 Montr") and w["asked"] in text
    assert all(w["near"] in block for block in shown)
    assert w["near"] + w["laval"] in shown[0]  # nearest first
    assert w["neighbours"] not in chat.buttons("alice")


@pytest.mark.parametrize("lang", ["fr", "en"])
async def test_call_where_nobody_receives_a_handoff(chat: Chat, seeded: App, lang: str) -> None:
    """Seen: "Request handoff" on every service of a fresh directory, hotlines included."""
    w = W[lang]
    await chat.register("alice", regions=("06",), lang=lang)
    await chat.say("alice", MONTREAL[lang])
    buttons = chat.buttons("alice")
    assert not any(w["request"] in b for b in buttons)
    assert f"📞 1 · {w['call']}" in buttons and f"📞 2 · {w['call']}" in buttons
    events = await chat.press("alice", f"📞 2 · {w['call']}")
    number = events[-1].text.splitlines()  # a message: Telegram makes the number tappable
    assert number[0].startswith("📞 L'Envolée") and number[1] == "450-555-0103"

    # Someone receives for the Laval shelter: its result offers the handoff, the others "Call".
    rita = await chat.register("rita", regions=("13",))
    async with seeded.sessionmaker() as session:
        await receivers.add_receiver(session, await service_id(seeded, "L'Envolée – urgence 12-17"),
                                     rita, seeded.clock.now())
        await session.commit()
    await chat.say("alice", MONTREAL[lang])
    buttons = chat.buttons("alice")
    assert f"🤝 2 · {w['request']}" in buttons
    assert f"📞 1 · {w['call']}" in buttons and f"📞 3 · {w['call']}" in buttons


@pytest.mark.parametrize("lang", ["fr", "en"])
async def test_province_wide_hotline_gets_call(chat: Chat, seeded: App, lang: str) -> None:
    w = W[lang]
    await chat.register("alice", regions=("03",), lang=lang)
    text = (await chat.say("alice", "safe place for a trafficked teen quebec city"))[-1].text
    shown = results(text)
    hotline = next(i for i, b in enumerate(shown, 1) if "1-833-900-1010" in b)
    assert f"📞 {hotline} · {w['call']}" in chat.buttons("alice")
    events = await chat.press("alice", f"📞 {hotline} · {w['call']}")
    assert "1-833-900-1010" in events[-1].text


GREETINGS = {
    "fr": [("bonjour", "Bonjour! Dites-moi"), ("merci", "Avec plaisir!"),
           ("que peux-tu faire?", "Je trouve, dans le répertoire"), ("Salut!", "Bonjour!")],
    "en": [("hi", "Hello! Tell me"), ("thanks", "You are welcome!"),
           ("what can you do?", "I find who can take a youth"), ("Hello there", "Hello!")],
}


@pytest.mark.parametrize("lang", ["fr", "en"])
async def test_greetings_and_thanks_are_answered_not_searched(chat: Chat, seeded: App, lang: str) -> None:
    """Seen: "bonjour", "merci", "hi", "what can you do" opened the region picker."""
    await chat.register("alice", regions=("06",), lang=lang)
    for typed, expected in GREETINGS[lang]:
        events = await chat.say("alice", typed)
        assert len(events) == 1 and events[0].text.startswith(expected), typed
        assert not events[0].buttons  # no region picker
        assert "/help" in events[0].text
    # A real search that starts with a greeting is still a search.
    text = (await chat.say("alice", "bonjour, un lit pour une ado à Laval" if lang == "fr"
                           else "hi, a bed for a teen in Laval"))[-1].text
    assert text.startswith("🔎 Laval")


@pytest.mark.parametrize("lang", ["fr", "en"])
async def test_capacity_saved_only_once_stored(chat: Chat, seeded: App, lang: str) -> None:
    w = W[lang]
    worker = await chat.register("alice", regions=("16",), lang=lang)
    shelter = await service_id(seeded, "Refuge Rive-Sud – urgence 12-17")
    async with seeded.sessionmaker() as session:
        await receivers.add_receiver(session, shelter, worker, seeded.clock.now())
        await session.commit()
    await chat.say("alice", "/capacity")
    with failing_commit(AuditEntry):
        events = await chat.press("alice", "3")
    seen = chat.seen_by("alice", events)
    assert not any(e.text == w["saved"] for e in seen), "told saved while nothing was stored"
    assert not any(e.kind == "edit" for e in seen)
    events = await chat.press("alice", "3")
    seen = chat.seen_by("alice", events)
    assert any(e.kind == "notice" and e.text == w["saved"] for e in seen)
    assert any(e.kind == "edit" and "Refuge Rive-Sud" in e.text for e in seen)


@pytest.mark.parametrize("data,expected", [
    ("dcall:99999999999999999999", "Ce bouton n'est plus valide."),
    ("dcall:abc", "Ce bouton n'est plus valide."),
    ("dcall:2147483000", "Ce service n'a pas de numéro de téléphone dans le répertoire."),
])
async def test_forged_call_button_gets_a_clear_refusal(chat: Chat, seeded: App, data: str,
                                                       expected: str) -> None:
    from tests.directory.test_forged_buttons import press_data

    await chat.register("alice", regions=("06",), lang="fr")
    events = await press_data(chat, "alice", data)
    assert [(e.kind, e.text) for e in events] == [("notice", expected)]
