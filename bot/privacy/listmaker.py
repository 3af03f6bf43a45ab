"""Developer tool that regenerates the derived word lists in ``bot/privacy/data/``.

Not used at run time. It reads the first-name and surname lists shipped inside a Faker wheel
(MIT licence; Faker is *not* a dependency of Relais: download the wheel with
``pip download --no-deps faker -d /tmp/faker``) and plain-text dictionaries (Debian packages
``wfrench``, ``wamerican``, ``wbritish``) and writes:

- ``first_names_faker.txt``: Latin-script first names of the Faker locales listed below;
- ``surnames_faker.txt``: the surnames of Faker's Québec locale (``fr_CA``);
- ``ambiguous_names.txt``: every name of the name lists (Faker and hand-made) that is also a
  lower-case word of one of the dictionaries, so the screen asks for context before flagging it.

With ``--common-words`` it instead writes ``common_words.txt``: the French and English words
at or above a Zipf frequency of :data:`COMMON_ZIPF` in the **wordfreq** package (install it in a
throw-away virtual environment; it is *not* a dependency of Relais), folded, without the names of
the name lists. The screen uses it to tell an unknown capitalised word that may be a name
("Nivaaq est arrivée") from an ordinary one at the start of a sentence ("Personne a rappelé").

Usage::

    python -m bot.privacy.listmaker --faker-wheel /tmp/faker/faker-*.whl \
        --dictionary /usr/share/dict/french --dictionary /usr/share/dict/american-english \
        --dictionary /usr/share/dict/british-english
    python -m bot.privacy.listmaker --common-words   # needs ``pip install wordfreq``
"""

from __future__ import annotations

import argparse
import ast
import importlib.metadata
import unicodedata
import zipfile
from pathlib import Path

from bot.privacy.folding import fold
from bot.privacy.wordlists import DATA_DIR, read_list

FIRST_NAME_LOCALES: tuple[str, ...] = (
    "fr_CA", "fr_FR", "fr_BE", "fr_CH", "fr_DZ",
    "en", "en_US", "en_GB", "en_IE", "en_IN", "en_NG",
    "es_MX", "es_CO", "pt_BR", "pt_PT", "it_IT", "ro_RO", "pl_PL",
    "vi_VN", "yo_NG", "ig_NG", "ha_NG", "tw_GH", "sw",
)
SURNAME_LOCALES: tuple[str, ...] = ("fr_CA",)
COMMON_ZIPF = 2.5
COMMON_LANGS = ("fr", "en")
FIRST_NAME_ATTRS = ("first_names", "first_names_female", "first_names_male",
                    "first_names_nonbinary")


def _is_latin_word(word: str) -> bool:
    if len(word) < 2 or " " in word:
        return False
    for ch in word:
        if ch in "-'’":
            continue
        if not ch.isalpha() or "LATIN" not in unicodedata.name(ch, ""):
            return False
    return True


def _provider_lists(wheel: zipfile.ZipFile, locale: str, attrs: tuple[str, ...]) -> set[str]:
    """Read tuple/list/dict literals named in ``attrs`` from a Faker person provider."""
    try:
        source = wheel.read(f"faker/providers/person/{locale}/__init__.py").decode("utf-8")
    except KeyError:
        return set()
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Assign | ast.AnnAssign):
            continue
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        names = {t.id for t in targets if isinstance(t, ast.Name)}
        if not names & set(attrs) or node.value is None:
            continue
        try:
            value = ast.literal_eval(node.value)
        except ValueError:
            continue
        items = value.keys() if isinstance(value, dict) else value
        found.update(str(v) for v in items)
    return {w for w in found if _is_latin_word(w)}


def _write(path: Path, header: str, words: set[str]) -> None:
    lines = [f"# {line}" if line else "#" for line in header.strip().splitlines()]
    body = sorted(words, key=lambda w: (fold(w), w))
    path.write_text("\n".join(lines + body) + "\n", encoding="utf-8")


def write_common_words() -> int:
    """Write ``common_words.txt`` from wordfreq (see the module docstring)."""
    import wordfreq  # dev-only, deliberately not a dependency

    names = {fold(n) for name in ("first_names_faker.txt", "first_names_community.txt",
                                  "surnames_faker.txt", "surnames_community.txt")
             for n in read_list(name)}
    words: set[str] = set()
    for lang in COMMON_LANGS:
        for word in wordfreq.iter_wordlist(lang):
            if wordfreq.zipf_frequency(word, lang) < COMMON_ZIPF:
                break  # the list is sorted by frequency
            folded = fold(word)
            if len(folded) >= 3 and folded.replace("-", "").replace("'", "").isalpha() \
                    and folded not in names:
                words.add(folded)
    version = importlib.metadata.version("wordfreq")
    _write(DATA_DIR / "common_words.txt",
           f"Frequent French and English words: Zipf frequency >= {COMMON_ZIPF} in wordfreq\n"
           f"{version} (Robyn Speer; data licensed CC BY-SA 4.0, see SOURCES.md), folded (lower\n"
           "case, no accents), 3 letters or more, without the names of the name lists.\n"
           "Used only to tell an unknown capitalised word from an ordinary one; this file is\n"
           "distributed under CC BY-SA 4.0. Generated by bot/privacy/listmaker.py\n"
           "--common-words: do not edit by hand.", words)
    print(f"common words: {len(words)}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--faker-wheel", type=Path)
    parser.add_argument("--dictionary", action="append", default=[], type=Path)
    parser.add_argument("--common-words", action="store_true",
                        help="write common_words.txt from wordfreq instead")
    args = parser.parse_args(argv)
    if args.common_words:
        return write_common_words()
    if args.faker_wheel is None:
        parser.error("--faker-wheel is required (or --common-words)")

    with zipfile.ZipFile(args.faker_wheel) as wheel:
        first: set[str] = set()
        for loc in FIRST_NAME_LOCALES:
            first |= _provider_lists(wheel, loc, FIRST_NAME_ATTRS)
        last: set[str] = set()
        for loc in SURNAME_LOCALES:
            last |= _provider_lists(wheel, loc, ("last_names",))
    wheel_name = args.faker_wheel.name
    _write(DATA_DIR / "first_names_faker.txt",
           f"First names from the person providers of the Faker package ({wheel_name}, MIT licence),\n"
           f"locales: {', '.join(FIRST_NAME_LOCALES)}. Latin-script single words only.\n"
           "Generated by bot/privacy/listmaker.py: do not edit by hand, add names to\n"
           "first_names_community.txt instead.", first)
    _write(DATA_DIR / "surnames_faker.txt",
           f"Surnames of Faker's Québec locale ({wheel_name}, MIT licence, locale fr_CA).\n"
           "Generated by bot/privacy/listmaker.py: do not edit by hand, add names to\n"
           "surnames_community.txt instead.", last)

    words: set[str] = set()
    for dictionary in args.dictionary:
        for line in dictionary.read_text(encoding="utf-8", errors="replace").splitlines():
            word = line.strip()
            if word and word[0].islower() and not word.endswith("'s"):
                words.add(fold(word))
    names = first | last
    names |= set(read_list("first_names_community.txt"))
    names |= set(read_list("surnames_community.txt"))
    never_words = {fold(n) for n in read_list("unambiguous_names.txt")}
    ambiguous = {n for n in names if fold(n) in words and fold(n) not in never_words}
    _write(DATA_DIR / "ambiguous_names.txt",
           "Names that are also ordinary lower-case words of French or English (for example\n"
           "maxime, mélodie, rose, will, mark, grace). The screen flags them only with context\n"
           "(a cue phrase, a title, a following surname, or a capital letter mid-sentence).\n"
           "Names listed in unambiguous_names.txt are left out.\n"
           "Generated by bot/privacy/listmaker.py from the name lists and the Debian word lists\n"
           f"{', '.join(p.name for p in args.dictionary)} (packages wfrench, wamerican, wbritish).",
           ambiguous)
    print(f"first names: {len(first)}, surnames: {len(last)}, ambiguous: {len(ambiguous)}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
