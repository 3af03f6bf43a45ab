"""Every user-visible string exists in French and English, every plural form filled."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from bot.i18n import Translator, load_catalogs

ROOT = Path(__file__).resolve().parents[2]
LOCALES = ROOT / "locales"
DOMAINS = sorted(p.stem for p in LOCALES.glob("*.cfg"))
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None, "__": None}


def catalog(lang: str, domain: str):
    with (LOCALES / lang / "LC_MESSAGES" / f"{domain}.po").open("rb") as handle:
        return read_po(handle)


def source_messages(domain: str) -> set[str]:
    with (LOCALES / f"{domain}.cfg").open() as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    found = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        ROOT, method_map, options_map, keywords=KEYWORDS
    ):
        found.add(message if isinstance(message, str) else message[0])
    return found


def test_domains_exist() -> None:
    assert "core" in DOMAINS


@pytest.mark.parametrize("domain", DOMAINS)
@pytest.mark.parametrize("lang", ["fr", "en"])
def test_every_entry_and_plural_form_is_filled(lang: str, domain: str) -> None:
    cat = catalog(lang, domain)
    if lang == "fr":
        assert cat.num_plurals == 3, "French has three plural forms in current Babel"
    empty, fuzzy = [], []
    for message in cat:
        if not message.id:
            continue
        if message.fuzzy:
            fuzzy.append(message.id)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if isinstance(message.id, tuple) and len(strings) != cat.num_plurals:
            empty.append(message.id)
        if not all(s and s.strip() for s in strings):
            empty.append(message.id)
    assert not empty, f"{lang}/{domain}: untranslated {empty[:5]}"
    assert not fuzzy, f"{lang}/{domain}: fuzzy {fuzzy[:5]}"


@pytest.mark.parametrize("domain", DOMAINS)
def test_every_source_string_is_in_both_catalogs(domain: str) -> None:
    wanted = source_messages(domain)
    for lang in ("fr", "en"):
        have = {m.id if isinstance(m.id, str) else m.id[0] for m in catalog(lang, domain)}
        missing = sorted(wanted - have)
        assert not missing, f"{lang}/{domain}: run `make i18n`; missing {missing[:5]}"


@pytest.mark.parametrize("domain", DOMAINS)
def test_placeholders_survive_translation(domain: str) -> None:
    import re

    field = re.compile(r"\{(\w*)\}")
    for message in catalog("fr", domain):
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        wanted = set(field.findall(ids[-1]))
        for string in strings:
            assert set(field.findall(string)) <= wanted | set(field.findall(ids[0])), (
                f"{domain}: placeholder mismatch in {ids[0]!r}"
            )


def test_translations_load_at_runtime() -> None:
    french = Translator(LOCALES, "fr", __import__("zoneinfo").ZoneInfo("America/Toronto")).text("fr")
    assert french.gettext("Saved.") == "Enregistré."
    catalogs = load_catalogs(LOCALES)
    assert set(catalogs) >= {"fr", "en"}
