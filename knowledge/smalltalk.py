"""Greetings, thanks and "what can you do": a message made only of such words is not a search.

"bonjour", "merci!", "hi there", "thanks a lot", "what can you do?", "que peux-tu faire" get a
short answer about what Relais does instead of the region picker. A message with any other word
("bonjour, un lit à Laval pour une ado") stays a search.
"""

from __future__ import annotations

from knowledge.text import normalise

GREETING, THANKS, ABOUT = "greeting", "thanks", "about"

_PHRASES: dict[str, tuple[str, ...]] = {
    GREETING: (
        "bonjour", "bonsoir", "allo", "allô", "salut", "coucou", "bon matin", "hello", "hi",
        "hey", "hiya", "good morning", "good afternoon", "good evening", "yo", "bienvenue",
    ),
    THANKS: (
        "merci", "merci beaucoup", "merci bien", "mille mercis", "merci mille fois", "thanks",
        "thank you", "thank you very much", "thanks a lot", "many thanks", "thx", "ty", "cool",
        "parfait", "super", "génial", "great", "perfect", "ok merci", "ok thanks", "ok", "okay",
        "d'accord", "dac",
    ),
    ABOUT: (
        "what can you do", "what do you do", "what are you", "who are you", "how does it work",
        "how do you work", "que peux tu faire", "que peux-tu faire", "que pouvez vous faire",
        "que pouvez-vous faire", "qu est ce que tu peux faire", "qu est-ce que tu fais",
        "qu est ce que tu fais", "tu fais quoi", "tu peux faire quoi", "c est quoi relais",
        "qui es tu", "qui es-tu", "comment ça marche", "comment ca fonctionne",
        "comment ça fonctionne", "what is relais", "help", "help me", "aide", "aide moi",
        "aide-moi", "à l'aide",
    ),
}
# Words that may come with them without making a search ("bonjour Relais", "merci encore!").
_FILLER = frozenset(normalise(
    "relais bot there all everyone tout le monde encore again so much very much beaucoup "
    "à vous toi you la ok okay oui yes please svp stp et and alors so"
).split())
_MAX_WORDS = 8


def _phrases() -> dict[tuple[str, ...], str]:
    out: dict[tuple[str, ...], str] = {}
    for kind, phrases in _PHRASES.items():
        for phrase in phrases:
            out.setdefault(tuple(normalise(phrase).split()), kind)
    return out


_INDEX = _phrases()
_LONGEST = max(len(p) for p in _INDEX)


def small_talk(text: str) -> str | None:
    """:data:`ABOUT`, :data:`THANKS` or :data:`GREETING` when ``text`` is only that (the
    strongest found wins), else None (a search)."""
    words = normalise(text).split()
    if not words or len(words) > _MAX_WORDS:
        return None
    found: set[str] = set()
    i = 0
    while i < len(words):
        for length in range(min(_LONGEST, len(words) - i), 0, -1):
            kind = _INDEX.get(tuple(words[i:i + length]))
            if kind is not None:
                found.add(kind)
                i += length
                break
        else:
            if words[i] not in _FILLER:
                return None
            i += 1
    for kind in (ABOUT, THANKS, GREETING):
        if kind in found:
            return kind
    return None
