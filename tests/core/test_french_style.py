"""Every French string follows docs/french.md: épicène (OQLF), no article or preposition before a
name placeholder, Québec typography; English text never uses « guillemets »."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
LOCALES = ROOT / "locales"
DOMAINS = sorted(p.stem for p in LOCALES.glob("*.cfg"))
NBSP = "\u00a0"

# Placeholders that stand for a name (of a person, a service, an organisation, a region):
# French cannot elide or contract before them ("de Alice", "à Le Versant").
NAMES = ("who|name|service|services|sender|worker|org|organisation|author|region|others|"
         "alerted|receiver|requester|owner|person|colleague|first|second|by")
# Doublets: the masculine form is fine right beside its feminine.
DOUBLETS = [
    re.compile(rf"\b{f}s? (?:et|ou) (?:un |une |des |les |d')?{m}s?\b|"
               rf"\b{m}s? (?:et|ou) (?:un |une |des |les |d')?{f}s?\b", re.IGNORECASE)
    for f, m in (("intervenante", "intervenant"), ("coordonnatrice", "coordonnateur"),
                 ("administratrice", "administrateur"), ("participante", "participant"))
]
RULES: dict[str, re.Pattern[str]] = {
    # épicène
    "masculine-only noun for people (write a neutral wording, a doublet, or '(e)' on a button)":
        re.compile(r"\b(?:intervenant|coordonnateur|administrateur|participant)s?\b(?!\(e\))",
                   re.IGNORECASE),
    "point médian, slash or capital E inside a word (OQLF: doublet or '(e)')":
        re.compile(r"\w·\w|\b\w+/(?:e|es|ne|nes|rice|rices|euse|euses)\b|[a-zé][E](?:s)?\b"),
    "youth without its doublet ('le ou la jeune', 'un ou une jeune')":
        re.compile(r"\b(?:ce|le|du|un|au|aucun|seul) jeune\b", re.IGNORECASE),
    "masculine past participle about a person (rephrase: 'personne avisée', 'Nous vous aviserons')":
        re.compile(r"\b(?:avisé|orienté|référé|présenté)s?\b(?!\(e\))|"
                   r"\b[Vv]ous (?:êtes|serez|avez été) (?:\w+ )?(?:avisé|inscrit|ajouté|prêt|seul|"
                   r"informé|averti|invité|nommé|désigné|connecté)\b(?!\(e\))", re.IGNORECASE),
    # names in placeholders
    "article or preposition before a name placeholder (rephrase: '— {who}', 'par {who}')":
        re.compile(rf"(?:\b(?:de|à|le|la|les|du|au|aux|des)\s+|\b[dl]')(?:<b>)?\{{(?:{NAMES})\}}",
                   re.IGNORECASE),
    # dates and typography
    "ISO date in a sentence (Babel formats dates in words)": re.compile(r"\b\d{4}-\d{2}-\d{2}\b"),
    "hour not written the Québec way ('9 h', '16 h 30')": re.compile(r"\b\d{1,2}(?:h\d{0,2}|:\d\d)\b"),
    "« » around nothing": re.compile(rf"«[\s{NBSP}]*»"),
    "space before ?, ! or ; (none in Québec usage)": re.compile(rf"[ {NBSP}\u202f][?!;]"),
    "ordinary space before ':' or inside « » (a non-breaking space)":
        re.compile(r" :|« | »"),
    "missing space before ':' or inside « »":
        re.compile(rf"«[^{NBSP}]|[^{NBSP}]»|[^\s{NBSP}/:\d]:(?=\s|$)"),
}
# (msgid, rule start) pairs that are right as they are, with why.
ALLOWED: set[tuple[str, str]] = set()


def french(domain: str):  # type: ignore[no-untyped-def]
    with (LOCALES / "fr" / "LC_MESSAGES" / f"{domain}.po").open("rb") as handle:
        catalog = read_po(handle)
    for message in catalog:
        if not message.id:
            continue
        key = message.id if isinstance(message.id, str) else message.id[0]
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for string in strings:
            if string:
                yield key, string


def violations(text: str) -> list[tuple[str, str]]:
    """(rule, fragment) for each form the convention forbids in ``text``."""
    found = []
    plain = text
    for doublet in DOUBLETS:
        plain = doublet.sub("·doublet·", plain)
    for rule, pattern in RULES.items():
        subject = plain if rule.startswith("masculine-only") else text
        for match in pattern.finditer(subject):
            found.append((rule, subject[max(0, match.start() - 20): match.end() + 20]))
    return found


@pytest.mark.parametrize("domain", DOMAINS)
def test_french_strings_follow_the_convention(domain: str) -> None:
    problems = [
        f"{rule}: {fragment!r} in {key!r}"
        for key, string in french(domain)
        for rule, fragment in violations(string)
        if not any(key == allowed_id and rule.startswith(start) for allowed_id, start in ALLOWED)
    ]
    assert not problems, f"{domain}: see docs/french.md\n" + "\n".join(problems)


@pytest.mark.parametrize("domain", DOMAINS)
def test_english_text_has_no_guillemets(domain: str) -> None:
    with (LOCALES / "en" / "LC_MESSAGES" / f"{domain}.po").open("rb") as handle:
        catalog = read_po(handle)
    bad = []
    for message in catalog:
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if any("«" in s or "»" in s for s in (*ids, *strings) if s):
            bad.append(ids[0])
    assert not bad, f"{domain}: English uses \"...\" quotes, never « »: {bad}"


@pytest.mark.parametrize(("text", "rule"), [
    ("1 intervenant avisé.", "masculine-only"),
    ("Vous serez avisé dès que quelqu'un répond.", "masculine past participle"),
    ("Aucun·e intervenant·e", "point médian"),
    ("qui peut prendre ce jeune", "youth without"),
    ("Orienté ailleurs", "masculine past participle"),
    ("Question de {who} :", "article or preposition"),
    ("la fiche de <b>{service}</b>", "article or preposition"),
    ("Demande envoyée à {service}.", "article or preposition"),
    ("depuis le 2026-12-02", "ISO date"),
    ("demain 9h", "hour not"),
    ("à 16:30", "hour not"),
    ("Retirer «{title}»?", "missing space"),
    ("Prêt ?", "space before"),
    ("Statut : {status}", "ordinary space"),
    ("« »", "« » around nothing"),
])
def test_the_checks_catch_what_was_seen(text: str, rule: str) -> None:
    assert any(found.startswith(rule) for found, _fragment in violations(text)), violations(text)


@pytest.mark.parametrize("text", [
    "Les intervenantes et intervenants de vos régions\u00a0:",
    "Une intervenante ou un intervenant nommé",
    "Rôle\u00a0: intervenant(e)",
    "1 personne avisée. Nous vous aviserons dès que quelqu'un répondra.",
    "Avez-vous le consentement du ou de la jeune?",
    "prise en charge par {service} demandée par {who}",
    "La fiche «\u00a0{title}\u00a0» a été retirée.",
    "Trace d'audit du dossier {code}\u00a0: {n} entrées",
    "Écrivez le mois sous la forme AAAA-MM, par exemple 2027-03.",
    "🔗 https://example.org/guide",
])
def test_the_checks_let_the_convention_through(text: str) -> None:
    assert violations(text) == []
