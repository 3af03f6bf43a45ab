"""Case codes: alphabet, format, uniqueness, the ways people type them."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from bot.models.cases import Case
from bot.services import cases
from tests.privacy_app.helpers import make_case

CONFUSABLE = set("0O1IL5S2Z8B6G")


def test_alphabet_has_no_confusable_characters():
    assert not CONFUSABLE & set(cases.ALPHABET)
    assert len(set(cases.ALPHABET)) == len(cases.ALPHABET) >= 20


def test_generated_codes_have_the_format_and_vary():
    codes = {cases.generate_code() for _ in range(2000)}
    assert len(codes) > 1990  # random, not a counter
    for code in codes:
        assert re.fullmatch(r"[A-Z0-9]{2}-[A-Z0-9]{3}", code)
        assert cases.CODE_RE.match(code)
        assert not CONFUSABLE & set(code.replace("-", ""))


@pytest.mark.parametrize("typed", ["K7-4QX", "k7-4qx", "K74QX", "k74qx", "k7 4qx", " K7 - 4QX ",
                                   "k7_4qx"])
def test_normalise_accepts_what_people_type(typed):
    assert cases.normalise_code(typed) == "K7-4QX"


@pytest.mark.parametrize("typed", ["", "K7-4Q", "K7-4QXX", "K0-4QX", "KO-4QX", "IL-5SB", "new",
                                   "K7-4Q!"])
def test_normalise_refuses_what_is_not_a_code(typed):
    assert cases.normalise_code(typed) is None


def test_code_found_in_a_sentence():
    assert cases.find_code_in("pour le dossier k7 4qx ce soir") == "K7-4QX"


async def test_codes_are_unique_in_the_database(app, chat, monkeypatch):
    alice = await chat.register("alice")
    first = await make_case(app, alice)
    # Force the generator to propose the taken code first: a fresh one must be drawn instead.
    proposals = iter([first.code, first.code, "K7-4QX"])
    monkeypatch.setattr(cases, "generate_code", lambda: next(proposals))
    second = await make_case(app, alice)
    assert second.code == "K7-4QX" != first.code
    async with app.sessionmaker() as session:
        codes = (await session.scalars(select(Case.code))).all()
    assert sorted(codes) == sorted({first.code, "K7-4QX"})
