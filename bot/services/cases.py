"""Cases: random case codes, creation, consent, participants, access checks, the thread, closing.

A youth is known to Relais only by a case code such as ``K7-4QX``: random, meaningless, easy to
read aloud and type (no 0/O, 1/I/L, 5/S, 2/Z, 8/B, G/6 confusions). Only participants of a case
see it or act on it; every view and change goes to the audit log (never message text).

API for other features::

    code = normalise_code("k7 4qx")                       # "K7-4QX", or None
    case = await case_for_worker(session, worker, code_or_id, now=...)  # NotFound unless participant
    is_participant(case, worker)                           # bool
    require_consent(case)                                  # NotAllowed unless consent recorded yes
    await add_participant(session, case, worker_id, added_by=..., role="receiver", now=...)
    msg = await post_thread_message(app, session, case, sender, text, lang="fr")
        # screens (raises screening.IdentifyingText / ScreenUnavailable), encrypts, stores, relays
    await close_case(session, case, by=None, now=..., outcome="handoffs_ended")
    entries = await timeline(app, session, case)          # list[TimelineEntry]

What a participant does from the case card (the chat layer calls one each)::

    case_by_code, open_case_for_action, change_consent, close_for_worker, post_for_worker,
    export_audit_trail                                     # /audit CODE for coordinators

The ``/case new`` wizard's rules are in :mod:`bot.services.case_wizard`.

Timeline hook: each module in :data:`TIMELINE_MODULES` that exists may define
``async def case_timeline(session, case) -> list[TimelineEntry]``; their entries are merged by time.
Entry texts are untranslated msgids (``N_``) with ``str.format`` params, translated when shown.
"""

from __future__ import annotations

import csv
import html
import io
import json
import logging
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import InvalidInput, NotAllowed, NotFound
from bot.i18n import N_
from bot.messenger import Button, OutgoingMessage
from bot.models.cases import Case, CaseMessage, CaseParticipant, CaseStatus, ParticipantRole
from bot.models.core import AuditEntry, Worker
from bot.plugins import import_modules
from bot.services import audit, crypto, outgoing, screening
from bot.services.spreadsheet import safe_cell

if TYPE_CHECKING:
    from bot.app import App

log = logging.getLogger(__name__)

# ---- case codes -----------------------------------------------------------------------------

# Without 0 O 1 I L 5 S 2 Z 8 B 6 G: no pair that reads or sounds alike on a phone.
ALPHABET = "ACDEFHJKMNPQRTUVWXY3479"
CODE_HEAD, CODE_TAIL = 2, 3
CODE_RE = re.compile(rf"^[{ALPHABET}]{{{CODE_HEAD}}}-[{ALPHABET}]{{{CODE_TAIL}}}$")
_LOOSE_CODE_RE = re.compile(rf"\b[{ALPHABET}]{{2}}[\s-]?[{ALPHABET}]{{3}}\b", re.IGNORECASE)


def generate_code() -> str:
    """A fresh random code like ``K7-4QX`` (about 6 million possibilities)."""
    chars = "".join(secrets.choice(ALPHABET) for _ in range(CODE_HEAD + CODE_TAIL))
    return f"{chars[:CODE_HEAD]}-{chars[CODE_HEAD:]}"


def normalise_code(text: str | None) -> str | None:
    """``"k7 4qx"``, ``"K74QX"``, ``" k7-4qx "`` → ``"K7-4QX"``; None if it is not a code."""
    if not text:
        return None
    compact = re.sub(r"[\s\-_.]", "", text).upper()
    if len(compact) != CODE_HEAD + CODE_TAIL or any(c not in ALPHABET for c in compact):
        return None
    return f"{compact[:CODE_HEAD]}-{compact[CODE_HEAD:]}"


async def new_unique_code(session: AsyncSession, attempts: int = 20) -> str:
    for _ in range(attempts):
        code = generate_code()
        if await session.scalar(select(Case.id).where(Case.code == code)) is None:
            return code
    raise RuntimeError("could not find a free case code")


# ---- vocabularies ---------------------------------------------------------------------------

AGE_BANDS: dict[str, str] = {
    "under-12": N_("under 12"),
    "12-13": N_("12-13 years"),
    "14-15": N_("14-15 years"),
    "16-17": N_("16-17 years"),
    "18-plus": N_("18 or older"),
    "unknown": N_("age unknown"),
}
GENDERS: dict[str, str] = {
    "girl": N_("girl"),
    "boy": N_("boy"),
    "nonbinary": N_("non-binary"),
}
LANGUAGE_NAMES: dict[str, str] = {
    "fr": N_("French"),
    "en": N_("English"),
    "es": N_("Spanish"),
    "ar": N_("Arabic"),
    "ht": N_("Haitian Creole"),
    "iu": N_("Inuktitut"),
    "cr": N_("Cree"),
    "other": N_("other language"),
}
OUTSIDE_QUEBEC = "XX"
STATUS_LABELS: dict[str, str] = {
    CaseStatus.OPEN.value: N_("open"),
    CaseStatus.CLOSED.value: N_("closed"),
}
MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")


def age_band_for(age: int | None) -> str:
    if age is None:
        return "unknown"
    if age < 12:
        return "under-12"
    if age >= 18:
        return "18-plus"
    low = age - (age % 2)
    return f"{low}-{low + 1}"


def parse_month(text: str, now: datetime) -> str:
    """A "YYYY-MM" month within the next 19 years (the month a youth turns 18)."""
    match = MONTH_RE.match(text.strip())
    if not match or not 1 <= int(match[2]) <= 12:
        raise InvalidInput(N_("Please write the month as YYYY-MM, for example 2027-03."))
    year = int(match[1])
    if not now.year - 1 <= year <= now.year + 19:
        raise InvalidInput(N_("Please write the month as YYYY-MM, for example 2027-03."))
    return f"{match[1]}-{match[2]}"


# ---- creation, participants, consent --------------------------------------------------------


@dataclass
class CaseDraft:
    """What the ``/case new`` flow collects; nothing in it identifies a youth."""

    age: int | None = None
    age_band: str = "unknown"
    gender: str | None = None
    languages: list[str] = field(default_factory=list)
    region_origin: str | None = None
    region_current: str | None = None
    needs: list[str] = field(default_factory=list)
    consent: bool | None = None
    turns_18_month: str | None = None
    participant_ids: list[int] = field(default_factory=list)

    def validate(self, known_needs: Sequence[str] | None = None) -> None:
        if self.age is not None and not 0 < self.age < 30:
            raise InvalidInput(N_("Please give an age between 1 and 29."))
        if self.age_band not in AGE_BANDS:
            raise InvalidInput(N_("Unknown age band."))
        if self.gender is not None and self.gender not in GENDERS:
            raise InvalidInput(N_("Unknown gender option."))
        if any(lang not in LANGUAGE_NAMES for lang in self.languages):
            raise InvalidInput(N_("Unknown language."))
        if known_needs is not None and any(n not in known_needs for n in self.needs):
            raise InvalidInput(N_("Unknown need."))
        for month in (self.turns_18_month,):
            if month is not None and not MONTH_RE.match(month):
                raise InvalidInput(N_("Please write the month as YYYY-MM, for example 2027-03."))


async def create_case(
    session: AsyncSession, *, creator: Worker, draft: CaseDraft, now: datetime,
    known_needs: Sequence[str] | None = None,
) -> Case:
    """A new case with a fresh code; the creator is its first participant."""
    draft.validate(known_needs)
    if draft.age is not None:
        draft.age_band = age_band_for(draft.age)
    # A unique index on ``code`` backs the check in new_unique_code (6 million codes).
    case = Case(
        code=await new_unique_code(session), status=CaseStatus.OPEN.value, age=draft.age,
        age_band=draft.age_band, gender=draft.gender,
        languages=list(dict.fromkeys(draft.languages)), region_origin=draft.region_origin,
        region_current=draft.region_current, needs=list(dict.fromkeys(draft.needs)),
        turns_18_month=draft.turns_18_month, created_by_id=creator.id, created_at=now,
        updated_at=now, participants=[],
    )
    if draft.consent is not None:
        case.consent, case.consent_at, case.consent_by_id = draft.consent, now, creator.id
    session.add(case)
    case.participants.append(CaseParticipant(
        worker_id=creator.id, role=ParticipantRole.CREATOR.value, added_by_id=creator.id,
        added_at=now,
    ))
    await session.flush()
    await _audit(session, now, "case.created", creator, case)
    if draft.consent is not None:
        await _audit(session, now, "case.consent", creator, case, consent=draft.consent)
    for worker_id in draft.participant_ids:
        if worker_id != creator.id:
            await add_participant(session, case, worker_id, added_by=creator, now=now)
    return case


async def _audit(
    session: AsyncSession, now: datetime, action: str, actor: Worker | None, case: Case,
    **details: str | int | bool | None,
) -> None:
    await audit.record(
        session, at=now, action=action, actor=actor, subject_type="case", subject_id=case.code,
        region=case.region_current, **details,
    )


def is_participant(case: Case, worker: Worker | None) -> bool:
    return worker is not None and worker.id in case.participant_ids()


async def find_case(session: AsyncSession, code_or_id: str | int) -> Case | None:
    """A case by code (any accepted writing) or database id; no access check."""
    if isinstance(code_or_id, int):
        return await session.get(Case, code_or_id)
    code = normalise_code(code_or_id)
    if code is None:
        return None
    return await session.scalar(select(Case).where(Case.code == code))


NOT_VISIBLE = N_("No case with this code among your cases.")


async def case_for_worker(
    session: AsyncSession, worker: Worker, code_or_id: str | int, *, now: datetime,
    audit_action: str | None = "case.viewed",
) -> Case:
    """The case if ``worker`` takes part in it; otherwise the same refusal as for no case."""
    case = await find_case(session, code_or_id)
    if case is None or not is_participant(case, worker):
        if case is not None:
            await _audit(session, now, "case.denied", worker, case)
        raise NotFound(NOT_VISIBLE)
    if audit_action:
        await _audit(session, now, audit_action, worker, case)
    return case


async def add_participant(
    session: AsyncSession, case: Case, worker_id: int, *, added_by: Worker | None,
    now: datetime, role: str = ParticipantRole.WORKER.value,
) -> CaseParticipant:
    """Add a worker to a case (idempotent: an existing participant is returned as is)."""
    for participant in case.participants:
        if participant.worker_id == worker_id:
            return participant
    worker = await session.get(Worker, worker_id)
    if worker is None or not worker.active:
        raise NotFound(N_("This worker is not available."))
    participant = CaseParticipant(
        worker_id=worker_id, role=role, added_by_id=added_by.id if added_by else None, added_at=now
    )
    case.participants.append(participant)
    case.updated_at = now
    await session.flush()
    await _audit(session, now, "case.participant_added", added_by, case, worker_id=worker_id,
                 role=role)
    return participant


async def record_consent(
    session: AsyncSession, case: Case, *, consent: bool, by: Worker, now: datetime
) -> None:
    """Record (or change) whether the youth consented to referral and information sharing."""
    if not is_participant(case, by):
        raise NotFound(NOT_VISIBLE)
    case.consent, case.consent_at, case.consent_by_id = consent, now, by.id
    case.updated_at = now
    await _audit(session, now, "case.consent", by, case, consent=consent)


def require_consent(case: Case) -> None:
    """Handoffs call this first: consent must have been recorded as given."""
    if case.consent is not True:
        raise NotAllowed(N_(
            "The youth's consent to the referral and to sharing information has not been "
            "recorded for case {code}. Record it in /case {code} first."
        ), code=case.code)


def require_open(case: Case) -> None:
    if not case.is_open:
        raise NotAllowed(N_("Case {code} is closed."), code=case.code)


async def close_case(
    session: AsyncSession, case: Case, *, by: Worker | None, now: datetime,
    outcome: str = "closed",
) -> bool:
    """Close a case (by a participant, or ``by=None`` when every handoff ended).

    Returns False if it was already closed. Its data is purged ``RELAIS_RETENTION_DAYS`` later.
    """
    if by is not None and not is_participant(case, by):
        raise NotFound(NOT_VISIBLE)
    if not case.is_open:
        return False
    case.status, case.closed_at, case.closed_by_id = CaseStatus.CLOSED.value, now, (
        by.id if by else None)
    case.outcome = outcome[:32]
    case.updated_at = now
    await _audit(session, now, "case.closed", by, case, outcome=case.outcome)
    return True


async def open_cases(session: AsyncSession, worker: Worker) -> list[Case]:
    """The worker's open cases, most recently changed first."""
    query = (
        select(Case)
        .join(CaseParticipant, CaseParticipant.case_id == Case.id)
        .where(CaseParticipant.worker_id == worker.id, Case.closed_at.is_(None))
        .order_by(Case.updated_at.desc(), Case.id.desc())
    )
    return list((await session.scalars(query)).unique().all())


async def participants(session: AsyncSession, case: Case) -> list[Worker]:
    """The participants' workers, creator first, in the order they joined."""
    ids = case.participant_ids()
    if not ids:
        return []
    found = {w.id: w for w in (await session.scalars(select(Worker).where(Worker.id.in_(ids))))}
    return [found[i] for i in ids if i in found]


# ---- what a participant does from the case card ---------------------------------------------


async def case_by_code(
    session: AsyncSession, worker: Worker, code_text: str, *, now: datetime
) -> Case:
    """``/case CODE``: the case if ``code_text`` reads as a code and the worker takes part in it
    (audited as viewed, or as denied); InvalidInput if it is not a code at all."""
    if normalise_code(code_text) is None:
        raise InvalidInput(N_("This is not a case code. A code looks like K7-4QX."))
    return await case_for_worker(session, worker, code_text, now=now)


async def open_case_for_action(
    session: AsyncSession, worker: Worker, case_id: int, *, now: datetime
) -> Case:
    """An open case the worker takes part in, before acting on it (not audited as a view)."""
    case = await case_for_worker(session, worker, case_id, now=now, audit_action=None)
    require_open(case)
    return case


async def change_consent(
    session: AsyncSession, worker: Worker, case_id: int, *, consent: bool, now: datetime
) -> Case:
    """A participant records (or changes) the youth's consent on an open case."""
    case = await open_case_for_action(session, worker, case_id, now=now)
    await record_consent(session, case, consent=consent, by=worker, now=now)
    return case


async def close_for_worker(
    session: AsyncSession, worker: Worker, case_id: int, *, now: datetime
) -> tuple[Case, bool]:
    """A participant closes the case; the flag is False if it was already closed."""
    case = await case_for_worker(session, worker, case_id, now=now, audit_action=None)
    return case, await close_case(session, case, by=worker, now=now)


# ---- the case thread ------------------------------------------------------------------------


async def post_thread_message(
    app: App, session: AsyncSession, case: Case, sender: Worker, text: str, *,
    lang: str | None = None, kind: str = "message", relay: bool = True,
) -> CaseMessage:
    """Screen, encrypt and store a thread message, then relay it to the other participants.

    Raises ``screening.IdentifyingText`` (flagged: nothing stored or relayed),
    ``screening.ScreenUnavailable`` (fail closed), or ``NotFound`` if ``sender`` does not take
    part in the case. Relaying goes through ``app.messenger`` (skipped when there is none).
    """
    if not is_participant(case, sender):
        raise NotFound(NOT_VISIBLE)
    require_open(case)
    text = text.strip()
    if not text:
        raise InvalidInput(N_("The message is empty."))
    if len(text) > 3000:
        raise InvalidInput(N_("Please keep thread messages under 3000 characters."))
    await screening.require_clean(app, session, text, lang or sender.preferred_language)
    now = app.clock.now()
    message = CaseMessage(
        case_id=case.id, sender_id=sender.id, kind=kind,
        body_encrypted=crypto.encrypt(app, text), created_at=now,
    )
    session.add(message)
    case.updated_at = now
    await session.flush()
    await _audit(session, now, "case.message", sender, case, message_id=message.id,
                 length=len(text))
    if relay:
        await relay_thread_message(app, session, case, sender, text)
    return message


async def post_for_worker(
    app: App, session: AsyncSession, worker: Worker, case_id: int, text: str, *, lang: str
) -> Case:
    """A participant writes in the thread of a case: checked, screened, stored, relayed.

    Raises what :func:`case_for_worker` and :func:`post_thread_message` raise.
    """
    case = await case_for_worker(session, worker, case_id, now=app.clock.now(), audit_action=None)
    await post_thread_message(app, session, case, worker, text, lang=lang)
    return case


async def relay_thread_message(
    app: App, session: AsyncSession, case: Case, sender: Worker, text: str
) -> int:
    """Queue a (screened) thread message to the other participants, sent once it is stored;
    returns how many will get it."""
    if app.messenger is None:
        return 0
    sent = 0
    for worker in await participants(session, case):
        if worker.id == sender.id or not worker.can_receive:
            continue
        t = app.translator.text(worker.preferred_language)
        body = t.gettext(
            "Case {code} · message from {sender}:", code=case.code,
            sender=html.escape(sender.display_name),
        ) + "\n\n" + html.escape(text)
        buttons = [[
            Button(t.gettext("Reply"), crypto.sign_callback(
                app, "case.reply", case.id, worker.telegram_id)),
            Button(t.gettext("Open the case"), crypto.sign_callback(
                app, "case.view", case.id, worker.telegram_id)),
        ]]
        sent += outgoing.send(app, session, worker, OutgoingMessage(
            chat_id=worker.telegram_id, text=body, buttons=buttons, protect_content=True))
    return sent


async def thread_messages(
    app: App, session: AsyncSession, case: Case, limit: int = 10
) -> list[tuple[CaseMessage, str]]:
    """The latest thread messages (oldest first) with their decrypted text."""
    rows = (await session.scalars(
        select(CaseMessage).where(CaseMessage.case_id == case.id)
        .order_by(CaseMessage.created_at.desc(), CaseMessage.id.desc()).limit(limit)
    )).all()
    out = []
    for row in reversed(rows):
        try:
            out.append((row, crypto.decrypt(app, row.body_encrypted)))
        except crypto.UndecryptableText:
            out.append((row, ""))
    return out


# ---- timeline -------------------------------------------------------------------------------

TIMELINE_MODULES: tuple[str, ...] = ("bot.services.handoffs",)


@dataclass(frozen=True)
class TimelineEntry:
    """One line of a case's timeline; ``text`` is an untranslated msgid, ``params`` fill it
    (values are shown as given, HTML-escaped by the chat layer)."""

    at: datetime
    text: str
    params: dict[str, Any] = field(default_factory=dict)
    kind: str = "event"


async def timeline(app: App, session: AsyncSession, case: Case) -> list[TimelineEntry]:
    """Creation, consent, participants, closing, thread messages and other features' events."""
    workers = {w.id: w.display_name for w in await participants(session, case)}
    extra_ids = {i for i in (case.created_by_id, case.consent_by_id, case.closed_by_id) if i}
    for worker_id in extra_ids - set(workers):
        other = await session.get(Worker, worker_id)
        workers[worker_id] = other.display_name if other else "?"

    def who(worker_id: int | None) -> str:
        return workers.get(worker_id, "?") if worker_id else "Relais"

    entries = [TimelineEntry(case.created_at, N_("created by {who}"),
                             {"who": who(case.created_by_id)}, "created")]
    if case.consent_at is not None:
        entries.append(TimelineEntry(
            case.consent_at,
            N_("consent recorded: yes, by {who}") if case.consent
            else N_("consent recorded: no, by {who}"),
            {"who": who(case.consent_by_id)}, "consent",
        ))
    for participant in case.participants:
        if participant.role != ParticipantRole.CREATOR.value:
            entries.append(TimelineEntry(participant.added_at, N_("{who} joined the case"),
                                         {"who": who(participant.worker_id)}, "participant"))
    for message, text in await thread_messages(app, session, case):
        entries.append(TimelineEntry(message.created_at, N_("{who}: {text}"),
                                     {"who": who(message.sender_id), "text": text}, "message"))
    if case.closed_at is not None:
        entries.append(TimelineEntry(case.closed_at, N_("closed by {who}"),
                                     {"who": who(case.closed_by_id)}, "closed"))
    for module in import_modules(TIMELINE_MODULES):
        hook = getattr(module, "case_timeline", None)
        if hook is not None:
            entries.extend(await hook(session, case))
    return sorted(entries, key=lambda e: e.at)


def find_code_in(text: str) -> str | None:
    """The first thing in ``text`` that reads as a case code."""
    for match in _LOOSE_CODE_RE.finditer(text):
        code = normalise_code(match.group())
        if code:
            return code
    return None


async def colleagues(session: AsyncSession, worker: Worker, limit: int = 20) -> list[Worker]:
    """Active workers of the same organisation (to add as participants), by name."""
    if worker.organisation_id is None:
        return []
    query = (
        select(Worker)
        .where(Worker.organisation_id == worker.organisation_id, Worker.id != worker.id,
               Worker.active.is_(True))
        .order_by(Worker.display_name, Worker.id)
        .limit(limit)
    )
    return list((await session.scalars(query)).all())


# ---- audit trail export ---------------------------------------------------------------------

NO_TRAIL = N_("No audit trail for this code in your regions.")
AUDIT_CSV_COLUMNS = ("at_utc", "action", "actor_id", "actor", "region", "details")


async def audit_trail(
    session: AsyncSession, coordinator: Worker, code_text: str, *, now: datetime
) -> tuple[str, list[Any]]:
    """The audit entries of a case code and of its handoffs, for a coordinator of its region
    (admins: any).

    Works after the case was purged (entries keep the code and region; a handoff's creation
    entry names its case). Refusals reveal nothing.
    """
    if not coordinator.is_coordinator:
        raise NotAllowed(N_("This command is for coordinators."))
    code = normalise_code(code_text)
    if code is None:
        raise InvalidInput(N_("This is not a case code. A code looks like K7-4QX."))
    own = list((await session.scalars(
        select(AuditEntry)
        .where(AuditEntry.subject_type == "case", AuditEntry.subject_id == code)
        .order_by(AuditEntry.at, AuditEntry.id)
    )).all())
    case = await find_case(session, code)
    regions = {case.region_current, case.region_origin} if case else {e.region for e in own}
    regions.discard(None)
    allowed = coordinator.is_admin or bool(regions & set(coordinator.regions))
    entries = sorted(own + await handoff_entries(session, case, code),
                     key=lambda e: (e.at, e.id)) if own and allowed else own
    if not entries or not allowed:
        await audit.record(session, at=now, action="audit.denied", actor=coordinator,
                           subject_type="case", subject_id=code)
        raise NotFound(NO_TRAIL)
    await audit.record(session, at=now, action="audit.exported", actor=coordinator,
                       subject_type="case", subject_id=code,
                       region=case.region_current if case else None, entries=len(entries))
    return code, entries


async def handoff_entries(session: AsyncSession, case: Case | None, code: str) -> list[Any]:
    """The audit entries of the case's handoffs (subject "handoff", its id): its live handoffs,
    or after a purge those whose "handoff.created" entry names the code. An id SQLite gave
    again to a later handoff starts a new creation entry: only the stretches that begin with a
    creation for this code count."""
    from bot.models.handoffs import Handoff

    if case is not None:
        ids = [str(i) for i in (await session.scalars(
            select(Handoff.id).where(Handoff.case_id == case.id))).all()]
    else:
        ids = list((await session.scalars(select(AuditEntry.subject_id).where(
            AuditEntry.action == "handoff.created", AuditEntry.subject_type == "handoff",
            AuditEntry.details["case"].as_string() == code))).all())
    if not ids:
        return []
    found = (await session.scalars(
        select(AuditEntry)
        .where(AuditEntry.subject_type == "handoff", AuditEntry.subject_id.in_(ids))
        .order_by(AuditEntry.at, AuditEntry.id)
    )).all()
    owner: dict[str | None, str | None] = {}
    kept = []
    for entry in found:
        if entry.action == "handoff.created":
            owner[entry.subject_id] = (entry.details or {}).get("case")
        if owner.get(entry.subject_id, code if case is not None else None) == code:
            kept.append(entry)
    return kept


@dataclass(frozen=True)
class AuditExport:
    """A case's audit trail as a CSV file, and how many entries it holds."""

    code: str
    entries: int
    csv: bytes


async def export_audit_trail(
    session: AsyncSession, coordinator: Worker, code_text: str, *, now: datetime
) -> AuditExport:
    """``/audit CODE``: the trail as CSV for a coordinator of its region (see :func:`audit_trail`:
    refusals are audited and raise NotFound, or NotAllowed/InvalidInput)."""
    code, entries = await audit_trail(session, coordinator, code_text, now=now)
    return AuditExport(code, len(entries), await audit_csv(session, entries))


async def audit_csv(session: AsyncSession, entries: Sequence[Any]) -> bytes:
    """CSV (UTF-8 with BOM, for spreadsheets) of audit entries: who, what, when; no text."""
    ids = {e.actor_id for e in entries if e.actor_id}
    names = {}
    if ids:
        names = {w.id: w.display_name
                 for w in await session.scalars(select(Worker).where(Worker.id.in_(ids)))}
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(AUDIT_CSV_COLUMNS)
    for entry in entries:
        writer.writerow([
            entry.at.isoformat(timespec="seconds"), entry.action, entry.actor_id or "",
            _csv_safe(names.get(entry.actor_id, "")), entry.region or "",
            _csv_safe(json.dumps(entry.details or {}, ensure_ascii=False, sort_keys=True)),
        ])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _csv_safe(value: str) -> str:
    """Neutralise spreadsheet formulas in a cell (tab and carriage return included)."""
    return safe_cell(value)
