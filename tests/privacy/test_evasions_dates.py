"""Birth dates in words or given through a birthday. Ages without a date, and dates of
meetings, trainings, hearings and parties, still pass."""

from __future__ import annotations

import pytest

from tests.privacy.helpers import found

BIRTHDAYS = [
    ("fr", "Elle est née le trois mars deux mille neuf à Laval.", "trois mars deux mille neuf"),
    ("fr", "née le 3 mars deux mille neuf", "3 mars deux mille neuf"),
    ("fr", "Née le premier mai deux mille dix.", "premier mai deux mille dix"),
    ("fr", "né le vingt-et-un juin deux mille huit", "vingt-et-un juin deux mille huit"),
    ("fr", "elle a eu 16 ans le 3 mars", "3 mars"),
    ("fr", "Il aura 18 ans le 2 février, donc fin du placement.", "2 février"),
    ("fr", "Elle fête ses seize ans le douze juillet", "douze juillet"),
    ("fr", "sa fête c'est le 12 juillet, elle veut sortir", "12 juillet"),
    ("en", "she turned 16 on october 4th, she is staying with an aunt", "october 4th"),
    ("en", "born on the fourth of october 2009", "the fourth of october 2009"),
    ("en", "Born March third, two thousand and nine, in Gatineau.",
     "March third, two thousand and nine"),
    ("en", "her birthday is the twenty-first of may", "the twenty-first of may"),
    ("en", "He turns 18 on June 2, so the file closes.", "June 2"),
    ("en", "DOB: twelfth of january twenty ten", "twelfth of january twenty ten"),
]


@pytest.mark.parametrize(("lang", "text", "span"), BIRTHDAYS, ids=[b[2] for b in BIRTHDAYS])
def test_birth_date_in_words_or_birthday(screen, lang, text, span):
    assert ("DOB", span) in found(screen, text)


MUST_PASS = [
    "elle a eu 16 ans la semaine passée",
    "Il aura 18 ans bientôt, on prépare la transition.",
    "Elle a eu 16 ans en mars.",
    "She turned 16 last week and wants her own place.",
    "She turns 18 next year.",
    "Rencontre le trois mars à 14h au CLSC.",
    "Formation le 12 juillet sur l'exploitation sexuelle.",
    "Meeting on the fourth of October at 2pm.",
    "Audience à la cour le 2 février.",
    "La fête des voisins c'est le 12 juin.",
    "Sa fête de fin d'année est le 20 juin à l'école.",
    "On fête Noël le 24 décembre au refuge.",
    "The party is on the fourth of July.",
    "Elle est née pour aider les autres, rencontre le 3 mars.",
    "Elle ne veut pas venir le trois mars.",
]


@pytest.mark.parametrize("text", MUST_PASS)
def test_ages_and_other_dates_pass(screen, text):
    result = screen.scan(text)
    assert result.identifying is False, [(text[s:e], k) for s, e, k in result.spans]


# --- an age in words then "on"/"le", and "she'll be", "going to be" before the day ---

AGE_IN_WORDS_THEN_DAY = [
    ("en", "she just turned sixteen on the third of may", "the third of may"),
    ("en", "he turned fourteen on june 2nd", "june 2nd"),
    ("en", "she'll be 16 on december 2nd, then she can leave", "december 2nd"),
    ("en", "she's going to be seventeen on march 4", "march 4"),
    ("fr", "elle a eu quinze ans le douze juillet", "douze juillet"),
    ("fr", "il aura dix-sept le 4 avril", "4 avril"),
]


@pytest.mark.parametrize(("lang", "text", "span"), AGE_IN_WORDS_THEN_DAY,
                         ids=[b[2] for b in AGE_IN_WORDS_THEN_DAY])
def test_age_in_words_then_a_day(screen, lang, text, span):
    assert ("DOB", span) in found(screen, text)


AGE_IN_WORDS_MUST_PASS = [
    "she just turned sixteen on her own, no party",
    "she turned fifteen last month",
    "she'll be 16 soon, we should plan",
    "elle a eu quinze ans la semaine passée",
    "the training will be on the third of may",
]


@pytest.mark.parametrize("text", AGE_IN_WORDS_MUST_PASS)
def test_age_in_words_without_a_day_passes(screen, text):
    result = screen.scan(text)
    assert result.identifying is False, [(text[s:e], k) for s, e, k in result.spans]
