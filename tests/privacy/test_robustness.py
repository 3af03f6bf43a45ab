"""Long and hostile input stays fast; results are well-formed; nothing is logged or printed."""

from __future__ import annotations

import logging
import subprocess
import sys
import time

import pytest

from bot.privacy import KINDS
from tests.privacy.helpers import REPO

HOSTILE = [
    "a" * 4000,
    "1" * 4000,
    "1 " * 2000,
    "1-" * 2000,
    "@" * 4000,
    "a@" * 2000,
    "a." * 2000,
    "a.b@" * 1000,
    "Aa " * 1333,
    "Aa-" * 1333,
    "né " * 1333,
    "rue " * 1000,
    "12 rue " * 570,
    "snap: " * 660,
    "école " * 660,
    "High " * 800,
    "H2L " * 1000,
    "+1 " * 1333,
    "(514) " * 660,
    "s'appelle " * 400,
    "Mme " * 1000,
    "jessica " * 500,
    "12/12/" * 660,
    "'" * 4000,
    "-" * 4000,
    "é" * 4000,
    "\n" * 4000,
]


@pytest.mark.parametrize("text", HOSTILE, ids=[repr(t[:12]) for t in HOSTILE])
def test_hostile_input_is_fast_and_well_formed(screen, text):
    t0 = time.perf_counter()
    result = screen.scan(text)
    elapsed = time.perf_counter() - t0
    assert elapsed < 2.0, f"{elapsed:.3f}s"  # catastrophic backtracking would take far longer
    assert set(result.kinds) <= set(KINDS)
    assert result.kinds == sorted(set(result.kinds))
    assert result.identifying == bool(result.spans)
    assert all(0 <= s < e <= len(text) for s, e, _ in result.spans)


def test_empty_and_blank(screen):
    for text in ("", " ", "\n\t "):
        result = screen.scan(text)
        assert (result.identifying, result.kinds, result.spans) == (False, [], [])


def test_scan_logs_and_prints_nothing(screen, caplog, capsys):
    caplog.set_level(logging.DEBUG)
    screen.scan("Kayla Tremblay, 514-555-0142, kayla@example.com, née le 3 mai 2010")
    assert caplog.records == []
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""


def test_nothing_is_built_at_import_time():
    code = (
        "import bot.privacy, bot.privacy.screen as s, bot.privacy.wordlists as w\n"
        "assert s._lexicon.cache_info().currsize == 0\n"
        "assert w.read_list.cache_info().currsize == 0\n"
        "s.build_screen()\n"
        "assert s._lexicon.cache_info().currsize == 1\n"
    )
    subprocess.run([sys.executable, "-c", code], cwd=REPO, check=True)
