"""Translations and locale formatting shared by the chat layer and the services.

Catalogs live in ``locales/<lang>/LC_MESSAGES/<domain>.po``: one domain per feature (core,
directory, privacy, ...), merged per language at load time. Compiled ``.mo`` files are used when
they are up to date; otherwise the ``.po`` file is compiled in memory, so a fresh checkout runs.

Services mark strings with ``t.gettext("...")`` / ``t.ngettext(...)`` on a :class:`Text` bound to
the recipient's language; handlers use aiogram's ``gettext as _``, which reads the same catalogs.
"""

from __future__ import annotations

import functools
import gettext as _gettext
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from babel import Locale
from babel.dates import format_date, format_datetime, format_time, format_timedelta
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal

LANGUAGES: tuple[str, ...] = ("fr", "en")
BABEL_LOCALES = {"fr": "fr_CA", "en": "en_CA"}
#: Formats of :meth:`Text.datetime` written for a sentence ("since {time}") or a list line.
SENTENCE, COMPACT = "sentence", "short"


def N_(message: str) -> str:
    """Mark a string for extraction without translating it now."""
    return message


def pick_language(saved: str | None, telegram_code: str | None, default: str) -> str:
    """A user's language: their saved choice, else Telegram's, else the configured default."""
    if saved in LANGUAGES:
        return saved
    if telegram_code:
        return "fr" if telegram_code.lower().startswith("fr") else "en"
    return default if default in LANGUAGES else "fr"


def _load_domain(po_path: Path) -> _gettext.GNUTranslations:
    mo_path = po_path.with_suffix(".mo")
    if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
        with mo_path.open("rb") as handle:
            return _gettext.GNUTranslations(handle)
    with po_path.open("rb") as handle:
        catalog = read_po(handle)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return _gettext.GNUTranslations(buffer)


def load_catalogs(locales_dir: Path) -> dict[str, _gettext.GNUTranslations]:
    """Load and merge every domain of every language under ``locales_dir``."""
    catalogs: dict[str, _gettext.GNUTranslations] = {}
    for lang_dir in sorted(p for p in Path(locales_dir).iterdir() if p.is_dir()):
        po_files = sorted((lang_dir / "LC_MESSAGES").glob("*.po"))
        if not po_files:
            continue
        merged = _gettext.GNUTranslations()
        merged._catalog = {}  # type: ignore[attr-defined]
        merged.plural = _load_domain(po_files[0]).plural  # type: ignore[attr-defined]
        for po_path in po_files:
            merged._catalog.update(_load_domain(po_path)._catalog)  # type: ignore[attr-defined]
        catalogs[lang_dir.name] = merged
    return catalogs


@functools.cache
def babel_locale(lang: str) -> Locale:
    """Babel's locale for one of ours, parsed once (every formatted number and date needs it)."""
    return Locale.parse(BABEL_LOCALES.get(lang, lang))


@dataclass(frozen=True)
class Text:
    """Translation and formatting bound to one language and time zone.

    ``clock`` (the app's) tells which year is "this year", so that dates leave it out."""

    lang: str
    translations: _gettext.NullTranslations
    zone: ZoneInfo
    clock: Callable[[], datetime] | None = field(default=None, compare=False, repr=False)

    @property
    def locale(self) -> Locale:
        return babel_locale(self.lang)

    def gettext(self, message: str, **params: object) -> str:
        text = self.translations.gettext(message)
        return text.format(**params) if params else text

    def ngettext(self, singular: str, plural: str, n: int, **params: object) -> str:
        text = self.translations.ngettext(singular, plural, n)
        return text.format(n=self.number(n), **params)

    def number(self, value: float) -> str:
        if type(value) is int and 0 <= value < 1000:  # an int, not a bool
            return str(value)  # the same in every locale; Babel took longer than the rest
        return format_decimal(value, locale=self.locale)

    def now(self) -> datetime:
        return self.clock() if self.clock is not None else datetime.now(UTC)

    def datetime(self, value: datetime, fmt: str = SENTENCE) -> str:
        """A moment in words, never an ISO date, the year only when it is not this one.

        ``"sentence"`` (also ``"medium"``/``"long"``) reads inside a sentence: "le 2 décembre à
        13 h 19" / "December 2 at 1:19 PM" (write "depuis {time}" / "since {time}");
        ``"short"`` is for list lines: "2 déc. à 13 h 19" / "Dec 2, 1:19 PM". Any other value
        is a Babel pattern."""
        if fmt not in (SENTENCE, COMPACT, "medium", "long", "full"):
            return format_datetime(value.astimezone(self.zone), format=fmt, locale=self.locale)
        compact = fmt == COMPACT
        day = self.day_words(value, compact=compact)
        if self.lang == "fr":
            return (day if compact else "le " + day) + " à " + self.clock_time(value)
        return day + (", " if compact else " at ") + self.clock_time(value)

    def day_words(self, value: datetime, *, compact: bool = False,
                  now: datetime | None = None) -> str:
        """The day in words, the year only when it is not the year of ``now`` (default: the
        clock's): "2 décembre", "1er déc. 2027" / "December 2", "Dec 1, 2027"."""
        local = value.astimezone(self.zone)
        other_year = local.year != (now or self.now()).astimezone(self.zone).year
        if self.lang == "fr":
            day = "1er" if local.day == 1 else str(local.day)
            month = format_date(local, "MMM" if compact else "MMMM", locale=self.locale)
            return f"{day} {month}" + (f" {local.year}" if other_year else "")
        month_day = format_date(local, "MMM d" if compact else "MMMM d", locale=self.locale)
        return month_day + (f", {local.year}" if other_year else "")

    def clock_time(self, value: datetime) -> str:
        """The hour as people write it: "13 h 19", "13 h" / "1:19 PM"."""
        local = value.astimezone(self.zone)
        if self.lang == "fr":
            return f"{local.hour} h" + (f" {local.minute:02d}" if local.minute else "")
        return format_time(local, "h:mm a", locale=Locale.parse("en"))

    def date(self, value: date, fmt: str = "medium") -> str:
        return format_date(value, format=fmt, locale=self.locale)

    def time(self, value: datetime, fmt: str = "short") -> str:
        return format_time(value.astimezone(self.zone), format=fmt, locale=self.locale)

    def ago(self, delta: timedelta) -> str:
        """A duration in words, e.g. "3 heures" / "3 hours"."""
        return format_timedelta(delta, threshold=1.0, locale=self.locale)


class Translator:
    """All catalogs, handing out :class:`Text` objects for one language at a time."""

    def __init__(self, locales_dir: Path, default_language: str, zone: ZoneInfo,
                 clock: Callable[[], datetime] | None = None) -> None:
        self.locales_dir = Path(locales_dir)
        self.catalogs = load_catalogs(locales_dir)
        self.default_language = default_language
        self.zone = zone
        self.clock = clock  # the app's ``clock.now``: which year is this one

    def text(self, lang: str | None) -> Text:
        lang = lang if lang in LANGUAGES else self.default_language
        translations = self.catalogs.get(lang) or _gettext.NullTranslations()
        return Text(lang=lang, translations=translations, zone=self.zone, clock=self.clock)
