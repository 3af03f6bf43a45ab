"""Fixtures for the privacy-screen tests."""

from __future__ import annotations

import pytest

from bot.privacy import Screen, build_default_screen, build_screen


@pytest.fixture(scope="session")
def screen() -> Screen:
    """The screen the app and the CLI use (built-in lists plus the gazetteer)."""
    return build_default_screen()


@pytest.fixture(scope="session")
def bare_screen() -> Screen:
    """Built-in lists only, with a fixed reference year so date rules do not drift."""
    return build_screen(reference_year=2026)
