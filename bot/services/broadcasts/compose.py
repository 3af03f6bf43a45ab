"""The announcement's text: one or two language versions, and how each recipient sees it."""

from __future__ import annotations

import html
import re

from bot.errors import InvalidInput
from bot.i18n import N_, Text

MAX_TEXT = 3500  # leaves room for the header within Telegram's 4096 characters
SEPARATOR_RE = re.compile(r"^\s*-{3,}\s*$", re.MULTILINE)
INLINE_SEPARATOR_RE = re.compile(r"\s+-{3,}\s+")  # "texte --- text" typed on one line
_WORD_RE = re.compile(r"[a-zà-ÿ']+")


def _words(text: str) -> list[str]:
    return re.findall(r"\S+", text)


FRENCH_WORDS = frozenset(_words(
    "le la les un une des du de et est sont pour dans sur avec nous vous ils elles au aux ce "
    "cette ces qui que pas plus par ou où être été sera seront notre nos votre vos leur leurs "
    "fermé fermée ouvert ouverte formation jeunes région semaine jusqu'au à"
))
ENGLISH_WORDS = frozenset(_words(
    "the a an and is are for in on with we you they to of at this that these which who not "
    "more by or be been will our your their closed open training youth region week until from "
    "has have"
))


def guess_language(text: str, default: str) -> str:
    """"fr" or "en" by counting common words; ``default`` when it is unclear."""
    words = _WORD_RE.findall(text.lower())
    fr = sum(word in FRENCH_WORDS for word in words)
    en = sum(word in ENGLISH_WORDS for word in words)
    if fr > en:
        return "fr"
    if en > fr:
        return "en"
    return default


def clean(text: str) -> str:
    text = text.strip()
    if not text:
        raise InvalidInput(N_("The announcement is empty."))
    if len(text) > MAX_TEXT:
        raise InvalidInput(
            N_("The announcement is too long ({n} characters; at most {max})."),
            n=len(text), max=MAX_TEXT,
        )
    return text


def split_versions(text: str, default: str) -> dict[str, str]:
    """One version, or two separated by a line ``---`` (or by one `` --- `` on a single line):
    ``{"fr": ..., "en": ...}``.

    The first version is in the language its words suggest (else ``default``, the author's
    language); the second is then the other language.
    """
    parts = [part.strip() for part in SEPARATOR_RE.split(text, maxsplit=1)]
    if len(parts) == 1 and len(INLINE_SEPARATOR_RE.findall(text)) == 1:
        parts = [part.strip() for part in INLINE_SEPARATOR_RE.split(text, maxsplit=1)]
    parts = [part for part in parts if part]
    if not parts:
        raise InvalidInput(N_("The announcement is empty."))
    first = guess_language(parts[0], default)
    versions = {first: clean(parts[0])}
    if len(parts) == 2:
        second = "en" if first == "fr" else "fr"
        versions[second] = clean(parts[1])
    return versions


def other_language(lang: str) -> str:
    return "en" if lang == "fr" else "fr"


def render(t: Text, author_label: str, body: str) -> str:
    """The message a recipient receives, HTML-escaped, at most 4096 characters."""
    header = t.gettext("📢 <b>Announcement</b> — {author}", author=html.escape(author_label))
    return f"{header}\n\n{html.escape(body)}"
