"""Encryption at rest, key rotation, the production start rule and the local try key."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from pydantic import SecretStr

from bot.app import build_app
from bot.config import Settings
from bot.services import cases, crypto
from tests.privacy_app.helpers import make_case, messages


def with_keys(app, *keys: bytes):  # type: ignore[no-untyped-def]
    app.settings = app.settings.model_copy(
        update={"data_key": SecretStr(",".join(k.decode() for k in keys))})
    return app


async def test_encrypt_decrypt_and_wrong_key(app):
    old = Fernet.generate_key()
    with_keys(app, old)
    token = crypto.encrypt(app, "besoin d'un lit ce soir")
    assert "lit" not in token and crypto.decrypt(app, token) == "besoin d'un lit ce soir"
    with_keys(app, Fernet.generate_key())
    with pytest.raises(crypto.UndecryptableText):
        crypto.decrypt(app, token)


async def test_key_rotation_re_encrypts_stored_notes(app, chat):
    old, new = Fernet.generate_key(), Fernet.generate_key()
    with_keys(app, old)
    alice = await chat.register("alice")
    case = await make_case(app, alice)
    async with app.sessionmaker() as session:
        case = await cases.find_case(session, case.code)
        await cases.post_thread_message(app, session, case, alice, "Rendez-vous au CLSC demain",
                                        relay=False)
        await session.commit()
    before = (await messages(app))[0].body_encrypted
    assert Fernet(old).decrypt(before.encode()).decode() == "Rendez-vous au CLSC demain"

    with_keys(app, new, old)  # new key first: it encrypts, both decrypt
    assert crypto.decrypt(app, before) == "Rendez-vous au CLSC demain"
    counts = await crypto.rotate_all(app)
    assert counts["case_messages.body_encrypted"] == 1 and "unreadable" not in counts
    after = (await messages(app))[0].body_encrypted
    assert after != before
    assert Fernet(new).decrypt(after.encode()).decode() == "Rendez-vous au CLSC demain"

    with_keys(app, new)  # the old key can go now
    assert crypto.decrypt(app, after) == "Rendez-vous au CLSC demain"
    with pytest.raises(crypto.UndecryptableText):
        crypto.decrypt(app, before)


async def test_signed_buttons_survive_rotation_while_the_old_key_is_kept(app):
    old, new = Fernet.generate_key(), Fernet.generate_key()
    data = crypto.sign_callback(with_keys(app, old), "case.view", 5, 42)
    assert crypto.verify_callback(with_keys(app, new, old), data, 42) is not None
    assert crypto.verify_callback(with_keys(app, new), data, 42) is None


def test_keys_rotate_command(tmp_path, monkeypatch, capsys):
    from bot.cli import main

    monkeypatch.setenv("RELAIS_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'k.db'}")
    monkeypatch.delenv("RELAIS_DATA_KEY", raising=False)
    monkeypatch.chdir(tmp_path)
    # In development without RELAIS_DATA_KEY, every command shares a key kept next to the
    # database, so the bot and a separate worker read the same notes.
    assert main(["keys", "rotate"]) == 0
    key_file = tmp_path / "k.key"
    assert key_file.exists() and key_file.stat().st_mode & 0o077 == 0
    capsys.readouterr()
    monkeypatch.setenv("RELAIS_DATA_KEY", "not-a-key")
    with pytest.raises(SystemExit):  # a malformed key stops every command, in any mode
        main(["keys", "rotate"])
    assert "RELAIS_DATA_KEY: key 1 is not a Fernet key" in capsys.readouterr().err
    monkeypatch.setenv("RELAIS_DATA_KEY", Fernet.generate_key().decode())
    assert main(["keys", "rotate"]) == 0
    assert "case_messages.body_encrypted: 0 re-encrypted" in capsys.readouterr().out


@pytest.mark.parametrize("key", [None, "", "   "])
def test_production_refuses_to_start_without_a_key(key, monkeypatch, capsys, tmp_path):
    from bot.cli import main

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("RELAIS_MODE", "production")
    monkeypatch.setenv("RELAIS_BOT_TOKEN", "123:abc")
    monkeypatch.setenv("RELAIS_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'p.db'}")
    if key is None:
        monkeypatch.delenv("RELAIS_DATA_KEY", raising=False)
    else:
        monkeypatch.setenv("RELAIS_DATA_KEY", key)
    with pytest.raises(SystemExit) as stopped:
        main(["run"])
    assert stopped.value.code == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert "RELAIS_DATA_KEY is not set" in err and "production" in err


def test_production_with_a_bad_key_is_refused_too(monkeypatch, capsys, tmp_path):
    from bot.cli import main

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("RELAIS_MODE", "production")
    monkeypatch.setenv("RELAIS_DATA_KEY", "abc," + Fernet.generate_key().decode())
    with pytest.raises(SystemExit):
        main(["purge", "--dry-run"])
    assert "RELAIS_DATA_KEY: key 1 is not a Fernet key" in capsys.readouterr().err


def test_production_app_without_key_cannot_encrypt():
    settings = Settings(_env_file=None, mode="production",  # type: ignore[call-arg]
                        database_url="sqlite+aiosqlite:///:memory:")
    app = build_app(settings)
    with pytest.raises(crypto.MissingKey):
        crypto.encrypt(app, "x")


def test_development_key_is_ephemeral_but_works():
    app = build_app(Settings(_env_file=None,  # type: ignore[call-arg]
                             database_url="sqlite+aiosqlite:///:memory:"))
    assert crypto.decrypt(app, crypto.encrypt(app, "ok")) == "ok"


def test_try_key_is_generated_once_and_reused(tmp_path):
    settings = Settings(_env_file=None,  # type: ignore[call-arg]
                        database_url=f"sqlite+aiosqlite:///{tmp_path / 'relais-try.db'}")
    first = crypto.ensure_local_key(settings)
    key_file = tmp_path / "relais-try.key"
    assert key_file.exists() and oct(key_file.stat().st_mode & 0o777) == "0o600"
    second = crypto.ensure_local_key(settings)
    assert first.data_key.get_secret_value() == second.data_key.get_secret_value()
    crypto.parse_keys(first.data_key.get_secret_value())
    explicit = settings.model_copy(update={"data_key": SecretStr(Fernet.generate_key().decode())})
    assert crypto.ensure_local_key(explicit) is explicit
