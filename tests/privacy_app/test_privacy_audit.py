"""``relais privacy audit``: every stored free text screened again, reported by table, column, row
id and kind; never the text. Rows are seeded directly (some encrypted), then the service and the
command (as a subprocess) are run on the same database, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest
from cryptography.fernet import Fernet

from bot.app import App
from bot.config import Settings
from bot.models.cases import CaseMessage
from bot.models.core import AuditEntry, Organisation, Worker
from bot.models.directory import DirectoryReport
from bot.models.handoffs import Handoff, HandoffEvent
from bot.models.inbox import InboxUpdate, OutboxMessage
from bot.models.reminders import ScheduledJob
from bot.models.tools import PracticeTool
from bot.services import crypto, privacy_audit
from tests.privacy_app.helpers import make_case

ROOT = Path(__file__).resolve().parents[2]
KEY = Fernet.generate_key().decode("ascii")
OTHER_KEY = Fernet.generate_key()

FLAGGED = "Jessica Tremblay a appelé au 514-555-0142"
FLAGGED_EN = "her email is jess.tremblay@example.com"
CLEAN = "La jeune arrive à Laval ce soir, besoin d'une place"
NEEDLES = ("Jessica", "Tremblay", "555-0142", "jess.tremblay", "example.com", "Alice Martin")


@pytest.fixture
def settings(db_url: str, redis_url: str | None) -> Settings:
    """The suite's settings with a fixed data key, so that the command reads the same notes."""
    return Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=db_url, redis_url=redis_url, bot_token=None, default_language="fr",
        timezone="America/Toronto", data_key=KEY,
    )


def outgoing(text: str) -> str:
    return json.dumps({"chat_id": 1, "text": text, "buttons": [], "protect_content": True},
                      ensure_ascii=False)


async def seed(app: App) -> dict[str, list[str]]:
    """Known flagged rows (their ids, by ``table.column``) among clean ones."""
    now = app.clock.now()
    enc = lambda text: crypto.encrypt(app, text)  # noqa: E731
    async with app.sessionmaker() as session:
        org = Organisation(name="Maison B (fictive)", sector="other", regions=[], created_at=now)
        bad_org = Organisation(name="Chez Jessica Tremblay", sector="other", regions=[],
                               created_at=now)
        session.add_all([org, bad_org])
        await session.flush()
        alice = Worker(telegram_id=5001, display_name="Alice Martin", role="worker",
                       organisation_id=org.id, created_at=now)
        alice.set_regions(["06"])
        session.add(alice)
        await session.commit()
    case = await make_case(app, alice)
    async with app.sessionmaker() as session:
        rows = {
            "bad_message": CaseMessage(case_id=case.id, sender_id=alice.id, created_at=now,
                                       body_encrypted=enc(FLAGGED)),
            "message": CaseMessage(case_id=case.id, sender_id=alice.id, created_at=now,
                                   body_encrypted=enc(CLEAN)),
            "handoff": Handoff(case_id=case.id, created_at=now, updated_at=now,
                               note_enc=enc(CLEAN), status_note_enc=enc(FLAGGED_EN),
                               criteria={"regions": ["06"], "place": "Jessica Tremblay"}),
            "bad_job": ScheduledJob(kind="reminder.personal", text=enc(FLAGGED), due_at=now,
                                    next_attempt_at=now, created_at=now, updated_at=now),
            "job": ScheduledJob(kind="reminder.personal", text=enc(CLEAN), due_at=now,
                                next_attempt_at=now, created_at=now, updated_at=now,
                                payload={"case": case.code}),
            "unreadable_job": ScheduledJob(
                kind="reminder.personal", due_at=now, next_attempt_at=now, created_at=now,
                updated_at=now, text=Fernet(OTHER_KEY).encrypt(FLAGGED.encode()).decode()),
            "tool": PracticeTool(key="guide-1", title_fr="Guide d'accueil", tags=["fugue"],
                                 published_on=date(2025, 1, 1), created_at=now, updated_at=now),
            "bad_tool": PracticeTool(key="guide-2", title_fr="Guide", body_en=FLAGGED_EN,
                                     tags=["jessica-tremblay"], published_on=date(2025, 1, 1),
                                     created_at=now, updated_at=now),
            "audit": AuditEntry(at=now, action="privacy.refused",
                                details={"kinds": "PERSON,PHONE", "counts": "PERSON:1"}),
            "bad_audit": AuditEntry(at=now, action="x.leak", details={"note": FLAGGED}),
            # Relais's own message naming the sender (blanked), and one relaying a flagged text
            "outbox": OutboxMessage(
                chat_id=1, created_at=now, claimed_until=now + timedelta(seconds=30),
                body_enc=enc(outgoing(f"<b>Dossier {case.code}</b> · message de Alice Martin "
                                      f"(Maison B (fictive)) :\n\n{CLEAN}"))),
            "bad_outbox": OutboxMessage(
                chat_id=1, created_at=now, claimed_until=now + timedelta(seconds=30),
                body_enc=enc(outgoing(f"Dossier {case.code} · Alice Martin :\n\n{FLAGGED}"))),
            # an update not handled yet: the profile names a person, only the text counts
            "inbox": InboxUpdate(
                update_id=7001, bot_id=1, received_at=now, claimed_until=now,
                payload_enc=enc(json.dumps({"update_id": 7001, "message": {
                    "message_id": 1, "text": CLEAN,
                    "from": {"id": 5001, "first_name": "Jessica", "last_name": "Tremblay"}}}))),
            # a listing's error report: the description and the resolution note are typed
            "report": DirectoryReport(service_name="Refuge (fictif)", region="06",
                                      text_enc=enc(CLEAN), created_at=now),
            "bad_report": DirectoryReport(service_name="Refuge (fictif)", region="06",
                                          text_enc=enc(CLEAN), resolution_enc=enc(FLAGGED),
                                          status="resolved", created_at=now),
            "bad_inbox": InboxUpdate(
                update_id=7002, bot_id=1, received_at=now, claimed_until=now,
                payload_enc=enc(json.dumps({"update_id": 7002, "message": {
                    "message_id": 2, "caption": FLAGGED, "photo": []}}))),
        }
        session.add_all(rows.values())
        await session.flush()
        event = HandoffEvent(handoff_id=rows["handoff"].id, at=now, kind="status",
                             note_enc=enc(FLAGGED), details={"outcome": "placed"})
        session.add(event)
        await session.commit()
        return {
            "organisations.name": [str(bad_org.id)],
            "case_messages.body_encrypted": [str(rows["bad_message"].id)],
            "handoffs.status_note_enc": [str(rows["handoff"].id)],
            "handoffs.criteria": [str(rows["handoff"].id)],
            "handoff_events.note_enc": [str(event.id)],
            "scheduled_jobs.text": [str(rows["bad_job"].id)],
            "practice_tools.body_en": [str(rows["bad_tool"].id)],
            "practice_tools.tags": [str(rows["bad_tool"].id)],
            "audit_log.details": [str(rows["bad_audit"].id)],
            "outbox_messages.body_enc": [str(rows["bad_outbox"].id)],
            "inbox_updates.payload_enc": ["7002:1"],
            "directory_reports.resolution_enc": [str(rows["bad_report"].id)],
            "unreadable scheduled_jobs.text": [str(rows["unreadable_job"].id)],
        }


def run(*args: str, database: str | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RELAIS_")}
    env["RELAIS_DATA_KEY"] = KEY
    extra = ["--database", database] if database else []
    return subprocess.run(
        [sys.executable, "-m", "bot", "privacy", "audit", *extra, *args], capture_output=True,
        text=True, env=env, cwd=ROOT, timeout=180,
    )


def flagged_by_column(report: privacy_audit.AuditReport) -> dict[str, list[str]]:
    return {c.name: [f.row_id for f in c.flagged] for c in report.columns if c.flagged}


async def test_service_reports_ids_and_kinds_never_text(app):
    expected = await seed(app)
    unreadable = expected.pop("unreadable scheduled_jobs.text")
    report = await privacy_audit.audit(app)
    assert flagged_by_column(report) == expected
    assert report.column("scheduled_jobs.text").unreadable == unreadable
    assert report.flagged_count == 12 and report.unreadable_count == 1 and not report.clean
    kinds = {c.name: [f.kinds for f in c.flagged] for c in report.columns}
    assert kinds["case_messages.body_encrypted"] == [["PERSON", "PHONE"]]
    assert kinds["handoffs.status_note_enc"] == [["EMAIL"]]
    assert report.column("outbox_messages.body_enc").scanned == 2  # Relais's labels blanked
    assert report.column("inbox_updates.payload_enc").scanned == 2  # the profile is not text
    dumped = json.dumps(report.as_dict(), ensure_ascii=False)
    assert not any(n in dumped for n in NEEDLES)


async def test_a_clean_database_reports_nothing(app):
    async with app.sessionmaker() as session:
        session.add(Organisation(name="Maison des jeunes (fictive)", sector="other", regions=[],
                                 created_at=app.clock.now()))
        await session.commit()
    report = await privacy_audit.audit(app)
    assert report.clean and report.column("organisations.name").scanned == 1


async def test_command_exit_status_and_output_never_show_the_text(app):
    expected = await seed(app)
    url = app.settings.database_url
    done = run(database=url)
    assert done.returncode == 1, done.stderr
    assert not any(n in done.stdout + done.stderr for n in NEEDLES)
    bad_message = expected["case_messages.body_encrypted"][0]
    assert (f"case_messages.body_encrypted: 1 of 2 flagged: id {bad_message} (PERSON, PHONE)"
            in done.stdout)
    unreadable = expected["unreadable scheduled_jobs.text"][0]
    assert f"unreadable (no configured key): id {unreadable}" in done.stdout

    done = run("--json", database=url)
    assert done.returncode == 1, done.stderr
    assert not any(n in done.stdout + done.stderr for n in NEEDLES)
    data = json.loads(done.stdout)
    assert data["flagged"] == 12 and data["unreadable"] == 1
    got = {f"{c['table']}.{c['column']}": [f["id"] for f in c["flagged"]]
           for c in data["columns"] if c["flagged"]}
    expected.pop("unreadable scheduled_jobs.text")
    assert got == expected


async def test_command_on_a_clean_database_exits_0(app):
    async with app.sessionmaker() as session:
        session.add(Organisation(name="Maison des jeunes (fictive)", sector="other", regions=[],
                                 created_at=app.clock.now()))
        await session.commit()
    done = run("--json", database=app.settings.database_url)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["flagged"] == 0
    done = run(database=app.settings.database_url)
    assert done.returncode == 0 and done.stdout.strip().endswith("relais: nothing flagged")


def test_unreachable_database_is_one_line_and_exit_2(tmp_path):
    done = run(database="postgresql://postgres@127.0.0.1:1/relais")
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("relais: cannot reach the database")
    done = run(database=f"sqlite:///{tmp_path}/missing.db")
    assert done.returncode == 2 and not (tmp_path / "missing.db").exists()
    assert done.stderr.strip().startswith("relais: cannot reach the database")


def test_help_states_the_exit_status():
    done = subprocess.run([sys.executable, "-m", "bot", "privacy", "audit", "--help"],
                          capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert done.returncode == 0
    text = " ".join(done.stdout.split())
    assert "0 when nothing is flagged" in text and "1 when a value is flagged" in text
    assert "2 on a usage" in text
    usage = subprocess.run([sys.executable, "-m", "bot", "privacy", "audit", "--nope"],
                           capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert usage.returncode == 2


def test_every_text_column_is_scanned_or_explained():
    assert privacy_audit.unclassified_columns() == []
