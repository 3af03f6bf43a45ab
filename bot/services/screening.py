"""The app's privacy screen: every free text Relais would store or relay passes it first.

The screen is :func:`bot.privacy.build_screen` with allowed terms (gazetteer place names, the
directory's organisation and service names) and allowed phone lines (the directory's), built once
per process and kept in ``app.services["screen"]``. It is rebuilt after :func:`invalidate` (call it
after a directory import) and, at most every :data:`RECHECK_SECONDS`, when the directory's row
counts changed (another process imported).

API for every feature (handoff notes, reminders, broadcasts, error reports, case threads)::

    from bot.services import screening
    result = await screening.screen_text(app, session, text, lang)   # ScreenResult
    text = await screening.require_clean(app, session, text, lang)   # or raises IdentifyingText
    screening.invalidate(app)                                        # after a directory import

Fail closed: when the screen cannot be built or raises, :class:`ScreenUnavailable` (a
``RelaisError``) is raised, so the text is neither stored nor relayed. In chat handlers, prefer
``handlers.privacy_reply.screened_or_refused(message, app, session)``.
Nothing of a screened text is ever logged; only kinds and counts.
"""

from __future__ import annotations

import importlib
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import RelaisError
from bot.i18n import N_

if TYPE_CHECKING:
    from bot.app import App

log = logging.getLogger(__name__)

SERVICE_KEY = "screen"
RECHECK_SECONDS = 300.0
DIRECTORY_MODULE = "bot.models.directory"

# Order in which kinds are named to the user.
KIND_ORDER = ("PERSON", "DOB", "PHONE", "EMAIL", "ADDRESS", "POSTAL_CODE", "RAMQ", "SIN",
              "HANDLE", "SCHOOL", "PLATE", "FILE_NUMBER")


class ScreenUnavailable(RelaisError):
    """The screen could not be built or failed: nothing is stored or relayed (fail closed)."""

    message = N_(
        "The privacy check is unavailable right now, so your message was not stored or "
        "transmitted. Please try again in a few minutes."
    )


class IdentifyingText(RelaisError):
    """A text was flagged; ``result`` says which kinds (never the text itself)."""

    message = N_("Your message contained identifying information and was not transmitted.")

    def __init__(self, result: Any) -> None:
        super().__init__()
        self.result = result

    @property
    def kinds(self) -> list[str]:
        return kinds_of(self.result)


@dataclass
class _Cached:
    screen: Any
    fingerprint: tuple[int, ...]
    checked_at: float


def kinds_of(result: Any) -> list[str]:
    """The distinct kinds of a ScreenResult, as upper-case strings in a stable order."""
    raw = {str(getattr(k, "value", k)).upper() for k in (getattr(result, "kinds", ()) or ())}
    return [k for k in KIND_ORDER if k in raw] + sorted(raw - set(KIND_ORDER))


def kind_counts(result: Any) -> dict[str, int]:
    """How many spans of each kind (for the audit log: kinds and counts only)."""
    counts: dict[str, int] = {}
    for span in getattr(result, "spans", ()) or ():
        kind = span[2] if isinstance(span, tuple) and len(span) >= 3 else getattr(span, "kind", "")
        kind = str(getattr(kind, "value", kind)).upper()
        if kind:
            counts[kind] = counts.get(kind, 0) + 1
    for kind in kinds_of(result):
        counts.setdefault(kind, 1)
    return counts


def _build_screen_function() -> Any:
    try:
        module = importlib.import_module("bot.privacy")
        return module.build_screen
    except (ImportError, AttributeError):
        return importlib.import_module("bot.privacy.screen").build_screen


# Directory columns whose values are allowed: organisation and service names, phone lines.
# Deliberately not contact people's names (a staff member's name may also be a youth's name).
NAME_COLUMNS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("DirectoryOrganization", ("name", "name_en", "alternate_name")),
    ("DirectoryService", ("name", "name_en", "alternate_name")),
)
PHONE_COLUMNS: tuple[tuple[str, tuple[str, ...]], ...] = (("DirectoryPhone", ("number",)),)


def _directory_columns(spec: tuple[tuple[str, tuple[str, ...]], ...]) -> list[Any]:
    try:
        module = importlib.import_module(DIRECTORY_MODULE)
    except ModuleNotFoundError:
        return []
    columns = []
    for class_name, attributes in spec:
        model = getattr(module, class_name, None)
        for attribute in attributes:
            if model is not None and hasattr(model, attribute):
                columns.append(getattr(model, attribute))
    return columns


def _directory_models() -> list[Any]:
    try:
        module = importlib.import_module(DIRECTORY_MODULE)
    except ModuleNotFoundError:
        return []
    names = [name for name, _ in (*NAME_COLUMNS, *PHONE_COLUMNS)]
    return [getattr(module, name) for name in dict.fromkeys(names) if hasattr(module, name)]


async def _values(session: AsyncSession, columns: list[Any]) -> list[str]:
    values: list[str] = []
    for column in columns:
        rows = await session.execute(select(column).where(column.is_not(None)).distinct())
        values.extend(str(v) for v in rows.scalars() if v)
    return values


async def directory_terms(session: AsyncSession) -> tuple[list[str], list[str]]:
    """Organisation/service names and phone lines of the directory (empty without it)."""
    return (
        await _values(session, _directory_columns(NAME_COLUMNS)),
        await _values(session, _directory_columns(PHONE_COLUMNS)),
    )


async def _fingerprint(session: AsyncSession) -> tuple[int, ...]:
    counts = []
    for model in _directory_models():
        counts.append(int(await session.scalar(select(func.count()).select_from(model)) or 0))
    return tuple(counts)


def _place_names(app: App) -> list[str]:
    try:
        gazetteer = app.gazetteer
        return list(gazetteer.place_names())
    except (ImportError, AttributeError):
        log.warning("gazetteer unavailable: place names are not allowed terms")
        return []


async def build_app_screen(app: App, session: AsyncSession) -> Any:
    """A new screen with the gazetteer's and the directory's terms allowed."""
    names, phones = await directory_terms(session)
    allowed = _dedupe([*_place_names(app), *names])
    build_screen = _build_screen_function()
    kwargs: dict[str, Any] = {
        "allowed_terms": tuple(allowed), "allowed_phones": tuple(_dedupe(phones))
    }
    try:  # dates of birth are judged against the app's clock (a fake one in tests)
        return build_screen(**kwargs, reference_year=app.clock.now().year)
    except TypeError:
        return build_screen(**kwargs)


def _dedupe(values: Iterable[str]) -> list[str]:
    seen: dict[str, None] = {}
    for value in values:
        value = " ".join(str(value).split())
        if value:
            seen.setdefault(value, None)
    return list(seen)


async def get_screen(app: App, session: AsyncSession) -> Any:
    """The process's screen, built on first use; raises :class:`ScreenUnavailable` if it can't."""
    cached: _Cached | None = app.services.get(SERVICE_KEY)
    now = app.clock.now().timestamp()
    try:
        if cached is not None and now - cached.checked_at < RECHECK_SECONDS:
            return cached.screen
        fingerprint = await _fingerprint(session)
        if cached is not None and cached.fingerprint == fingerprint:
            cached.checked_at = now
            return cached.screen
        screen = await build_app_screen(app, session)
    except RelaisError:
        raise
    except Exception as exc:
        log.error("privacy screen could not be built: %s", type(exc).__name__)
        raise ScreenUnavailable() from None
    app.services[SERVICE_KEY] = _Cached(screen, fingerprint, now)
    return screen


def invalidate(app: App) -> None:
    """Forget the screen so the next call rebuilds it (after a directory import)."""
    app.services.pop(SERVICE_KEY, None)


def set_screen(app: App, screen: Any) -> None:
    """Use ``screen`` as the app's screen (tests, or a screen built elsewhere)."""
    app.services[SERVICE_KEY] = _Cached(screen, (), float("inf"))


# A case code as Relais writes it (``K7-4QX``): blanked before scanning, so that a random code
# never reads as a name. Only this exact form, so that ordinary words are never hidden.
_CASE_CODE_RE = re.compile(r"(?<![\w-])[ACDEFHJKMNPQRTUVWXY3479]{2}-[ACDEFHJKMNPQRTUVWXY3479]{3}"
                           r"(?![\w-])")


def mask_case_codes(text: str) -> str:
    """``text`` with case codes replaced by spaces (same length, so spans stay valid)."""
    return _CASE_CODE_RE.sub(lambda m: " " * len(m.group()), text)


async def screen_text(app: App, session: AsyncSession, text: str, lang: str | None) -> Any:
    """Scan ``text``; raises :class:`ScreenUnavailable` (fail closed) if the screen fails."""
    screen = await get_screen(app, session)
    try:
        return screen.scan(mask_case_codes(text), lang=lang)
    except Exception as exc:
        log.error("privacy screen failed on a text of %d characters: %s", len(text),
                  type(exc).__name__)
        raise ScreenUnavailable() from None


async def require_clean(app: App, session: AsyncSession, text: str, lang: str | None) -> str:
    """``text`` if the screen finds nothing identifying, else raises :class:`IdentifyingText`."""
    result = await screen_text(app, session, text, lang)
    if result.identifying:
        log.info("text flagged: %s", kind_counts(result))
        raise IdentifyingText(result)
    return text
