"""``/audit CODE`` lists every entry of the case and of its handoffs (created, accepted by whom,
in progress...), also once the case was purged, and never another case's handoff entries."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, or_, select

from bot.models.core import AuditEntry
from bot.models.handoffs import Handoff
from bot.services import cases, retention
from tests.handoffs import conftest as handoff_support
from tests.handoffs.conftest import add_case, add_service
from tests.handoffs.test_chat import EN, FR, request

chat = handoff_support.chat
_postgres_first = handoff_support._postgres_first

CAPTION = {"fr": r"Trace d'audit du dossier {code}\u00a0: (\d+)",
           "en": r"Audit trail of case {code}: (\d+)"}


async def audited(app, coordinator, code) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    """(action, actor) of each line of the audit CSV, as the coordinator gets it."""
    async with app.sessionmaker() as session:
        _code, entries = await cases.audit_trail(session, coordinator, code,
                                                 now=app.clock.now())
        data = await cases.audit_csv(session, entries)
        await session.rollback()  # not a second "audit.exported"
    lines = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))[1:]
    return [(line[1], line[3]) for line in lines]


async def stored_for(app, code: str, handoff_ids: list[int]) -> int:  # type: ignore[no-untyped-def]
    """Audit entries about the case or its handoffs, as the log holds them."""
    async with app.sessionmaker() as session:
        return int(await session.scalar(select(func.count()).select_from(AuditEntry).where(or_(
            (AuditEntry.subject_type == "case") & (AuditEntry.subject_id == code),
            (AuditEntry.subject_type == "handoff")
            & AuditEntry.subject_id.in_([str(i) for i in handoff_ids])))))


def caption_count(chat, name, events, lang, code) -> int:  # type: ignore[no-untyped-def]
    found = re.search(CAPTION[lang].format(code=re.escape(code)), chat.texts(name, events))
    assert found, chat.texts(name, events)
    return int(found.group(1))


@pytest.mark.parametrize("lang", ["fr", "en"])
async def test_audit_lists_the_handoff_entries_before_and_after_the_purge(app, chat, clock,
                                                                          lang):
    words = FR if lang == "fr" else EN
    alice = await chat.register("alice", org="Organisme A (fictif)", lang=lang)
    bob = await chat.register("bob", org="Maison B (fictive)", lang=lang)
    await chat.register("coord", role="coordinator", regions=("06",), lang=lang)
    svc = await add_service(app, "Hébergement Test", receivers=(bob,))
    case = await add_case(app, alice)
    await request(chat, app, "alice", svc, case, words)
    await chat.press("bob", words["accept"])
    await chat.say("bob", "/handoffs")
    await chat.press("bob", case.code)
    await chat.press("bob", words["in_progress"])
    async with app.sessionmaker() as session:
        handoff_id = (await session.scalars(select(Handoff.id))).one()

    coordinator = await chat.worker("coord")
    lines = await audited(app, coordinator, case.code)
    handoff_lines = [line for line in lines if line[0].startswith("handoff.")]
    assert handoff_lines == [("handoff.created", "alice"), ("handoff.accepted", "bob"),
                             ("handoff.in-progress", "bob")]
    assert ("case.created", "alice") in lines
    expected = await stored_for(app, case.code, [handoff_id])
    assert len(lines) == expected
    events = await chat.say("coord", f"/audit {case.code}")
    assert caption_count(chat, "coord", events, lang, case.code) == expected

    # Completed: the case closes; purged 91 days later. Its trail keeps the handoff's entries.
    await chat.press("bob", words["done"])
    clock.advance(timedelta(days=91))
    async with app.sessionmaker() as session:
        report = await retention.purge(session, now=clock.now(), retention_days=90)
        await session.commit()
    assert (report.cases, report.handoffs) == (1, 1)
    after = await audited(app, coordinator, case.code)
    assert [line for line in after if line[0].startswith("handoff.")] == [
        *handoff_lines, ("handoff.completed", "bob")]
    expected = await stored_for(app, case.code, [handoff_id])
    assert len(after) == expected
    events = await chat.say("coord", f"/audit {case.code}")
    assert caption_count(chat, "coord", events, lang, case.code) == expected

    # A new case's handoff (SQLite may give it the purged handoff's id) stays out of it.
    other = await add_case(app, alice)
    await request(chat, app, "alice", svc, other, words)
    mixed = await audited(app, coordinator, case.code)
    assert len(mixed) == expected + 1  # only the coordinator's last export was added
    theirs = await audited(app, coordinator, other.code)
    assert [line for line in theirs if line[0].startswith("handoff.")] == [
        ("handoff.created", "alice")]
