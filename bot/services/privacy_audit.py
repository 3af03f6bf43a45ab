"""``relais privacy audit``: run every stored free text through today's privacy screen.

The screen improves (new name lists, new kinds); text stored before may hold what it now flags.
This scan reads every column that holds free text a person typed (decrypting the encrypted ones
with the app's keys), screens each value with the app's screen (the same allowed terms as the
chat) and reports, per table and column, how many values it would now flag, with their row ids
and the kinds found. **Never their text**: the report is safe to paste in a ticket; a person
with access then opens the rows by id.

Which columns: :data:`SCANNED` lists them with how each is read. Every other text or JSON column
of every model is listed in :data:`NOT_SCANNED` (or its table in :data:`NOT_SCANNED_TABLES`) with
the reason, and a test checks that no column is left unclassified, so a new column needs a
decision.

Two columns hold whole messages composed by Relais rather than typed text:

- ``outbox_messages.body_enc`` (messages queued to workers): only the message text is scanned,
  without its HTML, and with the names Relais writes itself (registered workers' display names,
  organisation names) blanked: they are reported in their own columns, or are staff names;
- ``inbox_updates.payload_enc`` (updates received but not handled yet): only what the person
  wrote (``text`` and ``caption`` of the message), not their Telegram profile.

API::

    report = await privacy_audit.audit(app)          # AuditReport
    report.flagged_count, report.unreadable_count, report.as_dict()
"""

from __future__ import annotations

import html
import importlib
import json
import logging
import re
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy import inspect as sa_inspect
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services import crypto, screening

if TYPE_CHECKING:
    from bot.app import App

log = logging.getLogger(__name__)

PAGE = 500

# How a column is read.
TEXT = "text"  # plain text
ENCRYPTED = "encrypted"  # a Fernet token of plain text (bot.services.crypto)
JSON_VALUES = "json"  # every string inside a JSON value, each screened on its own
OUTGOING = "outgoing"  # a Fernet token of an OutgoingMessage (JSON): its text, labels blanked
UPDATE = "update"  # a Fernet token of a raw Telegram update (JSON): what the person wrote


@dataclass(frozen=True)
class Column:
    module: str
    model: str
    attribute: str
    how: str


SCANNED: tuple[Column, ...] = (
    Column("bot.models.core", "Organisation", "name", TEXT),  # typed in /invite
    Column("bot.models.cases", "CaseMessage", "body_encrypted", ENCRYPTED),
    Column("bot.models.handoffs", "Handoff", "note_enc", ENCRYPTED),
    Column("bot.models.handoffs", "Handoff", "status_note_enc", ENCRYPTED),
    Column("bot.models.handoffs", "Handoff", "criteria", JSON_VALUES),
    Column("bot.models.handoffs", "HandoffEvent", "note_enc", ENCRYPTED),
    Column("bot.models.handoffs", "HandoffEvent", "details", JSON_VALUES),
    Column("bot.models.handoffs", "HandoffRecipient", "details", TEXT),
    Column("bot.models.directory", "DirectoryReport", "text_enc", ENCRYPTED),
    Column("bot.models.directory", "DirectoryReport", "resolution_enc", ENCRYPTED),
    Column("bot.models.reminders", "ScheduledJob", "text", ENCRYPTED),
    Column("bot.models.reminders", "ScheduledJob", "payload", JSON_VALUES),
    Column("bot.models.broadcasts", "Broadcast", "text_fr", TEXT),
    Column("bot.models.broadcasts", "Broadcast", "text_en", TEXT),
    Column("bot.models.tools", "PracticeTool", "title_fr", TEXT),
    Column("bot.models.tools", "PracticeTool", "title_en", TEXT),
    Column("bot.models.tools", "PracticeTool", "summary_fr", TEXT),
    Column("bot.models.tools", "PracticeTool", "summary_en", TEXT),
    Column("bot.models.tools", "PracticeTool", "body_fr", TEXT),
    Column("bot.models.tools", "PracticeTool", "body_en", TEXT),
    Column("bot.models.tools", "PracticeTool", "url", TEXT),
    Column("bot.models.tools", "PracticeTool", "tags", JSON_VALUES),
    Column("bot.models.core", "AuditEntry", "details", JSON_VALUES),  # kinds and counts only
    Column("bot.models.inbox", "OutboxMessage", "body_enc", OUTGOING),
    Column("bot.models.inbox", "InboxUpdate", "payload_enc", UPDATE),
)

# Tables whose text is not typed by workers about youths.
NOT_SCANNED_TABLES: dict[str, str] = {
    "directory_": "the partner directory (imported HSDS listings: public names, phone lines and "
                  "contacts of services by design); its error reports' texts are scanned above",
    "relais_meta": "Relais's own settings",
    "alembic_version": "the schema version",
}
# Text and JSON columns of scanned tables that hold codes, ids or labels, not typed free text.
NOT_SCANNED: dict[str, str] = {
    "organisations.sector": "a code", "organisations.regions": "region codes",
    "organisations.directory_org_id": "an id",
    "workers.display_name": "the worker's own Telegram name (staff, not a youth)",
    "workers.language": "a code", "workers.telegram_language": "a code", "workers.role": "a code",
    "workers.timezone": "a time zone", "workers.quiet_start": "a time",
    "workers.quiet_end": "a time", "worker_regions.region": "a code",
    "invitations.token_hash": "a hash", "invitations.role": "a code",
    "invitations.regions": "region codes",
    "audit_log.action": "a code", "audit_log.subject_type": "a code",
    "audit_log.subject_id": "an id", "audit_log.region": "a code",
    "cases.code": "a random code", "cases.status": "a code", "cases.age_band": "a code",
    "cases.gender": "a code", "cases.languages": "codes", "cases.region_origin": "a code",
    "cases.region_current": "a code", "cases.needs": "codes",
    "cases.turns_18_month": "a checked YYYY-MM month", "cases.outcome": "a code",
    "case_participants.role": "a code", "case_messages.kind": "a code",
    "purged_case_counts.month": "a month", "purged_case_counts.region": "a code",
    "purged_case_counts.outcome": "a code",
    "handoffs.service_name": "a directory service name", "handoffs.directory_org_id": "an id",
    "handoffs.region": "a code", "handoffs.status": "a code", "handoffs.status_reason": "a code",
    "handoffs.priority": "a code", "handoffs.needs": "codes", "handoffs.outcome": "a code",
    "handoffs.group_key": "a random key",
    "handoffs.month": "a month", "handoffs.from_region": "a code",
    "handoffs.service_region": "a code", "handoffs.need": "a code",
    "handoff_events.kind": "a code", "handoff_events.from_status": "a code",
    "handoff_events.to_status": "a code", "handoff_events.reason": "a code",
    "handoff_recipients.role": "a code",
    "scheduled_jobs.kind": "a code", "scheduled_jobs.ref": "a case code or an id",
    "scheduled_jobs.key": "a key made of codes and ids", "scheduled_jobs.state": "a code",
    "scheduled_jobs.lease_owner": "a process id", "scheduled_jobs.last_error": "an error type",
    "broadcasts.author_language": "a code",
    "broadcasts.author_label": "the coordinator's name and organisation (staff)",
    "broadcasts.audience_kind": "a code", "broadcasts.audience_value": "a code",
    "broadcasts.regions": "region codes", "broadcasts.status": "a code",
    "broadcast_deliveries.language": "a code", "broadcast_deliveries.status": "a code",
    "broadcast_deliveries.claimed_by": "a process id",
    "broadcast_deliveries.error": "an error type",
    "practice_tools.key": "a slug of the (scanned) title", "practice_tools.regions": "codes",
    "practice_tools.organisation": "the author's organisation name (scanned in organisations)",
    "practice_tools.source": "a code",
    "inbox_updates.claimed_by": "a process id", "outbox_messages.record_table": "a table name",
    # Figures (bot/models/stats.py): months and codes of anonymous counts.
    **{f"{table}.{column}": "a month or a code of an anonymous count"
       for table, columns in (
           ("stats_searches", ("month", "region", "need", "age_band", "hour_band")),
           ("stats_handoff_months", ("month", "from_region", "region", "priority", "need",
                                     "state", "reason", "outcome")),
           ("stats_handoff_times", ("month", "from_region", "region", "priority", "need",
                                    "measure")),
           ("stats_search_needs", ("month", "region", "need")),
           ("stats_live_months", ("month", "scope")))
       for column in columns},
    "stats_live_months.counts": "JSON of a month's anonymous counts: codes and numbers only",
}


@dataclass
class Finding:
    row_id: str
    kinds: list[str]


@dataclass
class ColumnReport:
    table: str
    column: str
    scanned: int = 0
    flagged: list[Finding] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)  # row ids no configured key decrypts

    @property
    def name(self) -> str:
        return f"{self.table}.{self.column}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "table": self.table, "column": self.column, "scanned": self.scanned,
            "flagged": [{"id": f.row_id, "kinds": f.kinds} for f in self.flagged],
            "unreadable": list(self.unreadable),
        }


@dataclass
class AuditReport:
    columns: list[ColumnReport] = field(default_factory=list)

    @property
    def flagged_count(self) -> int:
        return sum(len(c.flagged) for c in self.columns)

    @property
    def unreadable_count(self) -> int:
        return sum(len(c.unreadable) for c in self.columns)

    @property
    def scanned_count(self) -> int:
        return sum(c.scanned for c in self.columns)

    @property
    def clean(self) -> bool:
        return not self.flagged_count and not self.unreadable_count

    def column(self, name: str) -> ColumnReport:
        return next(c for c in self.columns if c.name == name)

    def as_dict(self) -> dict[str, Any]:
        return {
            "flagged": self.flagged_count, "unreadable": self.unreadable_count,
            "scanned": self.scanned_count, "columns": [c.as_dict() for c in self.columns],
        }


# ---- reading values ----------------------------------------------------------------------------


class Unreadable(Exception):
    """A stored value could not be decrypted or parsed."""


def json_strings(value: Any) -> Iterator[str]:
    """Every string inside a JSON value (keys excluded: they are Relais's own)."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from json_strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from json_strings(item)


_TAG = re.compile(r"<[^>]{0,200}>")


def _plain(text: str) -> str:
    """A message's text as shown: without its HTML tags and entities."""
    return html.unescape(_TAG.sub(" ", text))


def _blank(text: str, labels: Iterable[str]) -> str:
    """``text`` with each of ``labels`` (whole words, exact case) replaced by spaces."""
    for label in labels:
        pattern = r"(?<!\w)" + re.escape(label) + r"(?!\w)"
        text = re.sub(pattern, lambda m: " " * len(m.group()), text)
    return text


UPDATE_KINDS = ("message", "edited_message", "business_message", "edited_business_message",
                "channel_post", "edited_channel_post")


def update_texts(update: dict[str, Any]) -> list[str]:
    """What the person wrote in a raw update: the text or caption of its message."""
    texts = []
    for kind in UPDATE_KINDS:
        message = update.get(kind)
        if isinstance(message, dict):
            texts += [message[key] for key in ("text", "caption")
                      if isinstance(message.get(key), str)]
    return texts


def _decrypt(app: App, value: str) -> str:
    try:
        return crypto.decrypt(app, value)
    except crypto.UndecryptableText:
        raise Unreadable() from None


def texts_of(app: App, how: str, value: Any, labels: list[str]) -> list[str]:
    """The texts to screen in one stored value; raises :class:`Unreadable`."""
    if value is None:
        return []
    if how == TEXT:
        return [str(value)]
    if how == ENCRYPTED:
        return [_decrypt(app, str(value))]
    if how == JSON_VALUES:
        if isinstance(value, str):  # a JSON column read as text by some drivers
            try:
                value = json.loads(value)
            except ValueError:
                return [value]
        return list(json_strings(value))
    try:
        data = json.loads(_decrypt(app, str(value)))
    except ValueError:
        raise Unreadable() from None
    if not isinstance(data, dict):
        raise Unreadable()
    if how == OUTGOING:
        text = data.get("text")
        return [_blank(_plain(text), labels)] if isinstance(text, str) else []
    if how == UPDATE:
        return update_texts(data)
    raise ValueError(f"unknown way to read a column: {how}")


# ---- scanning ----------------------------------------------------------------------------------


def _model(column: Column) -> Any | None:
    try:
        return getattr(importlib.import_module(column.module), column.model)
    except (ModuleNotFoundError, AttributeError):
        return None


async def _existing_columns(session: AsyncSession) -> dict[str, set[str]]:
    """Table name -> column names present in the database (an older schema may lack some)."""

    def read(connection: Any) -> dict[str, set[str]]:
        inspector = sa_inspect(connection)
        return {name: {c["name"] for c in inspector.get_columns(name)}
                for name in inspector.get_table_names()}

    connection = await session.connection()
    return await connection.run_sync(read)


async def _rows(session: AsyncSession, model: Any, attribute: str
                ) -> AsyncIterator[tuple[str, Any]]:
    """(row id, value) of every row whose value is set, page by page."""
    keys = list(sa_inspect(model).primary_key)
    column = getattr(model, attribute)
    if len(keys) == 1:
        last = None
        while True:
            query = select(keys[0], column).where(column.is_not(None))
            if last is not None:
                query = query.where(keys[0] > last)
            rows = (await session.execute(query.order_by(keys[0]).limit(PAGE))).all()
            for key, value in rows:
                yield str(key), value
            if len(rows) < PAGE:
                return
            last = rows[-1][0]
    rows = (await session.execute(
        select(*keys, column).where(column.is_not(None)).order_by(*keys))).all()
    for row in rows:
        yield ":".join(str(v) for v in row[:-1]), row[-1]


async def relais_labels(session: AsyncSession) -> list[str]:
    """Names Relais writes itself in messages: workers' display names, organisation names."""
    from bot.models.core import Organisation, Worker

    names = list((await session.scalars(select(Worker.display_name))).all())
    names += list((await session.scalars(select(Organisation.name))).all())
    # longest first, so that "Alice Martin" is blanked before "Alice"
    return sorted({n.strip() for n in names if n and n.strip()}, key=len, reverse=True)


async def audit(app: App, *, columns: tuple[Column, ...] = SCANNED,
                progress: Callable[[str], None] | None = None) -> AuditReport:
    """Screen every stored value of ``columns``; raises ``ScreenUnavailable`` if the screen
    cannot be built. Nothing is written; no text is kept, logged or returned."""
    report = AuditReport()
    async with app.sessionmaker() as session:
        present = await _existing_columns(session)  # first: an unreachable database says so
        screen = await screening.get_screen(app, session)
        labels = await relais_labels(session) if "workers" in present else []
        for spec in columns:
            model = _model(spec)
            if model is None:
                continue
            table = model.__tablename__
            if spec.attribute not in present.get(table, set()):
                continue
            result = ColumnReport(table, spec.attribute)
            if progress is not None:
                progress(result.name)
            async for row_id, value in _rows(session, model, spec.attribute):
                try:
                    texts = texts_of(app, spec.how, value, labels)
                except Unreadable:
                    result.unreadable.append(row_id)
                    continue
                result.scanned += 1
                kinds = _scan(screen, texts)
                if kinds:
                    result.flagged.append(Finding(row_id, kinds))
            if result.flagged or result.unreadable:
                log.info("privacy audit: %s: %d flagged, %d unreadable", result.name,
                         len(result.flagged), len(result.unreadable))
            report.columns.append(result)
        await session.rollback()
    return report


def _scan(screen: Any, texts: list[str]) -> list[str]:
    """The kinds the screen finds in any of ``texts`` (empty when none)."""
    found: set[str] = set()
    for text in texts:
        if not text or not text.strip():
            continue
        try:
            result = screen.scan(screening.mask_case_codes(text), lang=None)
        except Exception as exc:
            log.error("privacy screen failed on a stored text of %d characters: %s",
                      len(text), type(exc).__name__)
            raise screening.ScreenUnavailable() from None
        if result.identifying:
            found.update(screening.kinds_of(result))
    return [k for k in screening.KIND_ORDER if k in found] + sorted(
        found - set(screening.KIND_ORDER))


def unclassified_columns() -> list[str]:
    """``table.column`` of text and JSON columns neither scanned nor explained (for a test)."""
    from sqlalchemy import JSON, String, Text

    from bot.db.base import Base
    from bot.models import load_all_models

    load_all_models()
    scanned = set()
    for spec in SCANNED:
        model = _model(spec)
        if model is not None:
            scanned.add(f"{model.__tablename__}.{spec.attribute}")
    missing = []
    for table in Base.metadata.sorted_tables:
        if any(table.name.startswith(prefix) for prefix in NOT_SCANNED_TABLES):
            continue
        for col in table.columns:
            if not isinstance(col.type, String | Text | JSON):
                continue
            name = f"{table.name}.{col.name}"
            if name not in scanned and name not in NOT_SCANNED:
                missing.append(name)
    return missing
