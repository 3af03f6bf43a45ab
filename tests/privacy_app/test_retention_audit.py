"""Retention purge (dry run and real, leaving only counts) and the audit CSV export."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

from sqlalchemy import select

from bot.cli.privacy import format_report
from bot.models.cases import Case, CaseMessage, CaseParticipant, PurgedCaseCount
from bot.models.directory import DirectoryReport
from bot.services import cases, crypto, retention
from tests.privacy_app.helpers import audit_actions, count, make_case


async def close(app, case, worker, outcome="closed"):  # type: ignore[no-untyped-def]
    async with app.sessionmaker() as session:
        case = await cases.find_case(session, case.code)
        await cases.close_case(session, case, by=worker, now=app.clock.now(), outcome=outcome)
        await session.commit()


async def test_purge_dry_run_then_real_leaves_only_counts(app, chat, clock):
    alice = await chat.register("alice")
    old_a = await make_case(app, alice, region="06")
    old_b = await make_case(app, alice, region="06")
    old_c = await make_case(app, alice, region="13")
    recent = await make_case(app, alice, region="06")
    still_open = await make_case(app, alice, region="06")
    async with app.sessionmaker() as session:
        case = await cases.find_case(session, old_a.code)
        await cases.post_thread_message(app, session, case, alice, "Besoin d'une place ce soir",
                                        relay=False)
        await session.commit()
    await close(app, old_a, alice)
    await close(app, old_b, None, outcome="handoffs_ended")
    await close(app, old_c, alice)
    clock.advance(timedelta(days=80))
    await close(app, recent, alice)
    clock.advance(timedelta(days=11))  # old ones closed 91 days ago, recent one 11 days ago

    async with app.sessionmaker() as session:
        report = await retention.purge(session, now=clock.now(), retention_days=90, dry_run=True)
        await session.commit()
    assert (report.cases, report.messages, report.dry_run) == (3, 1, True)
    assert report.counts == {("2026-01", "06", "closed"): 1,
                             ("2026-01", "06", "handoffs_ended"): 1,
                             ("2026-01", "13", "closed"): 1}
    assert await count(app, Case) == 5 and await count(app, PurgedCaseCount) == 0

    async with app.sessionmaker() as session:
        report = await retention.purge(session, now=clock.now(), retention_days=90)
        await session.commit()
    assert (report.cases, report.messages, report.dry_run) == (3, 1, False)
    async with app.sessionmaker() as session:
        codes = set((await session.scalars(select(Case.code))).all())
        counts = {(r.month, r.region, r.outcome): r.count
                  for r in await session.scalars(select(PurgedCaseCount))}
        participants = set((await session.scalars(select(CaseParticipant.case_id))).all())
    assert codes == {recent.code, still_open.code}
    assert counts == report.counts
    assert participants == {recent.id, still_open.id}
    assert await count(app, CaseMessage) == 0
    assert len(await audit_actions(app, "retention.purged")) == 1

    # A later purge adds to the same counts.
    clock.advance(timedelta(days=90))
    async with app.sessionmaker() as session:
        await retention.purge(session, now=clock.now(), retention_days=90)
        await session.commit()
    async with app.sessionmaker() as session:
        counts = {(r.month, r.region, r.outcome): r.count
                  for r in await session.scalars(select(PurgedCaseCount))}
    assert counts[("2026-04", "06", "closed")] == 1 and await count(app, Case) == 1


def test_purge_command_dry_run_and_real(tmp_path, monkeypatch, capsys):
    import asyncio

    from bot.app import build_app
    from bot.cli import main
    from bot.config import Settings
    from bot.db.migrate import upgrade_sync
    from bot.models.core import Worker

    url = f"sqlite+aiosqlite:///{tmp_path / 'purge.db'}"
    upgrade_sync(url)

    async def seed() -> None:
        app = build_app(Settings(_env_file=None, database_url=url))  # type: ignore[call-arg]
        try:
            async with app.sessionmaker() as session:
                worker = Worker(telegram_id=1, display_name="w", created_at=app.clock.now())
                session.add(worker)
                await session.flush()
                case = await cases.create_case(session, creator=worker, draft=cases.CaseDraft(
                    region_current="07"), now=app.clock.now() - timedelta(days=200))
                await cases.close_case(session, case, by=worker,
                                       now=app.clock.now() - timedelta(days=100))
                await session.commit()
        finally:
            await app.close()

    asyncio.run(seed())
    monkeypatch.setenv("RELAIS_DATABASE_URL", url)
    monkeypatch.setenv("RELAIS_RETENTION_DAYS", "90")
    assert main(["purge", "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "would delete 1 closed case(s)" in out and "region 07  closed: 1" in out
    assert main(["purge"]) == 0
    assert "deleted 1 closed case(s)" in capsys.readouterr().out
    assert main(["purge", "--dry-run"]) == 0
    assert "would delete 0 closed case(s)" in capsys.readouterr().out


async def test_audit_csv_for_coordinator_of_the_region(chat, app):
    alice = await chat.register("alice", regions=("06",))
    await chat.register("coord", role="coordinator", regions=("06", "13"), lang="fr")
    await chat.register("other", role="coordinator", regions=("03",), lang="en")
    await chat.register("worker", role="worker", regions=("06",), lang="en")
    await chat.register("admin", role="admin", regions=(), lang="en")
    case = await make_case(app, alice, region="06")
    await chat.say("alice", f"/case {case.code}")

    events = await chat.say("coord", f"/audit {case.code.lower()}")
    documents = [e for e in events if e.kind == "document"]
    assert len(documents) == 1 and f"audit-{case.code}.csv" in documents[0].text
    assert "Trace d'audit du dossier" in documents[0].text
    sent = [p for m, p in chat.telegram.requests if m == "sendDocument"][-1]
    assert sent["protect_content"] is True

    async with app.sessionmaker() as session:
        code, entries = await cases.audit_trail(
            session, await chat.worker("coord"), case.code, now=app.clock.now())
        data = await cases.audit_csv(session, entries)
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == list(cases.AUDIT_CSV_COLUMNS)
    actions = [r[1] for r in rows[1:]]
    assert actions[:2] == ["case.created", "case.consent"] and "case.viewed" in actions
    assert {r[3] for r in rows[1:] if r[1].startswith("case.")} == {"alice"}
    assert [r[3] for r in rows[1:] if r[1] == "audit.exported"] == ["coord"]
    assert all(r[4] == "06" for r in rows[1:] if r[1].startswith("case."))

    events = await chat.say("other", f"/audit {case.code}")
    assert chat.texts("other", events) == "No audit trail for this code in your regions."
    assert not any(e.kind == "document" for e in events)
    events = await chat.say("other", "/audit K7-4QX")  # no such code: the same answer
    assert chat.texts("other", events) == "No audit trail for this code in your regions."
    events = await chat.say("worker", f"/audit {case.code}")
    assert chat.texts("worker", events) == "This command is for coordinators."
    events = await chat.say("admin", f"/audit {case.code}")
    assert any(e.kind == "document" for e in events)
    assert len(await audit_actions(app, "audit.denied")) == 2
    assert len(await audit_actions(app, "audit.exported")) == 2  # coord and admin


async def test_resolved_error_reports_go_after_retention_open_ones_stay(app, clock):
    now = clock.now()
    async with app.sessionmaker() as session:
        session.add_all([
            DirectoryReport(service_name="Refuge (fictif)", region="06", status="resolved",
                            text_enc=crypto.encrypt(app, "mauvais numéro"), created_at=now,
                            resolved_at=now),
            DirectoryReport(service_name="Refuge (fictif)", region="06", status="open",
                            text_enc=crypto.encrypt(app, "heures fausses"), created_at=now),
        ])
        await session.commit()
    clock.advance(timedelta(days=91))
    async with app.sessionmaker() as session:
        dry = await retention.purge(session, now=clock.now(), retention_days=90, dry_run=True)
        await session.commit()
    assert dry.reports == 1 and await count(app, DirectoryReport) == 2
    assert "would delete 1 resolved error report(s) on listings" in "\n".join(
        format_report(dry, 90))
    async with app.sessionmaker() as session:
        report = await retention.purge(session, now=clock.now(), retention_days=90)
        await session.commit()
        left = (await session.scalars(select(DirectoryReport.status))).all()
    assert report.reports == 1 and left == ["open"]
