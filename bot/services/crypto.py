"""Encryption at rest of the free text kept for a case (thread messages, screened notes, reminders).

Keys come from ``RELAIS_DATA_KEY``: one or several comma-separated Fernet keys (urlsafe base64 of
32 bytes, as made by ``Fernet.generate_key()``). The first key encrypts; every key decrypts, so
rotation is: put a new key first, keep the old ones after it, run ``relais keys rotate`` (which
re-encrypts every stored token with the first key), then drop the old keys.

API (every feature that stores free text about a case uses it)::

    from bot.services import crypto
    token = crypto.encrypt(app, text)      # str, safe to store in a Text column
    text = crypto.decrypt(app, token)      # raises crypto.UndecryptableText on a wrong key
    crypto.rotate_token(app, token)        # re-encrypted with the first key
    ENCRYPTED_COLUMNS                      # (model path, attribute) pairs `relais keys rotate` visits

Start-up rules (:func:`check_key`): in production a missing or malformed key stops Relais with one
line naming ``RELAIS_DATA_KEY``. In development without a key an ephemeral per-process key is used
(text stored with it cannot be read after a restart) and a warning is logged; ``relais try`` calls
:func:`ensure_local_key`, which persists a key file next to the try database so a second run reads
the first run's notes.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

if TYPE_CHECKING:
    from bot.app import App
    from bot.config import Settings

log = logging.getLogger(__name__)

SERVICE_KEY = "crypto"
LOCAL_KEY_SUFFIX = ".key"
DEFAULT_LOCAL_KEY_FILE = "relais-try.key"

# Columns holding Fernet tokens: (module, class name, attribute). Features that add encrypted
# columns add a line here so that ``relais keys rotate`` re-encrypts them too.
ENCRYPTED_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("bot.models.cases", "CaseMessage", "body_encrypted"),
    ("bot.models.handoffs", "Handoff", "note_enc"),
    ("bot.models.handoffs", "Handoff", "status_note_enc"),
    ("bot.models.handoffs", "HandoffEvent", "note_enc"),
    ("bot.models.reminders", "ScheduledJob", "text"),
    ("bot.models.inbox", "InboxUpdate", "payload_enc"),
    ("bot.models.inbox", "OutboxMessage", "body_enc"),
    ("bot.models.directory", "DirectoryReport", "text_enc"),
    ("bot.models.directory", "DirectoryReport", "resolution_enc"),
)


class MissingKey(Exception):
    """``RELAIS_DATA_KEY`` is missing or malformed; the message is one line naming it."""


class UndecryptableText(Exception):
    """A stored token cannot be decrypted with any configured key."""


def parse_keys(raw: str) -> list[bytes]:
    """The comma-separated keys of ``RELAIS_DATA_KEY``, each checked; raises :class:`MissingKey`."""
    keys = [part.strip().encode("ascii") for part in raw.split(",") if part.strip()]
    if not keys:
        raise MissingKey("RELAIS_DATA_KEY is empty")
    for number, key in enumerate(keys, 1):
        try:
            Fernet(key)
        except (ValueError, TypeError):
            raise MissingKey(
                f"RELAIS_DATA_KEY: key {number} is not a Fernet key (32 url-safe base64 bytes; "
                "make one with `python -c 'from cryptography.fernet import Fernet; "
                "print(Fernet.generate_key().decode())'`)"
            ) from None
    return keys


def check_key(settings: Settings) -> None:
    """Refuse to start in production without a usable key (raises :class:`MissingKey`)."""
    secret = settings.data_key
    if secret is None or not secret.get_secret_value().strip():
        if settings.mode == "production":
            raise MissingKey(
                "RELAIS_DATA_KEY is not set: in production Relais encrypts case notes at rest "
                "and will not start without a key"
            )
        return
    parse_keys(secret.get_secret_value())


def local_key_path(database_url: str) -> Path:
    """Where a development key is kept: next to a SQLite database, else in the cwd."""
    if database_url.startswith("sqlite") and ":///" in database_url:
        db_path = Path(database_url.split(":///", 1)[1])
        if db_path.name and db_path.name != ":memory:":
            return db_path.with_suffix(LOCAL_KEY_SUFFIX)
    return Path(DEFAULT_LOCAL_KEY_FILE)


def ensure_local_key(settings: Settings) -> Settings:
    """In development: the settings with a data key, generated once and kept in a file.

    A key already set (environment or ``.env``) wins. The file is created with mode 0600.
    """
    if settings.data_key is not None and settings.data_key.get_secret_value().strip():
        return settings
    path = local_key_path(settings.database_url)
    if path.exists():
        key = path.read_text(encoding="ascii").strip()
    else:
        key = Fernet.generate_key().decode("ascii")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600)
        path.write_text(key + "\n", encoding="ascii")
    from pydantic import SecretStr

    return settings.model_copy(update={"data_key": SecretStr(key)})


def _keyring(app: App) -> tuple[list[bytes], MultiFernet]:
    """The configured keys and their MultiFernet, cached in ``app.services`` per key setting."""
    secret = app.settings.data_key
    raw = secret.get_secret_value() if secret is not None else ""
    cached = app.services.get(SERVICE_KEY)
    if cached is not None and cached[0] == raw:
        return cached[1], cached[2]
    if raw.strip():
        keys = parse_keys(raw)
    else:
        if app.settings.mode == "production":
            raise MissingKey("RELAIS_DATA_KEY is not set")
        log.warning("RELAIS_DATA_KEY is not set: using a temporary key for this process only")
        keys = [Fernet.generate_key()]
    fernet = MultiFernet([Fernet(key) for key in keys])
    app.services[SERVICE_KEY] = (raw, keys, fernet)
    return keys, fernet


def _fernet(app: App) -> MultiFernet:
    return _keyring(app)[1]


def derived_secret(app: App, purpose: str) -> list[bytes]:
    """Secrets for ``purpose`` (e.g. signing buttons), one per configured key, first = current.

    Derived with HMAC-SHA256 from each data key, so no second secret has to be managed.
    """
    keys, _ = _keyring(app)
    return [hmac.new(key, purpose.encode(), hashlib.sha256).digest() for key in keys]


def encrypt(app: App, text: str) -> str:
    """A Fernet token (str) of ``text`` under the first configured key."""
    return _fernet(app).encrypt(text.encode("utf-8")).decode("ascii")


def decrypt(app: App, token: str) -> str:
    """The text of a token made by :func:`encrypt` under any configured key."""
    try:
        return _fernet(app).decrypt(token.encode("ascii")).decode("utf-8")
    except (InvalidToken, ValueError) as exc:
        raise UndecryptableText("stored text cannot be decrypted with the configured keys") from exc


def rotate_token(app: App, token: str) -> str:
    """The same text re-encrypted under the first key."""
    try:
        return _fernet(app).rotate(token.encode("ascii")).decode("ascii")
    except (InvalidToken, ValueError) as exc:
        raise UndecryptableText("stored text cannot be decrypted with the configured keys") from exc


async def rotate_all(app: App) -> dict[str, int]:
    """Re-encrypt every token of :data:`ENCRYPTED_COLUMNS` with the first key; counts per column.

    Tokens no configured key can read are left as they are and counted under ``"unreadable"``.
    """
    import importlib

    from sqlalchemy import select

    counts: dict[str, int] = {}
    async with app.sessionmaker() as session:
        for module_name, class_name, attribute in ENCRYPTED_COLUMNS:
            try:
                model = getattr(importlib.import_module(module_name), class_name)
            except (ModuleNotFoundError, AttributeError):
                continue
            column = getattr(model, attribute, None)
            if column is None:
                continue
            rows = (await session.scalars(select(model).where(column.is_not(None)))).all()
            done = 0
            for row in rows:
                value = getattr(row, attribute)
                if not value:
                    continue
                try:
                    setattr(row, attribute, rotate_token(app, value))
                    done += 1
                except UndecryptableText:
                    counts["unreadable"] = counts.get("unreadable", 0) + 1
            counts[f"{model.__tablename__}.{attribute}"] = done
        await session.commit()
    return counts


# ---- signed callback data (buttons about a case or handoff; see handlers/secure.py) ----------

CALLBACK_PREFIX = "sx"
CALLBACK_PURPOSE = "relais-callback-v1"
CALLBACK_LIMIT = 64
SIGNATURE_BYTES = 12
_TOKEN_RE = re.compile(r"^[A-Za-z0-9_.\-]*$")


@dataclass(frozen=True)
class SignedCallback:
    """A callback payload whose signature was checked against the pressing user."""

    action: str
    object_id: str
    extra: str

    @property
    def int_id(self) -> int:
        return int(self.object_id)


def _mac(secret: bytes, action: str, object_id: str, user_id: int, extra: str) -> str:
    message = f"{action}\x1f{object_id}\x1f{user_id}\x1f{extra}".encode()
    digest = hmac.new(secret, message, hashlib.sha256).digest()[:SIGNATURE_BYTES]
    return base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")


def sign_callback(
    app: App, action: str, object_id: int | str, user_id: int, extra: str = ""
) -> str:
    """``sx:<action>:<object_id>:<extra>:<signature>`` for a button sent to ``user_id``.

    Raises ``ValueError`` when a part has characters outside ``[A-Za-z0-9_.-]`` or the result
    is over Telegram's 64 bytes.
    """
    object_id = str(object_id)
    if not action:
        raise ValueError("an action is required")
    for part in (action, object_id, extra):
        if not _TOKEN_RE.match(part):
            raise ValueError("callback parts must be [A-Za-z0-9_.-]")
    secret = derived_secret(app, CALLBACK_PURPOSE)[0]
    signature = _mac(secret, action, object_id, int(user_id), extra)
    data = ":".join((CALLBACK_PREFIX, action, object_id, extra, signature))
    if len(data.encode()) > CALLBACK_LIMIT:
        raise ValueError(f"signed callback data is {len(data)} bytes, over {CALLBACK_LIMIT}")
    return data


def verify_callback(app: App, data: str | None, user_id: int) -> SignedCallback | None:
    """The payload if ``data`` is a well-formed ``sx:`` payload signed for ``user_id``."""
    if not data or len(data.encode()) > CALLBACK_LIMIT:
        return None
    parts = data.split(":")
    if len(parts) != 5 or parts[0] != CALLBACK_PREFIX:
        return None
    _prefix, action, object_id, extra, signature = parts
    if not action or not all(_TOKEN_RE.match(p) for p in (action, object_id, extra)):
        return None
    for secret in derived_secret(app, CALLBACK_PURPOSE):
        expected = _mac(secret, action, object_id, int(user_id), extra)
        if hmac.compare_digest(expected.encode(), signature.encode()):
            return SignedCallback(action, object_id, extra)
    return None
