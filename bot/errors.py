"""Errors that services raise and the chat layer turns into a message in the user's language.

``message`` is an untranslated msgid (marked with ``N_``) and ``params`` fill its placeholders.
"""

from __future__ import annotations


class RelaisError(Exception):
    """A refusal or failure the user should be told about, in their language."""

    message: str = "Something went wrong."
    audit_action: str | None = None  # recorded (without text) even though the work is undone

    def __init__(self, message: str | None = None, **params: object) -> None:
        self.message = message or self.message
        self.params = params
        super().__init__(self.message)


class NotAllowed(RelaisError):
    """The user may not do this (role, region or participation)."""


class NotFound(RelaisError):
    """The thing asked for does not exist (or is not visible to this user)."""


class InvalidInput(RelaisError):
    """The user's input cannot be used as given."""
