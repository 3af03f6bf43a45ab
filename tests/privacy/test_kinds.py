"""Each kind is detected in French and in English, and its span covers the right text."""

from __future__ import annotations

import pytest

from tests.privacy.helpers import found

CASES = [
    # PERSON
    ("fr", "La jeune s'appelle Kayla Tremblay, elle a fugué.", "PERSON", "Kayla Tremblay"),
    ("fr", "j'ai parlé avec jessica hier", "PERSON", "jessica"),
    ("fr", "Mme Bouchard a appelé ce matin.", "PERSON", "Bouchard"),
    ("fr", "Il a dit qu'Océane n'est pas rentrée.", "PERSON", "Océane"),
    ("en", "Her name is Destiny Côté, she ran away.", "PERSON", "Destiny Côté"),
    ("en", "talked to ashley this morning", "PERSON", "ashley"),
    ("en", "Mr. Lavoie called asking where she is.", "PERSON", "Lavoie"),
    ("en", "The boyfriend, Jordan Pelletier, is 24.", "PERSON", "Jordan Pelletier"),
    # DOB
    ("fr", "Elle est née le 14 mars 2009, vérifie le dossier.", "DOB", "14 mars 2009"),
    ("fr", "Elle est née en juillet 2011 à Alma.", "DOB", "juillet 2011"),
    ("fr", "ddn 2008-11-03, dossier à ouvrir", "DOB", "2008-11-03"),
    ("en", "She was born on March 3, 2008 in Gatineau.", "DOB", "March 3, 2008"),
    ("en", "DOB 2009-07-21, please check.", "DOB", "2009-07-21"),
    ("en", "Date of birth: 11/04/2009", "DOB", "11/04/2009"),
    # PHONE
    ("fr", "Son cell c'est le 514-555-0142, texto seulement.", "PHONE", "514-555-0142"),
    ("fr", "Tu peux la rejoindre au (438) 555-0199 après 18h.", "PHONE", "(438) 555-0199"),
    ("en", "You can reach the foster mom at 450.555.0186.", "PHONE", "450.555.0186"),
    ("en", "Call her at +1 514 555 0163 before 9pm", "PHONE", "+1 514 555 0163"),
    # EMAIL
    ("fr", "Courriel de la mère : nathalie.gagnon72@videotron.ca", "EMAIL",
     "nathalie.gagnon72@videotron.ca"),
    ("en", "Email from the youth: kaylaaa.t@gmail.com", "EMAIL", "kaylaaa.t@gmail.com"),
    # ADDRESS
    ("fr", "Elle reste au 4521 rue Saint-Hubert, app. 6, avec son chum.", "ADDRESS",
     "4521 rue Saint-Hubert, app. 6"),
    ("fr", "Adresse : 120, boul. des Laurentides, Laval", "ADDRESS", "120, boul. des Laurentides"),
    ("en", "She's staying at 3350 Sherbrooke Street West, apt 12.", "ADDRESS",
     "3350 Sherbrooke Street West, apt 12"),
    ("en", "Her address is 77 Maple Ave, Pointe-Claire.", "ADDRESS", "77 Maple Ave"),
    # POSTAL_CODE
    ("fr", "Code postal H2L 3K7, près du métro Beaudry.", "POSTAL_CODE", "H2L 3K7"),
    ("en", "postal code is h3z2y7", "POSTAL_CODE", "h3z2y7"),
    # RAMQ
    ("fr", "Sa carte soleil : LAVM 0957 2214, pour l'urgence.", "RAMQ", "LAVM 0957 2214"),
    ("fr", "numéro d'assurance maladie GAGS09621503", "RAMQ", "GAGS09621503"),
    ("en", "Health card number is ROYE 0862 0917.", "RAMQ", "ROYE 0862 0917"),
    ("en", "medicare card ABCD 1234 5678 needed", "RAMQ", "ABCD 1234 5678"),
    # SIN
    ("fr", "NAS de la jeune : 419 487 574", "SIN", "419 487 574"),
    ("en", "Social insurance number: 430792440", "SIN", "430792440"),
    ("en", "SIN 046-454-286 for the application", "SIN", "046-454-286"),
    # HANDLE
    ("fr", "Son insta c'est @lili.xo_2009, elle publie là-dessus.", "HANDLE", "@lili.xo_2009"),
    ("fr", "Son snap : maeva.bby — elle parle avec des hommes.", "HANDLE", "maeva.bby"),
    ("en", "her snap is chloe_b2008", "HANDLE", "chloe_b2008"),
    ("en", "Snapchat username is lexi_baby04", "HANDLE", "lexi_baby04"),
    # PLATE
    ("fr", "La plaque du char : FXT 4821, un Civic gris.", "PLATE", "FXT 4821"),
    ("en", "licence plate G45 KLM, black SUV", "PLATE", "G45 KLM"),
    # FILE_NUMBER
    ("fr", "Le dossier DPJ 2024-118734 est actif.", "FILE_NUMBER", "2024-118734"),
    ("en", "file number 2023-55671 at youth court", "FILE_NUMBER", "2023-55671"),
    # SCHOOL
    ("fr", "Elle va à l'école secondaire Pierre-Dupuy en secondaire 3.", "SCHOOL",
     "école secondaire Pierre-Dupuy"),
    ("fr", "Elle fréquente la polyvalente Jean-Jacques-Bertrand.", "SCHOOL",
     "polyvalente Jean-Jacques-Bertrand"),
    ("en", "She attends Westmount High School, grade 10.", "SCHOOL", "Westmount High School"),
    ("en", "She goes to Dawson College.", "SCHOOL", "Dawson College"),
]


@pytest.mark.parametrize(("lang", "text", "kind", "expected"), CASES,
                         ids=[f"{c[2]}-{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_kind_detected_with_exact_span(screen, lang, text, kind, expected):
    result = screen.scan(text, lang)
    assert result.identifying
    assert kind in result.kinds
    assert (kind, expected) in found(screen, text)


def test_every_kind_is_covered_in_both_languages():
    from bot.privacy import KINDS

    covered = {(kind, lang) for lang, _, kind, _ in CASES}
    assert covered == {(kind, lang) for kind in KINDS for lang in ("fr", "en")}


def test_result_shape_kinds_sorted_unique_and_spans_sorted(screen):
    text = ("Mme Bouchard: 514-555-0142, née le 3 mai 2010, courriel a.b@c.ca, "
            "snap: xo.lili, et encore 438-555-0111.")
    result = screen.scan(text)
    assert result.kinds == sorted(set(result.kinds))
    assert result.kinds == ["DOB", "EMAIL", "HANDLE", "PERSON", "PHONE"]
    assert result.spans == sorted(result.spans)
    assert [text[s:e] for s, e, k in result.spans if k == "PHONE"] == [
        "514-555-0142", "438-555-0111"]


def test_as_dict_is_the_cli_shape(screen):
    result = screen.scan("ddn 2008-11-03")
    assert result.as_dict() == {"identifying": True, "kinds": ["DOB"], "spans": [[4, 14, "DOB"]]}


def test_several_kinds_in_one_message(screen):
    text = "Adresse : 120, boul. des Laurentides, Laval H7G 2T9"
    assert found(screen, text) == [("ADDRESS", "120, boul. des Laurentides"),
                                   ("POSTAL_CODE", "H7G 2T9")]
