"""Numbers: SIN Luhn check, RAMQ, postal codes and phone numbers."""

from __future__ import annotations

import pytest

from tests.privacy.helpers import found


@pytest.mark.parametrize("number", ["419 487 574", "430792440", "046-454-286"])
def test_luhn_valid_sin_flagged(screen, number):
    assert ("SIN", number) in found(screen, f"NAS : {number}")


@pytest.mark.parametrize("number", ["419 487 575", "430792441", "123 456 789", "046-454-287"])
def test_luhn_invalid_nine_digits_not_sin(screen, number):
    assert "SIN" not in screen.scan(f"NAS : {number}").kinds
    assert screen.scan(f"Numéro de référence {number}").identifying is False


def test_sin_not_taken_from_a_longer_number(screen):
    assert screen.scan("Référence 4194875740 au dossier").kinds != ["SIN"]


@pytest.mark.parametrize("text", [
    "Le numéro est 514-555-0142.",
    "appelle au 438 555 0199",
    "(819) 555-0173",
    "5145550188",
    "+1-873-555-0190",
    "+33 6 12 34 56 78",
    "1 (819) 555-0144",
    "Son numéro de cell : 555-0199",
])
def test_phone_formats(screen, text):
    assert screen.scan(text).kinds == ["PHONE"]


@pytest.mark.parametrize("text", [
    "Info-Social 811", "Appelle le 911", "Kids Help Phone 1-800-668-6868",
    "Tel-jeunes 1 800 263-2266", "de 16h à 18h", "le 2008-11-03 était un lundi, rencontre",
])
def test_public_lines_and_non_phones_pass(screen, text):
    assert "PHONE" not in screen.scan(text).kinds


@pytest.mark.parametrize("code", ["H2L 3K7", "h2l3k7", "J1X-3P2"])
def test_postal_codes(screen, code):
    assert ("POSTAL_CODE", code) in found(screen, f"code postal {code}")


@pytest.mark.parametrize("text", ["Dossier K7-4QX", "cas Y-7K3Q", "H2L", "secteur H2L seulement"])
def test_case_codes_and_partial_postal_codes_pass(screen, text):
    assert screen.scan(text).identifying is False


@pytest.mark.parametrize("text", ["ramq: trem10592231", "carte TREM-1059-2231",
                                  "Carte soleil BELJ 9203 1544"])
def test_ramq_variants(screen, text):
    assert screen.scan(text).kinds == ["RAMQ"]


def test_uncued_dates(bare_screen):
    # a full date 6 to 30 years back reads as a birth date; recent ones do not
    assert bare_screen.scan("Elle: 14/03/2010, Laval").kinds == ["DOB"]
    assert bare_screen.scan("Audience le 14/03/2026").identifying is False
    assert bare_screen.scan("suivie depuis le 3 mars 2015").identifying is False
