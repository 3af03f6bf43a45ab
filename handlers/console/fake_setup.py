"""The Bot API methods about the bot itself: who it is, its menus, its webhook, its updates."""

from __future__ import annotations

import asyncio
import contextlib
import json
from typing import Any

from handlers.console.fake_state import FakeState
from handlers.console.protocol import Reply, error, ok


class SetupMethods(FakeState):
    """``getMe``, ``set/delete/getMyCommands``, ``set/delete/getWebhookInfo`` and ``getUpdates``."""

    def _m_getme(self, params: dict[str, Any]) -> Reply:
        return ok(self.bot_user)

    def _scope_key(self, params: dict[str, Any]) -> tuple[str, str]:
        scope = params.get("scope") or {"type": "default"}
        return json.dumps(scope, sort_keys=True), str(params.get("language_code") or "")

    def _m_setmycommands(self, params: dict[str, Any]) -> Reply:
        commands = params.get("commands") or []
        if len(commands) > 100:
            return error(400, "Bad Request: too many commands")
        self.commands[self._scope_key(params)] = commands
        return ok(True)

    def _m_deletemycommands(self, params: dict[str, Any]) -> Reply:
        self.commands.pop(self._scope_key(params), None)
        return ok(True)

    def _m_getmycommands(self, params: dict[str, Any]) -> Reply:
        return ok(self.commands.get(self._scope_key(params), []))

    def _m_setwebhook(self, params: dict[str, Any]) -> Reply:
        self.webhook = {"url": params.get("url", ""), "secret_token": params.get("secret_token")}
        return ok(True)

    def _m_deletewebhook(self, params: dict[str, Any]) -> Reply:
        self.webhook = {"url": ""}
        return ok(True)

    def _m_getwebhookinfo(self, params: dict[str, Any]) -> Reply:
        return ok({"url": self.webhook.get("url", ""), "has_custom_certificate": False,
                   "pending_update_count": len(self.pending)})

    async def _m_getupdates(self, params: dict[str, Any]) -> Reply:
        if self.webhook.get("url"):
            return error(409, "Conflict: can't use getUpdates method while webhook is active")
        offset = int(params.get("offset") or 0)
        self.pending = [u for u in self.pending if u["update_id"] >= offset]
        timeout = min(float(params.get("timeout") or 0), 1.0)  # answer early, as Telegram may
        if not self.pending and timeout:
            self._new_update.clear()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._new_update.wait(), timeout)
        limit = int(params.get("limit") or 100)
        return ok(self.pending[:limit])
