"""The command line: help, configuration errors, invitations and the admin bootstrap."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.cli import main

ROOT = Path(__file__).resolve().parents[2]


def run(*args: str, env: dict[str, str] | None = None, stdin: str = "") -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if not k.startswith("RELAIS_")}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], input=stdin, capture_output=True, text=True,
        env={**base, **(env or {})}, cwd=ROOT, timeout=120,
    )


def test_help_lists_the_commands(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    for command in ("run", "try", "db", "invite", "admin", "screen"):
        assert command in out


@pytest.mark.parametrize("command", [["run"], ["try"], ["invite"], ["db", "upgrade"],
                                     ["admin", "add"]])
def test_each_subcommand_explains_itself(command, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main([*command, "--help"])
    assert exit_info.value.code == 0
    assert "usage: relais" in capsys.readouterr().out


def test_a_wrong_setting_stops_with_one_line_naming_it(tmp_path):
    result = run("db", "upgrade", env={"RELAIS_TIMEZONE": "Mars/Olympus",
                                       "RELAIS_DATABASE_URL": f"sqlite:///{tmp_path}/x.db"})
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "relais: configuration error: RELAIS_TIMEZONE: unknown IANA time zone 'Mars/Olympus'"
    ]
    result = run("db", "upgrade", env={"RELAIS_DATABASE_URL": "mysql://nope"})
    assert "RELAIS_DATABASE_URL" in result.stderr and result.returncode == 2


def test_run_without_token_points_to_try(tmp_path):
    result = run("run", env={"RELAIS_DATABASE_URL": f"sqlite:///{tmp_path}/x.db"})
    assert result.returncode == 2
    assert "RELAIS_BOT_TOKEN is not set" in result.stderr and "relais try" in result.stderr


def test_secrets_are_never_printed():
    from bot.config import Settings

    settings = Settings(_env_file=None, bot_token="123:very-secret", data_key="k" * 44)
    assert "very-secret" not in repr(settings) and "very-secret" not in str(settings)


def test_invite_and_admin_bootstrap(tmp_path):
    env = {"RELAIS_DATABASE_URL": f"sqlite:///{tmp_path}/cli.db", "RELAIS_BOT_USERNAME": "MyBot"}
    result = run("invite", "--role", "coordinator", "--org", "Table 06", "--region", "06",
                 env=env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("https://t.me/MyBot?start=")
    assert len(result.stdout.strip().rsplit("=", 1)[1]) <= 64
    result = run("invite", "--role", "worker", "--org", "X", "--region", "99", env=env)
    assert result.returncode == 2
    assert result.stderr.strip() == "relais: Unknown region code: 99."
    result = run("admin", "add", "424242", env=env)
    assert result.returncode == 0 and "424242" in result.stdout


def test_invite_refuses_an_organisation_name_that_identifies_someone(tmp_path):
    env = {"RELAIS_DATABASE_URL": f"sqlite:///{tmp_path}/cli.db", "RELAIS_BOT_USERNAME": "MyBot"}
    result = run("invite", "--role", "worker", "--org", "Jessica Tremblay 514-555-0142",
                 "--region", "06", env=env)
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "relais: --org looks like it identifies a person (person, phone); nothing was stored"
    )
    assert "Jessica" not in result.stdout + result.stderr
    import sqlite3

    with sqlite3.connect(tmp_path / "cli.db") as db:
        assert db.execute("select count(*) from invitations").fetchone() == (0,)
        assert db.execute("select count(*) from organisations").fetchone() == (0,)
