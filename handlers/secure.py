"""Signed callback data for every button that acts on a case or a handoff.

A Telegram client can send any ``callback_data`` it likes, so buttons about a case carry a
compact signed payload binding the *action*, the *object id* and the *Telegram user id the
button was sent to*::

    sx:<action>:<object_id>:<extra>:<signature>

The signature is HMAC-SHA256 (truncated to 12 bytes, url-safe base64, 16 characters) under a
secret derived from ``RELAIS_DATA_KEY`` (see ``bot.services.crypto.derived_secret``; after a key
rotation, buttons signed with an older key still verify while that key is configured). The whole
payload must fit Telegram's 64-byte limit: actions and extras are short (``[A-Za-z0-9_.-]``).

Sending a button (handler or service)::

    from handlers.secure import sign        # in services (no aiogram): crypto.sign_callback
    data = sign(app, "ho.accept", handoff.id, user_id=worker.telegram_id)
    InlineKeyboardButton(text=_("Accept"), callback_data=data)
    # or bot.messenger.Button(text=..., data=data)

Receiving it (in a router)::

    from handlers.secure import SecureCallback, Verified
    @router.callback_query(SecureCallback.filter(action="ho.accept"))
    async def accept(query: CallbackQuery, secure: Verified, object_id: int, ...):
        ...  # the signature was checked against query.from_user.id; now check participation

The filter injects ``secure`` (:class:`Verified`: action, object_id, extra) and ``object_id``
(an ``int`` when the id is numeric). A signature is not authorisation: services must still check
that the worker takes part in the case (``bot.services.cases.case_for_worker``).

Anything starting with ``sx:`` that no handler took reaches this module's router (listed in
``ROUTER_MODULES`` just before the fallback): a bad signature, a button sent to someone else, or
crafted data is refused with an audit entry ``callback.forged`` (actor only, nothing of the data
echoed); a well-signed button nobody handles any more is answered as stale.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from aiogram import F, Router
from aiogram.filters import Filter
from aiogram.types import CallbackQuery
from aiogram.utils.i18n import gettext as _
from sqlalchemy.ext.asyncio import AsyncSession

from bot.services import audit, crypto

if TYPE_CHECKING:
    from bot.app import App
    from bot.models.core import Worker

PREFIX = crypto.CALLBACK_PREFIX
Verified = crypto.SignedCallback
sign = crypto.sign_callback
verify = crypto.verify_callback


class SecureCallback(Filter):
    """Router filter: a verified ``sx:`` payload with the given action (or any action).

    ``SecureCallback.filter(action="case.close")`` or ``SecureCallback.filter(prefix="ho.")``.
    """

    def __init__(self, action: str | None = None, prefix: str | None = None) -> None:
        self.action = action
        self.prefix = prefix

    @classmethod
    def filter(cls, action: str | None = None, *, prefix: str | None = None) -> SecureCallback:
        return cls(action=action, prefix=prefix)

    async def __call__(self, query: CallbackQuery, app: App) -> bool | dict[str, Any]:
        data = query.data or ""
        if not data.startswith(PREFIX + ":"):
            return False
        action = data.split(":", 2)[1] if data.count(":") >= 2 else ""
        if self.action is not None and action != self.action:
            return False
        if self.prefix is not None and not action.startswith(self.prefix):
            return False
        verified = verify(app, data, query.from_user.id)
        if verified is None:
            return False  # left to the catch-all below, which refuses and audits
        object_id: int | str = (
            int(verified.object_id) if verified.object_id.isdigit() else verified.object_id
        )
        return {"secure": verified, "object_id": object_id}


async def refuse_forged(
    query: CallbackQuery, app: App, session: AsyncSession, worker: Worker | None
) -> None:
    """Refuse a tampered or misdirected button; audit the actor, never the data."""
    await audit.record(
        session,
        at=app.clock.now(),
        action="callback.forged",
        actor=worker,
        actor_telegram_id=query.from_user.id,
    )
    await query.answer(_("This button is not valid for you. Nothing was done."), show_alert=True)


async def unhandled_secure(
    query: CallbackQuery, app: App, session: AsyncSession, worker: Worker | None = None
) -> None:
    """An ``sx:`` button no feature took: forged → refused and audited; else stale."""
    if verify(app, query.data, query.from_user.id) is None:
        await refuse_forged(query, app, session, worker)
        return
    await query.answer(_("This button is no longer valid."), show_alert=True)


def build_router() -> Router:
    """Register the catch-all for ``sx:`` data no feature handled."""
    router = Router(name="secure")
    router.callback_query.register(unhandled_secure, F.data.startswith(PREFIX + ":"))
    return router
